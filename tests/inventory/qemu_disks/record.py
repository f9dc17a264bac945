"""Record the disk probe inside a QEMU PC (NVMe, SATA SSD + HDD, SCSI, USB, the stick) as a capture.

Not a test: run it by hand when the probe needs a new real recording, then commit `capture/`.
    sudo .venv/bin/python tests/inventory/qemu_disks/record.py
It boots the live image (image/out, `make image`) with the e2e harness in script mode, runs the
probe from THIS working tree inside the guest through a RecordingHost, and copies the capture
(every sysfs file, udev property and smartctl/nvme output the probe used) next to this file.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from vm import Disk, Vm, choose_accel, image_ready, kernel_args, make_stick  # noqa: E402

GUEST = r"""
set -u
out=$ATELIER_OUT
udevadm settle -t 30 || true
/opt/atelier/bin/python - <<'PY' >$out/probe.log 2>&1
import json, os, sys, time
out = os.environ["ATELIER_OUT"]
sys.path.insert(0, out + "/src")
from agent.host import LiveHost, RecordingHost
from agent.probes._context import ProbeContext
from agent.probes.disks import probe_disks
recording = RecordingHost(LiveHost())
ctx = ProbeContext(recording)
start = time.monotonic()
disks = probe_disks(ctx)
seconds = time.monotonic() - start
recording.save(out + "/capture")
json.dump(
    {
        "seconds": round(seconds, 3),
        "disks": [d.model_dump(mode="json") for d in disks],
        "errors": [e.model_dump(mode="json") for e in ctx.errors],
        "log": [r.model_dump(mode="json") for r in ctx.log],
    },
    open(out + "/disks.json", "w"),
    indent=1,
)
print("probe done", seconds)
PY
echo "@@RECORD-DONE"
"""


def boot_and_run(work: Path, guest: str, marker: str) -> Path:
    """Boot the live image as a PC with this module's disks, run `guest` (a shell script) in it with
    THIS working tree's agent in $ATELIER_OUT/src, wait for `marker`; the share directory."""
    share = work / "share"
    shutil.copytree(ROOT / "agent", share / "src" / "agent", ignore=shutil.ignore_patterns("__pycache__"))
    stick = make_stick(work / "stick.img", data_mib=64)
    disks = []
    for kind, name, serial, extra in (
        ("nvme", "nvme.raw", "QNVME-0001", {}),
        ("sata", "ssd.raw", "QSSD-0001", {"model": "Atelier-SATA-SSD", "rotation_rate": 1}),
        ("sata", "hdd.raw", "QHDD-0001", {"model": "Atelier-SATA-HDD", "rotation_rate": 7200}),
        ("scsi", "scsi.raw", "QSCSI-0001", {"rotation_rate": 7200}),
        ("usb", "usb.raw", "QUSB-0001", {}),
    ):
        path = work / name
        with path.open("wb") as handle:
            handle.truncate(64 * 1024 * 1024)
        disks.append(Disk(kind, path, serial, **extra))  # type: ignore[arg-type]
    disks.append(Disk("usb", stick.path, "ATELIER-STICK-1"))
    accel, _ = choose_accel()
    vm = Vm(
        work / "vm",
        disks,
        append=kernel_args(mode="script", end="poweroff"),
        accel=accel,
        script=guest,
        share=share,
    )
    try:
        vm.start()
        vm.wait_for(marker, 1500)
    finally:
        vm.stop()
    return share


def main() -> int:
    why = image_ready()
    if why:
        print(why)
        return 2
    with tempfile.TemporaryDirectory(prefix="qemu-disks-") as tmp:
        share = boot_and_run(Path(tmp), GUEST, "@@RECORD-DONE")
        print((share / "probe.log").read_text())
        target = HERE / "capture"
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(share / "capture", target)
        shutil.copy(share / "disks.json", HERE / "disks.json")
        summary = json.loads((share / "disks.json").read_text())
        for disk in summary["disks"]:
            print(disk["name"], disk["transport"], disk["media_type"], disk["serial"], disk["model"])
        print("errors:", summary["errors"])
        print("probe seconds:", summary["seconds"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
