"""The real `atelier-server` on the host for the e2e test: SQLite in a temporary directory, bound to
127.0.0.1 (a QEMU guest with user networking reaches it at http://10.0.2.2:PORT), one station."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
ADMIN_USER = "admin"
ADMIN_PASSWORD = "e2e-admin-password-not-secret"


def server_command() -> list[str] | None:
    exe = ROOT / ".venv" / "bin" / "atelier-server"
    if exe.exists():
        return [str(exe)]
    found = shutil.which("atelier-server")
    return [found] if found else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    port: int
    data_dir: Path
    env: dict[str, str]
    token: str
    proc: subprocess.Popen[bytes] | None = None

    @property
    def host_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api(self) -> str:
        return f"{self.host_url}/api/v1"

    @property
    def guest_url(self) -> str:
        return f"http://10.0.2.2:{self.port}"

    def admin_session(self) -> requests.Session:
        session = requests.Session()
        answer = session.post(
            f"{self.api}/auth/login",
            json={"username": ADMIN_USER, "password": ADMIN_PASSWORD},
            timeout=10,
        )
        answer.raise_for_status()
        session.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
        return session

    def device(self, asset_code: str) -> dict[str, Any] | None:
        answer = self.admin_session().get(f"{self.api}/devices/{asset_code}", timeout=10)
        if answer.status_code == 404:
            return None
        answer.raise_for_status()
        result: dict[str, Any] = answer.json()
        return result

    def report(self, report_id: str) -> dict[str, Any]:
        answer = self.admin_session().get(f"{self.api}/reports/{report_id}", timeout=10)
        answer.raise_for_status()
        result: dict[str, Any] = answer.json()
        return result

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def start(self) -> None:
        cmd = server_command()
        assert cmd is not None
        log = (self.data_dir / "server.log").open("wb")
        self.proc = subprocess.Popen([*cmd, "serve"], env=self.env, stdout=log, stderr=log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"atelier-server exited: {(self.data_dir / 'server.log').read_text()[-2000:]}"
                )
            try:
                requests.get(self.host_url + "/", timeout=1)
                return
            except requests.RequestException:
                time.sleep(0.3)
        raise RuntimeError("atelier-server did not answer within 60 s")


def _env(data_dir: Path, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "ATELIER_SERVER_DATA_DIR": str(data_dir),
        "ATELIER_SERVER_HOST": "127.0.0.1",
        "ATELIER_SERVER_PORT": str(port),
        "ATELIER_SERVER_ENVIRONMENT": "test",
        "ATELIER_SERVER_SECRET_KEY": "e2e-secret-key-0123456789abcdef0123456789",
        "ATELIER_SERVER_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "ATELIER_SERVER_SCRYPT_LOG2_N": "10",
    }


def make_station_key(directory: Path) -> str:
    """Create the agent's station key (`station.key`, as `atelier` would on the stick) in
    `directory`; returns its public key, base64, for `atelier-server station create --public-key`
    (without it the server cannot check the certificates' signatures)."""
    import base64

    from agent.certs.keys import StationKey

    key = StationKey.load_or_create(directory)
    return base64.b64encode(key.public_key_raw).decode("ascii")


def create_station(env: dict[str, str], name: str, public_key: str | None = None) -> str:
    cmd = server_command()
    assert cmd is not None
    argv = [*cmd, "station", "create", name]
    if public_key:
        argv += ["--public-key", public_key]
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"atelier-server station create failed: {result.stderr.strip()}")
    # The token is the longest URL-safe word printed (the command prints it once, with a sentence).
    words = re.findall(r"[A-Za-z0-9_\-\.]{20,}", result.stdout)
    if not words:
        raise RuntimeError(f"no token in: {result.stdout!r}")
    return max(words, key=len)


@contextmanager
def running_server(
    workdir: Path, station: str = "e2e-station", public_key: str | None = None
) -> Iterator[Server]:
    data_dir = workdir / "server"
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = _env(data_dir, port)
    server = Server(port=port, data_dir=data_dir, env=env, token=create_station(env, station, public_key))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def server_available() -> str | None:
    """None when the server CLI can serve and create stations, else why not."""
    cmd = server_command()
    if cmd is None:
        return "atelier-server is not installed (make venv)"
    result = subprocess.run([*cmd, "--help"], capture_output=True, text=True, timeout=60)
    if result.returncode != 0 or "station" not in result.stdout or "serve" not in result.stdout:
        return "atelier-server has no `serve`/`station` commands yet"
    return None
