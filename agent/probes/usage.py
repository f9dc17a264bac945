"""Is a disk in use? Mounts, swap, holders (LVM, RAID, crypt) and the boot medium, per whole disk.

Erasure safety rests on this module (issue 3 §2): a disk that is mounted, swapped on, held by
device-mapper or md, or that booted this system must never be written. Everything is read
through the `Host`, so a capture replays the same verdicts.

Fail-safe rule: when the mount table cannot be read at all, every disk is reported as in use
("usage unknown…") — we refuse to erase rather than guess.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable

from agent._record import Record, field
from agent.host import Host, HostFileError
from agent.i18n import N_, _

#: The live image's ISO 9660 label and the stick's writable FAT data partition label (image issue).
#: ISO 9660 volume ids only allow A-Z 0-9 _, so xorriso writes `--iso-volume ATELIER-LIVE` as
#: "ATELIER_LIVE" — seen in a QEMU boot of the image (udev ID_FS_LABEL); both spellings count.
BOOT_LABELS = ("ATELIER-LIVE", "ATELIER_LIVE", "ATELIER")
#: Mount points where live-boot (Debian; bookworm also binds it under /usr/lib), casper (Ubuntu)
#: and older live-boot mount the boot medium.
LIVE_MEDIUM_MOUNTS = ("/run/live/medium", "/usr/lib/live/mount/medium", "/lib/live/mount/medium", "/cdrom")
#: The reasons below are stable English (they go into reports and logs as they are);
#: `describe_reason` shows them in the reader's language. Patterns are compiled on first use (re
#: caches them): an inventory never shows a reason, and compiling fifteen costs start-up time.
_REASON_TEXTS: tuple[tuple[str, str], ...] = (
    (r"^mounted at (.+)$", N_("mounted at {0}")),
    (r"^holds the root filesystem$", N_("holds the root filesystem")),
    (r"^holds (/\S*)$", N_("holds {0}")),
    (r"^active swap$", N_("active swap")),
    (r"^live boot medium \(mounted at (.+)\)$", N_("live boot medium (mounted at {0})")),
    (r"^live boot medium \(label (.+)\)$", N_("live boot medium (label {0})")),
    (
        r"^live boot medium \(kernel command line (.+)\)$",
        N_("live boot medium (kernel command line {0})"),
    ),
    (r"^kernel command line root=(.+)$", N_("holds the system (kernel command line root={0})")),
    (r"^RAID member of (.+)$", N_("RAID member of {0}")),
    (r"^LVM physical volume of (.+)$", N_("LVM physical volume of {0}")),
    (r"^encrypted volume (.+) is open$", N_("encrypted volume {0} is open")),
    (r"^multipath member of (.+)$", N_("multipath member of {0}")),
    (r"^held by device-mapper (.+)$", N_("held by device-mapper {0}")),
    (r"^held by (.+)$", N_("held by {0}")),
    (r"^usage unknown: cannot read (.+)$", N_("usage unknown: cannot read {0}")),
)


def describe_reason(reason: str) -> str:
    """One usage reason in the reader's language (unknown phrasings are shown as they are)."""
    for pattern, msgid in _REASON_TEXTS:
        match = re.match(pattern, reason)
        if match:
            return _(msgid).format(*match.groups())
    return reason


#: Mount points whose disk is needed to boot this very system.
_BOOT_MOUNTS = {
    "/": "holds the root filesystem",
    "/boot": "holds /boot",
    "/boot/efi": "holds /boot/efi",
    "/efi": "holds /efi",
}
#: Kernel command-line parameters naming the boot/live medium (live-boot: live-media=, bootfrom=;
#: `atelier.medium=` lets a station force it when a stick has no recognisable label).
_MEDIUM_PARAMS = ("live-media", "bootfrom", "atelier.medium")
#: udev's persistent links and the tag each stands for. The image boots with
#: `live-media=/dev/disk/by-label/ATELIER-LIVE` (image/lb-config.sh): where the link cannot be
#: followed (no udev database, a replayed capture) the label read from the devices decides.
_UDEV_LINK_TAGS = (
    ("/dev/disk/by-label/", "LABEL"),
    ("/dev/disk/by-uuid/", "UUID"),
    ("/dev/disk/by-partuuid/", "PARTUUID"),
    ("/dev/disk/by-partlabel/", "PARTLABEL"),
)
_UDEV_ESCAPE = r"\\x([0-9a-fA-F]{2})"


