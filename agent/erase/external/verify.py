"""Check another tool's erasure: does its report speak about *this* disk, does it claim success,
and does the disk's content agree? The outcome is a *verification* certificate.

Matching: serial numbers decide when both sides have one; otherwise the exact size (nwipe on a
loop device or a USB bridge has no serial). A model that differs is a mismatch only when the
serial did not already identify the disk (tools spell models differently: "WDC WD5000…" vs
"WD5000…"). The read-back then samples the disk (NIST: ≥ 10 % over ≥ 1,000 sections, first and
last LBA): all zeros where the method's last pass wrote zeros, otherwise no partition table,
file-system superblock or file signature anywhere in the samples.
"""

from __future__ import annotations

import hashlib
import os
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from agent import __version__
from agent.erase.external._claim import ExternalClaim, ReportTarget
from agent.erase.external.blancco import looks_like_blancco, parse_blancco_report
from agent.erase.external.nwipe_log import parse_nwipe_log
from agent.host import Host, HostFileError
from agent.i18n import N_
from agent.parsers._text import clean
from agent.report import (
    CertDisk,
    Certificate,
    CertMachine,
    CertOrganisation,
    ExternalReport,
    Verification,
)

SIGNATURE_NOTE = (
    "The report carries a digital signature from its publisher; without the publisher's public key "
    "Atelier records that it is present but cannot check it."
)
REASON_VERIFIED = N_("The disk content confirms the other tool's report.")
REASON_REPORT_FAILED = N_("The other tool's report does not say the erasure succeeded.")
REASON_MISMATCH = N_("The report does not match this disk.")
REASON_DATA_FOUND = N_("Data was found on the disk despite the report.")
REASON_UNREADABLE = N_("The disk could not be read back completely.")


def parse_report(data: bytes) -> ExternalClaim:
    if looks_like_blancco(data):
        return parse_blancco_report(data)
    return parse_nwipe_log(data.decode("utf-8", errors="replace"))


def identify_device(host: Host, dev_path: str) -> CertDisk:
    """Model, serial and size of the disk, asked the way the inventory asks (smartctl reads the
    drive's own serial; sysfs has none for SATA disks and only the USB bridge's behind USB)."""
    try:
        from agent.probes._context import ProbeContext
        from agent.probes.disks import probe_disks

        found = probe_disks(ProbeContext(host), only=[dev_path])
    except Exception:  # a probe failure must not stop the check: fall back to sysfs alone
        found = []
    if found:
        d = found[0]
        return CertDisk(
            name=d.name,
            model=d.model,
            vendor=d.vendor,
            serial=d.serial,
            wwn=d.wwn,
            firmware=d.firmware,
            size_bytes=d.size_bytes,
            media_type=d.media_type,
            transport=d.transport,
        )
    return sysfs_identity(host, dev_path)


def sysfs_identity(host: Host, dev_path: str) -> CertDisk:
    """Fallback identity from sysfs alone (loop devices have no model or serial)."""
    name = os.path.basename(os.path.realpath(dev_path))
    base = f"/sys/class/block/{name}"

    def attr(*paths: str) -> str | None:
        for rel in paths:
            try:
                value = clean(host.read_text(f"{base}/{rel}"))
            except (HostFileError, OSError):
                continue
            if value:
                return value
        return None

    sectors = attr("size")
    rotational = attr("queue/rotational")
    media: Literal["hdd", "ssd", "nvme", "unknown"] = "unknown"
    transport: Literal["nvme", "unknown"] = "unknown"
    if name.startswith("nvme"):
        media, transport = "nvme", "nvme"
    elif not name.startswith(("loop", "ram", "zram")) and rotational in ("0", "1"):
        media = "hdd" if rotational == "1" else "ssd"
    return CertDisk(
        name=name,
        model=attr("device/model"),
        vendor=attr("device/vendor"),
        # Not device/wwid: for SATA it is "t10.ATA <model> <serial>", never equal to a serial.
        serial=attr("device/serial"),
        firmware=attr("device/firmware_rev", "device/rev"),
        size_bytes=int(sectors) * 512 if sectors and sectors.isdecimal() else None,
        media_type=media,
        transport=transport,
    )


def _norm(text: str | None) -> str:
    return " ".join((text or "").lower().split())


@dataclass
class Match:
    target: ReportTarget | None
    matched_by: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)


def match_target(claim: ExternalClaim, disk: CertDisk) -> Match:
    best: Match | None = None
    best_score = -1
    for target in claim.targets:
        m = Match(target)
        score = 0
        serial_ok = False
        if target.serial and disk.serial:
            if _norm(target.serial) == _norm(disk.serial):
                m.matched_by.append("serial")
                serial_ok = True
                score += 8
            else:
                m.mismatches.append(f"serial: report says {target.serial}, disk says {disk.serial}")
        if target.size_bytes and disk.size_bytes:
            if target.size_bytes == disk.size_bytes:
                m.matched_by.append("size")
                score += 4
            else:
                m.mismatches.append(
                    f"size: report says {target.size_bytes} bytes, disk has {disk.size_bytes}"
                )
        if target.model and disk.model:
            a, b = _norm(target.model), _norm(disk.model)
            if a == b or a in b or b in a:
                m.matched_by.append("model")
                score += 2
            elif not serial_ok:
                m.mismatches.append(f"model: report says {target.model}, disk says {disk.model}")
        if target.name and disk.name and os.path.basename(target.name) == disk.name:
            score += 1
        if (target.interface or "").upper() == "USB":
            score -= 1  # the boot stick is usually listed too
        if "serial" not in m.matched_by and "size" not in m.matched_by and not m.mismatches:
            m.mismatches.append(
                "nothing in the report identifies this disk (no serial number or size to compare)"
            )
        score -= 16 * len(m.mismatches)
        if best is None or score > best_score:
            best, best_score = m, score
    if best is None:
        return Match(None, [], ["the report lists no drive"])
    return best


