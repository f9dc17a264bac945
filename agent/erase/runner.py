"""Carrying out an erase plan: one worker thread per disk, one signed certificate per disk.

The result written on a certificate is decided here and only here:
- `erased`     — every pass written without error AND the verification passed;
- `failed`     — unwritable/unreadable ranges, a pattern mismatch, or a firmware erase that left
                 canaries behind without an allowed fallback;
- `incomplete` — cancelled, timed out, verification disabled by policy, or a hidden area (HPA)
                 left unerased. The `reason` says which.
Exit codes of tools are never taken for proof (QEMU's `hdparm --security-erase` exits 0 and
erases nothing; notes/qemu.md).
"""

from __future__ import annotations

import errno
import importlib
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent import __version__
from agent.erase.device import OpenDevice, is_read_only, open_device
from agent.erase.engine import PassResult, write_pass
from agent.erase.patterns import PatternSource
from agent.erase.planner import DiskPlan, ErasePlan
from agent.erase.progress import Progress, ProgressCallback
from agent.erase.ranges import merge
from agent.erase.safety import busy_refusal, planned_entry, read_only_refusal, recheck_usage
from agent.erase.sampling import sampled_plan
from agent.erase.verify import VerifyResult, verify_pattern
from agent.errors import AtelierError, EnvironmentProblem, SafetyRefusal
from agent.host import Host
from agent.i18n import N_, _
from agent.report import (
    CertDisk,
    Certificate,
    CertMachine,
    CertOrganisation,
    FailedRange,
    PassRecord,
    SignedCertificate,
    Technique,
    Verification,
)
from agent.report.certificate import ErasureResult

if TYPE_CHECKING:
    from agent.certs.keys import StationKey

#: Canaries planted before a firmware erase (each must be gone afterwards).
CANARY_COUNT = 64


@dataclass(frozen=True)
class EraseContext:
    asset_code: str | None = None
    machine: CertMachine | None = None
    operator: str | None = None
    organisation: CertOrganisation | str | None = None
    station: str | None = None
    report_id: uuid.UUID | str | None = None


class _AnyOf:
    """Cancelled when the run is cancelled or this disk's own timer fired."""

    def __init__(self, *events: threading.Event | None) -> None:
        self.events = [e for e in events if e is not None]

    def is_set(self) -> bool:
        return any(e.is_set() for e in self.events)


@dataclass
class _Record:
    """What happened to one disk, gathered while it runs, turned into a Certificate at the end."""

    item: DiskPlan
    started_at: datetime
    technique: Technique
    passes: list[PassRecord] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed: list[FailedRange] = field(default_factory=list)
    verification: Verification = field(default_factory=lambda: Verification(method="none"))
    hpa_dco: str | None = None
    size: int | None = None
    cancelled: bool = False
    timed_out: bool = False
    fell_back: bool = False
    firmware_failed: bool = False
    #: Sectors hidden by an HPA/DCO that the overwrite could not reach.
    hidden_left: bool = False
    #: An unexpected error stopped the work after the device was opened.
    crashed: str | None = None


def _hpa_text(item: DiskPlan) -> str | None:
    caps = item.disk.capabilities
    if caps is None or caps.hpa_enabled is None:
        return None
    if caps.hpa_enabled:
        return f"HPA enabled: {caps.hpa_visible_sectors} of {caps.hpa_native_sectors} sectors visible"
    return "HPA disabled"


