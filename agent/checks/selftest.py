"""SMART short self-test on every drive that supports it, drives in parallel.

The test runs inside the drive: we start it, poll it at a pace set by the duration the drive
announces (ATA "polling_minutes", NVMe at most 2 minutes for a short test per the spec), give up
after a timeout (and abort the test so the drive is not left busy), and read the result from the
drive's self-test log. smartctl drives ATA, NVMe (smartctl >= 7.3) and SCSI; for NVMe, nvme-cli's
`device-self-test` / `self-test-log` is the fallback.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from agent.checks._result import Timer, result
from agent.checks._text import text
from agent.host import Host
from agent.i18n import N_
from agent.parsers.selftest import SelfTestStatus, parse_nvme_cli_selftest_log, parse_smartctl_selftest
from agent.report import CheckResult, Disk, SelfTestEntry
from agent.report.checks import Measurement

#: Kernel devices that never carry SMART (loop devices, RAM disks, device-mapper, zram).
_NO_SMART_PREFIXES = ("loop", "ram", "zram", "dm-", "md", "nbd", "sr")
#: NVMe base spec: a short device self-test takes at most 2 minutes.
NVME_SHORT_MINUTES = 2


@dataclass(frozen=True)
class SelfTestSettings:
    poll_interval_s: float = 15.0
    #: Wait up to this many times the announced duration (drives under load run slower) ...
    timeout_factor: float = 2.0
    #: ... and never less than this.
    min_timeout_s: float = 180.0
    default_short_minutes: int = 2


Sleep = Callable[[float], None]
Clock = Callable[[], float]


def _smartctl_poll(host: Host, path: str) -> tuple[SelfTestStatus, int, str]:
    run = host.run(["smartctl", "-j", "-c", "-l", "selftest", path], timeout=60)
    return parse_smartctl_selftest(run.stdout), run.returncode, run.stdout + run.stderr


def _nvme_poll(host: Host, path: str) -> SelfTestStatus:
    run = host.run(["nvme", "self-test-log", path], timeout=60)
    return parse_nvme_cli_selftest_log(run.stdout)


def _same_entry(a: SelfTestEntry | None, b: SelfTestEntry | None) -> bool:
    return a is not None and b is not None and a.model_dump() == b.model_dump()


def _not_available(check_id: str, timer: Timer, why: str) -> CheckResult:
    return result(
        check_id,
        "skipped",
        text(N_("SMART self-test not available on this machine ({why})"), why=why),
        timer=timer,
    )


def run_selftest(
    host: Host,
    disk: Disk,
    settings: SelfTestSettings | None = None,
    *,
    sleep: Sleep = time.sleep,
    clock: Clock = time.monotonic,
    progress: Callable[[float], None] | None = None,
) -> CheckResult:
    settings = settings or SelfTestSettings()
    timer = Timer()
    check_id = f"selftest:{disk.path}"
    if disk.name.startswith(_NO_SMART_PREFIXES):
        return _not_available(check_id, timer, disk.name)
    if disk.smart is not None and disk.smart.available is False:
        return _not_available(check_id, timer, "no SMART")
    before, rc, output = _smartctl_poll(host, disk.path)
    if rc == 127 and not output.strip().startswith("{"):
        return _not_available(check_id, timer, "smartctl")
    # smartctl exit bit 1: the device could not be opened / has no SMART (USB bridges, loop…).
    if rc & 0b10 and before.state == "unknown" and not before.log:
        return _not_available(check_id, timer, "no SMART")
    if before.supported is False:
        return result(check_id, "skipped", text(N_("this drive has no self-test")), timer=timer)
    is_nvme = disk.transport == "nvme" or disk.name.startswith("nvme")
    poll: Callable[[], SelfTestStatus] = lambda: _smartctl_poll(host, disk.path)[0]  # noqa: E731
    newest_before = before.log[0] if before.log else None
    if before.state != "running":
        start = host.run(["smartctl", "-t", "short", disk.path], timeout=60)
        if start.returncode & 0b111 or start.missing:
            if not is_nvme:
                return result(
                    check_id,
                    "error",
                    text(N_("the drive refused to start its self-test")),
                    timer=timer,
                    measurements={"detail": (start.stdout + start.stderr)[-200:]},
                )
            fallback = host.run(["nvme", "device-self-test", disk.path, "-s", "1"], timeout=60)
            if not fallback.ok:
                return result(
                    check_id, "error", text(N_("the drive refused to start its self-test")), timer=timer
                )
            poll = lambda: _nvme_poll(host, disk.path)  # noqa: E731
    announced = disk.smart.short_test_minutes if disk.smart is not None else None
    minutes = (
        before.short_minutes
        or announced
        or (NVME_SHORT_MINUTES if is_nvme else settings.default_short_minutes)
    )
    timeout = max(settings.min_timeout_s, minutes * 60 * settings.timeout_factor)
    interval = min(settings.poll_interval_s, max(1.0, minutes * 60 / 8))
    started = clock()
    status = before
    polls = 0
    while True:
        sleep(interval)
        polls += 1
        status = poll()
        elapsed = clock() - started
        if status.state == "running":
            if progress and status.remaining_percent is not None:
                progress(1 - status.remaining_percent / 100)
            if elapsed > timeout:
                host.run(["smartctl", "-X", disk.path], timeout=60)
                return result(
                    check_id,
                    "warn",
                    text(
                        N_("self-test did not finish within {minutes:.0f} min; stopped"), minutes=timeout / 60
                    ),
                    timer=timer,
                    measurements={"announced_minutes": minutes, "polls": polls},
                )
            continue
        newest = status.log[0] if status.log else None
        if status.state == "idle" and (newest is not None and not _same_entry(newest, newest_before)):
            break
        if status.state == "idle" and status.last_result is not None:
            break
        if elapsed > timeout:
            break
    if progress:
        progress(1.0)
    return _outcome(check_id, timer, status, newest_before, minutes, polls)


def _outcome(
    check_id: str,
    timer: Timer,
    status: SelfTestStatus,
    newest_before: SelfTestEntry | None,
    minutes: int,
    polls: int,
) -> CheckResult:
    newest = status.log[0] if status.log else None
    measurements: dict[str, Measurement] = {"announced_minutes": minutes, "polls": polls}
    if newest is not None and not _same_entry(newest, newest_before):
        measurements["result"] = newest.status
        if newest.passed is True:
            return result(
                check_id, "pass", text(N_("short self-test passed")), timer=timer, measurements=measurements
            )
        if newest.passed is False:
            return result(
                check_id,
                "fail",
                text(N_("short self-test FAILED ({status}): replace the disk"), status=newest.status or "?"),
                timer=timer,
                measurements=measurements,
            )
        return result(
            check_id,
            "warn",
            text(N_("short self-test interrupted ({status})"), status=newest.status or "?"),
            timer=timer,
            measurements=measurements,
        )
    if status.last_result is not None:
        measurements["result"] = status.last_result
        if status.last_passed is True:
            return result(
                check_id, "pass", text(N_("short self-test passed")), timer=timer, measurements=measurements
            )
        if status.last_passed is False:
            return result(
                check_id,
                "fail",
                text(N_("short self-test FAILED ({status}): replace the disk"), status=status.last_result),
                timer=timer,
                measurements=measurements,
            )
    return result(
        check_id,
        "warn",
        text(N_("self-test result not found in the drive's log")),
        timer=timer,
        measurements=measurements,
    )


def check_selftests(
    host: Host,
    disks: Sequence[Disk],
    settings: SelfTestSettings | None = None,
    *,
    sleep: Sleep = time.sleep,
    clock: Clock = time.monotonic,
    progress: Callable[[str, float], None] | None = None,
) -> list[CheckResult]:
    """Run the short self-test on every disk at once (each drive tests itself; the host only polls)."""
    if not disks:
        return []

    def one(disk: Disk) -> CheckResult:
        report: Callable[[float], None] | None = None
        if progress is not None:
            report = lambda fraction: progress(f"selftest:{disk.path}", fraction)  # noqa: E731
        try:
            return run_selftest(host, disk, settings, sleep=sleep, clock=clock, progress=report)
        except Exception as err:  # one drive's surprise must not lose the others' results
            return result(
                f"selftest:{disk.path}",
                "error",
                text(N_("the check could not run: {detail}"), detail=repr(err)),
            )

    with ThreadPoolExecutor(max_workers=min(len(disks), 16)) as pool:
        return list(pool.map(one, disks))


__all__ = ["SelfTestSettings", "check_selftests", "run_selftest"]
