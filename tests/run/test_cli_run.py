"""The `atelier run` command's own pieces: end action, UI choice, station show, sync with nothing pending."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agent.cli import run as run_cli
from agent.cli.main import main
from agent.host import CommandResult
from agent.tui.guided import GuidedUI
from agent.tui.log import LogUI


class RecordingHost:
    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def run(self, argv: Any, *, timeout: float = 30.0) -> CommandResult:
        self.calls.append(list(argv))
        return CommandResult(tuple(argv), 0, "", "")


@pytest.mark.parametrize(
    ("action", "expected"),
    [("poweroff", [["systemctl", "poweroff"]]), ("reboot", [["systemctl", "reboot"]]), ("wait", [])],
)
def test_end_action(action: str, expected: list[list[str]]) -> None:
    host = RecordingHost()
    run_cli._end(action, host)  # type: ignore[arg-type]
    assert host.calls == expected


def test_ui_choice() -> None:
    assert isinstance(run_cli._make_ui(True), LogUI)
    assert isinstance(run_cli._make_ui(False), GuidedUI)


def test_sync_with_nothing_pending(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sync", "--data-dir", str(data_dir)]) == 0
    assert "Rien à envoyer" in capsys.readouterr().out


def test_sync_without_server_is_a_usage_error(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pending = data_dir / "spool" / "pending"
    pending.mkdir(parents=True)
    (pending / "6f1c1b7e-1f0a-4d5e-9a43-0d0b6c1e2f3a.json").write_text("{}")
    assert main(["sync", "--data-dir", str(data_dir)]) == 2
    assert "--server" in capsys.readouterr().err


def test_station_show_creates_the_key_once(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["station", "show", "--data-dir", str(data_dir)]) == 0
    first = capsys.readouterr().out
    assert "Empreinte de la clé" in first and "Pas encore enregistré" in first
    assert main(["station", "show", "--data-dir", str(data_dir)]) == 0
    assert capsys.readouterr().out == first
    assert (data_dir / "station.key").stat().st_mode & 0o777 == 0o600


def test_unattended_without_asset_code_is_a_usage_error(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--unattended", "--data-dir", str(data_dir)]) == 2
    assert "code d'inventaire" in capsys.readouterr().err


def test_run_waits_for_the_launcher_to_mount_the_data_partition(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading
    import time

    from agent.cli.run import wait_for_data_partition

    pending = tmp_path / "atelier-data.pending"
    pending.write_bytes(b"")
    monkeypatch.setenv("ATELIER_DATA_PENDING", str(pending))
    threading.Timer(0.3, pending.unlink).start()
    start = time.monotonic()
    wait_for_data_partition()
    assert not pending.exists() and time.monotonic() - start >= 0.25
    pending.write_bytes(b"")  # a launcher that never finishes: the wait is bounded
    start = time.monotonic()
    wait_for_data_partition(limit_s=0.2)
    assert time.monotonic() - start < 5
    monkeypatch.delenv("ATELIER_DATA_PENDING")
    wait_for_data_partition()  # not started by the launcher: nothing to wait for
