"""The disks an erase run looks at: the inventory's disk probe, or a minimal sysfs reading.

The full probe (`agent.probes.disks.probe_disks`: SMART, hdparm/nvme capabilities) is used when
the build has it; the fallback reads only what erasure needs — size, sector size, rotation,
read-only flag, model/serial — through the host, so planning never depends on an optional tool.
"""

from __future__ import annotations

import importlib
import posixpath
from collections.abc import Sequence

from agent.host import Host, HostFileError
from agent.report import Disk

_VIRTUAL_PREFIXES = ("ram", "zram", "dm-", "md", "sr", "fd")


def _read(host: Host, path: str) -> str | None:
    try:
        return host.read_text(path).strip()
    except (HostFileError, OSError):
        return None


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def kernel_name(host: Host, device: str) -> str:
    """'/dev/disk/by-id/…' or '/dev/sda' → 'sda' (symlinks followed through the host)."""
    path = device if device.startswith("/") else f"/dev/{device}"
    for _ in range(8):
        try:
            target = host.readlink(path)
        except (HostFileError, OSError):
            break
        path = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
    return posixpath.basename(path)


def is_partition(host: Host, name: str) -> bool:
    return host.exists(f"/sys/class/block/{name}/partition")


def basic_disk(host: Host, device: str) -> Disk | None:
    """A Disk from sysfs only; None when the kernel has no such block device."""
    name = kernel_name(host, device)
    base = f"/sys/class/block/{name}"
    if not host.exists(base) or is_partition(host, name):
        return None
    sectors = _int(_read(host, f"{base}/size"))
    rotational = _read(host, f"{base}/queue/rotational")
    transport = "nvme" if name.startswith("nvme") else "mmc" if name.startswith("mmcblk") else "unknown"
    return Disk(
        name=name,
        path=f"/dev/{name}",
        model=_read(host, f"{base}/device/model") or None,
        vendor=_read(host, f"{base}/device/vendor") or None,
        serial=_read(host, f"{base}/device/serial") or None,
        size_bytes=sectors * 512 if sectors is not None else None,
        logical_sector_size=_int(_read(host, f"{base}/queue/logical_block_size")),
        physical_sector_size=_int(_read(host, f"{base}/queue/physical_block_size")),
        rotational=None if rotational is None else rotational == "1",
        removable=None if (r := _read(host, f"{base}/removable")) is None else r == "1",
        read_only=None if (ro := _read(host, f"{base}/ro")) is None else ro == "1",
        transport=transport,
    )


def all_disk_paths(host: Host) -> list[str]:
    try:
        names = host.list_dir("/sys/block")
    except (HostFileError, OSError):
        return []
    out = []
    for name in names:
        if name.startswith(_VIRTUAL_PREFIXES):
            continue
        if name.startswith("loop") and not _read(host, f"/sys/block/{name}/loop/backing_file"):
            continue  # an unattached loop node
        out.append(f"/dev/{name}")
    return out


def inventory_disks(host: Host, only: Sequence[str] | None) -> list[Disk]:
    """Disks to plan: the named devices (in that order) or every disk of the machine."""
    try:
        probe_disks = importlib.import_module("agent.probes.disks").probe_disks
        from agent.probes._context import ProbeContext
    except (ImportError, AttributeError):
        probe_disks = None
    if probe_disks is not None:
        disks: list[Disk] = list(
            probe_disks(ProbeContext(host), only=list(only) if only else None, smart=True)
        )
    else:
        paths = list(only) if only else all_disk_paths(host)
        disks = [d for d in (basic_disk(host, p) for p in paths) if d is not None]
    return [with_capabilities(host, d) for d in disks]


def with_capabilities(host: Host, disk: Disk) -> Disk:
    """Ask the drive what it can do to erase itself (hdparm -I / nvme id-ctrl / sg_opcodes).

    Without this the planner only ever sees "no firmware technique" and overwrites everything;
    a disk the inventory already described keeps its capabilities.
    """
    if disk.capabilities is not None:
        return disk
    try:
        probe = importlib.import_module("agent.erase.firmware.probe").probe_capabilities
    except (ImportError, AttributeError):
        return disk
    try:
        caps = probe(host, disk)
    except Exception:  # a wrapper bug must not stop the plan: the disk is then simply overwritten
        return disk
    return disk.model_copy(update={"capabilities": caps})


__all__ = [
    "all_disk_paths",
    "basic_disk",
    "inventory_disks",
    "is_partition",
    "kernel_name",
    "with_capabilities",
]