class DiskUsage(Record, frozen=True):
    """Why a whole disk (with its partitions and the devices stacked on it) is busy."""

    name: str
    mountpoints: tuple[str, ...] = ()
    swap: bool = False
    holders: tuple[str, ...] = ()
    raid_member: bool = False
    lvm_member: bool = False
    is_boot_medium: bool = False
    reasons: tuple[str, ...] = ()

    @property
    def in_use(self) -> bool:
        return bool(
            self.mountpoints
            or self.swap
            or self.holders
            or self.raid_member
            or self.lvm_member
            or self.is_boot_medium
            or self.reasons
        )


class _Acc(Record):
    """Mutable accumulator while walking one disk."""

    name: str
    mountpoints: list[str] = field(default_factory=list)
    swap: bool = False
    holders: list[str] = field(default_factory=list)
    raid: bool = False
    lvm: bool = False
    boot: bool = False
    reasons: list[str] = field(default_factory=list)

    def reason(self, text: str) -> None:
        if text not in self.reasons:
            self.reasons.append(text)

    def freeze(self) -> DiskUsage:
        return DiskUsage(
            name=self.name,
            mountpoints=tuple(self.mountpoints),
            swap=self.swap,
            holders=tuple(self.holders),
            raid_member=self.raid,
            lvm_member=self.lvm,
            is_boot_medium=self.boot,
            reasons=tuple(self.reasons),
        )


class _Topology(Record):
    disks: list[str]
    #: kernel name (disk, partition, dm-*, md*) -> its whole disk in /sys/block (itself for a disk).
    parent: dict[str, str]
    #: "major:minor" -> kernel name.
    devnums: dict[str, str]
    #: kernel name of a disk or partition -> its sysfs directory.
    sysdir: dict[str, str]


def _read(host: Host, path: str) -> str | None:
    try:
        return host.read_text(path)
    except (HostFileError, OSError, ValueError):
        return None


def _list(host: Host, path: str) -> list[str]:
    try:
        return host.list_dir(path)
    except (HostFileError, OSError, ValueError):
        return []


def _topology(host: Host) -> _Topology:
    disks = _list(host, "/sys/block")
    topo = _Topology(disks=disks, parent={}, devnums={}, sysdir={})
    for disk in disks:
        base = f"/sys/block/{disk}"
        topo.parent[disk] = disk
        topo.sysdir[disk] = base
        dev = _read(host, f"{base}/dev")
        if dev:
            topo.devnums[dev.strip()] = disk
        # Partitions are the sub-directories named after the disk (sda1, nvme0n1p2, mmcblk0p1, loop0p1).
        for entry in _list(host, base):
            if entry == disk or not entry.startswith(disk):
                continue
            pdev = _read(host, f"{base}/{entry}/dev")
            if pdev is None:
                continue
            topo.parent[entry] = disk
            topo.sysdir[entry] = f"{base}/{entry}"
            topo.devnums[pdev.strip()] = entry
    return topo