def _overwrite(
    rec: _Record,
    dev: OpenDevice,
    *,
    progress: ProgressCallback | None,
    cancel: _AnyOf,
) -> None:
    item = rec.item
    policy_passes = item.passes
    last: tuple[PatternSource, PassResult] | None = None
    rec.commands.append(
        f"atelier overwrite {dev.path}: {len(policy_passes)} pass(es) "
        f"[{', '.join(p.label() for p in policy_passes)}], O_DIRECT={dev.direct}, "
        f"{dev.size} bytes, sector {dev.sector}"
    )
    for index, pattern in enumerate(policy_passes, start=1):
        source = PatternSource(pattern)
        result = write_pass(
            dev, source, pass_index=index, passes=len(policy_passes), progress=progress, cancel=cancel
        )
        rec.passes.append(
            PassRecord(
                pattern=pattern.kind,
                byte=pattern.constant_byte if pattern.kind == "byte" else None,
                bytes_written=result.bytes_written,
                seconds=round(result.seconds, 3),
            )
        )
        rec.failed.extend(result.failed_ranges)
        if last is not None:
            last[0].close()
        last = (source, result)
        if result.cancelled:
            rec.cancelled = True
            source.close()
            return
    if last is None:
        return
    source, _result = last
    try:
        level = item.verification
        if level == "none":
            rec.verification = Verification(method="none", details=["verification disabled by policy"])
            return
        verified: VerifyResult = verify_pattern(
            dev,
            source,
            level,
            percent=item.sample_percent,
            sections=item.sample_sections,
            progress=progress,
            pass_index=len(policy_passes),
            passes=len(policy_passes),
            cancel=cancel,
        )
        rec.verification = verified.to_model()
        rec.failed.extend(verified.failed_ranges)
        if verified.cancelled:
            rec.cancelled = True
    finally:
        source.close()


def _firmware_api() -> tuple[Any, Any, Any, Any] | str:
    """(plant_canaries, check_canaries, scan_for_signatures, run_firmware_erase), or why not.

    Looked up at run time: an image built without the firmware wrappers still erases by overwrite,
    and tests replace this seam with a drive that lies about its erase.
    """
    try:
        canaries = importlib.import_module("agent.erase.canaries")
        firmware = importlib.import_module("agent.erase.firmware")
        return (
            canaries.plant_canaries,
            canaries.check_canaries,
            canaries.scan_for_signatures,
            firmware.run_firmware_erase,
        )
    except (ImportError, AttributeError) as err:
        return f"firmware erase unavailable in this build: {err}"


def _firmware(
    rec: _Record,
    dev: OpenDevice,
    host: Host,
    *,
    timeout: float,
    restore_hidden: bool,
    progress: ProgressCallback | None,
) -> bool:
    """Run the drive's own erase and judge it: True only when it is proven to have worked.

    Proof = every canary planted before it is gone, no known signature (partition table,
    superblock, file header) in a NIST sample read afterwards, and the drive itself said done.
    """
    item = rec.item
    technique = item.technique
    assert technique is not None
    api = _firmware_api()
    if isinstance(api, str):
        rec.errors.append(api)
        return False
    plant_canaries, check_canaries, scan_for_signatures, run_firmware_erase = api
    canaries = plant_canaries(dev.path, dev.size, CANARY_COUNT, sector=dev.sector)
    planted = int(canaries.planted)
    rec.errors.extend(canaries.write_errors)
    if planted == 0:
        rec.errors.append("no canary could be planted: the firmware erase cannot be judged")
        return False

    def firmware_progress(fraction: float) -> None:
        if progress is not None:
            done = int(max(0.0, min(1.0, fraction)) * dev.size)
            progress(Progress(dev.path, 1, 1, "firmware", done, dev.size, 0.0, None))

    outcome = run_firmware_erase(
        host,
        item.disk,
        technique,
        progress=firmware_progress,
        timeout_s=timeout,
        restore_hidden=restore_hidden,
    )
    rec.commands.extend(outcome.commands)
    rec.errors.extend(outcome.errors)
    if outcome.message_for_technician:
        rec.errors.append(outcome.message_for_technician)
    if outcome.hpa_dco:
        rec.hpa_dco = outcome.hpa_dco
    if outcome.timed_out:
        rec.timed_out = True
    check = check_canaries(dev.path, canaries)
    plan = sampled_plan(dev.size, dev.sector, percent=item.sample_percent, sections=item.sample_sections)
    findings = list(scan_for_signatures(dev.path, plan.ranges, sector=dev.sector))
    survivors = int(check.survivors)
    passed = bool(outcome.ok_claimed) and survivors == 0 and not check.read_errors and not findings
    details = [f"{survivors} of {planted} canaries survived", *check.read_errors[:5], *findings[:15]]
    if not outcome.ok_claimed:
        details.append("the drive did not report the erase as done")
    rec.verification = Verification(
        method="sampled",
        target="no-canary-no-signature",
        coverage_percent=round(plan.coverage_percent, 3),
        samples=len(plan.ranges) + planted,
        bytes_read=plan.bytes + planted * dev.sector,
        passed=passed,
        details=details,
    )
    rec.passes.append(PassRecord(pattern="firmware"))
    return passed


