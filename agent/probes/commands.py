"""The commands the inventory runs, named once, with no heavy import.

`atelier inventory` starts these before Python has imported the probes and the report schema,
so the disks answer smartctl while the interpreter loads; the probes then find the answers waiting
(`agent.host.PrefetchingHost`). Probes build their argv with these functions too, so a prefetched
command and the probe's own are the same command by construction.
"""

from __future__ import annotations

import functools
import os
import posixpath
from collections.abc import Callable, Iterator, Sequence

from agent.host._base import CommandResult, Prefetch

SMARTCTL_TIMEOUT = 60.0
NVME_TIMEOUT = 20.0
DMIDECODE_TIMEOUT = 15.0
DMIDECODE_ARGV = ("dmidecode", "-t", "16", "-t", "17")
#: Where an SMBIOS table can be read from; without either, dmidecode has nothing to say.
SMBIOS_SOURCES = ("/sys/firmware/dmi/tables/DMI", "/dev/mem")

#: Kernel block devices that are not disks a technician erases or grades (listed only when named).
SKIPPED_PREFIXES = ("loop", "ram", "zram", "dm-", "md", "sr", "fd", "nbd", "mtdblock")


def is_emmc_hw_partition(name: str) -> bool:
    """eMMC hardware boot/RPMB partitions (mmcblk0boot1, mmcblk0rpmb) show up as disks of their
    own; they belong to mmcblkN. (String tests rather than a regular expression: compiling one is
    a measurable part of the inventory's start under emulated CPUs.)"""
    if not name.startswith("mmcblk"):
        return False
    rest = name[6:]
    suffix = rest.lstrip("0123456789")
    if suffix == rest:
        return False  # no unit number
    boot = suffix.removeprefix("boot")
    return suffix == "rpmb" or (boot != suffix and boot != "" and boot.strip("0123456789") == "")


#: smartctl reads its whole drive database (~740 entries, each regex compiled) on every run: 90 % of
#: its CPU time (14 of 16 ms here, over a second under QEMU emulation). NVMe drives never use it
#: (smartmontools maintainers: "nvme will not use drivedb"), so they get an empty one.
NO_DRIVEDB = ("-B", "/dev/null")


def smartctl_argv(path: str, extra: Sequence[str] = ()) -> list[str]:
    if os.path.basename(path).startswith("nvme") and "-d" not in extra:
        extra = (*extra, *NO_DRIVEDB)
    return ["smartctl", "--json", "-x", *extra, path]


def nvme_idctrl_argv(path: str) -> list[str]:
    return ["nvme", "id-ctrl", "-o", "json", path]


#: Where smartctl reads its drive database (Debian: the package's copy, or update-smart-drivedb's),
#: and the local additions it reads as well. Without any, smartctl uses its built-in copy.
DRIVEDB_PATHS = ("/var/lib/smartmontools/drivedb/drivedb.h", "/usr/share/smartmontools/drivedb.h")
LOCAL_DRIVEDB = "/etc/smart_drivedb.h"


def _usb_attribute(devpath: str, read: Callable[[str], str | None], attribute: str) -> str | None:
    path = posixpath.normpath(devpath)
    while path.startswith("/sys/devices/"):
        value = read(f"{path}/{attribute}")
        if value and value.strip():
            return value.strip().lower()
        path = posixpath.dirname(path)
    return None


def usb_vendor_id(devpath: str, read: Callable[[str], str | None]) -> str | None:
    """The USB vendor id (4 hex digits) of the device a block device's sysfs path sits under."""
    return _usb_attribute(devpath, read, "idVendor")


def usb_product_id(devpath: str, read: Callable[[str], str | None]) -> str | None:
    """The USB product id (4 hex digits) of the device a block device's sysfs path sits under."""
    return _usb_attribute(devpath, read, "idProduct")


def bridge_surely_unknown(vendor_id: str | None, databases: Sequence[str | None]) -> bool:
    """True only when smartctl's drive database cannot know this USB bridge: no file mentions its
    vendor id at all (every USB entry names its vendor ids in hex). Then the plain query can only
    answer "Unknown USB bridge", and the probe asks with `-d sat` straight away."""
    if not vendor_id or databases[0] is None:
        return False  # no database file to look in: smartctl's built-in copy decides
    return not any(text is not None and vendor_id in text.lower() for text in databases)


def is_candidate_disk(name: str, size_sectors: int | None, hidden: str | None) -> bool:
    """Whether /sys/block/NAME is a disk to inventory when no disk was named."""
    if name.startswith(SKIPPED_PREFIXES) or is_emmc_hw_partition(name):
        return False
    # An empty card reader slot is a 0-byte disk: there is nothing to inventory.
    if size_sectors == 0:
        return False
    # NVMe native multipath: the per-path nvme0c0n1 nodes are hidden; nvme0n1 is the disk.
    return hidden != "1"


def _sys_value(path: str) -> str | None:
    try:
        with open(path, encoding="ascii", errors="replace") as handle:
            return handle.read().strip()
    except OSError:
        return None


@functools.cache
def live_drivedbs() -> list[str | None]:
    """[main drive database, local additions] as this machine's smartctl reads them (None: absent).
    Read once per process: every USB disk asks, and the files do not change during a run."""
    main = next((text for text in map(_sys_value, DRIVEDB_PATHS) if text is not None), None)
    return [main, _sys_value(LOCAL_DRIVEDB)]


