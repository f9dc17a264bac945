"""Record udev's database and pyudev's view of every block device inside a QEMU PC.

Not a test: run it by hand to refresh `udev.json`, the fixture that checks the agent's own reader
of the udev database (agent/host/_udevdb.py) against pyudev on a real udevd's files.
    .venv/bin/python tests/inventory/qemu_disks/record_udev.py
Boots the live image (image/out, `make image`) with the same disks as record.py.
"""

from __future__ import annotations

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
/opt/atelier/bin/python - <<'PY' >$out/udev.log 2>&1
import json, os, sys
import pyudev
out = os.environ["ATELIER_OUT"]
def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None
devices = []
for dev in pyudev.Context().list_devices(subsystem="block"):
    props = dict(dev.properties)
    db = None
    if props.get("MAJOR") and props.get("MINOR"):
        db = read(f"/run/udev/data/b{props['MAJOR']}:{props['MINOR']}")
    devices.append({
        "sys_name": dev.sys_name,
        "sys_path": dev.sys_path,
        "uevent": read(dev.sys_path + "/uevent"),
        "db": db,
        "pyudev_properties": props,
    })
json.dump({"devices": devices}, open(out + "/udev.json", "w"), indent=1, sort_keys=True)
sys.path.insert(0, out + "/src")
from agent.host._udevdb import list_udev_devices
ours = {d.sys_name: (d.sys_path, dict(d.properties)) for d in list_udev_devices("block")}
theirs = {d["sys_name"]: (d["sys_path"], d["pyudev_properties"]) for d in devices}
print("same as pyudev:", ours == theirs)
for name in sorted(set(ours) | set(theirs)):
    if ours.get(name) != theirs.get(name):
        print("DIFF", name, ours.get(name), theirs.get(name))
PY
echo "@@RECORD-DONE"
"""


def main() -> int:
    why = image_ready()
    if why:
        print(why)
        return 2
    accel, _ = choose_accel()
    with tempfile.TemporaryDirectory(prefix="qemu-udev-") as tmp:
        work = Path(tmp)
        share = work / "share"
        shutil.copytree(ROOT / "agent", share / "src" / "agent", ignore=shutil.ignore_patterns("__pycache__"))
        stick = make_stick(work / "stick.img", data_mib=64)
        disks = []
        for kind, name, serial, extra in (
            ("nvme", "nvme.raw", "QNVME-0001", {}),
            ("sata", "ssd.raw", "QSSD-0001", {"model": "Atelier-SATA-SSD", "rotation_rate": 1}),
            ("scsi", "scsi.raw", "QSCSI-0001", {"rotation_rate": 7200}),
            ("usb", "usb.raw", "QUSB-0001", {}),
        ):
            path = work / name
            with path.open("wb") as handle:
                handle.truncate(64 * 1024 * 1024)
            disks.append(Disk(kind, path, serial, **extra))  # type: ignore[arg-type]
        disks.append(Disk("usb", stick.path, "ATELIER-STICK-1"))
        vm = Vm(
            work / "vm",
            disks,
            append=kernel_args(mode="script", end="poweroff"),
            accel=accel,
            script=GUEST,
            share=share,
        )
        try:
            vm.start()
            vm.wait_for("@@RECORD-DONE", 1500)
        finally:
            vm.stop()
        print((share / "udev.log").read_text())
        shutil.copy(share / "udev.json", HERE / "udev.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
