"""ATA firmware erasure through hdparm: SECURITY ERASE UNIT and SANITIZE.

Exit codes lie here: in QEMU (and on some USB bridges) `hdparm --security-erase` exits 0 while
the drive aborts the command and keeps every byte (shared/notes/qemu.md). `ok_claimed` is only
what the drive *says*; the canaries planted before and the read-back after decide.
"""

from __future__ import annotations

import math

from agent.erase.firmware import messages
from agent.erase.firmware._common import Clock, FirmwareOutcome, ProgressFn, Runner, describe, text_of
from agent.host import Host
from agent.parsers.hdparm import HdparmIdentify, parse_command_error, parse_identify, parse_sanitize_status
from agent.report import Disk

YES = "--yes-i-know-what-i-am-doing"
#: A throw-away password: SECURITY ERASE UNIT requires one to be set first, and erasing clears it.
TEMP_PASSWORD = "atelier"

SANITIZE_FLAGS = {
    "ata_sanitize_crypto": ["--sanitize-crypto-scramble"],
    "ata_sanitize_block": ["--sanitize-block-erase"],
    "ata_sanitize_overwrite": ["--sanitize-overwrite-passes", "1", "--sanitize-overwrite", "hex:00000000"],
}


def identify(runner: Runner, disk: Disk) -> HdparmIdentify | None:
    result = runner.run(["hdparm", "-I", disk.path], timeout=30)
    if result.missing or result.timed_out:
        return None
    return parse_identify(text_of(result))


def _refuse_security(ident: HdparmIdentify | None, disk: Disk, out: FirmwareOutcome) -> bool:
    """True when SECURITY ERASE cannot be attempted; `out` then says why and what to do."""
    who = describe(disk)
    if ident is None or ident.security is None:
        out.errors.append("the drive's security state could not be read (hdparm -I)")
        return True
    if ident.garbled:
        out.errors.append("the drive's IDENTIFY data is garbled (USB bridge?): firmware erase not attempted")
        return True
    sec = ident.security
    if sec.supported is not True:
        out.errors.append("ATA security feature set not supported")
        return True
    if sec.frozen:
        out.frozen = True
        out.errors.append("drive security is frozen by the BIOS")
        out.message_for_technician = messages.frozen(who)
        return True
    if sec.locked and sec.count_expired:
        out.errors.append("drive is locked and its password attempt counter has expired")
        out.message_for_technician = messages.locked_expired(who)
        return True
    if sec.locked:
        out.errors.append("drive is locked by an unknown password")
        out.message_for_technician = messages.locked(who)
        return True
    if sec.enabled:
        out.errors.append("a security password is already set on the drive")
        out.message_for_technician = messages.password_already_set(who)
        return True
    return False


def security_erase(
    host: Host, disk: Disk, *, enhanced: bool, timeout_s: float, progress: ProgressFn | None = None
) -> FirmwareOutcome:
    out = FirmwareOutcome(ok_claimed=False)
    runner = Runner(host, out)
    ident = identify(runner, disk)
    if _refuse_security(ident, disk, out):
        return out
    assert ident is not None and ident.security is not None
    if enhanced and not ident.security.enhanced_erase_supported:
        out.errors.append("enhanced security erase not supported by the drive")
        return out
    minutes = (ident.security.enhanced_erase_minutes if enhanced else ident.security.erase_minutes) or 0
    # The drive's own estimate, doubled, bounded by the caller's budget: a drive never reports progress.
    erase_timeout = min(timeout_s, max(120.0, minutes * 60 * 2.0 + 60))
    set_pass = runner.run(
        ["hdparm", "--user-master", "u", "--security-set-pass", TEMP_PASSWORD, disk.path], timeout=60
    )
    if not set_pass.ok:
        out.errors.append(
            f"setting the temporary password failed: {_error_line(set_pass.stdout, set_pass.stderr)}"
        )
        _clear_password(runner, disk, out)
        return out
    flag = "--security-erase-enhanced" if enhanced else "--security-erase"
    if progress is not None:
        progress(0.0)
    erase = runner.run(
        ["hdparm", "--user-master", "u", flag, TEMP_PASSWORD, disk.path], timeout=erase_timeout
    )
    problem = parse_command_error(text_of(erase))
    if erase.timed_out:
        out.timed_out = True
        out.message_for_technician = messages.stuck(describe(disk), None)
    elif not erase.ok or problem:
        out.errors.append(f"security erase refused: {problem or _error_line(erase.stdout, erase.stderr)}")
    else:
        out.ok_claimed = True
        if progress is not None:
            progress(1.0)
    _clear_password(runner, disk, out)
    return out