def _hidden_areas_before_overwrite(rec: _Record, dev: OpenDevice, host: Host, restore: bool) -> None:
    """ATA drives: an HPA/DCO hides sectors from an overwrite; lift it when the policy allows,
    and mark the result incomplete when sectors stay beyond the kernel's view of the disk."""
    if rec.item.medium not in ("hdd", "sata_ssd"):
        return
    try:
        hidden = importlib.import_module("agent.erase.firmware.hidden")
    except ImportError:
        return
    areas = hidden.inspect_hidden_areas(host, rec.item.disk, restore=restore)
    rec.commands.extend(areas.commands)
    rec.errors.extend(areas.errors)
    rec.hpa_dco = areas.summary() or rec.hpa_dco
    native = areas.native_sectors
    if native and native * dev.sector > dev.size:
        rec.hidden_left = True


def _firmware_timeout(item: DiskPlan, policy_timeout: float) -> float:
    if policy_timeout > 0:
        return policy_timeout
    estimate = item.expected_seconds or 3600.0
    return estimate * 2 + 1800.0


#: The one-sentence reasons a certificate carries (English msgids; screens and PDF translate them).
REASON_FAILED_RANGES = N_("some bytes could not be written or read back (see the failed ranges)")
REASON_FIRMWARE_UNPROVEN = N_(
    "the firmware erase could not be proven (canaries survived or the drive refused)"
)
REASON_CRASHED = N_("stopped by an internal error (see the errors)")
REASON_TIMED_OUT = N_("stopped: the erasure exceeded the policy's time limit")
REASON_CANCELLED = N_("stopped before the end (cancelled)")
REASON_NOT_VERIFIED = N_("written but not verified (the policy disables verification)")
REASON_MISMATCH = N_("verification failed: the expected pattern is not on the disk")
REASON_HPA = N_("a hidden area (HPA) was not erased")
REASON_ERASED = N_("every pass was written and the verification passed")
REASON_ERASED_FIRMWARE = N_("the drive's own erase ran and no canary survived")


def _result_of(rec: _Record, can_certify: bool) -> tuple[ErasureResult, str]:
    if rec.failed:
        return "failed", REASON_FAILED_RANGES
    if rec.firmware_failed and not rec.fell_back:
        return "failed", REASON_FIRMWARE_UNPROVEN
    if rec.crashed:
        return "incomplete", REASON_CRASHED
    if rec.timed_out:
        return "incomplete", REASON_TIMED_OUT
    if rec.cancelled:
        return "incomplete", REASON_CANCELLED
    if not can_certify or rec.verification.method == "none":
        return "incomplete", REASON_NOT_VERIFIED
    if not rec.verification.passed:
        return "failed", REASON_MISMATCH
    caps = rec.item.disk.capabilities
    if rec.hidden_left or (
        rec.technique == "overwrite" and caps is not None and caps.hpa_enabled and not rec.hpa_dco
    ):
        return "incomplete", REASON_HPA
    if rec.technique != "overwrite":
        return "erased", REASON_ERASED_FIRMWARE
    return "erased", REASON_ERASED


