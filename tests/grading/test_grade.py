"""Grading reports built from real machines and real drives, under the shipped and edited policies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.cli.main import main
from agent.errors import InputError
from agent.grading import grade_report, load_policy, parse_policy
from agent.report import Battery, CheckResult, Disk, Memory, MemoryModule, Report
from tests.grading._reports import machine_report, smartctl_disk, win11_firmware

SSD = "smartctl_exporter/sat-Samsung_based_SSDs-SAMSUNG_MZ7L3240HCHQ-00A07-sda.json"
HDD_OK = "peracotta/sata12.json"  # WDC WD5000AZLX, 7200 rpm, 500 GB, healthy
HDD_FAILING = "peracotta/sata03.json"
NVME_OK = "scrutiny/smart-nvme.json"


def rules(report: Report) -> dict[str, str]:
    return {r.rule: r.grade for r in grade_report(report).reasons}


def test_modern_desktop_with_ssd_is_a_reuse(fixtures: Path) -> None:
    report = machine_report(fixtures, "alecase")  # i7-2600, 2 x 8 GB DDR3
    report.disks = [smartctl_disk(fixtures, SSD)]
    grade = grade_report(report)
    assert grade.grade == "A"
    assert grade.outcome == "reuse"
    assert grade.reasons == []
    assert grade.next_step_fr == "→ Réemploi : étiquette verte, étagère A"
    assert grade.linux_desktop is not None and grade.linux_desktop.eligible is True
    assert grade.windows11 is not None and grade.windows11.eligible is False
    assert any("i7-2600" in r for r in grade.windows11.reasons_fr)


def test_failing_hdd_is_replaced_by_an_ssd(fixtures: Path) -> None:
    report = machine_report(fixtures, "alecase")
    report.disks = [smartctl_disk(fixtures, HDD_FAILING)]
    grade = grade_report(report)
    assert grade.grade == "B"
    assert {r.rule for r in grade.reasons} == {"disk-failing"}
    assert len(grade.upgrades) == 1
    assert grade.upgrades[0].message_fr.startswith(
        "remplacer le disque défaillant WDC WD5000AAKS-00UU3A0 par un SSD"
    )
    assert "480 Go" in grade.upgrades[0].message_fr


def test_hdd_system_disk_suggests_an_ssd(fixtures: Path) -> None:
    report = machine_report(fixtures, "asdpc")  # AMD FX-8370E, 16 GB DDR3
    report.disks = [smartctl_disk(fixtures, HDD_OK)]
    grade = grade_report(report)
    assert rules(report) == {"hdd-system-disk": "B"}
    assert grade.upgrades[0].message_fr.startswith(
        "remplacer le disque dur par un SSD SATA 2,5 pouces d'au moins"
    )
    assert "480 Go" in grade.upgrades[0].message_fr


def test_hdd_next_to_an_ssd_is_fine(fixtures: Path) -> None:
    report = machine_report(fixtures, "asdpc")
    report.disks = [
        smartctl_disk(fixtures, NVME_OK, dev="nvme0n1", transport="nvme"),
        smartctl_disk(fixtures, HDD_OK, dev="sdb"),
    ]
    assert rules(report) == {}


def test_32bit_only_celeron_is_recycled(fixtures: Path) -> None:
    report = machine_report(fixtures, "77")  # Celeron family 15, "CPU op-mode(s): 32-bit"
    report.memory = Memory(total_bytes=2 * 1024**3)
    report.disks = [smartctl_disk(fixtures, HDD_OK)]
    grade = grade_report(report)
    assert grade.grade == "D"
    assert grade.outcome == "recycle"
    assert "cpu-32bit" in {r.rule for r in grade.reasons}
    assert grade.upgrades == []  # nothing to buy for a machine going to recycling
    assert grade.linux_desktop is not None and grade.linux_desktop.eligible is False


def test_old_desktop_with_little_ram_gets_a_memory_upgrade(fixtures: Path) -> None:
    report = machine_report(fixtures, "viavai", slots_total=2)  # Celeron, 1 x 1 GB DDR2 DIMM
    report.disks = [smartctl_disk(fixtures, SSD)]
    grade = grade_report(report)
    assert rules(report) == {"ram-low": "B", "cpu-old-isa": "A"}  # Prescott: no SSE4, disclosed
    assert grade.upgrades[0].message_fr == "ajouter 4 Go de DDR2 DIMM (1 emplacement libre)"
    assert grade.windows11 is not None and grade.windows11.eligible is False


def test_ddr3l_sodimm_upgrade_sentence() -> None:
    module = MemoryModule(size_bytes=2 * 1024**3, type="DDR3", voltage_v=1.35, form_factor="SODIMM")
    report = Report(
        agent_version="t", memory=Memory(total_bytes=2 * 1024**3, modules=[module], slots_total=2)
    )
    report.disks = [Disk(name="sda", path="/dev/sda", media_type="ssd", size_bytes=256 * 10**9)]
    grade = grade_report(report)
    assert [u.message_fr for u in grade.upgrades] == ["ajouter 4 Go de DDR3L SO-DIMM (1 emplacement libre)"]
    assert [u.message_en for u in grade.upgrades] == ["add 4 GB of DDR3L SO-DIMM (1 free slot)"]


def test_soldered_tiny_memory_is_parts_only() -> None:
    module = MemoryModule(size_bytes=1024**3, type="LPDDR3", form_factor="Row Of Chips", soldered=True)
    report = Report(agent_version="t", memory=Memory(total_bytes=1024**3, modules=[module], slots_total=1))
    report.disks = [Disk(name="mmcblk0", path="/dev/mmcblk0", media_type="flash", size_bytes=32 * 10**9)]
    grade = grade_report(report)
    assert grade.grade == "C"
    assert {r.rule for r in grade.reasons} == {"ram-soldered-low"}


def test_battery_thresholds(fixtures: Path) -> None:
    report = machine_report(fixtures, "alecase")
    report.disks = [smartctl_disk(fixtures, SSD)]
    report.batteries = [Battery(name="BAT0", health_percent=72.0)]
    assert rules(report) == {"battery-worn": "A"}
    assert grade_report(report).grade == "A"
    report.batteries = [Battery(name="BAT0", health_percent=48.0)]
    grade = grade_report(report)
    assert grade.grade == "B"
    assert grade.upgrades[0].message_fr == "remplacer la batterie (il reste 48 % de sa capacité d'origine)"


def test_check_results_drive_the_grade(fixtures: Path) -> None:
    report = machine_report(fixtures, "alecase")
    report.disks = [smartctl_disk(fixtures, SSD)]
    report.checks = [
        CheckResult(id="cpu", status="warn", message="", measurements={"near_critical": True}),
        CheckResult(id="appearance", status="pass", message="", measurements={"grade": "B"}),
    ]
    grade = grade_report(report)
    assert grade.grade == "B"
    assert grade.appearance == "B"
    assert [u.part for u in grade.upgrades] == ["cooling"]
    report.checks.append(
        CheckResult(id="memory", status="fail", message="", message_en="random: 1 B @ phys 0x1234")
    )
    grade = grade_report(report)
    assert grade.grade == "C"
    assert grade.outcome == "parts"
    assert {r.rule for r in grade.reasons} == {"overheating", "memory-errors"}


def test_windows11_eligible_machine(fixtures: Path) -> None:
    report = machine_report(fixtures, "2018-castes-mbp")  # i7-8750H (no dimms file content)
    report.machine = win11_firmware()
    report.memory = Memory(total_bytes=16 * 1024**3)
    report.disks = [smartctl_disk(fixtures, NVME_OK, dev="nvme0n1", transport="nvme")]
    grade = grade_report(report)
    assert grade.windows11 is not None and grade.windows11.eligible is True
    report.machine.firmware.tpm_version = "1.2"
    assert grade_report(report).windows11.eligible is False  # type: ignore[union-attr]
    report.machine.firmware.tpm_version = None
    report.machine.firmware.tpm_present = None
    assert grade_report(report).windows11.eligible is None  # type: ignore[union-attr]


def test_an_edited_policy_changes_the_grade(fixtures: Path, tmp_path: Path) -> None:
    report = machine_report(fixtures, "asdpc")
    report.disks = [smartctl_disk(fixtures, HDD_OK)]
    text = (Path(__file__).parents[2] / "agent/grading/policies/default.toml").read_text()
    edited = tmp_path / "atelier.toml"
    edited.write_text(text.replace('hdd-system-disk = "B"', 'hdd-system-disk = "off"'))
    assert grade_report(report, load_policy(str(edited))).grade == "A"
    assert grade_report(report, load_policy(None)).grade == "B"


def test_bad_policies_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="hdd-system-disc"):
        parse_policy('[rules]\nhdd-system-disc = "B"\n')
    with pytest.raises(InputError):
        parse_policy('[rules]\nhdd-system-disk = "E"\n')
    with pytest.raises(InputError):
        parse_policy("not = [toml")
    with pytest.raises(InputError):
        load_policy(str(tmp_path / "missing.toml"))


def test_grade_cli_regrades_a_stored_report(
    fixtures: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = machine_report(fixtures, "alecase")
    report.disks = [smartctl_disk(fixtures, HDD_FAILING)]
    path = tmp_path / "report.json"
    path.write_text(report.model_dump_json())
    assert main(["grade", "--from", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["grade"] == "B"
    assert main(["grade", "--from", str(path)]) == 0
    assert "Classement proposé : B" in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["grade", "--from", str(bad)]) == 3
    assert "n'est pas un rapport JSON" in capsys.readouterr().err


def _machines(fixtures: Path) -> list[str]:
    base = fixtures / "machines" / "peracotta"
    return sorted(
        p.name for p in base.iterdir() if (p / "lscpu.txt").is_file() and (p / "lscpu.txt").stat().st_size
    )


# Every real machine of the corpus with the same healthy 500 GB hard disk: (grade, rules that fire).
EXPECTED = {
    "2014-castes-mbp": ("B", {"hdd-system-disk"}),
    "2018-castes-mbp": ("B", {"hdd-system-disk"}),
    "77": ("D", {"hdd-system-disk", "cpu-32bit"}),  # Celeron (Prescott), 32-bit only
    "cassone": ("D", {"hdd-system-disk", "cpu-32bit"}),  # Athlon 4 (K7)
    "rottame": ("B", {"hdd-system-disk", "ram-low", "cpu-old-isa"}),  # Pentium D, 512 MB DDR2
    "travasato": ("B", {"hdd-system-disk", "cpu-old-isa"}),  # Core 2 Quad Q6600: no SSE4.1/4.2
    "alecase": ("B", {"hdd-system-disk"}),  # Core i7-2600, 16 GB
}


def test_every_corpus_machine_is_graded(fixtures: Path) -> None:
    machines = _machines(fixtures)
    assert len(machines) >= 20
    for machine in machines:
        report = machine_report(fixtures, machine)
        report.disks = [smartctl_disk(fixtures, HDD_OK)]
        grade = grade_report(report)
        fired = {r.rule for r in grade.reasons}
        if machine in EXPECTED:
            assert (grade.grade, fired) == EXPECTED[machine], machine
        assert grade.windows11 is not None and grade.windows11.eligible is not True  # no TPM/UEFI facts here
        if "cpu-32bit" in fired:
            assert grade.linux_desktop is not None and grade.linux_desktop.eligible is False


def test_failed_self_test_and_read_errors_fail_the_disk(fixtures: Path) -> None:
    report = machine_report(fixtures, "alecase")
    report.disks = [smartctl_disk(fixtures, SSD)]
    report.checks = [CheckResult(id="read-scan:/dev/sda", status="fail", message="")]
    grade = grade_report(report)
    assert {r.rule for r in grade.reasons} == {"disk-read-errors"}
    assert grade.upgrades[0].part == "disk:sda"
    report.checks.append(CheckResult(id="selftest:/dev/sda", status="fail", message=""))
    grade = grade_report(report)
    assert {r.rule for r in grade.reasons} == {"disk-failing", "disk-read-errors"}
    assert len(grade.upgrades) == 1  # one disk, one replacement


def test_a_recorded_disk_health_check_wins_over_the_smart_data(fixtures: Path) -> None:
    report = machine_report(fixtures, "alecase")
    report.disks = [smartctl_disk(fixtures, HDD_FAILING)]
    report.checks = [
        CheckResult(id="disk-health:/dev/sda", status="fail", message="", measurements={"health": "failing"})
    ]
    assert "disk-failing" in rules(report)
    report.disks.append(Disk(name="sdb", path="/dev/sdb", is_boot_medium=True, transport="usb"))
    assert "no-disk" not in rules(report)  # the boot stick is not the machine's disk


def test_no_internal_disk(fixtures: Path) -> None:
    report = machine_report(fixtures, "alecase")
    report.disks = [Disk(name="sdb", path="/dev/sdb", is_boot_medium=True, transport="usb")]
    grade = grade_report(report)
    assert {r.rule for r in grade.reasons} == {"no-disk"}
    assert grade.upgrades[0].message_fr.startswith("ajouter un SSD")
