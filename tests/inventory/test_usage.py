"""Disk usage detection (what erasure safety relies on): live loop devices and replayed machines."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.host import LiveHost, ReplayHost, UdevDevice
from agent.probes.usage import DiskUsage, disk_usages, usage_of

# --------------------------------------------------------------------------------------------
# Live: real loop devices on this machine (root).


def _sh(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True)


@contextmanager
def _mounted(dev: str, where: Path) -> Iterator[None]:
    where.mkdir(parents=True, exist_ok=True)
    _sh("mount", dev, str(where))
    try:
        yield
    finally:
        subprocess.run(["umount", str(where)], check=False, capture_output=True)


def test_idle_loop_device_is_free(loop_device: Callable[..., str]) -> None:
    dev = loop_device(16 * 1024 * 1024)
    usage = usage_of(LiveHost(), dev)
    assert usage.name == os.path.basename(dev)
    assert not usage.in_use, usage.reasons
    assert usage.reasons == ()


def test_mounted_ext4_loop_is_in_use(loop_device: Callable[..., str], tmp_path: Path) -> None:
    dev = loop_device(32 * 1024 * 1024)
    _sh("mkfs.ext4", "-q", "-F", dev)
    mnt = tmp_path / "mnt"
    with _mounted(dev, mnt):
        usage = usage_of(LiveHost(), dev)
        assert usage.in_use
        assert usage.mountpoints == (str(mnt),)
        assert f"mounted at {mnt}" in usage.reasons
        assert not usage.is_boot_medium
        # the whole-table view agrees
        assert disk_usages(LiveHost())[os.path.basename(dev)] == usage
    assert not usage_of(LiveHost(), dev).in_use


def test_active_swap_loop_is_in_use(loop_device: Callable[..., str]) -> None:
    dev = loop_device(16 * 1024 * 1024)
    _sh("mkswap", dev)
    _sh("swapon", dev)
    try:
        usage = usage_of(LiveHost(), dev)
        assert usage.swap and usage.in_use
        assert "active swap" in usage.reasons
    finally:
        subprocess.run(["swapoff", dev], check=False, capture_output=True)
    assert not usage_of(LiveHost(), dev).swap


def test_fat_labelled_atelier_is_the_boot_medium(loop_device: Callable[..., str]) -> None:
    dev = loop_device(33 * 1024 * 1024)
    _sh("mkfs.vfat", "-n", "ATELIER", dev)
    usage = usage_of(LiveHost(), dev)
    assert usage.is_boot_medium and usage.in_use
    assert "live boot medium (label ATELIER)" in usage.reasons


def test_other_fat_label_is_not_the_boot_medium(loop_device: Callable[..., str]) -> None:
    dev = loop_device(33 * 1024 * 1024)
    _sh("mkfs.vfat", "-n", "DONOR", dev)
    assert not usage_of(LiveHost(), dev).in_use


def test_the_disk_holding_root_is_in_use() -> None:
    host = LiveHost()
    usages = disk_usages(host)
    holding_root = [u for u in usages.values() if "/" in u.mountpoints]
    if not holding_root:
        pytest.skip("/ is not on a block device here (container overlay)")
    assert len(holding_root) == 1, usages
    root = holding_root[0]
    assert root.in_use and root.is_boot_medium
    assert "holds the root filesystem" in root.reasons
    # and asking by path gives the same answer
    assert usage_of(host, f"/dev/{root.name}") == root
    assert usage_of(host, root.name) == root


def _write_mbr(image: Path, parts: list[tuple[int, int]]) -> None:
    """A DOS partition table (start LBA, sectors) of Linux partitions — no sfdisk needed."""
    table = bytearray(512)
    for i, (start, count) in enumerate(parts):
        entry = bytes([0, 0, 0, 0, 0x83, 0, 0, 0]) + start.to_bytes(4, "little") + count.to_bytes(4, "little")
        table[446 + 16 * i : 446 + 16 * (i + 1)] = entry
    table[510:512] = b"\x55\xaa"
    with open(image, "r+b") as handle:
        handle.write(table)


def test_symlink_and_partition_resolve_to_the_whole_disk(tmp_path: Path) -> None:
    if os.geteuid() != 0 or shutil.which("losetup") is None:
        pytest.skip("loop devices need root and losetup (CI runs as root)")
    image = tmp_path / "parted.img"
    with open(image, "wb") as handle:
        handle.truncate(64 * 1024 * 1024)
    _write_mbr(image, [(2048, 49152), (51200, 79872)])
    dev = subprocess.run(
        ["losetup", "-f", "--show", "-P", str(image)], check=True, capture_output=True, text=True
    ).stdout.strip()
    try:
        part = f"{dev}p2"
        if not os.path.exists(part):
            # Without udev the kernel's own scan sometimes shows nothing here: add them explicitly.
            subprocess.run(["partx", "-a", dev], check=False, capture_output=True)
        if not os.path.exists(part):
            pytest.skip(f"{part} did not appear")
        _sh("mkfs.ext4", "-q", "-F", part)
        link = tmp_path / "by-id-usb-Acme_Stick_123"
        link.symlink_to(dev)
        mnt = tmp_path / "p2"
        with _mounted(part, mnt):
            host = LiveHost()
            for spec in (dev, part, str(link), os.path.basename(dev)):
                usage = usage_of(host, spec)
                assert usage.name == os.path.basename(dev), spec
                assert usage.mountpoints == (str(mnt),), spec
                assert usage.in_use
    finally:
        subprocess.run(["losetup", "-d", dev], check=False, capture_output=True)


# --------------------------------------------------------------------------------------------
# Replay: machines this VM cannot be (live boot from a stick, LVM, RAID, crypt).


def _disk(files: dict[str, str | bytes], name: str, devnum: str, parts: dict[str, str] | None = None) -> None:
    files[f"/sys/block/{name}/dev"] = devnum + "\n"
    files[f"/sys/block/{name}/size"] = "1000000\n"
    for part, pnum in (parts or {}).items():
        files[f"/sys/block/{name}/{part}/dev"] = pnum + "\n"
        files[f"/sys/block/{name}/{part}/partition"] = "1\n"


LIVE_MOUNTINFO = """\
22 28 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
23 28 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw
24 28 0:5 / /dev rw,nosuid,relatime shared:8 - devtmpfs udev rw,size=1987644k
26 28 0:24 / /run rw,nosuid,nodev,noexec,relatime shared:5 - tmpfs tmpfs rw,size=401532k,mode=755
27 26 8:17 / /run/live/medium ro,noatime shared:6 - iso9660 /dev/sdb1 ro,nojoliet,check=s,map=n,blocksize=2048
29 26 7:0 / /run/live/rootfs/filesystem.squashfs ro,noatime shared:7 - squashfs /dev/loop0 ro,errors=continue
28 1 0:27 / / rw,noatime shared:1 - overlay overlay rw,lowerdir=/run/live/rootfs/filesystem.squashfs/,upperdir=/run/live/overlay/rw,workdir=/run/live/overlay/work
"""


def _live_boot_host(**extra_files: str) -> ReplayHost:
    files: dict[str, str | bytes] = {}
    _disk(files, "sda", "8:0", {"sda1": "8:1", "sda2": "8:2"})
    _disk(files, "sdb", "8:16", {"sdb1": "8:17", "sdb2": "8:18", "sdb3": "8:19"})
    _disk(files, "loop0", "7:0")
    _disk(files, "nvme0n1", "259:0", {"nvme0n1p1": "259:1"})
    files["/proc/self/mountinfo"] = LIVE_MOUNTINFO
    files["/proc/swaps"] = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
    files["/proc/cmdline"] = "BOOT_IMAGE=/live/vmlinuz-6.1.0-13-amd64 boot=live components quiet splash\n"
    files.update(extra_files)
    udev = {
        "block": [
            UdevDevice("sda", "/sys/devices/pci0000:00/ata1/host0/target0:0:0/0:0:0:0/block/sda", {}),
            UdevDevice(
                "sda1",
                "/sys/devices/.../block/sda/sda1",
                {"ID_FS_TYPE": "ntfs", "ID_FS_LABEL": "Windows", "ID_FS_UUID": "01D9AB"},
            ),
            UdevDevice(
                "sda2", "/sys/devices/.../block/sda/sda2", {"ID_FS_TYPE": "ntfs", "ID_FS_LABEL": "DATA"}
            ),
            UdevDevice("sdb", "/sys/devices/.../usb2/.../block/sdb", {"ID_FS_TYPE": "iso9660"}),
            UdevDevice(
                "sdb1",
                "/sys/devices/.../block/sdb/sdb1",
                {
                    "ID_FS_TYPE": "iso9660",
                    "ID_FS_LABEL": "ATELIER-LIVE",
                    "ID_FS_UUID": "2026-11-29-08-00-00-00",
                },
            ),
            UdevDevice(
                "sdb2", "/sys/devices/.../block/sdb/sdb2", {"ID_FS_TYPE": "vfat", "ID_FS_LABEL": "EFI"}
            ),
            UdevDevice(
                "sdb3", "/sys/devices/.../block/sdb/sdb3", {"ID_FS_TYPE": "vfat", "ID_FS_LABEL": "ATELIER"}
            ),
            UdevDevice(
                "nvme0n1p1", "/sys/devices/.../nvme0n1p1", {"ID_FS_TYPE": "ext4", "ID_FS_LABEL": "root"}
            ),
        ]
    }
    return ReplayHost.build(files=files, udev=udev)


def test_live_boot_stick_is_the_boot_medium_and_internal_disks_are_free() -> None:
    usages = disk_usages(_live_boot_host())
    stick = usages["sdb"]
    assert stick.is_boot_medium and stick.in_use
    assert stick.mountpoints == ("/run/live/medium",)
    assert stick.reasons == (
        "mounted at /run/live/medium",
        "live boot medium (mounted at /run/live/medium)",
        "live boot medium (label ATELIER-LIVE)",
        "live boot medium (label ATELIER)",
    )
    # The overlay root belongs to no disk: the donor's disks are free to erase.
    assert not usages["sda"].in_use
    assert not usages["nvme0n1"].in_use
    # The squashfs loop is mounted (it is the running system).
    assert usages["loop0"].mountpoints == ("/run/live/rootfs/filesystem.squashfs",)
    assert set(usages) == {"sda", "sdb", "loop0", "nvme0n1"}


def test_live_boot_stick_found_by_label_alone_after_toram() -> None:
    # `toram`: the medium is copied to RAM and unmounted; only the labels still tell.
    mountinfo = "".join(line + "\n" for line in LIVE_MOUNTINFO.splitlines() if "/run/live/medium" not in line)
    usage = usage_of(_live_boot_host(**{"/proc/self/mountinfo": mountinfo}), "/dev/sdb")
    assert usage.is_boot_medium and usage.mountpoints == ()
    assert "live boot medium (label ATELIER-LIVE)" in usage.reasons


def test_kernel_command_line_names_the_medium() -> None:
    host = _live_boot_host(
        **{
            "/proc/cmdline": "boot=live live-media=/dev/nvme0n1p1 quiet\n",
        }
    )
    usage = usage_of(host, "nvme0n1")
    assert usage.is_boot_medium
    assert usage.reasons == ("live boot medium (kernel command line live-media=/dev/nvme0n1p1)",)
    host = _live_boot_host(**{"/proc/cmdline": "root=LABEL=root ro quiet -- init-arg root=/dev/sda1\n"})
    assert usage_of(host, "nvme0n1").reasons == ("kernel command line root=LABEL=root",)
    assert not usage_of(host, "sda").in_use  # what follows "--" belongs to init


def test_by_id_link_and_partition_resolve_through_the_host() -> None:
    files: dict[str, str | bytes] = {}
    _disk(files, "sda", "8:0", {"sda1": "8:1"})
    _disk(files, "sdb", "8:16", {"sdb1": "8:17"})
    files["/proc/self/mountinfo"] = "27 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n"
    host = ReplayHost.build(
        files=files,
        links={
            "/dev/disk/by-id/ata-ST500DM002_Z3T1ABCD": "../../sda",
            "/dev/disk/by-id/usb-Generic_Flash_Disk_1234-0:0-part1": "../../sdb1",
        },
    )
    root = usage_of(host, "/dev/disk/by-id/ata-ST500DM002_Z3T1ABCD")
    assert root.name == "sda" and root.is_boot_medium
    assert root.reasons == ("mounted at /", "holds the root filesystem")
    assert usage_of(host, "/dev/sda1") == root
    stick = usage_of(host, "/dev/disk/by-id/usb-Generic_Flash_Disk_1234-0:0-part1")
    assert stick.name == "sdb" and not stick.in_use


def _stacked_host(swaps: str, mountinfo: str) -> ReplayHost:
    files: dict[str, str | bytes] = {}
    _disk(files, "sda", "8:0", {"sda1": "8:1", "sda2": "8:2"})
    _disk(files, "sdb", "8:16")
    _disk(files, "sdc", "8:32", {"sdc1": "8:33"})
    _disk(files, "sdd", "8:48", {"sdd1": "8:49"})
    _disk(files, "sde", "8:64")
    _disk(files, "dm-0", "254:0")
    _disk(files, "dm-1", "254:1")
    _disk(files, "dm-2", "254:2")
    _disk(files, "dm-3", "254:3")
    _disk(files, "md127", "9:127")
    files["/sys/block/dm-0/dm/uuid"] = "LVM-abcdefAAAA\n"
    files["/sys/block/dm-0/dm/name"] = "vg0-root\n"
    files["/sys/block/dm-1/dm/uuid"] = "LVM-abcdefBBBB\n"
    files["/sys/block/dm-1/dm/name"] = "vg0-swap\n"
    files["/sys/block/dm-2/dm/uuid"] = "CRYPT-LUKS2-0123456789abcdef-sdb_crypt\n"
    files["/sys/block/dm-2/dm/name"] = "sdb_crypt\n"
    files["/sys/block/dm-3/dm/uuid"] = "LVM-abcdefCCCC\n"
    files["/sys/block/dm-3/dm/name"] = "vg1-data\n"
    files["/sys/block/md127/md/level"] = "raid1\n"
    files["/sys/block/md127/md/array_state"] = "clean\n"
    files["/proc/self/mountinfo"] = mountinfo
    files["/proc/swaps"] = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n" + swaps
    links = {
        # sda2 -> LVM (root + swap); sdb -> LUKS -> LVM data; sdc1 + sdd1 -> md127
        "/sys/block/sda/sda2/holders/dm-0": "../../../../dm-0",
        "/sys/block/sda/sda2/holders/dm-1": "../../../../dm-1",
        "/sys/block/sdb/holders/dm-2": "../../dm-2",
        "/sys/block/dm-2/holders/dm-3": "../../dm-3",
        "/sys/block/sdc/sdc1/holders/md127": "../../../../md127",
        "/sys/block/sdd/sdd1/holders/md127": "../../../../md127",
        "/dev/mapper/vg0-swap": "../dm-1",
    }
    return ReplayHost.build(files=files, links=links)


STACKED_MOUNTS = """\
27 1 254:0 / / rw,relatime - ext4 /dev/mapper/vg0-root rw
28 27 8:1 / /boot/efi rw,relatime - vfat /dev/sda1 rw
29 27 254:3 / /srv/data rw,relatime - xfs /dev/mapper/vg1-data rw
30 27 9:127 / /mnt/raid\\040mirror rw,relatime - ext4 /dev/md127 rw
"""


def test_lvm_crypt_raid_and_swap_are_attributed_to_their_disks() -> None:
    host = _stacked_host("/dev/dm-1                               partition\t999420\t0\t-2\n", STACKED_MOUNTS)
    usages = disk_usages(host)
    sda = usages["sda"]
    assert sda.lvm_member and sda.swap and sda.is_boot_medium
    assert sda.holders == ("dm-0", "dm-1")
    assert sda.mountpoints == ("/", "/boot/efi")
    assert sda.reasons == (
        "LVM physical volume of dm-0 (vg0-root)",
        "LVM physical volume of dm-1 (vg0-swap)",
        "mounted at /",
        "holds the root filesystem",
        "mounted at /boot/efi",
        "holds /boot/efi",
        "active swap",
    )
    sdb = usages["sdb"]
    assert sdb.holders == ("dm-2", "dm-3") and sdb.lvm_member and not sdb.is_boot_medium
    assert sdb.reasons == (
        "encrypted volume dm-2 (sdb_crypt) is open",
        "LVM physical volume of dm-3 (vg1-data)",
        "mounted at /srv/data",
    )
    for member in ("sdc", "sdd"):
        usage = usages[member]
        assert usage.raid_member and usage.holders == ("md127",)
        assert usage.mountpoints == ("/mnt/raid mirror",)  # mountinfo's \040 unescaped
        assert "RAID member of md127 (raid1, clean)" in usage.reasons
    assert not usages["sde"].in_use


def test_swap_named_through_dev_mapper() -> None:
    host = _stacked_host("/dev/mapper/vg0-swap partition 999420 0 -2\n", "")
    sda = usage_of(host, "sda")
    assert sda.swap and "active swap" in sda.reasons
    assert sda.mountpoints == ()


def test_unassembled_holderless_disk_is_free_but_unreadable_mount_table_is_not() -> None:
    files: dict[str, str | bytes] = {}
    _disk(files, "sda", "8:0")
    usage = usage_of(ReplayHost.build(files=files), "/dev/sda")
    # Fail-safe: no mount table → we cannot know → in use, with the reason.
    assert usage.in_use and usage.reasons == ("usage unknown: cannot read /proc/self/mountinfo",)
    files["/proc/mounts"] = "/dev/sda /mnt ext4 rw 0 0\n"
    assert usage_of(ReplayHost.build(files=files), "/dev/sda").mountpoints == ("/mnt",)


def test_unknown_device_is_refused_with_a_reason() -> None:
    usage = usage_of(_live_boot_host(), "/dev/sdz")
    assert usage.in_use
    assert usage.reasons == ("not a disk known to the kernel: /dev/sdz",)


def test_in_use_property() -> None:
    assert not DiskUsage(name="sda").in_use
    assert DiskUsage(name="sda", swap=True).in_use
    assert DiskUsage(name="sda", is_boot_medium=True).in_use


_LINES = st.lists(
    st.one_of(
        st.text(max_size=60),
        st.sampled_from(
            [
                LIVE_MOUNTINFO.splitlines()[4],
                "30 27 9:127 / /mnt/x rw - ext4 /dev/md127 rw",
                "/dev/sda2 partition 999 0 -2",
                "x - y",
                "1 2 3 4",
                "\\\\134\\0",
            ]
        ),
    ),
    max_size=6,
)


@settings(max_examples=60, deadline=None)
@given(mountinfo=_LINES, swaps=_LINES, cmdline=st.text(max_size=80), label=st.text(max_size=12))
def test_usage_never_raises_on_odd_system_files(
    mountinfo: list[str], swaps: list[str], cmdline: str, label: str
) -> None:
    host = _live_boot_host(
        **{
            "/proc/self/mountinfo": "\n".join(mountinfo),
            "/proc/swaps": "\n".join(swaps),
            "/proc/cmdline": cmdline,
        }
    )
    usages = disk_usages(host)
    assert set(usages) == {"sda", "sdb", "loop0", "nvme0n1"}
    assert usages["sdb"].is_boot_medium  # its labels still say so
    usage_of(host, label or "sda")


# --------------------------------------------------------------------------------------------
# The image's command line names its medium by label: live-media=/dev/disk/by-label/ATELIER-LIVE
# (image/lb-config.sh). live-boot may then leave the link as the mount's source.

BY_LABEL = "/dev/disk/by-label/ATELIER-LIVE"
BY_LABEL_CMDLINE = f"BOOT_IMAGE=/live/vmlinuz boot=live live-media={BY_LABEL} noprompt quiet\n"
# `blkid -c /dev/null -o export` on the image's ISO file (this machine, 2026-11-29), as the stick's
# first partition; and an internal disk's NTFS partition.
BLKID_EXPORT = """\
DEVNAME=/dev/sdb1
BLOCK_SIZE=2048
UUID=2026-11-29-17-20-12-00
LABEL=ATELIER-LIVE
TYPE=iso9660
PTUUID=69ab8cae
PTTYPE=dos

