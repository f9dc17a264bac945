"""The French summary a technician reads: a failing drive from the real corpus says so plainly."""

from __future__ import annotations

from pathlib import Path

from agent.i18n import set_language
from agent.parsers.smartctl import parse_smartctl_documents
from agent.report import Disk, Report
from agent.summary import render_summary


def _failing_hitachi(fixtures: Path) -> Report:
    drive = parse_smartctl_documents((fixtures / "smartctl/peracotta/test0.txt").read_text())[0]
    disk = Disk(
        name="sda",
        path="/dev/sda",
        model=drive.model,
        serial=drive.serial,
        size_bytes=drive.capacity_bytes,
        transport="sata",
        media_type="hdd",
        smart=drive.smart,
    )
    return Report(agent_version="test", asset_code="PC-0001", disks=[disk])


def test_failing_drive_in_french(fixtures: Path) -> None:
    text = render_summary(_failing_hitachi(fixtures))
    assert "Inventaire Atelier — PC-0001" in text
    assert "Hitachi HTS545050B9A300" in text and "500,1\u202fGo" in text
    assert "Disque défaillant : à remplacer" in text
    assert "13 secteur(s) en attente" in text
    assert "1 065 h d'utilisation" in text
    assert all(len(line) <= 120 for line in text.splitlines())


def test_failing_drive_in_english(fixtures: Path) -> None:
    set_language("en")
    text = render_summary(_failing_hitachi(fixtures))
    assert "Atelier inventory — PC-0001" in text
    assert "500.1 GB" in text
    assert "SMART: FAILED" in text


def test_empty_report_never_crashes() -> None:
    text = render_summary(Report(agent_version="test"))
    for heading in ("MACHINE", "PROCESSEUR", "MÉMOIRE", "DISQUES", "BATTERIE", "ÉCRAN"):
        assert heading in text
