"""The real central inventory (`atelier-server`, SQLite) on a free 127.0.0.1 port, and a TCP relay
that can drop connections before or after the server saw the request (a server killed mid-upload).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    url: str
    token: str
    data_dir: Path
    process: subprocess.Popen[bytes]

    def device(self, asset_code: str) -> dict[str, Any] | None:
        request = urllib.request.Request(
            f"{self.url}/api/v1/devices/{asset_code}", headers={"Authorization": f"Bearer {self.token}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                data: dict[str, Any] = json.loads(response.read())
                return data
        except urllib.error.HTTPError as err:
            if err.code == 404:
                return None
            raise

    def enrollment_code(self) -> str:
        out = subprocess.run(
            [str(BIN / "atelier-server"), "station", "code", "--data-dir", str(self.data_dir)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return out.strip().splitlines()[-1].strip()


def start_server(data_dir: Path) -> Server:
    data_dir.mkdir(parents=True, exist_ok=True)
    created = subprocess.run(
        [str(BIN / "atelier-server"), "station", "create", "test-station", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    token = created.strip().splitlines()[-1].strip()
    port = free_port()
    log = open(data_dir / "server.log", "wb")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [
            str(BIN / "atelier-server"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return Server(url, token, data_dir, process)
        except OSError:
            if process.poll() is not None:
                raise RuntimeError((data_dir / "server.log").read_text()) from None
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("atelier-server did not start in 60 s")


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        os.kill(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


@contextmanager
def dropping_relay(target_port: int, plan: list[str]) -> Iterator[str]:
    """Relay to the server; per connection, `plan` says "drop-before" (server never sees it),
    "drop-after" (server stores it, client never gets the answer) or "pass"."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    stop = threading.Event()

    def read_request(conn: socket.socket) -> bytes:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _sep, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        while len(body) < length:
            body += conn.recv(65536)
        return head + b"\r\n\r\n" + body

    def handle(conn: socket.socket, action: str) -> None:
        with conn:
            request = read_request(conn)
            if action == "drop-before":
                return
            request = request.replace(b"Connection: keep-alive", b"Connection: close")
            with socket.create_connection(("127.0.0.1", target_port)) as upstream:
                upstream.sendall(request)
                response = b""
                while chunk := upstream.recv(65536):
                    response += chunk
            if action == "drop-after":
                return
            conn.sendall(response)

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _addr = listener.accept()
            except TimeoutError:
                continue
            action = plan.pop(0) if plan else "pass"
            threading.Thread(target=handle, args=(conn, action), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        thread.join()
        listener.close()
