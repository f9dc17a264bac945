"""Memory check: pattern tests over a share of the available RAM, one worker per core.

Engines: the agent's own (`memory_patterns`, libc-speed fills and compares, default) or, when the
image has them, `stressapptest` (Google's stress test, good at shaking marginal modules under full
load) or `memtester`. "auto" picks stressapptest for the full profile when installed.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from agent.checks._result import Timer, result
from agent.checks._text import text
from agent.checks.memory_patterns import BLOCK, FaultHook, Mismatch, PatternRun, pattern_set, run_patterns
from agent.host import Host, HostFileError
from agent.i18n import N_
from agent.report import CheckResult
from agent.report.checks import Measurement

Engine = Literal["auto", "agent", "memtester", "stressapptest"]
MIB = 1 << 20


@dataclass(frozen=True)
class MemorySettings:
    #: Share of MemAvailable to test (the rest stays for the agent, the TUI and the kernel).
    share: float = 0.25
    #: Upper bound in bytes (None = no bound); the workshop's quick profile keeps it short.
    max_bytes: int | None = None
    full_patterns: bool = False
    engine: Engine = "agent"
    workers: int | None = None
    #: Give up starting new patterns after this many seconds (a test never blocks the run).
    time_budget_s: float = 240.0


def available_bytes(host: Host) -> int | None:
    try:
        meminfo = host.read_text("/proc/meminfo")
    except HostFileError:
        return None
    match = re.search(r"^MemAvailable:\s+(\d+)\s*kB", meminfo, re.MULTILINE)
    return int(match.group(1)) * 1024 if match else None


def _worker(args: tuple[int, bool, float, bytes]) -> PatternRun:
    size, full, deadline, seed = args
    return run_patterns(size, pattern_set(full, seed), deadline=deadline)


def run_agent_engine(
    total: int,
    *,
    workers: int,
    full: bool,
    time_budget_s: float,
    fault_hook: FaultHook | None = None,
) -> list[PatternRun]:
    """The agent's own test, split across `workers` processes (each mlocks its own share)."""
    per_worker = max(BLOCK, (total // workers) // BLOCK * BLOCK)
    deadline = time.monotonic() + time_budget_s
    seed = os.urandom(BLOCK)
    if workers == 1 or fault_hook is not None:
        return [run_patterns(per_worker, pattern_set(full, seed), deadline=deadline, fault_hook=fault_hook)]
    # fork: the children inherit the loaded modules (start-up in ms); they touch no shared state.
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        return pool.map(_worker, [(per_worker, full, deadline, seed)] * workers)


def _hex(value: int | None) -> str:
    return "?" if value is None else f"{value:#x}"


def _mismatch_text(m: Mismatch) -> str:
    where = f"{_hex(m.first_paddr)}-{_hex(m.last_paddr)}" if m.first_paddr is not None else None
    virtual = f"{_hex(m.first_vaddr)}-{_hex(m.last_vaddr)}"
    return f"{m.pattern}: {m.bad_bytes} B @ {'phys ' + where if where else 'virt ' + virtual}"


def _external(
    host: Host, engine: Literal["memtester", "stressapptest"], size: int, seconds: int
) -> CheckResult:
    timer = Timer()
    mib = max(1, size // MIB)
    if engine == "memtester":
        argv = ["memtester", f"{mib}M", "1"]
    else:
        argv = ["stressapptest", "-M", str(mib), "-s", str(seconds), "-W"]
    run = host.run(argv, timeout=max(seconds * 4, 600))
    measurements: dict[str, Measurement] = {"engine": engine, "tested_bytes": mib * MIB}
    output = run.stdout + run.stderr
    if run.missing:
        return result("memory", "skipped", text(N_("{tool} is not installed"), tool=engine), timer=timer)
    failure = None
    if engine == "memtester":
        match = re.search(r"FAILURE: (0x[0-9a-f]+) != (0x[0-9a-f]+) at offset (0x[0-9a-f]+)", output)
        if match:
            failure = f"offset {match.group(3)} ({match.group(1)} != {match.group(2)})"
        elif run.returncode > 0 and run.returncode & 0x06:
            # memtester(8): bit 1 = stuck-address test failed, bit 2 = another test failed
            # (bit 0 = could not allocate / lock: the tool's problem, not the RAM's).
            failure = "memtester FAILURE"
    else:
        match = re.search(r"miscompare.*? at (0x[0-9a-f]+)", output, re.IGNORECASE)
        if match:
            failure = f"address {match.group(1)}"
        elif "Status: FAIL" in output and "HW problems" in output:
            failure = "stressapptest FAIL"
        elif "Status: FAIL" in output:
            # "procedural errors": stressapptest itself could not run as asked.
            detail = output.strip().splitlines()[-1][:160] if output.strip() else ""
            return result(
                "memory", "error", text(N_("the check could not run: {detail}"), detail=detail), timer=timer
            )
    if run.timed_out:
        return result("memory", "error", text(N_("{tool} did not finish in time"), tool=engine), timer=timer)
    if failure:
        measurements["error_range"] = failure
        return result(
            "memory",
            "fail",
            text(N_("memory errors found ({where}): replace the module"), where=failure),
            timer=timer,
            measurements=measurements,
        )
    if run.returncode != 0 and engine == "memtester":
        return result(
            "memory",
            "error",
            text(N_("{tool} failed (exit {rc})"), tool=engine, rc=run.returncode),
            timer=timer,
        )
    return result(
        "memory",
        "pass",
        text(N_("memory tested without error ({size} MB, {tool})"), size=mib, tool=engine),
        timer=timer,
        measurements=measurements,
    )


def check_memory(
    host: Host,
    settings: MemorySettings | None = None,
    *,
    progress: Callable[[float], None] | None = None,
    fault_hook: FaultHook | None = None,
) -> CheckResult:
    settings = settings or MemorySettings()
    timer = Timer()
    available = available_bytes(host)
    if available is None:
        return result(
            "memory", "error", text(N_("cannot read the available memory (/proc/meminfo)")), timer=timer
        )
    size = int(available * settings.share)
    if settings.max_bytes is not None:
        size = min(size, settings.max_bytes)
    if size < BLOCK:
        return result("memory", "skipped", text(N_("not enough free memory to test")), timer=timer)
    engine = settings.engine
    if engine == "auto":
        engine = "stressapptest" if settings.full_patterns else "agent"
    if engine != "agent":
        outcome = _external(host, engine, size, int(min(settings.time_budget_s, 120)))
        if outcome.status != "skipped":
            return outcome
    workers = settings.workers or os.cpu_count() or 1
    if progress:
        progress(0.0)
    runs = run_agent_engine(
        size,
        workers=workers,
        full=settings.full_patterns,
        time_budget_s=settings.time_budget_s,
        fault_hook=fault_hook,
    )
    if progress:
        progress(1.0)
    tested = sum(r.size for r in runs)
    passes = min(r.passes for r in runs)
    seconds = max(r.seconds for r in runs) or 1e-9
    throughput = sum(r.bytes_tested for r in runs) / seconds
    cpu = sum(r.cpu_seconds for r in runs)
    mismatches = [m for r in runs for m in r.mismatches]
    unlocated = sum(r.unlocated_bad_blocks for r in runs)
    measurements: dict[str, Measurement] = {
        "engine": "agent",
        "tested_bytes": tested,
        "workers": len(runs),
        "patterns": passes,
        "locked": all(r.locked for r in runs),
        "gb_per_s_per_core": round(throughput / len(runs) / 1e9, 2),
        "gb_per_cpu_s": round(sum(r.bytes_tested for r in runs) / cpu / 1e9, 2) if cpu > 0 else None,
        "errors": len(mismatches) + unlocated,
    }
    if mismatches or unlocated:
        ranges = "; ".join(_mismatch_text(m) for m in mismatches[:4])
        measurements["error_range"] = ranges
        return result(
            "memory",
            "fail",
            text(N_("memory errors found ({where}): replace the module"), where=ranges or f"{unlocated} MiB"),
            timer=timer,
            measurements=measurements,
        )
    expected = len(pattern_set(settings.full_patterns, b"\0" * BLOCK))
    if passes < expected:
        return result(
            "memory",
            "warn",
            text(
                N_("memory test stopped early ({done} of {total} patterns) without error"),
                done=passes,
                total=expected,
            ),
            timer=timer,
            measurements=measurements,
        )
    return result(
        "memory",
        "pass",
        text(N_("memory tested without error ({size} MB, {n} patterns)"), size=tested // MIB, n=passes),
        timer=timer,
        measurements=measurements,
    )


__all__ = ["MemorySettings", "available_bytes", "check_memory", "run_agent_engine"]
