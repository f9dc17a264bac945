"""The agent's reader of udev's database against pyudev, on the files a real udevd wrote.

`qemu_disks/udev.json` was recorded in the live image booted in QEMU (record_udev.py): for every
block device, its sysfs `uevent`, its /run/udev/data file and what pyudev (libudev) listed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from agent.host import LiveHost
from agent.host._udevdb import parse_udev_db

RECORDING = Path(__file__).resolve().parent / "qemu_disks" / "udev.json"


def _comparable(props: dict[str, str]) -> dict[str, object]:
    # libudev lists symlinks in hash order; the reader sorts them.
    return {k: (sorted(v.split()) if k == "DEVLINKS" else v) for k, v in props.items()}


@pytest.fixture(scope="module")
def recorded() -> list[dict[str, object]]:
    devices: list[dict[str, object]] = json.loads(RECORDING.read_text())["devices"]
    return devices


def _fake_root(tmp_path: Path, devices: list[dict[str, object]]) -> Path:
    root = tmp_path / "root"
    (root / "sys" / "class" / "block").mkdir(parents=True)
    (root / "run" / "udev" / "data").mkdir(parents=True)
    for dev in devices:
        sys_path = str(dev["sys_path"])
        device_dir = root / sys_path.lstrip("/")
        device_dir.mkdir(parents=True, exist_ok=True)
        (device_dir / "uevent").write_text(str(dev["uevent"]))
        os.symlink(device_dir, root / "sys" / "class" / "block" / str(dev["sys_name"]))
        props = dev["pyudev_properties"]
        assert isinstance(props, dict)
        if dev["db"] is not None:
            (root / "run" / "udev" / "data" / f"b{props['MAJOR']}:{props['MINOR']}").write_text(
                str(dev["db"])
            )
    return root


def test_same_properties_as_pyudev_on_a_real_udev_database(
    tmp_path: Path, recorded: list[dict[str, object]]
) -> None:
    root = _fake_root(tmp_path, recorded)
    ours = {
        d.sys_name: (d.sys_path, _comparable(dict(d.properties)))
        for d in LiveHost(str(root)).udev_devices("block")
    }
    theirs = {
        str(d["sys_name"]): (str(d["sys_path"]), _comparable(dict(d["pyudev_properties"])))  # type: ignore[call-overload]
        for d in recorded
    }
    assert ours == theirs
    assert any("ID_SERIAL_SHORT" in props for _, props in ours.values())  # the database was read


def test_without_udev_database_only_the_kernel_properties_remain(
    tmp_path: Path, recorded: list[dict[str, object]]
) -> None:
    root = _fake_root(tmp_path, [dict(d, db=None) for d in recorded])
    for dev in LiveHost(str(root)).udev_devices("block"):
        assert not any(key.startswith("ID_") for key in dev.properties)
        assert dev.properties["SUBSYSTEM"] == "block" and dev.properties["DEVNAME"] == f"/dev/{dev.sys_name}"


def test_this_machine_matches_pyudev() -> None:
    pyudev = pytest.importorskip("pyudev")
    theirs = {
        d.sys_name: (d.sys_path, _comparable(dict(d.properties)))
        for d in pyudev.Context().list_devices(subsystem="block")
    }
    ours = {
        d.sys_name: (d.sys_path, _comparable(dict(d.properties))) for d in LiveHost().udev_devices("block")
    }
    assert ours == theirs


def test_database_lines() -> None:
    props, links, tags, current, usec = parse_udev_db(
        "S:disk/by-id/ata-X_1\nS:disk/by-label/A\nI:123\nE:ID_SERIAL=X_1\nE:ID_FS_LABEL=a=b\nG:systemd\nQ:systemd\nbroken\nV:1\n"
    )
    assert props == {"ID_SERIAL": "X_1", "ID_FS_LABEL": "a=b"}
    assert links == ["/dev/disk/by-id/ata-X_1", "/dev/disk/by-label/A"]
    assert (tags, current, usec) == (["systemd"], ["systemd"], "123")
