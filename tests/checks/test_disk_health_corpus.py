"""Disk-health verdicts over every real smartctl output in the fixture corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.checks.disk_health import assess_smart
from agent.parsers.smartctl import SmartctlDrive, parse_smartctl_documents
from agent.report import Disk


def _drives(path: Path) -> list[SmartctlDrive]:
    return parse_smartctl_documents(path.read_text(encoding="utf-8", errors="replace"))


def _corpus(fixtures: Path) -> list[tuple[Path, int, SmartctlDrive]]:
    found = []
    for path in sorted((fixtures / "smartctl").rglob("*")):
        # --scan / --info listings describe no drive's health.
        if not path.is_file() or path.name.startswith("smartctl_"):
            continue
        for index, drive in enumerate(_drives(path)):
            found.append((path, index, drive))
    return found


def _verdict(drive: SmartctlDrive) -> tuple[str, list[str]]:
    verdict = assess_smart(drive.smart, Disk(name="x", path="/dev/x", rotation_rate_rpm=drive.rotation_rate))
    return verdict.health, [r.code for r in verdict.reasons]


def test_whole_corpus_parses_and_every_drive_smartctl_calls_failing_is_failing(fixtures: Path) -> None:
    corpus = _corpus(fixtures)
    assert len(corpus) >= 250
    smartctl_failing = 0
    for path, index, drive in corpus:
        health, reasons = _verdict(drive)
        assert health in ("ok", "warning", "failing", "unknown")
        smart = drive.smart
        if smart.passed is False or (smart.exit_status or 0) & 0b1000:
            smartctl_failing += 1
            assert health == "failing", (path, index, reasons)
            assert "smart-failed" in reasons
        if health == "unknown":
            # Never "ok" without data, never "unknown" when smartctl gave a verdict.
            assert smart.passed is None, (path, index)
    assert smartctl_failing == 3


def test_no_drive_is_ok_without_smart_data(fixtures: Path) -> None:
    for path, index, drive in _corpus(fixtures):
        smart = drive.smart
        if not (smart.ata_attributes or smart.nvme_health or smart.scsi_health) and smart.passed is None:
            assert _verdict(drive)[0] == "unknown", (path, index)


# (file under smartctl/, drive index, verdict, reason codes that must be present)
NAMED: list[tuple[str, int, str, set[str]]] = [
    # smartctl itself says FAILED
    (
        "peracotta/test0.txt",
        0,
        "failing",
        {"smart-failed", "ata-5-failed-now", "ata-197", "selftest-read-failure"},
    ),
    (
        "scrutiny/smart-fail2.json",
        0,
        "failing",
        {"smart-failed", "ata-5-failed-now", "selftest-read-failure"},
    ),
    (
        "smartctl_exporter/nvme-null-SAMSUNG_MZWLL3T2HAJQ-00005-nvme0.json",
        0,
        "failing",
        {"smart-failed", "nvme-critical-warning-bit4"},
    ),
    # failing by the evidence although smartctl still says PASSED
    ("scrutiny/smart-nvme-failed.json", 0, "failing", {"nvme-media-errors"}),
    ("scrutiny/smart-megaraid1.json", 0, "failing", {"ata-5"}),  # 387 reallocated sectors
    ("peracotta/sata03.json", 0, "failing", {"ata-5", "ata-197"}),
    ("peracotta/mini_ide02.json", 0, "failing", {"ata-5"}),
    ("peracotta/test18.txt", 0, "failing", {"ata-187"}),
    ("smartctl_exporter/ST3500418AS_12.json", 0, "failing", {"ata-5"}),
    ("smartctl_exporter/SEAGATE_ST373453LC_26.json", 0, "failing", {"scsi-uncorrected-errors"}),
    # warnings: Backblaze counters above zero, old disks, interface errors
    ("peracotta/ide01.json", 0, "warning", {"ata-5"}),
    ("peracotta/ide06.json", 0, "warning", {"ata-5", "ata-197"}),
    ("peracotta/mini_sata09.json", 0, "warning", {"ata-187", "ata-188"}),
    ("peracotta/mini_ide01.json", 0, "warning", {"ata-226-failed-past"}),
    ("peracotta/mini_sata01.json", 0, "warning", {"ata-196"}),
    ("scrutiny/smart-ata-failed-scrutiny.json", 0, "warning", {"ata-199"}),
    ("scrutiny/smart-scsi.json", 0, "warning", {"scsi-grown-defects", "old"}),
    ("smartctl_exporter/MB0500EBNCR_13.json", 0, "warning", {"ata-187", "old"}),
    ("smartctl_exporter/ST3500418AS_11.json", 0, "warning", {"ata-5", "ata-188", "old"}),
    ("smartctl_exporter/WDC_WD20EFRX-68EUZN0_17.json", 0, "warning", {"old"}),
    (
        "smartctl_exporter/sat-Intel_S3520_Series_SSDs-INTEL_SSDSC2BB016T7-sdc.json",
        0,
        "warning",
        {"ata-5"},
    ),
    (
        "smartctl_exporter/sat-Micron_5100_Pro___52x0___5300_SSDs-Micron_5300_MTFDDAK240TDS-sda.json",
        0,
        "warning",
        {"ata-188"},
    ),
    (
        "smartctl_exporter/sat-Phison_Driven_SSDs-KINGSTON_SKC400S371T-sda.json",
        0,
        "warning",
        {"ata-5", "ata-196"},
    ),
    ("smartctl_exporter/sat-Toshiba_X300-TOSHIBA_HDWE160-sdb.json", 0, "warning", {"old"}),
    # unknown: no SMART to judge
    ("peracotta/smart_disabled.txt", 0, "unknown", {"no-smart"}),
    ("peracotta/virtual_scsi.txt", 0, "unknown", {"no-smart"}),
    ("scrutiny/smart-fail.json", 0, "unknown", {"no-smart"}),
    ("scrutiny/smart-raid.json", 0, "unknown", {"no-smart"}),
    # healthy: consumer drives and new data-centre SSDs
    ("scrutiny/smart-ata.json", 0, "ok", set()),
    ("scrutiny/smart-nvme.json", 0, "ok", set()),
    ("scrutiny/smart-scsi2.json", 0, "ok", set()),
    ("scrutiny/smart-ata-full.json", 0, "ok", set()),
    ("smartctl_exporter/nvme-null-Samsung_SSD_970_EVO_Plus_250GB-nvme0.json", 0, "ok", set()),
    ("smartctl_exporter/nvme-null-INTEL_SSDPF2KX038T1-nvme5.json", 0, "ok", set()),
    ("smartctl_exporter/nvme-null-Micron_7450_MTFDKCB3T8TFR-nvme6.json", 0, "ok", set()),
    ("smartctl_exporter/nvme-null-SAMSUNG_MZQL21T9HCJR-00A07-nvme0.json", 0, "ok", set()),
    ("smartctl_exporter/nvme-null-CT250P2SSD8-nvme0.json", 0, "ok", set()),
    ("smartctl_exporter/SAMSUNG_MZQLB1T9HAJR-00007_19.json", 0, "ok", set()),
    ("smartctl_exporter/INTEL_SSDPE2KX080T8_1.json", 0, "ok", set()),
    (
        "smartctl_exporter/sat-Intel_S4510_S4610_S4500_S4600_Series_SSDs-INTEL_SSDSC2KB480G8-sdm.json",
        0,
        "ok",
        set(),
    ),
    ("smartctl_exporter/sat-Samsung_based_SSDs-SAMSUNG_MZ7L3240HCHQ-00A07-sda.json", 0, "ok", set()),
    ("smartctl_exporter/sat-null-SAMSUNG_MZ7L3480HCHQ-00A07-sda.json", 0, "ok", set()),
    (
        "smartctl_exporter/sat-Micron_5100_Pro___52x0___5300_SSDs-Micron_5210_MTFDDAK960QDE-sdm.json",
        0,
        "ok",
        set(),
    ),
    ("peracotta/sata01.json", 0, "ok", set()),
]


@pytest.mark.parametrize(
    ("name", "index", "health", "reasons"), NAMED, ids=[f"{n}#{i}" for n, i, *_ in NAMED]
)
def test_named_drive_verdicts(fixtures: Path, name: str, index: int, health: str, reasons: set[str]) -> None:
    drive = _drives(fixtures / "smartctl" / name)[index]
    got_health, got_reasons = _verdict(drive)
    assert got_health == health, got_reasons
    assert reasons <= set(got_reasons)
    if health == "ok":
        assert got_reasons == []


def test_named_table_is_large_enough() -> None:
    assert len(NAMED) >= 40
