"""Spool and upload: written before any upload, moved to sent only on 200/201, never duplicated."""

from __future__ import annotations

import json
import os
import socket
import uuid
from pathlib import Path

import pytest

from agent.errors import EnvironmentProblem
from agent.spool import Spool, check_free_space
from agent.upload import ServerClient, backoff_delays, sync_all
from tests.run.run_fake_server import Script, scripted_server


def payload(asset: str = "PC-0001") -> tuple[str, bytes]:
    rid = str(uuid.uuid4())
    return rid, json.dumps({"report_id": rid, "asset_code": asset}).encode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def no_sleep(_s: float) -> None:
    pass


def test_backoff_is_exponential_and_bounded() -> None:
    assert backoff_delays(6) == [0.5, 1.0, 2.0, 4.0, 8.0]
    assert backoff_delays(10)[-1] == 8.0 and sum(backoff_delays(5)) < 16


def test_spool_refuses_paths_outside_the_spool(data_dir: Path) -> None:
    with pytest.raises(ValueError):
        Spool(data_dir).put("../../etc/passwd", b"{}")


def test_delivered_once_then_in_sent(data_dir: Path) -> None:
    spool = Spool(data_dir)
    rid, body = payload()
    spool.put(rid, body)
    script = Script([(503, {"detail": "busy"}), "store"])
    with scripted_server(script) as url:
        summary = sync_all(spool, ServerClient(url, "tok"), attempts=3, sleep=no_sleep)
    assert summary.count("sent") == 1
    assert spool.state_of(rid) == "sent" and not spool.pending()
    assert [r["auth"] for r in script.received] == ["Bearer tok", "Bearer tok"]
    assert list(script.stored) == [rid]
    # a second sync finds nothing to send
    assert (
        sync_all(spool, ServerClient("http://127.0.0.1:9", "tok"), attempts=1, sleep=no_sleep).deliveries
        == []
    )


def test_server_down_keeps_report_pending(data_dir: Path) -> None:
    spool = Spool(data_dir)
    rid, body = payload()
    spool.put(rid, body)
    waits: list[float] = []
    summary = sync_all(
        spool, ServerClient(f"http://127.0.0.1:{free_port()}", "t", timeout=2), attempts=4, sleep=waits.append
    )
    assert summary.count("pending") == 1 and spool.state_of(rid) == "pending"
    assert waits == [0.5, 1.0, 2.0]


def test_killed_mid_upload_no_loss_no_duplicate(data_dir: Path) -> None:
    spool = Spool(data_dir)
    rid, body = payload()
    spool.put(rid, body)
    # 1st attempt: server dies before storing; 2nd: stores then dies before answering; 3rd: 200.
    script = Script(["drop", "store-then-drop", "store"])
    with scripted_server(script) as url:
        summary = sync_all(spool, ServerClient(url, "t", timeout=5), attempts=5, sleep=no_sleep)
    assert summary.deliveries[0].outcome == "sent" and summary.deliveries[0].status == 200
    assert len(script.received) == 3 and list(script.stored) == [rid]
    assert spool.state_of(rid) == "sent"


def test_client_error_goes_to_rejected_with_the_server_message(data_dir: Path) -> None:
    spool = Spool(data_dir)
    rid, body = payload()
    spool.put(rid, body)
    script = Script([(422, {"detail": [{"loc": ["body", "disks"], "msg": "bad"}]})])
    with scripted_server(script) as url:
        summary = sync_all(spool, ServerClient(url, "t"), attempts=5, sleep=no_sleep)
    assert summary.count("rejected") == 1 and len(script.received) == 1
    assert spool.state_of(rid) == "rejected"
    assert "disks" in (data_dir / "spool" / "rejected" / f"{rid}.reason.txt").read_text()


def test_429_and_408_are_retried_but_401_keeps_pending(data_dir: Path) -> None:
    spool = Spool(data_dir)
    rid, body = payload()
    spool.put(rid, body)
    script = Script([(429, {}), (408, {}), "store"])
    with scripted_server(script) as url:
        assert sync_all(spool, ServerClient(url, "t"), attempts=5, sleep=no_sleep).count("sent") == 1
    rid2, body2 = payload()
    spool.put(rid2, body2)
    script = Script([(401, {"detail": "bad token"})])
    with scripted_server(script) as url:
        summary = sync_all(spool, ServerClient(url, "wrong"), attempts=5, sleep=no_sleep)
    # A wrong token is the station's problem, not the report's: it waits for a good token.
    assert summary.count("pending") == 1 and spool.state_of(rid2) == "pending" and len(script.received) == 1


def test_full_data_partition_is_a_clear_error(tmp_path: Path) -> None:
    import subprocess

    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    mnt = tmp_path / "full"
    mnt.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)], check=True)
    try:
        with pytest.raises(EnvironmentProblem, match="pleine"):
            check_free_space(mnt, 8)
        (mnt / "filler").write_bytes(b"\0" * 200 * 1024)
        with pytest.raises(EnvironmentProblem, match="pleine"):
            check_free_space(mnt, 0)
        with pytest.raises(EnvironmentProblem, match="pleine"):
            Spool(mnt).put(str(uuid.uuid4()), b"x" * 300 * 1024)
    finally:
        subprocess.run(["umount", str(mnt)], check=False)
