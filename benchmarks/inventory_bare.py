"""Inventory benchmark on this bare VM (issue 2): `atelier inventory --json` against `lshw -json`.

    .venv/bin/python -m benchmarks.inventory_bare [--runs 11]     (as root)

This VM has no DMI, no battery and one virtio disk that is this machine's own: the agent is pointed at
a 64 MiB loop device instead (`--disks`), so it runs the same per-disk commands (smartctl, lsblk/blkid)
without touching the real disk; lshw reads whatever it reads. One warm-up each, then alternating runs;
wall time by the clock around each child, CPU time and peak RSS from the child's own rusage
(os.wait4). The agent is installed as in the live image — a plain (not editable) install in a fresh
venv, byte-compiled — because the development checkout's editable-install hook alone imports
pathlib and urllib at every start (~25 ms here). The inventory imports no third-party package,
so the venv needs none (tests/inventory/test_startup.py keeps it that way).
Prints a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(argv: list[str]) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, peak RSS KiB) of one run."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{argv[0]} exited {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("needs root (a loop device stands in for a disk)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="atelier-bench-") as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        wheels = Path(tmp) / "wheels"
        # The wheel is built as image/build.sh builds it.
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "-q",
                "--no-deps",
                "-w",
                str(wheels),
                str(ROOT),
            ],
            check=True,
        )
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", "--no-deps", *map(str, wheels.glob("*.whl"))],
            check=True,
        )
        installed = subprocess.run(
            [str(venv / "bin" / "python"), "-c", "import agent, os; print(os.path.dirname(agent.__file__))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        subprocess.run([str(venv / "bin" / "python"), "-m", "compileall", "-q", installed], check=True)
        image = Path(tmp) / "disk.img"
        with open(image, "wb") as handle:
            handle.truncate(64 * 1024 * 1024)
        dev = subprocess.run(
            ["losetup", "-f", "--show", str(image)], capture_output=True, text=True, check=True
        ).stdout.strip()
        try:
            agent = [str(venv / "bin" / "atelier"), "inventory", "--json", "--disks", dev]
            peer = ["lshw", "-json"]
            timed(agent), timed(peer)
            a_runs: list[tuple[float, float, int]] = []
            l_runs: list[tuple[float, float, int]] = []
            for _ in range(args.runs):
                a_runs.append(timed(agent))
                l_runs.append(timed(peer))
        finally:
            subprocess.run(["losetup", "-d", dev], check=False)
    load = os.getloadavg()[0]
    a_med = statistics.median(w for w, _, _ in a_runs)
    l_med = statistics.median(w for w, _, _ in l_runs)
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "?")
    print(f"Machine: this bare VM, {os.cpu_count()} cores ({cpu}), load average {load:.1f} at the end.")
    print(f"Command: `.venv/bin/python -m benchmarks.inventory_bare --runs {args.runs}` (as root)\n")
    print("| | median wall (s) | runs (s) | median CPU (s) | peak RSS (MiB, max) |")
    print("|---|---|---|---|---|")
    for name, runs in (("atelier inventory --json --disks LOOP", a_runs), ("lshw -json", l_runs)):
        walls = ", ".join(f"{w:.3f}" for w, _, _ in runs)
        print(
            f"| {name} | {statistics.median(w for w, _, _ in runs):.3f} | {walls} | "
            f"{statistics.median(c for _, c, _ in runs):.3f} | {max(k for _, _, k in runs) / 1024:.0f} |"
        )
    print(f"\nRatio atelier / lshw (median wall): {a_med / l_med:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
