"""Run the checks a profile names, in an order that keeps the machine busy but not overloaded.

`quick` (a few minutes): disk health from SMART, short self-tests (run inside the drives, so
they go on in the background while everything else runs), a sampled read scan, a memory test
over a quarter of the free RAM, 20 s of CPU load, battery, network, interactive checks.
`full`: a full read scan, the full memory pattern set over most of the free RAM (stressapptest
when the image has it), 2 minutes of CPU load and a battery discharge measurement.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from agent.checks._result import error
from agent.checks.battery import check_batteries
from agent.checks.cpu import check_cpu
from agent.checks.disk_health import check_disk_health
from agent.checks.interactive import INTERACTIVE_IDS, InteractiveUI, run_interactive
from agent.checks.memory import MemorySettings, check_memory
from agent.checks.network import check_network
from agent.checks.read_scan import ScanSettings, check_read_scan
from agent.checks.selftest import SelfTestSettings, check_selftests
from agent.host import Host
from agent.report import CheckResult, Disk, Report

PROFILES = ("quick", "full")


@dataclass(frozen=True)
class CheckSettings:
    memory: MemorySettings = field(default_factory=MemorySettings)
    scan: ScanSettings = field(default_factory=ScanSettings)
    selftest: SelfTestSettings = field(default_factory=SelfTestSettings)
    cpu_seconds: float = 20.0
    battery_discharge_s: float | None = None
    #: Checks to leave out by id ("selftest", "read-scan", "memory", "cpu", …).
    skip: frozenset[str] = frozenset()


def profile_settings(profile: str) -> CheckSettings:
    if profile == "full":
        return CheckSettings(
            memory=MemorySettings(share=0.7, full_patterns=True, engine="auto", time_budget_s=1800),
            scan=ScanSettings(mode="full", chunk_bytes=4 << 20, time_budget_s=4 * 3600),
            cpu_seconds=120.0,
            battery_discharge_s=60.0,
        )
    if profile == "quick":
        return CheckSettings()
    raise ValueError(f"unknown profile {profile!r} (quick or full)")


def _disks(report: Report, only_disks: Sequence[str] | None) -> list[Disk]:
    if only_disks is not None:
        wanted = set(only_disks)
        return [d for d in report.disks if d.path in wanted or d.name in wanted]
    # The boot stick is not the machine's; USB disks plugged in by someone are not either.
    return [d for d in report.disks if not d.is_boot_medium]


Progress = Callable[[str, float], None]


def _safe(check_id: str, fn: Callable[[], list[CheckResult]]) -> list[CheckResult]:
    try:
        return fn()
    except Exception as err:  # a broken check is reported, and the others still run
        return [error(check_id, repr(err))]


def run_checks(
    report: Report,
    host: Host,
    *,
    profile: str = "quick",
    progress: Progress | None = None,
    interactive: InteractiveUI | None = None,
    only_disks: Sequence[str] | None = None,
    server_url: str | None = None,
    settings: CheckSettings | None = None,
) -> list[CheckResult]:
    """Every check of the profile, in a stable order; interactive ones are skipped without a UI."""
    settings = settings or profile_settings(profile)
    disks = _disks(report, only_disks)
    note = progress or (lambda _id, _f: None)
    results: list[CheckResult] = []

    results.extend(check_disk_health(d) for d in disks)

    # Self-tests run inside the drives: start them first, collect them last.
    selftests: list[CheckResult] = []
    worker: threading.Thread | None = None
    if "selftest" not in settings.skip and disks:

        def selftest_job() -> None:
            selftests.extend(
                _safe("selftest", lambda: check_selftests(host, disks, settings.selftest, progress=note))
            )

        worker = threading.Thread(target=selftest_job, name="atelier-selftests", daemon=True)
        worker.start()

    def scan(disk: Disk) -> list[CheckResult]:
        check_id = f"read-scan:{disk.path}"
        return [check_read_scan(disk.path, settings.scan, progress=lambda f: note(check_id, f))]

    if "read-scan" not in settings.skip:
        for disk in disks:
            results.extend(_safe(f"read-scan:{disk.path}", lambda d=disk: scan(d)))  # type: ignore[misc]
    if "memory" not in settings.skip:
        results.extend(
            _safe(
                "memory", lambda: [check_memory(host, settings.memory, progress=lambda f: note("memory", f))]
            )
        )
    if "cpu" not in settings.skip:
        results.extend(
            _safe(
                "cpu",
                lambda: [check_cpu(host, seconds=settings.cpu_seconds, progress=lambda f: note("cpu", f))],
            )
        )
    if "battery" not in settings.skip:
        results.extend(
            _safe("battery", lambda: check_batteries(host, discharge_s=settings.battery_discharge_s))
        )
    if "network" not in settings.skip:
        results.extend(_safe("network", lambda: [check_network(host, server_url=server_url)]))
    if "interactive" not in settings.skip:
        asked = [i for i in INTERACTIVE_IDS if i not in settings.skip]
        results.extend(_safe("interactive", lambda: run_interactive(interactive, host, asked)))

    if worker is not None:
        note("selftest", 0.0)
        worker.join()
        results.extend(selftests)
    return results


__all__ = ["PROFILES", "CheckSettings", "profile_settings", "run_checks"]
