"""Inventory benchmark in a VM (issue 2): `atelier inventory --json` against `lshw -json`, inside the
Atelier live image booted in QEMU with NVMe, SATA (AHCI) and USB disks.

    .venv/bin/python -m benchmarks.inventory_vm [--runs 5]

One warm-up run of each (page cache of the squashfs), then RUNS alternating pairs; wall time and
peak RSS from GNU time (`/usr/bin/time -f "%e %M"`) in the guest. Prints a Markdown section for
BENCHMARKS.md. Needs image/out/ (`make image`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.e2e.vm import (
    INITRD,
    ISO,
    KERNEL,
    ROOT,
    Disk,
    Vm,
    choose_accel,
    image_ready,
    kernel_args,
    make_sentinel_disk,
    make_stick,
)

# With --agent-tree, the working tree's `agent/` replaces the image's copy before measuring (same
# Python, same dependency wheels): the code of the commit under test, without a 17-minute rebuild.
OVERLAY = """
site=$(/opt/atelier/bin/python3 -c 'import agent, os; print(os.path.dirname(os.path.dirname(agent.__file__)))')
rm -rf "$site/agent" && cp -r $out/agent-tree/agent "$site/agent"
# As the image build does (hook 9900): hash-based, unchecked bytecode, no stat() of sources.
/opt/atelier/bin/python3 -m compileall -q --invalidation-mode unchecked-hash "$site/agent" >/dev/null
# The tree's console script (its entry point may differ from the image's): what pip would write.
cp $out/agent-tree/atelier /opt/atelier/bin/atelier && chmod 755 /opt/atelier/bin/atelier
# What the image build's hook 0550 does: index smartctl's drive database once.
/opt/atelier/bin/python3 -m agent.probes.drivedb --write-index >/dev/null
"""


def _console_script() -> str:
    """`atelier` as the image's pip (Debian bookworm's, 23.0) writes it for this tree's entry point
    (pyproject's [project.scripts])."""
    import tomllib

    entry = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]["atelier"]
    module, function = entry.split(":")
    return (
        "#!/opt/atelier/bin/python3\n# -*- coding: utf-8 -*-\nimport re\nimport sys\n"
        f"from {module} import {function}\n"
        "if __name__ == '__main__':\n"
        "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
        f"    sys.exit({function}())\n"
    )


# smartctl with the drive-database subset the inventory hands it, against smartctl with its full
# database, on each ATA disk of the VM: the answers must be the same but for argv and the clock.
SUBSET_CHECK = """
/opt/atelier/bin/python3 - >$out/subset-check.txt 2>&1 <<'PY'
import json, os, subprocess
from agent.probes.commands import live_prefetch
for p in live_prefetch(None, smart=True):
    if p.run_argv is None:
        continue
    docs = [json.loads(subprocess.run(a, capture_output=True, text=True).stdout) for a in (p.argv, p.run_argv)]
    for doc in docs:
        doc["smartctl"].pop("argv", None)
        doc.pop("local_time", None)
    print(p.argv[-1], "same" if docs[0] == docs[1] else "DIFFERENT", docs[1].get("model_name"),
          "in database:", docs[1].get("in_smartctl_database"))
    os.unlink(p.scratch)
PY
"""

SCRIPT = """
set -u
out=$ATELIER_OUT
{overlay}
measure() {{ # NAME INDEX COMMAND...
    name=$1; i=$2; shift 2
    /usr/bin/time -f "%e %M" -o $out/$name-$i.time "$@" >$out/$name-$i.out 2>$out/$name-$i.err
    echo $? >$out/$name-$i.rc
}}
measure atelier warm atelier inventory --json
measure lshw warm lshw -json
for i in $(seq 1 {runs}); do
    measure atelier $i atelier inventory --json
    measure lshw $i lshw -json
done
{subset_check}
# One more run with Python's import timer, to see where the agent's start-up goes in the guest.
PYTHONPROFILEIMPORTTIME=1 atelier inventory --json >$out/importtime.out 2>$out/importtime.err
# And one under cProfile (main thread: start-up, imports, waiting for the probes, output).
/opt/atelier/bin/python3 -m cProfile -o $out/inventory.prof -m agent inventory --json >/dev/null 2>&1
nproc >$out/nproc
grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- >$out/cpu
echo "@@BENCH-DONE"
"""


