"""Disk health verdict from SMART data: ok, warning, failing or unknown, with the reasons.

The rules follow public evidence rather than taste:
- Backblaze's drive statistics (https://www.backblaze.com/blog/what-smart-stats-indicate-hard-drive-failures/)
  single out ATA attributes 5, 187, 188, 197 and 198 as the raw counters whose being non-zero
  correlates with failure; 10, 184, 196 and 201 are secondary signals.
- smartctl's own verdict (overall health "FAILED", exit-status bit 3) and its WHEN_FAILED column
  (normalised value at or below the vendor threshold, now or in the past).
- NVMe's SMART / Health log (NVM Express base spec, log page 02h): critical warning bits,
  media and data integrity errors, available spare against its threshold, percentage used.
- SCSI: grown defect list and uncorrected error counters (SBC / SPC log pages).
- The drive's self-test log: a recent self-test that ended in a read failure means unreadable
  sectors today.

The verdict is the worst reason; with no usable SMART data it is "unknown" (never "ok").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from agent.checks._text import Text, text
from agent.i18n import N_
from agent.report import AtaAttribute, CheckResult, CheckStatus, Disk, Smart

Health = Literal["ok", "warning", "failing", "unknown"]
Severity = Literal["warning", "failing"]

_RANK: dict[Health, int] = {"unknown": 0, "ok": 1, "warning": 2, "failing": 3}

#: smartctl exit status bits (smartctl(8) "RETURN VALUES").
EXIT_DISK_FAILING = 1 << 3
EXIT_PREFAIL_BELOW_THRESHOLD = 1 << 4
EXIT_USAGE_BELOW_THRESHOLD_PAST = 1 << 5
EXIT_SELFTEST_ERRORS = 1 << 7

#: Backblaze's five failure-correlated counters: any non-zero raw value is a warning; from these
#: counts on, the drive is failing (sectors already lost: the disk will not be trusted with data).
BACKBLAZE_CRITICAL: dict[int, int | None] = {
    5: 100,  # Reallocated sectors: the spare area is being used up.
    187: 10,  # Reported uncorrectable errors.
    # 188 Command timeouts: noisy on some Seagate firmwares (packed counters), so never failing alone.
    188: None,
    197: 10,  # Current pending sectors: unreadable right now.
    198: 10,  # Offline uncorrectable sectors.
}
#: Secondary signals (warning only). 10 and 201 only mean something on spinning disks: several SSD
#: families reuse those ids for unrelated vendor counters.
#: Value: the count from which it is worth a warning (a few CRC errors come from hot-plugging).
SECONDARY: dict[int, int] = {10: 1, 184: 1, 196: 1, 199: 10, 201: 1}
_HDD_ONLY = frozenset({10, 201})
#: Airflow / drive temperature: "failed in the past" records a hot day, not wear.
_TEMPERATURE_ATTRIBUTES = frozenset({190, 194})

#: Power-on hours past which a spinning disk is "old": about 4.5 years powered on, beyond the
#: 3–5 year service life manufacturers rate desktop drives for.
OLD_HDD_HOURS = 40_000

NVME_PERCENT_USED_WARN = 90
NVME_MEDIA_ERRORS_FAILING = 1
SCSI_GROWN_DEFECTS_FAILING = 100

_NVME_WARNING_BITS = {
    0: N_("spare capacity below threshold"),
    1: N_("temperature outside the safe range"),
    2: N_("reliability degraded by media errors"),
    3: N_("media placed in read-only mode"),
    4: N_("volatile memory backup failed"),
    5: N_("persistent memory region read-only"),
}


@dataclass(frozen=True)
class HealthReason:
    code: str
    severity: Severity
    text: Text

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "severity": self.severity, "fr": self.text.fr, "en": self.text.en}


@dataclass
class DiskHealth:
    health: Health
    reasons: list[HealthReason] = field(default_factory=list)

    @property
    def summary(self) -> Text:
        if self.health == "ok":
            return text(N_("Disk in good health"))
        if self.health == "warning":
            return text(N_("Disk shows signs of wear: check the reasons"))
        if self.health == "failing":
            return text(N_("Disk failing: replace it, do not trust it with data"))
        return text(N_("Disk health unknown: no usable SMART data"))


def attribute_count(attr: AtaAttribute) -> int | None:
    """The counter an attribute holds, tolerant of vendor packing.

    Seagate packs several 16-bit counters in attribute 188's 48-bit raw value ("0 0 0" as text)
    and some drives print "12345 (24 101 0)": the first integer of smartctl's raw string is the
    count a person reads; the raw integer is the fallback.
    """
    count = attr.raw_value
    if attr.raw_string:
        match = re.match(r"\s*(\d+)", attr.raw_string)
        if match:
            count = int(match.group(1))
    if attr.id == 188 and count is not None and count > 0xFFFF:
        # Older smartctl databases print Seagate's packed 188 as one 48-bit number
        # (4295032833 = 0x0001_0001_0001): read the largest of its three 16-bit counters.
        count = max((count >> shift) & 0xFFFF for shift in (0, 16, 32))
    return count


def _attrs(smart: Smart) -> dict[int, AtaAttribute]:
    return {a.id: a for a in smart.ata_attributes}


def _is_rotational(smart: Smart, disk: Disk | None) -> bool | None:
    if disk is not None:
        if disk.media_type == "hdd" or disk.rotational is True or (disk.rotation_rate_rpm or 0) > 0:
            return True
        if disk.media_type in ("ssd", "nvme", "flash"):
            return False
        if disk.rotation_rate_rpm == 0:
            return False
    if smart.protocol and smart.protocol.lower() == "nvme":
        return False
    return None


def _exit_bit(smart: Smart, bit: int, name_fragment: str) -> bool:
    if smart.exit_status is not None and smart.exit_status & bit:
        return True
    return any(name_fragment in b.lower() for b in smart.exit_bits)


def _ata_reasons(smart: Smart, rotational: bool | None) -> Iterable[HealthReason]:
    attrs = _attrs(smart)
    for attr in smart.ata_attributes:
        when = (attr.when_failed or "").strip().lower()
        name = attr.name or f"#{attr.id}"
        if when in ("now", "failing_now"):
            yield HealthReason(
                f"ata-{attr.id}-failed-now",
                "failing",
                text(
                    N_("SMART attribute {id} ({name}) is at or below its failure threshold now"),
                    id=attr.id,
                    name=name,
                ),
            )
        elif when in ("past", "in_the_past") and attr.id not in _TEMPERATURE_ATTRIBUTES:
            yield HealthReason(
                f"ata-{attr.id}-failed-past",
                "warning",
                text(
                    N_("SMART attribute {id} ({name}) fell below its failure threshold in the past"),
                    id=attr.id,
                    name=name,
                ),
            )
    messages = {
        5: N_("{n} reallocated sectors (attribute 5)"),
        187: N_("{n} uncorrectable errors reported (attribute 187)"),
        188: N_("{n} command timeouts (attribute 188)"),
        197: N_("{n} sectors waiting to be reallocated, unreadable now (attribute 197)"),
        198: N_("{n} uncorrectable sectors found offline (attribute 198)"),
        10: N_("{n} spin-up retries (attribute 10): the motor struggles"),
        184: N_("{n} end-to-end data path errors (attribute 184)"),
        196: N_("{n} reallocation events (attribute 196)"),
        # Interface CRC errors come from the cable or the connector, not the platters: a warning
        # that says what to check (scrutiny fails a drive on it; we do not condemn the disk).
        199: N_("{n} interface CRC errors (attribute 199): check or replace the SATA cable"),
        201: N_("{n} soft read errors (attribute 201)"),
    }
    for attr_id, failing_from in BACKBLAZE_CRITICAL.items():
        found = attrs.get(attr_id)
        count = attribute_count(found) if found else None
        if not count or count <= 0:
            continue
        severity: Severity = "failing" if failing_from is not None and count >= failing_from else "warning"
        yield HealthReason(f"ata-{attr_id}", severity, text(messages[attr_id], n=count))
    for attr_id, warn_from in SECONDARY.items():
        if attr_id in _HDD_ONLY and rotational is not True:
            continue
        found = attrs.get(attr_id)
        count = attribute_count(found) if found else None
        if count and count >= warn_from:
            yield HealthReason(f"ata-{attr_id}", "warning", text(messages[attr_id], n=count))


def _nvme_reasons(smart: Smart) -> Iterable[HealthReason]:
    nv = smart.nvme_health
    if nv is None:
        return
    if nv.critical_warning:
        bits = [_NVME_WARNING_BITS.get(b, "") for b in range(8) if nv.critical_warning & (1 << b)]
        # Bit 1 alone (temperature) is a condition of the moment, not wear.
        severity: Severity = "warning" if nv.critical_warning == 0x02 else "failing"
        for bit in range(8):
            if not nv.critical_warning & (1 << bit):
                continue
            msgid = _NVME_WARNING_BITS.get(bit)
            if msgid is None:
                continue
            yield HealthReason(f"nvme-critical-warning-bit{bit}", severity, _nvme_warning_text(msgid))
        if not any(bits):
            yield HealthReason(
                "nvme-critical-warning",
                severity,
                text(N_("NVMe critical warning {value:#04x}"), value=nv.critical_warning),
            )
    if nv.media_errors and nv.media_errors >= NVME_MEDIA_ERRORS_FAILING:
        yield HealthReason(
            "nvme-media-errors",
            "failing",
            text(N_("{n} media and data integrity errors: data could not be read back"), n=nv.media_errors),
        )
    if (
        nv.available_spare is not None
        and nv.available_spare_threshold is not None
        and nv.available_spare < nv.available_spare_threshold
    ):
        yield HealthReason(
            "nvme-spare-low",
            "failing",
            text(
                N_("spare capacity {spare}% is below the drive's threshold {threshold}%"),
                spare=nv.available_spare,
                threshold=nv.available_spare_threshold,
            ),
        )
    if nv.percentage_used is not None:
        if nv.percentage_used >= 100:
            yield HealthReason(
                "nvme-worn-out",
                "failing",
                text(N_("rated endurance used up ({pct}% used)"), pct=nv.percentage_used),
            )
        elif nv.percentage_used >= NVME_PERCENT_USED_WARN:
            yield HealthReason(
                "nvme-wear",
                "warning",
                text(N_("rated endurance nearly used up ({pct}% used)"), pct=nv.percentage_used),
            )


def _nvme_warning_text(msgid: str) -> Text:
    what = text(msgid)
    template = N_("NVMe critical warning: {what}")
    return Text(en=template.format(what=what.en), fr=text(template, what=what.fr).fr)


def _scsi_reasons(smart: Smart) -> Iterable[HealthReason]:
    sc = smart.scsi_health
    if sc is None:
        return
    if sc.grown_defect_list:
        severity: Severity = "failing" if sc.grown_defect_list >= SCSI_GROWN_DEFECTS_FAILING else "warning"
        yield HealthReason(
            "scsi-grown-defects",
            severity,
            text(N_("{n} grown defects (sectors remapped since manufacture)"), n=sc.grown_defect_list),
        )
    uncorrected = {
        "read": sc.read_uncorrected_errors,
        "write": sc.write_uncorrected_errors,
        "verify": sc.verify_uncorrected_errors,
    }
    total = sum(v for v in uncorrected.values() if v)
    if total > 0:
        yield HealthReason(
            "scsi-uncorrected-errors",
            "failing",
            text(N_("{n} uncorrected read/write/verify errors"), n=total),
        )
    if sc.percentage_used_endurance is not None and sc.percentage_used_endurance >= 100:
        yield HealthReason(
            "scsi-worn-out",
            "failing",
            text(N_("rated endurance used up ({pct}% used)"), pct=sc.percentage_used_endurance),
        )


_BENIGN_ABORT = re.compile(r"host|interrupted|reset|progress", re.IGNORECASE)
_READ_FAILURE = re.compile(r"read", re.IGNORECASE)
_EXTENDED = re.compile(r"extended|long", re.IGNORECASE)


def _selftest_reasons(smart: Smart) -> Iterable[HealthReason]:
    # smartctl lists the newest test first. A failure still matters after newer short tests (they
    # read little of the disk) but is cleared by a newer extended test that passed.
    for entry in smart.self_tests:
        status = entry.status or ""
        if entry.passed is True:
            if _EXTENDED.search(entry.type or ""):
                return
            continue
        if entry.passed is False:
            if _READ_FAILURE.search(status):
                yield HealthReason(
                    "selftest-read-failure",
                    "failing",
                    text(
                        N_("the drive's last self-test failed to read part of the disk ({status})"),
                        status=status,
                    ),
                )
            elif "abort" in status.lower() and _BENIGN_ABORT.search(status):
                continue
            else:
                yield HealthReason(
                    "selftest-failed",
                    "failing",
                    text(N_("the drive's self-test failed ({status})"), status=status or "?"),
                )
            return
        # passed is None: aborted or interrupted. By the host it is harmless (someone cancelled).
        if status and not _BENIGN_ABORT.search(status) and "abort" in status.lower():
            yield HealthReason(
                "selftest-aborted",
                "warning",
                text(N_("the drive aborted its self-test ({status})"), status=status),
            )
            return


def assess_smart(smart: Smart | None, disk: Disk | None = None) -> DiskHealth:
    """The verdict for one drive's SMART data (`disk` adds what the inventory knows: rotation)."""
    if smart is None:
        return DiskHealth("unknown", [HealthReason("no-smart", "warning", text(N_("no SMART data")))])
    reasons: list[HealthReason] = []
    if smart.passed is False or _exit_bit(smart, EXIT_DISK_FAILING, "failing"):
        reasons.append(
            HealthReason(
                "smart-failed",
                "failing",
                text(N_("the drive's own SMART self-assessment says FAILED")),
            )
        )
    if _exit_bit(smart, EXIT_PREFAIL_BELOW_THRESHOLD, "prefail"):
        reasons.append(
            HealthReason(
                "smart-prefail-threshold",
                "failing",
                text(N_("pre-failure attributes are at or below their thresholds (smartctl)")),
            )
        )
    rotational = _is_rotational(smart, disk)
    reasons.extend(_ata_reasons(smart, rotational))
    reasons.extend(_nvme_reasons(smart))
    reasons.extend(_scsi_reasons(smart))
    reasons.extend(_selftest_reasons(smart))
    if (
        _exit_bit(smart, EXIT_SELFTEST_ERRORS, "self-test")
        and not any(r.code.startswith("selftest") for r in reasons)
        and smart.self_tests
    ):
        reasons.append(
            HealthReason("selftest-log-errors", "warning", text(N_("the self-test log records errors")))
        )
    hours = smart.power_on_hours
    if hours is None and smart.nvme_health is not None:
        hours = smart.nvme_health.power_on_hours
    if rotational is True and hours is not None and hours > OLD_HDD_HOURS:
        reasons.append(
            HealthReason(
                "old",
                "warning",
                text(
                    N_("old disk: {hours} hours powered on (over {limit})"), hours=hours, limit=OLD_HDD_HOURS
                ),
            )
        )
    reasons = _dedupe(reasons)
    if any(r.severity == "failing" for r in reasons):
        return DiskHealth("failing", reasons)
    has_data = bool(
        smart.passed is not None or smart.ata_attributes or smart.nvme_health or smart.scsi_health
    )
    if smart.available is False or smart.enabled is False or not has_data:
        if reasons:
            return DiskHealth("warning", reasons)
        why = (
            text(N_("SMART is not supported by this drive or its adapter"))
            if smart.available is False
            else text(N_("SMART is disabled on this drive"))
            if smart.enabled is False
            else text(N_("no SMART data"))
        )
        return DiskHealth("unknown", [HealthReason("no-smart", "warning", why)])
    return DiskHealth("warning" if reasons else "ok", reasons)