def _certificate(rec: _Record, plan: ErasePlan, context: EraseContext, restarted: bool) -> Certificate:
    item = rec.item
    disk = item.disk
    result, reason = _result_of(rec, plan.policy.can_certify)
    category = None
    if result == "erased":
        category = "clear" if rec.technique == "overwrite" else item.category
    organisation = context.organisation
    if isinstance(organisation, str) or organisation is None:
        organisation = CertOrganisation(name=organisation)
    purge_note = item.purge_note.english() if item.purge_note else None
    if rec.fell_back and item.category == "purge":
        purge_note = "the firmware Purge could not be proven; fell back to an overwrite (Clear)"
    return Certificate(
        certificate_id=uuid.uuid4(),
        kind="erasure",
        result=result,
        reason=reason,
        report_id=uuid.UUID(context.report_id) if isinstance(context.report_id, str) else context.report_id,
        asset_code=context.asset_code,
        organisation=organisation,
        operator=context.operator,
        station=context.station,
        machine=context.machine or CertMachine(),
        disk=CertDisk(
            name=disk.name,
            model=disk.model,
            vendor=disk.vendor,
            serial=disk.serial,
            wwn=disk.wwn,
            firmware=disk.firmware,
            size_bytes=rec.size if rec.size is not None else disk.size_bytes,
            media_type=disk.media_type,
            transport=disk.transport,
        ),
        category=category,
        technique=rec.technique,
        policy=plan.policy.name,
        passes=rec.passes,
        tool="atelier",
        tool_version=__version__,
        commands=rec.commands,
        verification=rec.verification,
        hpa_dco=rec.hpa_dco or _hpa_text(item),
        purge_note=purge_note,
        started_at=rec.started_at,
        finished_at=datetime.now(UTC),
        errors=rec.errors,
        failed_ranges=merge(rec.failed),
        restarted=restarted,
    )


def erase_one(
    item: DiskPlan,
    plan: ErasePlan,
    host: Host,
    *,
    context: EraseContext,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    restarted: bool = False,
) -> Certificate:
    """Erase one planned disk; raises SafetyRefusal (nothing written) when it must not be touched."""
    planned_entry(plan, item.disk.path)
    recheck_usage(host, item)
    try:
        dev = open_device(item.disk.path, write=True, exclusive=True)
    except OSError as err:
        # EBUSY: mounted, swap, md/dm holder; EPERM: kernels built to forbid writing to mounted
        # block devices (BLK_DEV_WRITE_MOUNTED=n) — either way the kernel says no.
        if err.errno in (errno.EBUSY, errno.EPERM):
            raise busy_refusal(item.disk.path, err) from err
        if err.errno in (errno.EROFS, errno.EACCES):  # a write-protected device
            raise read_only_refusal(item.disk.path) from err
        raise
    own_cancel = threading.Event()
    timer: threading.Timer | None = None
    rec = _Record(item=item, started_at=datetime.now(UTC), technique=item.technique or "overwrite")
    try:
        if is_read_only(dev.fd):
            raise read_only_refusal(item.disk.path)
        rec.size = dev.size
        policy = plan.policy
        token = _AnyOf(cancel, own_cancel)
        if item.is_firmware:
            ok = _firmware(
                rec,
                dev,
                host,
                timeout=_firmware_timeout(item, policy.firmware_timeout_s),
                restore_hidden=policy.allow_hpa_dco_restore,
                progress=progress,
            )
            if not ok:
                rec.firmware_failed = True
                # A drive still busy with its own erase (timed out) cannot be overwritten now.
                stopped = rec.timed_out or (cancel is not None and cancel.is_set())
                if item.fallback == "overwrite" and not stopped:
                    rec.fell_back = True
                    rec.technique = "overwrite"
                    rec.errors.append(f"{item.technique} not proven: falling back to a verified overwrite")
        if rec.technique == "overwrite":
            _hidden_areas_before_overwrite(rec, dev, host, policy.allow_hpa_dco_restore)
            if policy.overwrite_timeout_s > 0:
                timer = threading.Timer(policy.overwrite_timeout_s, own_cancel.set)
                timer.daemon = True
                timer.start()
            _overwrite(rec, dev, progress=progress, cancel=token)
            rec.timed_out = own_cancel.is_set()
    except SafetyRefusal:
        raise
    except Exception as err:  # the disk may be half-written: it still gets a certificate saying so
        rec.crashed = f"{type(err).__name__}: {err}"
        rec.errors.append(rec.crashed)
    finally:
        if timer is not None:
            timer.cancel()
        dev.close()
    return _certificate(rec, plan, context, restarted)


