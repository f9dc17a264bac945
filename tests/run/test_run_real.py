"""`atelier run` end to end with the real pieces: a loop device as the disk, the real atelier-server.

Faults: server down for the whole run, server dying mid-upload, agent SIGKILLed during the
erasure, data partition full. The memory and CPU checks are left out (`--skip-checks`): they
test this machine, not the run, and take a minute here.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.run.run_server import Server, dropping_relay, free_port, start_server, stop_server

pytestmark = [pytest.mark.root, pytest.mark.slow]

ATELIER = str(Path(sys.executable).parent / "atelier")
SENTINEL = b"ATELIER-SENTINEL-DONOR-DATA"
SKIP = ["memory", "cpu", "selftest"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = start_server(tmp_path_factory.mktemp("server"))
    yield srv
    stop_server(srv)


def plant(device: str) -> None:
    fd = os.open(device, os.O_WRONLY)
    try:
        size = os.lseek(fd, 0, os.SEEK_END)
        for offset in (0, 4096, size // 3, size // 2, size - 4096):
            os.pwrite(fd, SENTINEL * 8, offset)
        os.fsync(fd)
    finally:
        os.close(fd)


def device_bytes(device: str) -> bytes:
    with open(device, "rb") as handle:
        return handle.read()


def run(
    *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "ATELIER_CMDLINE": "/dev/null", **(env or {})}
    full_env.pop("ATELIER_DATA_DIR", None)
    return subprocess.run(
        [ATELIER, *args], capture_output=True, text=True, env=full_env, timeout=timeout, check=False
    )


def unattended(data: Path, server_url: str, token: str, device: str, asset: str, *extra: str) -> list[str]:
    return [
        "run",
        "--unattended",
        "--asset-code",
        asset,
        "--server",
        server_url,
        "--token",
        token,
        "--disks",
        device,
        "--policy",
        "default",
        "--data-dir",
        str(data),
        "--skip-checks",
        *SKIP,
        *extra,
    ]


def pending(data: Path) -> list[Path]:
    return sorted((data / "spool" / "pending").glob("*.json"))


def test_unattended_run_from_kernel_command_line(
    tmp_path: Path, server: Server, loop_device: Callable[..., str]
) -> None:
    device = loop_device(32 * 1024 * 1024)
    plant(device)
    cmdline = tmp_path / "cmdline"
    cmdline.write_text(
        "BOOT_IMAGE=/live/vmlinuz boot=live quiet atelier.mode=auto "
        f"atelier.server={server.url} atelier.token={server.token} atelier.asset=pc-cmd-0001 "
        f"atelier.disks={device} atelier.policy=default atelier.end=wait atelier.lang=en "
        "atelier.skip_checks=memory,cpu,selftest\n"
    )
    data = tmp_path / "data"
    result = run("run", "--data-dir", str(data), env={"ATELIER_CMDLINE": str(cmdline)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Step 5/9: Erasure" in result.stdout and "erased and verified" in result.stdout
    assert SENTINEL not in device_bytes(device)
    device_record = server.device("PC-CMD-0001")
    assert device_record is not None and device_record["report_count"] == 1
    assert device_record["erasure_status"] not in ("none", None)
    assert not pending(data) and len(list((data / "spool" / "sent").glob("*.json"))) == 1
    report = json.loads(next((data / "spool" / "sent").glob("*.json")).read_bytes())
    assert report["asset_code"] == "PC-CMD-0001" and report["lang"] == "en"
    assert [c["certificate"]["result"] for c in report["certificates"]] == ["erased"]
    assert any(c["id"] == "keyboard" and c["status"] == "skipped" for c in report["checks"])
    certs = list((data / "runs" / report["report_id"] / "certificates").glob("*.json"))
    assert certs
    verify = run("certificate", "verify", str(certs[0]))
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert (data / "runs" / report["report_id"] / "label.pdf").stat().st_size > 1000


def test_server_down_for_the_whole_run_then_sync_delivers_once(
    tmp_path: Path, server: Server, loop_device: Callable[..., str]
) -> None:
    device = loop_device(16 * 1024 * 1024)
    data = tmp_path / "data"
    down = f"http://127.0.0.1:{free_port()}"
    result = run(*unattended(data, down, server.token, device, "PC-DOWN-0001"))
    assert result.returncode == 6, result.stdout + result.stderr
    assert "atelier sync" in result.stdout
    assert len(pending(data)) == 1 and server.device("PC-DOWN-0001") is None
    synced = run("sync", "--server", server.url, "--token", server.token, "--data-dir", str(data))
    assert synced.returncode == 0, synced.stdout + synced.stderr
    again = run("sync", "--server", server.url, "--token", server.token, "--data-dir", str(data))
    assert again.returncode == 0 and "Rien à envoyer" in again.stdout
    record = server.device("PC-DOWN-0001")
    assert record is not None and record["report_count"] == 1


def test_server_dying_mid_upload_loses_nothing_and_duplicates_nothing(
    tmp_path: Path, server: Server, loop_device: Callable[..., str]
) -> None:
    device = loop_device(16 * 1024 * 1024)
    data = tmp_path / "data"
    port = int(server.url.rsplit(":", 1)[1])
    # 1st upload: cut before the server reads it; 2nd: the server stores it and the answer is lost.
    with dropping_relay(port, ["drop-after", "drop-before", "drop-after"]) as relay:
        result = run(*unattended(data, relay, server.token, device, "PC-CUT-0001"))
    assert result.returncode == 0, result.stdout + result.stderr
    record = server.device("PC-CUT-0001")
    assert record is not None and record["report_count"] == 1
    # Replaying the same report (say, a stick whose "sent" move was lost) is answered 200, once.
    sent = next((data / "spool" / "sent").glob("*.json"))
    (data / "spool" / "pending").mkdir(exist_ok=True)
    os.replace(sent, data / "spool" / "pending" / sent.name)
    synced = run("sync", "--server", server.url, "--token", server.token, "--data-dir", str(data))
    assert synced.returncode == 0, synced.stdout + synced.stderr
    record = server.device("PC-CUT-0001")
    assert record is not None and record["report_count"] == 1


def _wait_for_erasure(data: Path, proc: subprocess.Popen[Any], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for state in (data / "runs").glob("*/state.json"):
            try:
                content = json.loads(state.read_text())
            except ValueError:
                continue
            if any(e["status"] == "running" for e in content.get("erasure", {}).values()):
                return
        if proc.poll() is not None:
            raise AssertionError(f"run ended before erasing: {proc.returncode}")
        time.sleep(0.01)
    raise AssertionError("erasure never started")


def test_agent_killed_during_erasure_resumes_and_says_restarted(
    tmp_path: Path, server: Server, loop_device: Callable[..., str]
) -> None:
    device = loop_device(256 * 1024 * 1024)
    plant(device)
    data = tmp_path / "data"
    args = unattended(data, server.url, server.token, device, "PC-KILL-0001", "--skip-checks", "read-scan")
    env = {**os.environ, "ATELIER_CMDLINE": "/dev/null"}
    proc = subprocess.Popen([ATELIER, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    _wait_for_erasure(data, proc)
    time.sleep(0.3)  # well inside the overwrite of 256 MiB
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert server.device("PC-KILL-0001") is None and not pending(data)

    result = run(*args)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Reprise" in result.stdout and "recommence depuis le début" in result.stdout
    assert SENTINEL not in device_bytes(device)
    report = json.loads(next((data / "spool" / "sent").glob("*.json")).read_bytes())
    (cert,) = report["certificates"]
    assert cert["certificate"]["result"] == "erased" and cert["certificate"]["restarted"] is True
    record = server.device("PC-KILL-0001")
    assert record is not None and record["report_count"] == 1


def test_full_data_partition_stops_before_erasing_anything(
    tmp_path: Path, server: Server, loop_device: Callable[..., str]
) -> None:
    device = loop_device(16 * 1024 * 1024)
    plant(device)
    before = hashlib.sha256(device_bytes(device)).hexdigest()
    data = tmp_path / "stick"
    data.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=128k", "tmpfs", str(data)], check=True)
    try:
        result = run(*unattended(data, server.url, server.token, device, "PC-FULL-0001"))
    finally:
        subprocess.run(["umount", str(data)], check=False)
    assert result.returncode == 5, result.stdout + result.stderr
    assert "pleine" in result.stderr
    assert hashlib.sha256(device_bytes(device)).hexdigest() == before


def test_station_register_with_a_one_time_code(tmp_path: Path, server: Server) -> None:
    data = tmp_path / "data"
    code = server.enrollment_code()
    result = run(
        "station",
        "register",
        "--server",
        server.url,
        "--code",
        code,
        "--name",
        "poste-test",
        "--data-dir",
        str(data),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    station = data / "station.toml"
    assert station.stat().st_mode & 0o777 == 0o600 and "token" in station.read_text()
    assert (data / "station.key").exists()
    shown = run("config", "show", "--data-dir", str(data))
    token = next(line for line in station.read_text().splitlines() if line.startswith("token"))
    assert "défini (station)" in shown.stdout and token.split('"')[1] not in shown.stdout
    again = run("station", "register", "--server", server.url, "--code", code, "--data-dir", str(data))
    assert again.returncode == 6 and again.stderr.strip()  # a one-time code works once
