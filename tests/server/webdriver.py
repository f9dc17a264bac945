"""A tiny W3C WebDriver client for Debian's chromedriver, over plain HTTP (httpx).

WebDriver is JSON over HTTP: the dozen commands the UI test needs fit here, so the test depends
on no Selenium or Playwright download — only the `chromium` and `chromium-driver` packages that
`.ci/run` installs. Chromium-specific commands (full-page screenshots) go through chromedriver's
`goog/cdp/execute` passthrough to the DevTools Protocol.
"""

from __future__ import annotations

import base64
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
KEYS = {"tab": "\ue004", "enter": "\ue007", "shift": "\ue008"}


def chromium_paths() -> tuple[str, str] | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


class WebDriverError(RuntimeError):
    pass


class Browser:
    def __init__(self, endpoint: str, session_id: str, http: httpx.Client) -> None:
        self.endpoint = endpoint
        self.session_id = session_id
        self.http = http

    # -- protocol ----------------------------------------------------------------------------

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        url = f"{self.endpoint}/session/{self.session_id}{path}"
        response = self.http.request(method, url, json=body if body is not None else None)
        data = response.json()
        if response.status_code >= 400:
            value = data.get("value", {})
            raise WebDriverError(f"{method} {path}: {value.get('error')}: {value.get('message', '')[:300]}")
        return data.get("value")

    def get(self, url: str) -> None:
        self._call("POST", "/url", {"url": url})

    @property
    def url(self) -> str:
        return str(self._call("GET", "/url"))

    @property
    def title(self) -> str:
        return str(self._call("GET", "/title"))

    def find(self, css: str) -> str:
        value = self._call("POST", "/element", {"using": "css selector", "value": css})
        if not isinstance(value, dict) or ELEMENT not in value:
            raise WebDriverError(f"no element {css!r} on {self.url}: {value!r:.300}")
        return str(value[ELEMENT])

    def find_all(self, css: str) -> list[str]:
        return [e[ELEMENT] for e in self._call("POST", "/elements", {"using": "css selector", "value": css})]

    def type(self, css: str, text: str, *, clear: bool = True) -> None:
        element = self.find(css)
        if clear:
            self._call("POST", f"/element/{element}/clear", {})
        self._call("POST", f"/element/{element}/value", {"text": text})

    def click(self, css: str) -> None:
        self._call("POST", f"/element/{self.find(css)}/click", {})

    def text(self, css: str = "body") -> str:
        return str(self._call("GET", f"/element/{self.find(css)}/text"))

    def attribute(self, css: str, name: str) -> str | None:
        value = self._call("GET", f"/element/{self.find(css)}/property/{name}")
        return None if value is None else str(value)

    def script(self, source: str, *args: Any) -> Any:
        return self._call("POST", "/execute/sync", {"script": source, "args": list(args)})

    def async_script(self, source: str, *args: Any) -> Any:
        return self._call("POST", "/execute/async", {"script": source, "args": list(args)})

    def press(self, *keys: str) -> None:
        """Real key presses, sent to whatever has the focus (keyboard navigation)."""
        actions = []
        for key in keys:
            code = KEYS.get(key, key)
            actions += [{"type": "keyDown", "value": code}, {"type": "keyUp", "value": code}]
        self._call("POST", "/actions", {"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})
        self._call("DELETE", "/actions")

    def wait_for(self, css: str, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            try:
                return self.find(css)
            except WebDriverError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def clear_cookies(self) -> None:
        self._call("DELETE", "/cookie")

    def wait_url(self, fragment: str, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while fragment not in (current := self.url):
            if time.monotonic() > deadline:
                raise WebDriverError(f"still on {current}, waiting for {fragment!r}")
            time.sleep(0.1)
        return current

    def resize(self, width: int, height: int) -> None:
        self._call("POST", "/window/rect", {"width": width, "height": height})

    def cdp(self, command: str, params: dict[str, Any] | None = None) -> Any:
        return self._call("POST", "/goog/cdp/execute", {"cmd": command, "params": params or {}})

    def screenshot(self, path: Path, *, width: int = 1280, full_page: bool = True) -> Path:
        """A PNG of the page at `width` CSS pixels; the whole page height when `full_page`."""
        height = 900
        if full_page:
            height = int(self.script("return Math.ceil(document.documentElement.scrollHeight);"))
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": min(height, 8000), "deviceScaleFactor": 1, "mobile": False},
        )
        try:
            shot = self.cdp("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        finally:
            self.cdp("Emulation.clearDeviceMetricsOverride")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def fetch(self, href: str) -> dict[str, Any]:
        """Download `href` from inside the page (its cookies, its origin): status, type, first bytes."""
        result = self.async_script(
            """
            const done = arguments[arguments.length - 1];
            fetch(arguments[0], {credentials: 'same-origin'}).then(async (r) => {
              const buf = new Uint8Array(await r.arrayBuffer());
              let head = '';
              for (let i = 0; i < Math.min(buf.length, 4096); i++) head += String.fromCharCode(buf[i]);
              done({status: r.status, type: r.headers.get('content-type'),
                    disposition: r.headers.get('content-disposition'), size: buf.length, head: head});
            }).catch((e) => done({error: String(e)}));
            """,
            href,
        )
        assert isinstance(result, dict)
        return result


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def chromium(profile_dir: Path, *, width: int = 1280, height: int = 900) -> Iterator[Browser]:
    """Headless Chromium driven by chromedriver on a free loopback port; both stopped on exit."""
    paths = chromium_paths()
    if paths is None:
        raise RuntimeError(
            "chromium and chromedriver are not installed (apt-get install chromium chromium-driver)"
        )
    browser_path, driver_path = paths
    port = _free_port()
    log = (profile_dir.parent / "chromedriver.log").open("wb")
    driver = subprocess.Popen(
        [driver_path, f"--port={port}", "--allowed-ips=127.0.0.1"], stdout=log, stderr=subprocess.STDOUT
    )
    endpoint = f"http://127.0.0.1:{port}"
    http = httpx.Client(timeout=60)
    session_id = None
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if http.get(f"{endpoint}/status").json()["value"]["ready"]:
                    break
            except (httpx.HTTPError, KeyError, ValueError):
                pass
            if time.monotonic() > deadline or driver.poll() is not None:
                raise RuntimeError("chromedriver did not start")
            time.sleep(0.1)
        args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--lang=fr-FR",
            f"--window-size={width},{height}",
            f"--user-data-dir={profile_dir}",
        ]
        capabilities = {
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": {"binary": browser_path, "args": args},
                    "timeouts": {"script": 20000, "pageLoad": 30000, "implicit": 0},
                }
            }
        }
        answer = http.post(f"{endpoint}/session", json=capabilities).json()["value"]
        if "sessionId" not in answer:
            raise RuntimeError(f"chromedriver refused the session: {answer}")
        session_id = answer["sessionId"]
        yield Browser(endpoint, session_id, http)
    finally:
        if session_id is not None:
            with suppress(httpx.HTTPError):
                http.delete(f"{endpoint}/session/{session_id}")
        http.close()
        driver.terminate()
        try:
            driver.wait(timeout=10)
        except subprocess.TimeoutExpired:
            driver.kill()
            driver.wait()
        log.close()


__all__ = ["Browser", "WebDriverError", "chromium", "chromium_paths"]
