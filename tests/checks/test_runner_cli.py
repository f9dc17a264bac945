"""run_checks on a real loop device, and the check / disk-health command lines."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from agent.checks.memory import MemorySettings
from agent.checks.read_scan import ScanSettings
from agent.checks.runner import CheckSettings, profile_settings, run_checks
from agent.cli.main import main
from agent.host import LiveHost
from agent.report import Disk, Report

MIB = 1 << 20


def test_run_checks_quick_on_a_loop_device(loop_device: Callable[..., str]) -> None:
    dev = loop_device(32 * MIB)
    report = Report(agent_version="test", disks=[Disk(name=dev.rsplit("/", 1)[1], path=dev)])
    settings = CheckSettings(
        memory=MemorySettings(max_bytes=16 * MIB), scan=ScanSettings(samples=16), cpu_seconds=1.0
    )
    seen: set[str] = set()
    results = run_checks(report, LiveHost(), settings=settings, progress=lambda cid, f: seen.add(cid))
    by_id = {r.id: r for r in results}
    assert by_id[f"disk-health:{dev}"].status == "skipped"  # a loop device has no SMART
    assert by_id[f"read-scan:{dev}"].status == "pass"
    assert by_id[f"selftest:{dev}"].status == "skipped"
    assert "non disponible sur cette machine" in by_id[f"selftest:{dev}"].message
    assert by_id["memory"].status == "pass"
    assert by_id["cpu"].status == "pass"
    assert by_id["battery"].message == "pas de batterie sur cette machine"
    assert by_id["keyboard"].message == "non demandé en mode automatique"
    assert {"memory", f"read-scan:{dev}"} <= seen


def test_only_disks_and_skip() -> None:
    report = Report(
        agent_version="t", disks=[Disk(name="sda", path="/dev/sda"), Disk(name="loop9", path="/dev/loop9")]
    )
    settings = CheckSettings(
        skip=frozenset({"read-scan", "memory", "cpu", "selftest", "interactive", "network", "battery"})
    )
    results = run_checks(report, LiveHost(), only_disks=["/dev/loop9"], settings=settings)
    assert [r.id for r in results] == ["disk-health:/dev/loop9"]


def test_profiles() -> None:
    assert profile_settings("full").scan.mode == "full"
    assert profile_settings("quick").memory.full_patterns is False


def test_disk_health_cli_prints_one_line_per_drive(
    fixtures: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [fixtures / "smartctl/scrutiny/smart-nvme-failed.json", fixtures / "smartctl/peracotta/three.txt"]
    code = main(["disk-health", *map(str, files)])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1  # a failing drive was found
    assert lines[0]["health"] == "failing"
    assert lines[0]["model"] == "Samsung SSD 970 EVO 500GB"
    assert lines[0]["reasons"][0]["code"] == "nvme-media-errors"
    assert "fr" in lines[0]["reasons"][0] and "en" in lines[0]["reasons"][0]
    assert len(lines) >= 3  # three.txt holds three drives
    assert set(lines[0]) == {"file", "model", "serial", "health", "reasons"}


def test_disk_health_cli_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("{truncated")
    assert main(["disk-health", str(bad)]) == 3
    assert "ce n'est pas du JSON de smartctl" in capsys.readouterr().err


def test_check_cli_json_on_a_loop_device(loop_device: Callable[..., str]) -> None:
    dev = loop_device(16 * MIB)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "agent.cli.main",
            "check",
            "--disks",
            dev,
            "--skip",
            "memory",
            "cpu",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    ids = {c["id"] for c in report["checks"]}
    assert f"read-scan:{dev}" in ids and "memory" not in ids
    assert report["grade"]["grade"] in "ABCD"


def test_interactive_checks_run_with_a_ui_and_can_be_skipped_one_by_one() -> None:
    from tests.checks.test_interactive import ScriptedUI

    heavy = {"read-scan", "memory", "cpu", "selftest", "network", "battery", "speakers", "usb-ports"}
    settings = CheckSettings(skip=frozenset(heavy | {"webcam"}))
    results = run_checks(Report(agent_version="t"), LiveHost(), interactive=ScriptedUI(), settings=settings)
    by_id = {r.id: r for r in results}
    assert set(by_id) == {"keyboard", "screen", "pointer", "appearance"}
    assert all(r.answered_by == "technicien: Samir" for r in results)
    assert by_id["appearance"].measurements["grade"] == "A"
