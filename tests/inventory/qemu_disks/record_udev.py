"""Record udev's database and pyudev's view of every block device inside a QEMU PC.

Not a test: run it by hand to refresh `udev.json`, the fixture that checks the agent's own reader
of the udev database (agent/host/_udevdb.py) against pyudev on a real udevd's files.
    .venv/bin/python tests/inventory/qemu_disks/record_udev.py
Boots the live image (image/out, `make image`) as the same PC as record.py.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from record import boot_and_run  # noqa: E402
from vm import image_ready  # noqa: E402

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
    with tempfile.TemporaryDirectory(prefix="qemu-udev-") as tmp:
        share = boot_and_run(Path(tmp), GUEST, "@@RECORD-DONE")
        print((share / "udev.log").read_text())
        shutil.copy(share / "udev.json", HERE / "udev.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
