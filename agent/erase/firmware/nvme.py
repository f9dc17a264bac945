"""NVMe firmware erasure through nvme-cli: Sanitize (polled through the sanitize log) and Format.

Some drives never finish a Sanitize: Intel 660p stay at SPROG 655 (1 %) for ever
(nvme-cli issues #752, #1784, #3027), so polling has a deadline and a stuck drive is reported
INCOMPLETE with the power-cycle advice, never "erased".
"""

from __future__ import annotations

from agent.erase.firmware import messages
from agent.erase.firmware._common import (
    Clock,
    FirmwareOutcome,
    ProgressFn,
    Runner,
    describe,
    nvme_controller,
    text_of,
)
from agent.host import Host
from agent.parsers.nvme_cli import parse_nvme_status, parse_sanitize_log
from agent.report import Disk

SANACT = {"nvme_sanitize_block": "2", "nvme_sanitize_overwrite": "3", "nvme_sanitize_crypto": "4"}
SES = {"nvme_format_user_data": "1", "nvme_format_crypto": "2"}


def _status_error(prefix: str, text: str) -> str:
    status = parse_nvme_status(text)
    if status is not None and not status.success:
        code = f" (0x{status.code:x})" if status.code is not None else ""
        return f"{prefix}: {status.name}{code}"
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return f"{prefix}: {lines[-1] if lines else 'no output'}"


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
    ctrl = nvme_controller(disk.path)
    who = describe(disk)
    log_argv = ["nvme", "sanitize-log", ctrl]
    before = parse_sanitize_log(text_of(runner.run(log_argv, timeout=30)))
    if before.state == "in_progress":
        # A sanitize interrupted by a power loss resumes by itself; starting another is refused.
        out.errors.append("a sanitize was already in progress; waiting for it")
    else:
        start = runner.run(["nvme", "sanitize", ctrl, f"--sanact={SANACT[technique]}"], timeout=120)
        status = parse_nvme_status(text_of(start))
        if not start.ok or (status is not None and not status.success):
            out.errors.append(_status_error("sanitize refused", text_of(start)))
            if status is not None and status.kind == "sanitize_in_progress":
                out.message_for_technician = messages.stuck(who, None)
            return out
    deadline = clock.now() + timeout_s
    while True:
        res = runner.run(log_argv, timeout=30, log=False)
        log = parse_sanitize_log(text_of(res))
        state = log.state
        if state == "in_progress":
            out.last_progress = log.progress
            if progress is not None and log.progress is not None:
                progress(log.progress)
        elif state in ("completed", "completed_no_deallocate"):
            out.ok_claimed = True
            out.last_progress = 1.0
            if progress is not None:
                progress(1.0)
            break
        elif state == "failed":
            out.errors.append("the drive reports that the sanitize failed (SSTAT 3)")
            break
        else:
            # "never" after starting means the command was silently dropped (QEMU: no Sanitize).
            out.errors.append(
                f"sanitize log shows no sanitize ({state}): {_status_error('sanitize-log', text_of(res))}"
            )
            break
        if clock.now() >= deadline:
            out.timed_out = True
            pct = None if out.last_progress is None else out.last_progress * 100
            out.errors.append(
                f"sanitize still in progress after {timeout_s:g} s (progress {log.sprog}/65536)"
            )
            out.message_for_technician = messages.stuck(who, pct)
            break
        clock.sleep(poll_s)
    out.commands.append(f"nvme sanitize-log {ctrl} (polled)")
    return out


def format_ses(
    host: Host, disk: Disk, technique: str, *, timeout_s: float, progress: ProgressFn | None = None
) -> FirmwareOutcome:
    out = FirmwareOutcome(ok_claimed=False)
    runner = Runner(host, out)
    if progress is not None:
        progress(0.0)
    # Format is synchronous: nvme-cli returns when the drive has finished (or refused).
    res = runner.run(["nvme", "format", disk.path, f"--ses={SES[technique]}", "--force"], timeout=timeout_s)
    status = parse_nvme_status(text_of(res))
    if res.timed_out:
        out.timed_out = True
        out.message_for_technician = messages.stuck(describe(disk), None)
    elif res.ok and (status is None or status.success):
        out.ok_claimed = True
        if progress is not None:
            progress(1.0)
    else:
        out.errors.append(_status_error("format refused", text_of(res)))
        if status is not None and status.kind == "invalid_format":
            # WD Black: 0x410a until a suspend/resume (tinyapps.org) — the drive is "frozen" in effect.
            out.frozen = True
            out.message_for_technician = messages.frozen(describe(disk))
    return out


__all__ = ["SANACT", "SES", "format_ses", "sanitize"]
