"""udev's view of a device, read the way libudev reads it: sysfs `uevent` plus udev's database.

Why not pyudev: it loads libudev through ctypes, and finding libudev runs `ldconfig -p` in a child
process; under the emulated CPUs of the test VMs the import and that child cost 1.5 s of an
inventory that must not be slower than `lshw`. The data is the same: udevd writes one file per
device in /run/udev/data (`b8:0` for block device 8:0) with lines `E:KEY=VALUE` (properties),
`S:link` (symlinks under /dev), `G:`/`Q:` (tags) and `I:` (when it was initialised); libudev
merges them with the kernel's `uevent` file. Without udevd (this build machine, minimal systems)
only the kernel's properties remain, as with pyudev; the probes then fall back to sysfs.
"""

from __future__ import annotations

import os

from agent.host._base import UdevDevice

UDEV_DATA = "/run/udev/data"


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None


def _db_id(subsystem: str, sys_name: str, props: dict[str, str]) -> str:
    """The database file name udev uses for a device (sd-device's device_get_device_id)."""
    major, minor = props.get("MAJOR"), props.get("MINOR")
    if major and minor:
        return f"{'b' if subsystem == 'block' else 'c'}{major}:{minor}"
    if props.get("IFINDEX"):
        return f"n{props['IFINDEX']}"
    return f"+{subsystem}:{sys_name}"


def parse_udev_db(text: str) -> tuple[dict[str, str], list[str], list[str], list[str], str | None]:
    """(properties, symlinks, tags, current tags, usec initialised) from one database file."""
    props: dict[str, str] = {}
    links: list[str] = []
    tags: list[str] = []
    current: list[str] = []
    usec: str | None = None
    for line in text.splitlines():
        kind, sep, value = line.partition(":")
        if not sep:
            continue
        if kind == "E":
            key, eq, val = value.partition("=")
            if eq and key:
                props[key] = val
        elif kind == "S" and value:
            links.append(value if value.startswith("/") else f"/dev/{value}")
        elif kind == "G" and value:
            tags.append(value)
        elif kind == "Q" and value:
            current.append(value)
        elif kind == "I" and value:
            usec = value
    return props, links, tags, current, usec


def device_properties(subsystem: str, sys_name: str, sys_path: str, root: str = "") -> dict[str, str]:
    """Every property libudev would list for the device at `sys_path` (a /sys/devices/… path)."""
    props: dict[str, str] = {}
    for line in (_read(f"{root}{sys_path}/uevent") or "").splitlines():
        key, eq, value = line.partition("=")
        if eq and key:
            props[key] = value
    props["DEVPATH"] = sys_path.removeprefix("/sys")
    props["SUBSYSTEM"] = subsystem
    if "DEVNAME" in props and not props["DEVNAME"].startswith("/"):
        props["DEVNAME"] = f"/dev/{props['DEVNAME']}"
    db = _read(f"{root}{UDEV_DATA}/{_db_id(subsystem, sys_name, props)}")
    if db is not None:
        extra, links, tags, current, usec = parse_udev_db(db)
        props.update(extra)
        if links:
            props["DEVLINKS"] = " ".join(sorted(links))
        if tags:
            props["TAGS"] = f":{':'.join(tags)}:"
        if current:
            props["CURRENT_TAGS"] = f":{':'.join(current)}:"
        if usec is not None:
            props["USEC_INITIALIZED"] = usec
    return props


def list_udev_devices(subsystem: str, root: str = "") -> list[UdevDevice]:
    """The devices of one subsystem (e.g. "block": disks and partitions), sorted by kernel name."""
    class_dir = f"{root}/sys/class/{subsystem}"
    try:
        names = sorted(os.listdir(class_dir))
    except OSError:
        return []
    devices: list[UdevDevice] = []
    for name in names:
        real = os.path.realpath(f"{class_dir}/{name}")
        sys_path = real.removeprefix(root) if root else real
        devices.append(UdevDevice(name, sys_path, device_properties(subsystem, name, sys_path, root)))
    return devices


__all__ = ["UDEV_DATA", "device_properties", "list_udev_devices", "parse_udev_db"]