def _clear_password(runner: Runner, disk: Disk, out: FirmwareOutcome) -> None:
    """A successful erase clears the password; an aborted one may leave the drive locked at next boot."""
    after = identify(runner, disk)
    if after is not None and after.security is not None and after.security.enabled is False:
        return
    disable = runner.run(
        ["hdparm", "--user-master", "u", "--security-disable", TEMP_PASSWORD, disk.path], timeout=60
    )
    check = identify(runner, disk)
    if disable.ok and check is not None and check.security is not None and check.security.enabled is False:
        return
    out.errors.append("the temporary security password may still be set on the drive")
    out.ok_claimed = False
    note = messages.password_left(describe(disk))
    out.message_for_technician = (
        f"{out.message_for_technician}\n{note}" if out.message_for_technician else note
    )


def _error_line(stdout: str, stderr: str) -> str:
    text = f"{stdout}\n{stderr}"
    return parse_command_error(text) or (text.strip().splitlines() or ["no output"])[-1]


def sanitize(
    host: Host,
    disk: Disk,
    technique: str,
    *,
    timeout_s: float,
    progress: ProgressFn | None = None,
    clock: Clock | None = None,
    poll_s: float = 10.0,
) -> FirmwareOutcome:
    clock = clock or Clock()
    out = FirmwareOutcome(ok_claimed=False)
    runner = Runner(host, out)
    who = describe(disk)
    before = runner.run(["hdparm", "--sanitize-status", disk.path], timeout=30)
    status = parse_sanitize_status(text_of(before))
    if not status.supported:
        out.errors.append("ATA SANITIZE feature set not supported")
        return out
    if status.state == "SD1":
        out.frozen = True
        out.errors.append("SANITIZE is frozen (SANITIZE FREEZE LOCK sent by the BIOS)")
        out.message_for_technician = messages.frozen(who)
        return out
    start = runner.run(["hdparm", YES, *SANITIZE_FLAGS[technique], disk.path], timeout=120)
    problem = parse_command_error(text_of(start))
    if not start.ok or (problem and "SANITIZE" in problem.upper()):
        out.errors.append(f"sanitize refused: {problem or _error_line(start.stdout, start.stderr)}")
        return out
    deadline = clock.now() + timeout_s
    first: float | None = None
    while True:
        res = runner.run(["hdparm", "--sanitize-status", disk.path], timeout=30, log=False)
        st = parse_sanitize_status(text_of(res))
        if st.state == "SD2":
            fraction = (st.progress_percent or 0.0) / 100
            out.last_progress = fraction
            first = fraction if first is None else first
            if progress is not None:
                progress(fraction)
        elif st.state == "SD0" and st.last_completed_ok is not False:
            out.ok_claimed = True
            out.last_progress = 1.0
            if progress is not None:
                progress(1.0)
            break
        elif st.state == "SD3" or st.last_completed_ok is False:
            out.errors.append("the drive reports that SANITIZE failed (SD3)")
            break
        elif not res.ok:
            out.errors.append(f"sanitize status unreadable: {_error_line(res.stdout, res.stderr)}")
            break
        if clock.now() >= deadline:
            out.timed_out = True
            out.errors.append(f"sanitize still in progress after {timeout_s:g} s")
            pct = None if out.last_progress is None else out.last_progress * 100
            out.message_for_technician = messages.stuck(who, pct)
            break
        clock.sleep(poll_s)
    out.commands.append(f"hdparm --sanitize-status {disk.path} (polled)")
    return out


def estimated_minutes(ident: HdparmIdentify, enhanced: bool) -> int | None:
    if ident.security is None:
        return None
    value = ident.security.enhanced_erase_minutes if enhanced else ident.security.erase_minutes
    return None if value is None else math.ceil(value)


__all__ = ["SANITIZE_FLAGS", "TEMP_PASSWORD", "estimated_minutes", "identify", "sanitize", "security_erase"]
