"""Memory test throughput: the agent's pattern engine vs memtester on the same amount of RAM.

    .venv/bin/python benchmarks/memory_bench.py [--mib 64] [--rounds 2] [--big-mib 1024]

Alternates agent / memtester runs in one process so both see the same machine load. Reports:
- pass throughput: bytes filled AND read back compared per second per core (one pattern pass);
- coverage: RAM tested per second with each tool's whole pattern set (agent quick set: 4 passes;
  agent full set: 9 passes; memtester: its ~20 tests, several hundred passes).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import time

from agent.checks.memory_patterns import BLOCK, pattern_set, run_patterns


def cpu_model() -> str:
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def agent_run(mib: int, full: bool) -> tuple[float, float, int, float]:
    run = run_patterns(mib * BLOCK, pattern_set(full))
    per_cpu = run.bytes_tested / run.cpu_seconds / 1e9 if run.cpu_seconds > 0 else float("nan")
    return run.seconds, run.bytes_tested / run.seconds / 1e9, run.passes, per_cpu


def memtester_run(mib: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one `memtester MIB 1`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        ["memtester", f"{mib}M", "1"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return time.perf_counter() - started, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--big-mib", type=int, default=1024)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, {cpu_model()}, load {os.getloadavg()[0]:.1f}")
    rows: list[tuple[str, float, float, float]] = []
    for round_no in range(1, args.rounds + 1):
        for full in (False, True):
            seconds, per_pass, passes, per_cpu = agent_run(args.mib, full)
            label = f"agent {'full' if full else 'quick'} ({passes} passes)"
            rows.append((label, seconds, per_pass, args.mib / 1024 / seconds))
            print(
                f"round {round_no} {label}: {seconds:.2f} s, pass throughput {per_pass:.2f} GB/s"
                f" ({per_cpu:.2f} GB/s per CPU-second), coverage {args.mib / 1024 / seconds:.3f} GiB/s"
            )
        seconds, cpu = memtester_run(args.mib)
        rows.append(("memtester", seconds, float("nan"), args.mib / 1024 / seconds))
        print(
            f"round {round_no} memtester {args.mib}M 1: {seconds:.1f} s ({cpu:.1f} CPU-s),"
            f" coverage {args.mib / 1024 / seconds:.4f} GiB/s ({args.mib / 1024 / cpu:.4f} GiB per CPU-second)"
        )
    seconds, per_pass, passes, per_cpu = agent_run(args.big_mib, False)
    print(
        f"agent quick on {args.big_mib} MiB (1 core): {seconds:.2f} s, pass throughput {per_pass:.2f} GB/s"
        f" ({per_cpu:.2f} GB/s per CPU-second), coverage {args.big_mib / 1024 / seconds:.3f} GiB/s"
    )
    quick = [r for r in rows if r[0].startswith("agent quick")]
    mt = [r for r in rows if r[0] == "memtester"]
    ratio = (sum(r[3] for r in quick) / len(quick)) / (sum(r[3] for r in mt) / len(mt))
    print(f"coverage ratio agent quick / memtester on {args.mib} MiB: {ratio:.0f}x")


if __name__ == "__main__":
    main()