def execute_plan(
    plan: ErasePlan,
    host: Host,
    *,
    key: StationKey,
    context: EraseContext,
    out_dir: Path | None,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    restarted: set[str] | frozenset[str] = frozenset(),
    refusals: list[AtelierError] | None = None,
    lang: str = "fr",
    on_certificate: Callable[[SignedCertificate, tuple[Path, Path] | None], Any] | None = None,
) -> list[SignedCertificate]:
    """Erase every "erase" entry in parallel; sign (and write into `out_dir`) one certificate each.

    A disk refused at the last moment (or that cannot be opened) gets no certificate: its error
    (SafetyRefusal, exit 4; EnvironmentProblem) goes to `refusals` and the other disks go on. Certificates come back in plan order.
    """
    from agent.certs.sign import sign_certificate
    from agent.certs.store import write_certificate

    items = plan.to_erase()
    stop = cancel if cancel is not None else threading.Event()
    results: dict[int, SignedCertificate] = {}
    problems: dict[int, AtelierError] = {}
    lock = threading.Lock()

    remaining = [len(items)]
    all_done = threading.Event()
    if not items:
        all_done.set()

    def work(index: int, item: DiskPlan) -> None:
        try:
            work_one(index, item)
        finally:
            with lock:
                remaining[0] -= 1
                if remaining[0] == 0:
                    all_done.set()

    def work_one(index: int, item: DiskPlan) -> None:
        was_restarted = bool({item.disk.path, item.disk.name, item.disk.serial or ""} & set(restarted))
        try:
            cert = erase_one(
                item, plan, host, context=context, progress=progress, cancel=stop, restarted=was_restarted
            )
        except AtelierError as refusal:
            with lock:
                problems[index] = refusal
            return
        except OSError as err:  # could not even open the device: nothing was written
            with lock:
                problems[index] = EnvironmentProblem(
                    _("{device} cannot be opened: {error}").format(
                        device=item.disk.path, error=err.strerror or err
                    )
                )
            return
        signed = sign_certificate(cert, key)
        paths = write_certificate(signed, out_dir, lang=lang) if out_dir is not None else None
        with lock:
            results[index] = signed
            if on_certificate is not None:
                on_certificate(signed, paths)

    threads = [
        threading.Thread(target=work, args=(i, item), name=f"erase-{item.disk.name}", daemon=True)
        for i, item in enumerate(items)
    ]
    for thread in threads:
        thread.start()
    interrupted = False
    # Waiting on an Event, not Thread.join: a Ctrl-C that interrupts join() can leave CPython
    # believing the thread has ended (bpo-21822), and its certificate would then be lost.
    try:
        while not all_done.wait(0.5):
            pass
    except KeyboardInterrupt:
        # Ctrl-C: stop every disk at its next chunk and still write their (incomplete)
        # certificates — a half-erased disk must be on record, never silently dropped.
        # A second Ctrl-C leaves at once.
        interrupted = True
        stop.set()
        while not all_done.wait(0.5):
            pass
    if refusals is not None:
        refusals.extend(problems[i] for i in sorted(problems))
    if interrupted:
        raise KeyboardInterrupt
    return [results[i] for i in sorted(results)]


__all__ = ["CANARY_COUNT", "EraseContext", "erase_one", "execute_plan"]