def _dedupe(reasons: list[HealthReason]) -> list[HealthReason]:
    seen: set[str] = set()
    out: list[HealthReason] = []
    for reason in reasons:
        if reason.code in seen:
            continue
        seen.add(reason.code)
        out.append(reason)
    return out


def worst(verdicts: Iterable[Health]) -> Health:
    return max(verdicts, key=lambda h: _RANK[h], default="unknown")


_STATUS: dict[Health, CheckStatus] = {
    "ok": "pass",
    "warning": "warn",
    "failing": "fail",
    "unknown": "skipped",
}


def check_disk_health(disk: Disk) -> CheckResult:
    """The disk-health check of one inventoried disk."""
    started = datetime.now(UTC)
    verdict = assess_smart(disk.smart, disk)
    summary = verdict.summary
    # "no SMART data" would only repeat the summary of an unknown verdict.
    shown = [r for r in verdict.reasons if not (r.code == "no-smart" and r.text.en == "no SMART data")]
    detail = "; ".join(r.text.local() for r in shown)
    detail_en = "; ".join(r.text.en for r in shown)
    measurements: dict[str, float | int | str | bool | None] = {
        "health": verdict.health,
        "reasons": ",".join(r.code for r in verdict.reasons),
    }
    smart = disk.smart
    if smart is not None:
        measurements["power_on_hours"] = smart.power_on_hours
        measurements["temperature_c"] = smart.temperature_c
    return CheckResult(
        id=f"disk-health:{disk.path}",
        status=_STATUS[verdict.health],
        message=f"{summary.local()} — {detail}" if detail else summary.local(),
        message_en=f"{summary.en} — {detail_en}" if detail_en else summary.en,
        measurements=measurements,
        started_at=started,
        answered_by="auto",
    )


__all__ = [
    "OLD_HDD_HOURS",
    "DiskHealth",
    "Health",
    "HealthReason",
    "assess_smart",
    "attribute_count",
    "check_disk_health",
    "worst",
]
