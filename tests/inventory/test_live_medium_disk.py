"""The prefetch's boot-stick guess (`agent.probes.commands._live_medium_disk`) on replayed
/proc/self/mountinfo and /sys trees: the live image boots with
`live-media=/dev/disk/by-label/ATELIER-LIVE` (image/lb-config.sh), so the medium's mount source
may be that udev link — the disk is found from the mount's device number all the same."""

from __future__ import annotations

import os
from pathlib import Path

from agent.probes.commands import _live_medium_disk

STICK_DEVPATH = "devices/pci0000:00/0000:00:03.0/usb2/2-2/2-2:1.0/host14/target14:0:0/14:0:0:0/block/sdd"
INTERNAL_DEVPATH = "devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda"


def _medium_line(devnum: str, source: str) -> str:
    return (
        f"27 26 {devnum} / /run/live/medium ro,noatime shared:10 - iso9660 {source} "
        "ro,nojoliet,check=s,map=n,blocksize=2048,iocharset=utf8\n"
    )


def _tree(tmp_path: Path, mountinfo: str, *, sys_dev: bool = True) -> str:
    """A root with /proc/self/mountinfo and /sys as the kernel lays it out (sdd: the USB stick, sda:
    an internal disk), relative links so that realpath stays inside `tmp_path`."""
    for devpath, disk, parts in (
        (STICK_DEVPATH, "sdd", ("sdd1", "sdd2")),
        (INTERNAL_DEVPATH, "sda", ("sda1",)),
    ):
        for part in parts:
            (tmp_path / "sys" / devpath / part).mkdir(parents=True)
        for directory, target in (("block", f"../{devpath}"), ("class/block", f"../../{devpath}")):
            (tmp_path / "sys" / directory).mkdir(parents=True, exist_ok=True)
            os.symlink(target, tmp_path / "sys" / directory / disk)
        for part in parts:
            os.symlink(f"../../{devpath}/{part}", tmp_path / "sys" / "class" / "block" / part)
    if sys_dev:
        (tmp_path / "sys" / "dev" / "block").mkdir(parents=True)
        for devnum, target in (
            ("8:48", STICK_DEVPATH),
            ("8:49", f"{STICK_DEVPATH}/sdd1"),
            ("8:0", INTERNAL_DEVPATH),
            ("8:1", f"{INTERNAL_DEVPATH}/sda1"),
        ):
            os.symlink(f"../../{target}", tmp_path / "sys" / "dev" / "block" / devnum)
    (tmp_path / "proc" / "self").mkdir(parents=True)
    (tmp_path / "proc" / "self" / "mountinfo").write_text(
        "22 28 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
        + mountinfo
        + "28 1 0:27 / / rw,noatime shared:1 - overlay overlay rw,lowerdir=/run/live/rootfs/filesystem.squashfs/\n"
    )
    return str(tmp_path)


def test_by_label_source_without_the_link_is_found_by_device_number(tmp_path: Path) -> None:
    # No /dev/disk/by-label/ATELIER-LIVE in this tree: only the device number can tell.
    root = _tree(tmp_path, _medium_line("8:49", "/dev/disk/by-label/ATELIER-LIVE"))
    assert _live_medium_disk(root) == "sdd"


def test_whole_disk_medium(tmp_path: Path) -> None:
    # udev may point the label's link at the disk itself (a hybrid ISO's disk and first partition
    # both carry the ISO 9660 label): live-boot then mounts the whole disk.
    root = _tree(tmp_path, _medium_line("8:48", "/dev/disk/by-label/ATELIER-LIVE"))
    assert _live_medium_disk(root) == "sdd"


def test_without_sys_dev_the_source_name_is_used(tmp_path: Path) -> None:
    root = _tree(tmp_path, _medium_line("8:49", "/dev/sdd1"), sys_dev=False)
    assert _live_medium_disk(root) == "sdd"
    # ... and an unresolvable link names no disk rather than a wrong one.
    root2 = tmp_path / "other"
    root2.mkdir()
    assert (
        _live_medium_disk(
            _tree(root2, _medium_line("8:49", "/dev/disk/by-label/ATELIER-LIVE"), sys_dev=False)
        )
        is None
    )


def test_no_live_medium_mounted(tmp_path: Path) -> None:
    assert _live_medium_disk(_tree(tmp_path, "")) is None
    assert _live_medium_disk(str(tmp_path / "missing")) is None