def _unescape(text: str) -> str:
    """mountinfo escapes space, tab, newline and backslash as octal (\\040…)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "\\" and i + 4 <= len(text) and text[i + 1 : i + 4].isdecimal():
            try:
                out.append(chr(int(text[i + 1 : i + 4], 8)))
                i += 4
                continue
            except ValueError:
                pass
        out.append(text[i])
        i += 1
    return "".join(out)


def _mounts(host: Host) -> list[tuple[str | None, str | None, str]] | None:
    """(major:minor, source device, mount point) per mount; None when no mount table is readable."""
    text = _read(host, "/proc/self/mountinfo")
    if text is not None:
        result: list[tuple[str | None, str | None, str]] = []
        for line in text.splitlines():
            fields = line.split()
            if len(fields) < 5:
                continue
            try:
                sep = fields.index("-")
            except ValueError:
                continue
            source = fields[sep + 2] if len(fields) > sep + 2 else None
            result.append((fields[2], _unescape(source) if source else None, _unescape(fields[4])))
        return result
    text = _read(host, "/proc/mounts")
    if text is None:
        return None
    return [
        (None, _unescape(f[0]), _unescape(f[1]))
        for f in (line.split() for line in text.splitlines())
        if len(f) >= 2
    ]


def _dm_names(host: Host, topo: _Topology) -> dict[str, str]:
    """/dev/mapper name -> dm-N."""
    names: dict[str, str] = {}
    for disk in topo.disks:
        if disk.startswith("dm-"):
            name = _read(host, f"/sys/block/{disk}/dm/name")
            if name and name.strip():
                names[name.strip()] = disk
    return names


def _kernel_name(host: Host, topo: _Topology, dm_names: dict[str, str], path: str) -> str | None:
    """Kernel name of a device path ('/dev/sda1', '/dev/mapper/vg-root', a by-id link), if known."""
    if not path:
        return None
    if path.startswith("/dev/mapper/"):
        found = dm_names.get(path[len("/dev/mapper/") :])
        if found:
            return found
    name = posixpath.basename(path)
    if path.startswith("/dev/") and name in topo.parent:
        return name
    for _hop in range(8):  # follow udev symlinks (/dev/disk/by-*/…, /dev/vg/lv, /dev/root…)
        try:
            target = host.readlink(path)
        except (HostFileError, OSError, ValueError):
            break
        path = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
        name = posixpath.basename(path)
        if name in topo.parent:
            return name
    return name if name in topo.parent else None


class _Ids(Record):
    label: dict[str, str] = field(default_factory=dict)
    uuid: dict[str, str] = field(default_factory=dict)
    partuuid: dict[str, str] = field(default_factory=dict)
    partlabel: dict[str, str] = field(default_factory=dict)


def _filesystem_ids(host: Host, topo: _Topology, dm_names: dict[str, str]) -> _Ids:
    """Labels and UUIDs per kernel name: udev properties when the udev database has them, else blkid."""
    ids = _Ids()
    try:
        devices = host.udev_devices("block")
    except Exception:  # a broken libudev must not hide the boot medium: fall back to lsblk
        devices = []
    have_udev = False
    for dev in devices:
        props = dev.properties
        if any(key.startswith("ID_FS_") or key.startswith("ID_PART_") for key in props):
            have_udev = True
        for key, table in (
            ("ID_FS_LABEL", ids.label),
            ("ID_FS_UUID", ids.uuid),
            ("ID_PART_ENTRY_UUID", ids.partuuid),
            ("ID_PART_ENTRY_NAME", ids.partlabel),
        ):
            value = props.get(key)
            if value:
                table[dev.sys_name] = value
    if have_udev:
        return ids
    # No udev database (this build VM, some minimal live systems): lsblk then shows no labels at
    # all, so ask libblkid to probe every block device itself (-c /dev/null: no stale cache).
    result = host.run(["blkid", "-c", "/dev/null", "-o", "export"], timeout=15)
    if not result.stdout:
        return ids
    for block in result.stdout.split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            key, sep, value = line.partition("=")
            if sep:
                fields[key.strip()] = value.strip()
        devname = fields.get("DEVNAME")
        if not devname:
            continue
        name = _kernel_name(host, topo, dm_names, devname)
        if name is None:
            continue
        for key, table in (
            ("LABEL", ids.label),
            ("UUID", ids.uuid),
            ("PARTUUID", ids.partuuid),
            ("PARTLABEL", ids.partlabel),
        ):
            if fields.get(key):
                table.setdefault(name, fields[key])
    return ids


def _cmdline(host: Host) -> dict[str, str]:
    text = _read(host, "/proc/cmdline") or ""
    params: dict[str, str] = {}
    for token in text.split():
        if token == "--":  # what follows belongs to init, not to the kernel
            break
        key, _, value = token.partition("=")
        params[key] = value
    return params


def _resolve_spec(host: Host, topo: _Topology, dm_names: dict[str, str], ids: _Ids, spec: str) -> str | None:
    """root=/live-media= value ('/dev/sda2', '/dev/disk/by-label/…', 'UUID=…', 'LABEL=…',
    'PARTUUID=…') -> kernel name."""
    if spec.startswith("/dev/"):
        name = _kernel_name(host, topo, dm_names, spec)
        if name is not None:
            return name
        for prefix, tag in _UDEV_LINK_TAGS:
            if spec.startswith(prefix) and len(spec) > len(prefix):
                # udev writes unsafe characters of a label as \xNN in the link's name.
                value = re.sub(_UDEV_ESCAPE, lambda m: chr(int(m.group(1), 16)), spec[len(prefix) :])
                return _resolve_spec(host, topo, dm_names, ids, f"{tag}={value}")
        return None
    key, sep, value = spec.partition("=")
    if sep:
        table = {
            "UUID": ids.uuid,
            "LABEL": ids.label,
            "PARTUUID": ids.partuuid,
            "PARTLABEL": ids.partlabel,
        }.get(key.upper())
        if table is None:
            return None
        for name, known in table.items():
            if known.lower() == value.lower() and name in topo.parent:
                return name
    return None


def _walk_holders(host: Host, topo: _Topology, sysdir: str, seen: set[str]) -> list[str]:
    """Every dm-*/md* stacked on this device, depth first (LV on crypt on partition…)."""
    found: list[str] = []
    for holder in _list(host, f"{sysdir}/holders"):
        if holder in seen:
            continue
        seen.add(holder)
        found.append(holder)
        found.extend(_walk_holders(host, topo, f"/sys/block/{holder}", seen))
    return found


def _holder_reason(host: Host, holder: str, acc: _Acc) -> None:
    if holder.startswith("md"):
        acc.raid = True
        level = (_read(host, f"/sys/block/{holder}/md/level") or "").strip()
        state = (_read(host, f"/sys/block/{holder}/md/array_state") or "").strip()
        detail = ", ".join(x for x in (level, state) if x)
        acc.reason(f"RAID member of {holder}" + (f" ({detail})" if detail else ""))
        return
    if holder.startswith("dm-"):
        uuid = (_read(host, f"/sys/block/{holder}/dm/uuid") or "").strip()
        name = (_read(host, f"/sys/block/{holder}/dm/name") or "").strip()
        label = f"{holder}" + (f" ({name})" if name else "")
        if uuid.startswith("LVM-"):
            acc.lvm = True
            acc.reason(f"LVM physical volume of {label}")
        elif uuid.startswith("CRYPT-"):
            acc.reason(f"encrypted volume {label} is open")
        elif uuid.startswith("mpath-"):
            acc.reason(f"multipath member of {label}")
        else:
            acc.reason(f"held by device-mapper {label}")
        return
    acc.reason(f"held by {holder}")


def disk_usages(host: Host) -> dict[str, DiskUsage]:
    """Usage of every entry of /sys/block (disks, loop, dm, md…), keyed by kernel name."""
    return _usages(host, _topology(host))


def _usages(host: Host, topo: _Topology) -> dict[str, DiskUsage]:
    dm_names = _dm_names(host, topo)
    accs = {disk: _Acc(disk) for disk in topo.disks}

    # Which kernel names sit on which disk: the disk, its partitions and everything stacked on them.
    owners: dict[str, list[str]] = {}
    for name, disk in topo.parent.items():
        owners.setdefault(name, []).append(disk)
    for name, disk in topo.parent.items():
        holders = _walk_holders(host, topo, topo.sysdir[name], set())
        for holder in holders:
            if disk not in owners.setdefault(holder, []):
                owners[holder].append(disk)
            if holder not in accs[disk].holders:
                accs[disk].holders.append(holder)
            _holder_reason(host, holder, accs[disk])

    def disks_of(name: str | None) -> list[str]:
        return owners.get(name, []) if name else []

    mounts = _mounts(host)
    if mounts is None:
        for acc in accs.values():
            acc.reason("usage unknown: cannot read /proc/self/mountinfo")
    else:
        for devnum, source, mountpoint in mounts:
            kname = topo.devnums.get(devnum) if devnum else None
            if kname is None and source and source.startswith("/dev/"):
                # btrfs and some others report an anonymous 0:N device; the source names the disk.
                kname = _kernel_name(host, topo, dm_names, source)
            for disk in disks_of(kname):
                acc = accs[disk]
                if mountpoint not in acc.mountpoints:
                    acc.mountpoints.append(mountpoint)
                acc.reason(f"mounted at {mountpoint}")
                if mountpoint in _BOOT_MOUNTS:
                    acc.boot = True
                    acc.reason(_BOOT_MOUNTS[mountpoint])
                if mountpoint in LIVE_MEDIUM_MOUNTS:
                    acc.boot = True
                    acc.reason(f"live boot medium (mounted at {mountpoint})")

    for line in (_read(host, "/proc/swaps") or "").splitlines()[1:]:
        fields = line.split()
        if len(fields) < 2 or fields[1] != "partition":
            continue  # a swap *file* lives on a mounted filesystem, already counted
        swap_dev = _kernel_name(host, topo, dm_names, _unescape(fields[0]))
        for disk in disks_of(swap_dev):
            accs[disk].swap = True
            accs[disk].reason("active swap")

    ids = _filesystem_ids(host, topo, dm_names)
    for name, label in ids.label.items():
        if label.upper() in BOOT_LABELS:
            for disk in disks_of(name):
                accs[disk].boot = True
                accs[disk].reason(f"live boot medium (label {label})")

    params = _cmdline(host)
    root = params.get("root")
    if root:
        for disk in disks_of(_resolve_spec(host, topo, dm_names, ids, root)):
            accs[disk].boot = True
            accs[disk].reason(f"kernel command line root={root}")
    for key in _MEDIUM_PARAMS:
        spec = params.get(key)
        if spec:
            for disk in disks_of(_resolve_spec(host, topo, dm_names, ids, spec)):
                accs[disk].boot = True
                accs[disk].reason(f"live boot medium (kernel command line {key}={spec})")

    return {disk: acc.freeze() for disk, acc in accs.items()}


def _disk_name(host: Host, device: str, topo_names: Iterable[str]) -> str:
    known = set(topo_names)
    path = device if device.startswith("/") else f"/dev/{device}"
    name = posixpath.basename(path)
    if name in known:
        return name
    for _hop in range(8):
        try:
            target = host.readlink(path)
        except (HostFileError, OSError, ValueError):
            break
        path = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
        name = posixpath.basename(path)
        if name in known:
            return name
    return name


def usage_of(host: Host, device: str) -> DiskUsage:
    """Usage of the whole disk behind `device` ('/dev/sda', 'sda', '/dev/disk/by-id/…', '/dev/sda1').

    A device the kernel does not list is reported in use, with the reason: never erase what we
    cannot see.
    """
    topo = _topology(host)
    name = _disk_name(host, device, topo.parent)
    disk = topo.parent.get(name)
    if disk is None:
        return DiskUsage(name=name, reasons=(f"not a disk known to the kernel: {device}",))
    return _usages(host, topo).get(disk) or DiskUsage(name=disk, reasons=("usage unknown",))


__all__ = [
    "BOOT_LABELS",
    "LIVE_MEDIUM_MOUNTS",
    "DiskUsage",
    "describe_reason",
    "disk_usages",
    "usage_of",
]