def read_times(share: Path, name: str, runs: int) -> tuple[list[float], list[int]]:
    walls: list[float] = []
    rss: list[int] = []
    for i in range(1, runs + 1):
        rc = (share / f"{name}-{i}.rc").read_text().strip()
        if rc != "0":
            err = (share / f"{name}-{i}.err").read_text()[-500:]
            raise SystemExit(f"{name} run {i} failed (rc {rc}): {err}")
        wall, kib = (share / f"{name}-{i}.time").read_text().split()[-2:]
        walls.append(float(wall))
        rss.append(int(kib))
    return walls, rss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--agent-tree", action="store_true", help="measure this working tree's agent/ instead of the image's"
    )
    parser.add_argument("--keep", metavar="DIR", help="copy the guest's outputs (reports, timings) here")
    args = parser.parse_args()
    why = image_ready()
    if why:
        print(why, file=sys.stderr)
        return 2
    accel, accel_why = choose_accel()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="atelier-bench-") as tmp:
        work = Path(tmp)
        sentinel = b"BENCH"
        disks = [
            Disk("nvme", work / "nvme.raw", "NVME-BENCH-1"),
            Disk("sata", work / "sata.raw", "SATA-BENCH-1", model="Bench-SSD", rotation_rate=1),
            Disk("usb", work / "usbdisk.raw", "USB-BENCH-1"),
        ]
        for disk in disks:
            make_sentinel_disk(disk.path, 64, sentinel)
        stick = make_stick(work / "stick.img", data_mib=64)
        share = work / "share"
        share.mkdir()
        if args.agent_tree:
            shutil.copytree(
                ROOT / "agent", share / "agent-tree" / "agent", ignore=shutil.ignore_patterns("__pycache__")
            )
            (share / "agent-tree" / "atelier").write_text(_console_script())
        # The image may be rebuilt while this runs (make image in another shell): boot a snapshot.
        snap = work / "image"
        snap.mkdir()
        kernel, initrd = shutil.copy(KERNEL, snap), shutil.copy(INITRD, snap)
        vm = Vm(
            work / "vm",
            [*disks, Disk("usb", stick.path, "ATELIER-STICK-B")],
            append=kernel_args(mode="script", end="poweroff"),
            accel=accel,
            script=SCRIPT.format(
                runs=args.runs,
                overlay=OVERLAY if args.agent_tree else "",
                subset_check=SUBSET_CHECK if args.agent_tree else "",
            ),
            kernel=Path(kernel),
            initrd=Path(initrd),
            share=share,
        )
        try:
            vm.start()
            vm.wait_for("@@BENCH-DONE", 240 + 120 * args.runs)
            vm.wait_exit(120)
        finally:
            vm.stop()
        a_wall, a_rss = read_times(share, "atelier", args.runs)
        l_wall, l_rss = read_times(share, "lshw", args.runs)
        keep = Path(args.keep) if args.keep else None
        if keep is not None:
            shutil.rmtree(keep, ignore_errors=True)
            shutil.copytree(share, keep, ignore=shutil.ignore_patterns("agent-tree"))
        cpu = (share / "cpu").read_text().strip()
        nproc = (share / "nproc").read_text().strip()
        check = share / "subset-check.txt"
        subset_check = check.read_text().strip() if check.exists() else ""
    load_after = os.getloadavg()
    a_med, l_med = statistics.median(a_wall), statistics.median(l_wall)
    print("## Inventory in a VM (issue 2)\n")
    print("Command: `.venv/bin/python -m benchmarks.inventory_vm --runs", args.runs, "`")
    print(f"Machine: Atelier live image in QEMU 7.2 ({accel}; KVM probe: {accel_why}), guest {nproc} vCPU")
    print(f"({cpu}), 1 GiB; disks: NVMe, SATA on AHCI, USB mass storage + the boot stick (USB).")
    built = time.strftime("%Y-%m-%d %H:%M", time.gmtime(ISO.stat().st_mtime))
    if args.agent_tree:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True, text=True
        ).stdout.strip()
        print(
            f"Agent: the working tree's agent/ at {commit}, copied over the image's (image built {built} UTC)."
        )
    else:
        print(f"Agent: as built into the image ({built} UTC).")
    print("Peer: `lshw -json` (Debian 02.19). One warm-up each, then alternating runs.\n")
    print("| | median wall (s) | runs (s) | peak RSS (MiB, max) |")
    print("|---|---|---|---|")
    print(
        f"| atelier inventory --json | {a_med:.2f} | {', '.join(f'{w:.2f}' for w in a_wall)} | {max(a_rss) / 1024:.0f} |"
    )
    print(f"| lshw -json | {l_med:.2f} | {', '.join(f'{w:.2f}' for w in l_wall)} | {max(l_rss) / 1024:.0f} |")
    print(f"\nRatio atelier / lshw (median wall): {a_med / l_med:.2f}")
    print(f"Host load average (1 min) before / after: {load_before[0]:.2f} / {load_after[0]:.2f}")
    if subset_check:
        print("\nsmartctl with the drive-database subset vs the full database, in the guest:")
        print("\n".join(f"    {line}" for line in subset_check.splitlines()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
