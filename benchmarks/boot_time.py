"""Boot time of the live image under QEMU (issue 7): QEMU start → the agent's first screen.

    .venv/bin/python -m benchmarks.boot_time [--runs 3] [--boot direct|bios|uefi] [--bus usb|cd]
                                             [--append "EXTRA KERNEL ARGS"] [--cpu MODEL] [--smp N]

The PC has its boot stick only (ISO + ATELIER data partition, image/make-stick.sh). `direct` is how
`make e2e` boots (the ISO's kernel and initrd given to QEMU with the unattended command line, the
stick as a USB disk carrying the live root); `bios`/`uefi` go through SeaBIOS/OVMF and the stick's
own menu (5 s timeout, default entry = guided). A menu boot's agent draws on the screen (tty1, the
last `console=` of the menu entries), not on the serial port this script reads: those runs stop at
the launcher's marker (`say_all` copies it to every console) and report no first screen. `cd`
attaches the stick image as an AHCI DVD drive instead of USB (a reference: the product boots
from sticks).

Measured per run, from QEMU's start: the launcher's marker (`@@ATELIER-BOOT`, printed by
atelier.service's first line, with the guest's uptime), the agent's start (`@@ATELIER-AGENT`:
disks settled and data partition mounted, with the guest's uptime; images from issue 7's second
round on) and the agent's first screen (its first timestamped line; direct boots only). Also
QEMU's CPU seconds (all its threads) at the first screen — less sensitive to other jobs on the
host than wall time — and the load average. The VM is killed at the first screen: nothing is erased, no server is involved.

Prints one Markdown table row per run and a summary; `--json FILE` keeps the raw figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.e2e.vm import OVMF, Disk, Vm, VmError, image_ready, kernel_args, make_stick

UNATTENDED_SCREEN = re.compile(r"^\[\d\d:\d\d:\d\d\] ", re.M)
MARKER = re.compile(r"@@ATELIER-BOOT mode=(\w+) uptime=([\d.]+)")
AGENT_MARKER = re.compile(r"@@ATELIER-AGENT uptime=([\d.]+)")


def qemu_cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _wait_for_first_screen(vm: Vm, tail_from: int, timeout: float, result: dict[str, object]) -> None:
    """Wait for the unattended agent's first timestamped line on the serial port, after the
    launcher's marker, and note when it came."""
    deadline = time.monotonic() + timeout
    while True:
        text = vm.serial_text()
        if UNATTENDED_SCREEN.search(text, tail_from):
            break
        if "@@ATELIER-END" in text[tail_from:]:
            raise VmError(f"the agent ended before its first screen:\n{vm.tail()}")
        if time.monotonic() > deadline or (vm.proc is not None and vm.proc.poll() is not None):
            raise VmError(f"no first screen after the launcher:\n{vm.tail()}")
        time.sleep(0.1)
    result["first_screen_s"] = round(vm.elapsed(), 1)
    agent = AGENT_MARKER.search(text, tail_from)
    result["guest_uptime_at_agent_s"] = float(agent.group(1)) if agent else None
    # The launcher's line when it mounted the stick's ATELIER partition (else a RAM spool).
    result["data_partition_mounted"] = "partition de données" in text[tail_from:]


def one_run(workdir: Path, args: argparse.Namespace) -> dict[str, object]:
    stick = make_stick(workdir / "stick.img", data_mib=64)
    extra: list[str] = []
    disks: list[Disk] = []
    if args.bus == "cd":
        extra += ["-device", "ich9-ahci,id=cdahci"]
        extra += ["-drive", f"file={stick.path},media=cdrom,if=none,id=cd,format=raw,readonly=on"]
        extra += [
            "-device",
            "ide-cd,bus=cdahci.0,drive=cd" + (",bootindex=0" if args.boot != "direct" else ""),
        ]
    else:
        disks.append(
            Disk("usb", stick.path, "ATELIER-STICK-1", bootindex=0 if args.boot != "direct" else None)
        )
    if args.boot == "direct":
        append = (
            kernel_args(mode="auto", asset="BENCH-0001", lang="fr", skip_checks="selftest,memory,cpu")
            + " "
            + args.append
        )
        vm = Vm(workdir / "vm", disks, append=append.strip(), extra_args=extra, network=True)
    else:
        vm = Vm(workdir / "vm", disks, kernel=None, firmware=args.boot, extra_args=extra, network=False)
    if args.smp:
        vm.smp = args.smp
    load_before = loadavg()
    result: dict[str, object] = {"boot": args.boot, "bus": args.bus, "load_before": load_before}
    vm.start()
    try:
        marker = vm.wait_for(MARKER, args.timeout)
        result["launcher_s"] = round(vm.elapsed(), 1)
        result["guest_uptime_at_launcher_s"] = float(marker.group(2))
        if args.boot == "direct":
            _wait_for_first_screen(vm, marker.end(), args.timeout, result)
        else:
            # A menu boot's agent draws on tty1: the serial port shows nothing more.
            result["first_screen_s"] = result["guest_uptime_at_agent_s"] = None
            result["data_partition_mounted"] = True  # not observable either
        assert vm.proc is not None
        cpu = qemu_cpu_seconds(vm.proc.pid)
        result["qemu_cpu_s"] = round(cpu, 1) if cpu is not None else None
    finally:
        vm.stop()
    result["load_after"] = loadavg()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--boot", choices=("direct", "bios", "uefi"), default="direct")
    parser.add_argument("--bus", choices=("usb", "cd"), default="usb")
    parser.add_argument("--append", default="", help="extra kernel command line (direct boot only)")
    parser.add_argument("--cpu", default=None, help="QEMU -cpu model under TCG (default: the harness's)")
    parser.add_argument("--smp", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    why = image_ready()
    if why:
        print(why, file=sys.stderr)
        return 5
    if args.boot == "uefi" and not OVMF.exists():
        print("OVMF (package ovmf) not installed", file=sys.stderr)
        return 5
    if args.cpu:
        import tests.e2e.vm as vm_module

        vm_module.TCG_CPU = args.cpu
    results = []
    print(
        "| run | boot | medium | launcher marker | agent started (guest uptime) | agent's first screen "
        "| QEMU CPU s | load before → after |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for index in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory(prefix="atelier-boot-") as tmp:
            result = one_run(Path(tmp), args)
        results.append(result)
        print(
            f"| {index} | {result['boot']} | {result['bus']} | {result['launcher_s']} s "
            f"(guest uptime {result['guest_uptime_at_launcher_s']} s) | "
            f"{result['guest_uptime_at_agent_s'] or '—'} s | **{result['first_screen_s'] or '—'} s** | "
            f"{result['qemu_cpu_s']} | {result['load_before']} → {result['load_after']} |"
            + ("" if result["data_partition_mounted"] else " (data partition NOT mounted)"),
            flush=True,
        )
    screens = [float(str(r["first_screen_s"])) for r in results if r["first_screen_s"] is not None]
    if not screens:
        launchers = [float(str(r["launcher_s"])) for r in results]
        print(f"\nlauncher marker: median {statistics.median(launchers):.1f} s over {len(launchers)} run(s)")
    else:
        print(
            f"\nfirst screen: median {statistics.median(screens):.1f} s, min {min(screens):.1f} s, "
            f"max {max(screens):.1f} s over {len(screens)} run(s); nproc {os.cpu_count()}"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