def _live_medium_disk(root: str = "") -> str | None:
    """The disk live-boot booted from (the kernel name of /run/live/medium's disk), if any.

    Found from the mount's device number (/proc/self/mountinfo → /sys/dev/block/MAJ:MIN), not only
    from its source: with `live-media=/dev/disk/by-label/…` on the kernel command line the source
    can be that udev link, which resolves to nothing where /dev lacks it. `root`: a directory
    standing for / (tests)."""
    try:
        with open(f"{root}/proc/self/mountinfo", encoding="utf-8", errors="replace") as handle:
            mounts = [line.split() for line in handle]
    except OSError:
        return None
    for fields in mounts:
        if len(fields) < 5 or fields[4] != "/run/live/medium":
            continue
        sysdev = os.path.realpath(f"{root}/sys/dev/block/{fields[2]}")
        if not os.path.isdir(sysdev):  # no /sys/dev (old kernels): the source's name, links followed
            try:
                source = fields[fields.index("-", 6) + 2]
            except (ValueError, IndexError):
                return None
            name = os.path.basename(os.path.realpath(f"{root}{source}"))
            sysdev = os.path.realpath(f"{root}/sys/class/block/{name}")
            if not source.startswith("/dev/") or not os.path.isdir(sysdev):
                return None
        partition = os.path.basename(sysdev)
        parent = os.path.basename(os.path.dirname(sysdev))
        return parent if os.path.isdir(f"{root}/sys/block/{parent}") else partition
    return None


def _smartctl_subset(name: str, path: str, extra: Sequence[str] = (), devpath: str | None = None) -> Prefetch:
    """smartctl with the part of the drive database this disk can match (`agent.probes.drivedb`):
    the same answer for a tenth of the work. `devpath`: the disk's /sys path when it is on USB."""
    argv = tuple(smartctl_argv(path, extra))
    from agent.probes.drivedb import drivedb_subset, model_start, usb_id, write_scratch

    model = _sys_value(f"/sys/block/{name}/device/model")
    start = model_start(model)
    bridge = None
    if devpath is not None:
        bridge = usb_id(usb_vendor_id(devpath, _sys_value), usb_product_id(devpath, _sys_value))
    if start is None or (devpath is not None and bridge is None):
        return Prefetch(argv, SMARTCTL_TIMEOUT)
    content = drivedb_subset(model, DRIVEDB_PATHS, LOCAL_DRIVEDB, bridge=bridge)
    scratch = write_scratch(f"{name}{''.join(extra)}", content) if content is not None else None
    if scratch is None:
        return Prefetch(argv, SMARTCTL_TIMEOUT)
    accept = functools.partial(_subset_answer_consistent, start)
    return Prefetch(argv, SMARTCTL_TIMEOUT, (*argv[:-1], "-B", scratch, path), scratch, accept)


def _subset_answer_consistent(start: str, result: CommandResult) -> bool:
    from agent.probes.drivedb import model_consistent

    return model_consistent(start, result.stdout)


def live_prefetch(only: Sequence[str] | None, *, smart: bool) -> Iterator[Prefetch]:
    """The commands the inventory will run on this live machine, guessed from /sys alone.

    A guess that turns out wrong costs one unused read-only query; it never changes a result,
    since a probe only takes a prefetched answer for the very argv it asks for. Commands come as
    soon as they are known (`PrefetchingHost` starts each as it comes): the ones that need a
    drive-database subset, whose preparation takes a quarter of a second under emulated CPUs,
    come last, so that dmidecode and the NVMe queries are already running meanwhile.
    """
    if any(os.path.exists(p) for p in SMBIOS_SOURCES):
        yield Prefetch(DMIDECODE_ARGV, DMIDECODE_TIMEOUT)
    if not smart:
        return
    names: list[str] = []
    if only is None:
        try:
            entries = sorted(os.listdir("/sys/block"))
        except OSError:
            entries = []
        for name in entries:
            size = _sys_value(f"/sys/block/{name}/size")
            if is_candidate_disk(
                name,
                int(size) if size and size.isdecimal() else None,
                _sys_value(f"/sys/block/{name}/hidden"),
            ):
                names.append(name)
    else:
        for device in only:
            name = os.path.basename(os.path.realpath(device))
            if os.path.isdir(f"/sys/block/{name}"):
                names.append(name)
    boot = _live_medium_disk()
    with_subset: list[functools.partial[Prefetch]] = []
    for name in names:
        if name == boot:
            continue  # the probe does not query the boot stick either
        path = f"/dev/{name}"
        devpath = os.path.realpath(f"/sys/block/{name}")
        usb = "/usb" in devpath
        if not usb and _sys_value(f"/sys/block/{name}/device/vendor") == "ATA":
            with_subset.append(functools.partial(_smartctl_subset, name, path))
        elif usb and not bridge_surely_unknown(usb_vendor_id(devpath, _sys_value), live_drivedbs()):
            with_subset.append(functools.partial(_smartctl_subset, name, path, devpath=devpath))
        elif not usb:
            yield Prefetch(tuple(smartctl_argv(path)), SMARTCTL_TIMEOUT)
        if usb:
            # Most USB bridges need `-d sat`; the probe asks for it only after the plain query
            # failed, by which time this answer is ready (4 s + 1 s in a row under QEMU otherwise).
            with_subset.append(functools.partial(_smartctl_subset, name, path, ("-d", "sat"), devpath))
        if name.startswith("nvme"):
            yield Prefetch(tuple(nvme_idctrl_argv(path)), NVME_TIMEOUT)
    for prepare in with_subset:
        yield prepare()


__all__ = [
    "DMIDECODE_ARGV",
    "DRIVEDB_PATHS",
    "LOCAL_DRIVEDB",
    "NO_DRIVEDB",
    "NVME_TIMEOUT",
    "SMARTCTL_TIMEOUT",
    "SMBIOS_SOURCES",
    "bridge_surely_unknown",
    "is_candidate_disk",
    "live_drivedbs",
    "live_prefetch",
    "nvme_idctrl_argv",
    "smartctl_argv",
    "usb_product_id",
    "usb_vendor_id",
]