DEVNAME=/dev/sda1
LABEL=Windows
UUID=01D9AB
TYPE=ntfs
"""


def _by_label_host(
    mountinfo: str, *, links: dict[str, str] | None = None, udev: bool = True, cmdline: str = BY_LABEL_CMDLINE
) -> ReplayHost:
    base = _live_boot_host(**{"/proc/self/mountinfo": mountinfo, "/proc/cmdline": cmdline})
    files: dict[str, str | bytes] = {}
    _disk(files, "sda", "8:0", {"sda1": "8:1", "sda2": "8:2"})
    _disk(files, "sdb", "8:16", {"sdb1": "8:17", "sdb2": "8:18", "sdb3": "8:19"})
    _disk(files, "loop0", "7:0")
    _disk(files, "nvme0n1", "259:0", {"nvme0n1p1": "259:1"})
    files["/proc/self/mountinfo"] = mountinfo
    files["/proc/swaps"] = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
    files["/proc/cmdline"] = cmdline
    return ReplayHost.build(
        files=files,
        links=links or {},
        udev={"block": base.udev_devices("block")} if udev else {},
        commands={("blkid", "-c", "/dev/null", "-o", "export"): (0, BLKID_EXPORT)},
    )


LABEL_MOUNTINFO = LIVE_MOUNTINFO.replace(" iso9660 /dev/sdb1 ", f" iso9660 {BY_LABEL} ")


def test_by_label_medium_with_udev_is_the_boot_medium() -> None:
    assert f" {BY_LABEL} " in LABEL_MOUNTINFO
    host = _by_label_host(LABEL_MOUNTINFO, links={BY_LABEL: "../../sdb1"})
    usages = disk_usages(host)
    stick = usages["sdb"]
    assert stick.is_boot_medium and stick.mountpoints == ("/run/live/medium",)
    assert f"live boot medium (kernel command line live-media={BY_LABEL})" in stick.reasons
    assert not usages["sda"].in_use and not usages["nvme0n1"].in_use


def test_by_label_medium_without_udev_falls_back_to_the_label() -> None:
    # No udev database and no link in /dev: the label blkid reads names the stick all the same.
    host = _by_label_host(LABEL_MOUNTINFO, udev=False)
    usages = disk_usages(host)
    stick = usages["sdb"]
    assert stick.is_boot_medium
    assert stick.reasons == (
        "mounted at /run/live/medium",
        "live boot medium (mounted at /run/live/medium)",
        "live boot medium (label ATELIER-LIVE)",
        f"live boot medium (kernel command line live-media={BY_LABEL})",
    )
    assert not usages["sda"].in_use and not usages["nvme0n1"].in_use


def test_by_label_medium_after_toram_is_still_named_by_the_command_line() -> None:
    # `toram`: nothing of the stick is mounted any more; the link is gone too (stick pulled out
    # and put back under another name), only the labels and the command line tell.
    mountinfo = "".join(line + "\n" for line in LIVE_MOUNTINFO.splitlines() if "/run/live/medium" not in line)
    usage = usage_of(_by_label_host(mountinfo), "/dev/sdb")
    assert usage.is_boot_medium and usage.mountpoints == ()
    assert f"live boot medium (kernel command line live-media={BY_LABEL})" in usage.reasons


def test_by_label_link_names_are_unescaped_and_unknown_labels_name_no_disk() -> None:
    # udev writes a label's unsafe characters as \xNN in the link's name (a space as \x20); any
    # escaped character decodes the same way — here the "o" of the internal NVMe's label "root".
    cmdline = "boot=live live-media=/dev/disk/by-label/ro\\x6ft quiet\n"
    usage = usage_of(_by_label_host(LIVE_MOUNTINFO, cmdline=cmdline), "nvme0n1")
    assert usage.reasons == ("live boot medium (kernel command line live-media=/dev/disk/by-label/ro\\x6ft)",)
    cmdline = "boot=live live-media=/dev/disk/by-label/NO-SUCH-LABEL quiet\n"
    usages = disk_usages(_by_label_host(LIVE_MOUNTINFO, cmdline=cmdline))
    assert not usages["sda"].in_use and not usages["nvme0n1"].in_use
    assert usages["sdb"].is_boot_medium  # still by its mount and labels