@dataclass
class ReadBack:
    verification: Verification
    findings: list[str]
    unreadable: bool


def read_back(
    dev_path: str,
    pattern: Literal["zeros", "ones", "unknown"],
    *,
    level: Literal["full", "sampled"] = "sampled",
    percent: float = 10.0,
    sections: int = 1000,
    rng: random.Random | None = None,
) -> ReadBack:
    from agent.erase.canaries import scan_for_signatures
    from agent.erase.device import open_device
    from agent.erase.patterns import Pattern, PatternSource
    from agent.erase.verify import read_plan, verify_pattern

    dev = open_device(dev_path, write=False, exclusive=False)
    try:
        plan = read_plan(dev, level, percent=percent, sections=sections, rng=rng)
        assert plan is not None
        if pattern in ("zeros", "ones"):
            source = PatternSource(Pattern(pattern))
            try:
                result = verify_pattern(dev, source, level, percent=percent, sections=sections, rng=rng)
            finally:
                source.close()
            model = result.to_model()
            unreadable = bool(result.failed_ranges)
            findings = [] if result.passed else scan_for_signatures(dev_path, list(plan.ranges))
            details = list(model.details)
            if not result.passed:
                details.insert(0, f"not all {pattern} where the report's method leaves {pattern}")
            verification = model.model_copy(
                update={"target": "external-report", "details": details + findings}
            )
            return ReadBack(verification, findings, unreadable)
        findings = scan_for_signatures(dev_path, list(plan.ranges))
        unreadable = any(f.startswith("unreadable") for f in findings)
        verification = Verification(
            method=level,
            target="external-report",
            coverage_percent=round(plan.coverage_percent, 3),
            samples=len(plan.ranges),
            bytes_read=plan.bytes,
            passed=not findings,
            details=findings or ["no partition table, file system or file signature in the samples"],
        )
        return ReadBack(verification, findings, unreadable)
    finally:
        dev.close()


@dataclass
class Context:
    asset_code: str | None = None
    organisation: str | None = None
    operator: str | None = None
    station: str | None = None
    machine: CertMachine = field(default_factory=CertMachine)


def verify_external_erasure(
    report: bytes,
    dev_path: str,
    *,
    host: Host,
    context: Context | None = None,
    level: Literal["full", "sampled"] = "sampled",
    rng: random.Random | None = None,
) -> Certificate:
    """Build the (unsigned) verification certificate; the caller signs and writes it."""
    context = context or Context()
    started = datetime.now(UTC)
    claim = parse_report(report)
    disk = identify_device(host, dev_path)
    match = match_target(claim, disk)
    target = match.target
    errors = list(claim.problems)
    if target is not None:
        errors += [f"report: {e}" for e in target.errors]
    errors += match.mismatches
    pattern = target.final_pattern if target is not None else "unknown"
    readback = read_back(dev_path, pattern, level=level, rng=rng)
    reported_success = bool(target and target.success)
    if not reported_success or claim.problems:
        reason = REASON_REPORT_FAILED
    elif match.mismatches:
        reason = REASON_MISMATCH
    elif readback.unreadable:
        reason = REASON_UNREADABLE
    elif not readback.verification.passed:
        reason = REASON_DATA_FOUND
    else:
        reason = REASON_VERIFIED
    verified = reason == REASON_VERIFIED
    if not readback.verification.passed:
        errors += readback.findings[:20]
    external = ExternalReport(
        tool=claim.tool,
        tool_version=claim.tool_version,
        report_id=claim.report_id,
        sha256=hashlib.sha256(report).hexdigest(),
        method=target.method if target else None,
        result=target.status if target else None,
        reported_success=reported_success,
        started_at=target.started_at if target else None,
        finished_at=target.finished_at if target else None,
        signature_present=claim.signature_present,
        signature_note=SIGNATURE_NOTE if claim.signature_present else None,
        matched_by=match.matched_by,
        mismatches=match.mismatches,
    )
    finished = datetime.now(UTC)
    return Certificate(
        certificate_id=uuid.uuid4(),
        kind="verification",
        result="verified" if verified else "verification_failed",
        reason=reason,
        asset_code=context.asset_code,
        organisation=CertOrganisation(name=context.organisation),
        operator=context.operator,
        station=context.station,
        machine=context.machine,
        disk=disk,
        category="clear" if verified else None,
        technique="external",
        tool="atelier",
        tool_version=__version__,
        verification=readback.verification,
        started_at=started,
        finished_at=finished,
        errors=errors,
        external=external,
    )


__all__ = [
    "SIGNATURE_NOTE",
    "Context",
    "Match",
    "identify_device",
    "match_target",
    "parse_report",
    "read_back",
    "sysfs_identity",
    "verify_external_erasure",
]
