"""Wall time of the quick check profile on this machine, SMART self-test waiting excluded.

    .venv/bin/python benchmarks/checks_quick.py [--disk-mib 256]

The disk checks run on a loop device (a real block device; never this machine's own disks).
A loop device has no SMART, so the self-test is "not available" and costs no waiting here; on
a real machine the drives test themselves in the background while the other checks run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from agent.checks.runner import run_checks
from agent.host import LiveHost
from agent.probes.inventory import collect_inventory


def main() -> None:
    mib = int(sys.argv[sys.argv.index("--disk-mib") + 1]) if "--disk-mib" in sys.argv else 256
    with tempfile.TemporaryDirectory() as tmp:
        image = os.path.join(tmp, "disk.img")
        with open(image, "wb") as handle:
            handle.truncate(mib << 20)
        dev = subprocess.run(
            ["losetup", "-f", "--show", "--direct-io=on", image], check=True, capture_output=True, text=True
        ).stdout.strip()
        try:
            print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, disk {dev} ({mib} MiB)")
            started = time.perf_counter()
            report = collect_inventory(LiveHost(), only_disks=[dev])
            inventory_s = time.perf_counter() - started
            checks_started = time.perf_counter()
            results = run_checks(report, LiveHost(), profile="quick", only_disks=[dev])
            checks_s = time.perf_counter() - checks_started
        finally:
            subprocess.run(["losetup", "-d", dev], check=False)
    for r in results:
        print(f"  {r.id:28} {r.status:8} {r.duration_s:7.1f} s  {r.message_en}")
    print(f"inventory {inventory_s:.1f} s, checks {checks_s:.1f} s, total {inventory_s + checks_s:.1f} s")


if __name__ == "__main__":
    main()
