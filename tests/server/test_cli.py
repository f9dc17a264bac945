"""`atelier-server`: first start prints URL and admin password; station tokens; backup while running."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from server_stub.config import Settings


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server_stub.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_serve_prints_url_and_password_then_backup_while_running(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "ATELIER_SERVER_DATA_DIR": str(tmp_path / "data"),
        "ATELIER_SERVER_SCRYPT_LOG2_N": "10",
    }
    env.pop("ATELIER_SERVER_ADMIN_PASSWORD", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "server_stub.cli", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(4)]
        assert f"http://127.0.0.1:{port}/" in lines[0]
        password = lines[2].rsplit(" ", 1)[-1].strip()
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if requests.get(f"{base}/api/v1/openapi.json", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        login = requests.post(
            f"{base}/api/v1/auth/login", json={"username": "admin", "password": password}, timeout=10
        )
        assert login.status_code == 200
        token = _cli("station", "create", "poste-cli", env=env)
        assert token.returncode == 0, token.stderr
        assert token.stdout.strip().startswith("st_")
        code = _cli("station", "code", env=env)
        assert code.returncode == 0 and len(code.stdout.strip()) == 11
        listed = requests.get(
            f"{base}/api/v1/stations",
            headers={"Authorization": f"Bearer {login.json()['access_token']}"},
            timeout=10,
        ).json()
        assert [s["name"] for s in listed] == ["poste-cli"]
        backup = _cli("backup", "--out", str(tmp_path / "copy.db"), env=env)
        assert backup.returncode == 0, backup.stderr
        with sqlite3.connect(tmp_path / "copy.db") as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert conn.execute("SELECT name FROM stations").fetchall() == [("poste-cli",)]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    # Second start: the admin exists, no password is printed again.
    again = _cli("user", "create", "--username", "tech", "--role", "technician", env=env)
    assert again.returncode == 0 and again.stdout.strip()


def test_default_secret_refused_outside_development(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="SECRET_KEY"):
        Settings(data_dir=tmp_path, secret_key="changethis")  # type: ignore[arg-type]
    Settings(data_dir=tmp_path, secret_key="changethis", environment="development")  # type: ignore[arg-type]
    settings = Settings(data_dir=tmp_path)
    key = settings.signing_key()
    assert len(key) >= 32 and settings.signing_key() == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_two_worker_processes_share_one_sqlite_database(tmp_path: Path) -> None:
    """`--workers 2`: reports posted at once through both processes are all stored once each,
    the same report from every client is one record (the writers take turns on SQLite)."""
    import concurrent.futures

    from agent.certs import StationKey

    from .factories import make_report, report_json

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "ATELIER_SERVER_DATA_DIR": str(tmp_path / "data"),
        "ATELIER_SERVER_SCRYPT_LOG2_N": "10",
    }
    key = StationKey.generate()
    token = _cli("station", "create", "poste-workers", "--public-key", key.public_key_b64, env=env)
    assert token.returncode == 0, token.stderr
    headers = {"Authorization": f"Bearer {token.stdout.strip()}", "Content-Type": "application/json"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "server_stub.cli",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--workers",
            "2",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        for _ in range(300):
            try:
                if requests.get(f"{base}/health", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        bodies = [report_json(make_report(asset_code=f"W-{i}", key=key, probe_log=5)) for i in range(16)]
        bodies += [bodies[0]] * 8

        def post(body: bytes) -> int:
            return requests.post(f"{base}/reports", data=body, headers=headers, timeout=60).status_code

        with concurrent.futures.ThreadPoolExecutor(12) as pool:
            statuses = sorted(pool.map(post, bodies))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert statuses == [200] * 8 + [201] * 16
    with sqlite3.connect(tmp_path / "data" / "atelier.db") as conn:
        assert conn.execute("SELECT count(*) FROM reports").fetchone() == (16,)
        assert conn.execute("SELECT count(*) FROM devices").fetchone() == (16,)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
