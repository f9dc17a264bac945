"""Disk-health rules on hand-set SMART values (the corpus tests cover real drives)."""

from __future__ import annotations

from agent.checks.disk_health import OLD_HDD_HOURS, assess_smart, attribute_count, check_disk_health
from agent.report import AtaAttribute, Disk, NvmeHealth, ScsiHealth, SelfTestEntry, Smart


def codes(smart: Smart, disk: Disk | None = None) -> tuple[str, list[str]]:
    verdict = assess_smart(smart, disk)
    return verdict.health, [r.code for r in verdict.reasons]


def test_no_smart_is_unknown_never_ok() -> None:
    assert codes(Smart())[0] == "unknown"
    assert assess_smart(None).health == "unknown"
    assert codes(Smart(available=False))[0] == "unknown"


def test_exit_status_bit3_alone_is_failing() -> None:
    assert codes(Smart(exit_status=8, passed=None, ata_attributes=[AtaAttribute(id=9, raw_value=10)])) == (
        "failing",
        ["smart-failed"],
    )


def test_seagate_packed_raw_values_read_as_counts() -> None:
    packed = AtaAttribute(id=188, raw_value=4295032833, raw_string="1 1 1")
    assert attribute_count(packed) == 1
    # peracotta's ST1000DL002 (smartctl 6.x) prints the packed value as one number.
    assert attribute_count(AtaAttribute(id=188, raw_value=4295032833, raw_string="4295032833")) == 1
    assert attribute_count(AtaAttribute(id=9, raw_value=123, raw_string="12345 (24 101 0)")) == 12345


def test_pending_sectors_thresholds() -> None:
    few = Smart(passed=True, ata_attributes=[AtaAttribute(id=197, raw_value=2, raw_string="2")])
    many = Smart(passed=True, ata_attributes=[AtaAttribute(id=197, raw_value=40, raw_string="40")])
    assert codes(few) == ("warning", ["ata-197"])
    assert codes(many) == ("failing", ["ata-197"])


def test_nvme_rules() -> None:
    base = {"available_spare": 100, "available_spare_threshold": 10, "percentage_used": 3, "media_errors": 0}
    assert codes(Smart(passed=True, nvme_health=NvmeHealth(critical_warning=0, **base)))[0] == "ok"
    hot = codes(Smart(passed=True, nvme_health=NvmeHealth(critical_warning=0x02, **base)))
    assert hot == ("warning", ["nvme-critical-warning-bit1"])  # temperature alone: a moment, not wear
    read_only = codes(Smart(passed=True, nvme_health=NvmeHealth(critical_warning=0x08, **base)))
    assert read_only == ("failing", ["nvme-critical-warning-bit3"])
    spare = dict(base, available_spare=5)
    assert codes(Smart(passed=True, nvme_health=NvmeHealth(**spare)))[1] == ["nvme-spare-low"]
    assert codes(Smart(passed=True, nvme_health=NvmeHealth(**dict(base, percentage_used=93)))) == (
        "warning",
        ["nvme-wear"],
    )
    assert (
        codes(Smart(passed=True, nvme_health=NvmeHealth(**dict(base, percentage_used=104))))[0] == "failing"
    )


def test_scsi_rules() -> None:
    assert codes(Smart(passed=True, scsi_health=ScsiHealth(grown_defect_list=3))) == (
        "warning",
        ["scsi-grown-defects"],
    )
    assert codes(Smart(passed=True, scsi_health=ScsiHealth(grown_defect_list=250)))[0] == "failing"
    assert codes(Smart(passed=True, scsi_health=ScsiHealth(read_uncorrected_errors=1)))[0] == "failing"


def test_self_test_history() -> None:
    read_failure = SelfTestEntry(type="extended", status="Completed: read failure", passed=False)
    newer_short = SelfTestEntry(type="short", status="Completed without error", passed=True)
    newer_long = SelfTestEntry(type="extended", status="Completed without error", passed=True)
    attrs = [AtaAttribute(id=9, raw_value=100)]
    assert codes(Smart(passed=True, ata_attributes=attrs, self_tests=[newer_short, read_failure]))[1] == [
        "selftest-read-failure"
    ]
    # A newer extended test that passed read the whole surface again: the old failure is history.
    assert codes(Smart(passed=True, ata_attributes=attrs, self_tests=[newer_long, read_failure]))[0] == "ok"
    by_host = SelfTestEntry(type="extended", status="Aborted by host", passed=None)
    assert codes(Smart(passed=True, ata_attributes=attrs, self_tests=[by_host]))[0] == "ok"


def test_old_hdd_but_not_old_ssd() -> None:
    smart = Smart(
        passed=True, power_on_hours=OLD_HDD_HOURS + 1, ata_attributes=[AtaAttribute(id=9, raw_value=1)]
    )
    assert codes(smart, Disk(name="sda", path="/dev/sda", rotation_rate_rpm=7200)) == ("warning", ["old"])
    assert codes(smart, Disk(name="sda", path="/dev/sda", rotation_rate_rpm=0))[0] == "ok"


def test_check_result_shape() -> None:
    disk = Disk(name="sda", path="/dev/sda", smart=Smart(passed=False))
    result = check_disk_health(disk)
    assert result.id == "disk-health:/dev/sda"
    assert result.status == "fail"
    assert result.measurements["health"] == "failing"
    assert result.message.startswith("Disque défaillant")
    assert result.message_en is not None and result.message_en.startswith("Disk failing")
