"""The disk probe replayed on a real recording: the live image booted in QEMU 7.2 (TCG) with an NVMe
disk, two AHCI SATA disks (SSD, 7200 rpm HDD), a virtio-SCSI disk, a USB disk and the USB stick
it booted from. Recorded by `tests/inventory/qemu_disks/record.py` (RecordingHost in the guest):
every sysfs file, udev property, mount table and smartctl / nvme-cli output is the guest's own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.host import ReplayHost
from agent.probes._context import ProbeContext
from agent.probes.disks import probe_disks
from agent.probes.usage import disk_usages, usage_of
from agent.report import Disk

CAPTURE = Path(__file__).resolve().parent / "qemu_disks" / "capture"


@pytest.fixture(scope="module")
def probed() -> tuple[dict[str, Disk], ProbeContext]:
    ctx = ProbeContext(ReplayHost.load(CAPTURE))
    disks = probe_disks(ctx)
    return {d.serial or d.name: d for d in disks}, ctx


def test_every_virtual_disk_is_found_with_its_serial(probed: tuple[dict[str, Disk], ProbeContext]) -> None:
    disks, _ = probed
    assert sorted(disks) == [
        "ATELIER-STICK-1",
        "QHDD-0001",
        "QNVME-0001",
        "QSCSI-0001",
        "QSSD-0001",
        "QUSB-0001",
    ]
    assert all(d.size_bytes for d in disks.values())
    assert disks["QUSB-0001"].size_bytes == 64 * 1024 * 1024


def test_transports_and_media(probed: tuple[dict[str, Disk], ProbeContext]) -> None:
    disks, _ = probed
    seen = {serial: (d.transport, d.media_type) for serial, d in disks.items()}
    assert seen == {
        "QNVME-0001": ("nvme", "nvme"),
        # QEMU's AHCI disks announce no SATA version in IDENTIFY; they are SATA all the same.
        "QSSD-0001": ("sata", "ssd"),  # rotation_rate=1 → smartctl "Solid State Device" (0)
        "QHDD-0001": ("sata", "hdd"),
        "QSCSI-0001": ("scsi", "hdd"),
        "QUSB-0001": ("usb", "flash"),  # no SMART through QEMU's bridge: flash is the cautious guess
        "ATELIER-STICK-1": ("usb", "flash"),
    }
    assert disks["QHDD-0001"].rotation_rate_rpm == 7200
    assert disks["QUSB-0001"].removable is True and disks["QSSD-0001"].removable is False


def test_identity_from_udev_and_smartctl(probed: tuple[dict[str, Disk], ProbeContext]) -> None:
    disks, _ = probed
    ssd = disks["QSSD-0001"]
    assert ssd.model == "Atelier-SATA-SSD" and ssd.firmware == "2.5+" and ssd.vendor is None
    assert ssd.by_id == "/dev/disk/by-id/ata-Atelier-SATA-SSD_QSSD-0001"
    nvme = disks["QNVME-0001"]
    assert nvme.model == "QEMU NVMe Ctrl" and nvme.by_id == "/dev/disk/by-id/nvme-QEMU_NVMe_Ctrl_QNVME-0001"
    assert nvme.wwn is None  # udev's "nvme.1b36-…" is synthesised from serial and model, not a WWN
    assert disks["QSCSI-0001"].by_id == "/dev/disk/by-id/scsi-0QEMU_QEMU_HARDDISK_QSCSI-0001"
    assert disks["QUSB-0001"].by_id == "/dev/disk/by-id/usb-QEMU_QEMU_HARDDISK_QUSB-0001-0:0"


def test_smart_as_qemu_reports_it(probed: tuple[dict[str, Disk], ProbeContext]) -> None:
    disks, ctx = probed
    sata = disks["QSSD-0001"].smart
    # notes/qemu.md: AHCI disks answer smartctl -x with rc 4 and attributes 1,3,4,5,9,12,190
    assert sata is not None and sata.exit_status == 4 and sata.exit_bits == ["smart_command_failed"]
    assert sata.passed is True
    assert [a.id for a in sata.ata_attributes] == [1, 3, 4, 5, 9, 12, 190]
    assert (sata.short_test_minutes, sata.extended_test_minutes) == (2, 54)
    nvme = disks["QNVME-0001"]
    assert nvme.smart is not None and nvme.smart.passed is True and nvme.smart.nvme_health is not None
    assert nvme.smart.nvme_health.critical_warning == 0
    assert nvme.capabilities is not None
    assert nvme.capabilities.nvme_format_supported is True
    assert nvme.capabilities.nvme_sanitize == []  # QEMU 7.2 has no Sanitize (notes/qemu.md)
    scsi = disks["QSCSI-0001"].smart
    assert scsi is not None and scsi.available is False
    usb = disks["QUSB-0001"].smart
    # "Unknown USB bridge" (rc 1), then "-d sat" (rc 2): both answers kept
    assert usb is not None and usb.device_type == "sat" and usb.exit_bits == ["device_open_failed"]
    assert usb.messages[0] == "/dev/sde: Unknown USB bridge [0x46f4:0x0001 (0x000)]"
    retried = [r.argv for r in ctx.log if "-d" in r.argv]
    assert retried == [["smartctl", "--json", "-x", "-d", "sat", "/dev/sde"]]
    assert [(e.probe, e.detail) for e in ctx.errors] == [
        ("smart:/dev/sdc", "SMART is not available on this device"),
        ("smart:/dev/sde", "/dev/sde: Unknown USB bridge [0x46f4:0x0001 (0x000)]"),
    ]


def test_the_boot_stick_is_not_queried(probed: tuple[dict[str, Disk], ProbeContext]) -> None:
    """The stick is the workshop's, not the donated PC's: no smartctl run on it at all."""
    disks, ctx = probed
    stick = disks["ATELIER-STICK-1"]
    assert stick.is_boot_medium and stick.smart is None
    assert not [r.argv for r in ctx.log if r.argv[-1] == stick.path]


def test_nvme_smartctl_gets_an_empty_drive_database(probed: tuple[dict[str, Disk], ProbeContext]) -> None:
    """NVMe never uses smartctl's drive database; reading it is most of smartctl's time. The capture
    predates the option and still replays (same answer)."""
    _, ctx = probed
    nvme_runs = [r.argv for r in ctx.log if r.argv[0] == "smartctl" and r.argv[-1].startswith("/dev/nvme")]
    assert nvme_runs == [["smartctl", "--json", "-x", "-B", "/dev/null", "/dev/nvme0n1"]]


def test_the_stick_is_the_boot_medium_and_nothing_else_is(
    probed: tuple[dict[str, Disk], ProbeContext],
) -> None:
    disks, _ = probed
    stick = disks["ATELIER-STICK-1"]
    assert stick.is_boot_medium and stick.mounted
    assert stick.mountpoints == ["/run/live/medium", "/usr/lib/live/mount/medium", "/run/atelier-data"]
    # The ISO's volume id "ATELIER-LIVE" is stored as "ATELIER_LIVE" (ISO 9660 d-characters).
    assert "live boot medium (label ATELIER_LIVE)" in stick.in_use
    assert "live boot medium (label ATELIER)" in stick.in_use
    for serial, disk in disks.items():
        if serial != "ATELIER-STICK-1":
            assert not disk.in_use and not disk.is_boot_medium, serial


def test_usage_of_by_id_in_the_guest() -> None:
    host = ReplayHost.load(CAPTURE)
    usages = disk_usages(host)
    assert usages["loop0"].mountpoints  # the squashfs of the running system
    assert usage_of(host, "/dev/sdd").is_boot_medium
    assert not usage_of(host, "/dev/sde").in_use


def test_a_usb_bridge_the_drive_database_cannot_know_is_asked_with_sat_straight_away(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """QEMU's USB bridge (vendor 46f4) is in no smartctl drive database: the plain query could only
    answer "Unknown USB bridge", so the probe skips it. The capture predates the rule, so the
    database file and the bridge's idVendor are added to it here."""
    host = ReplayHost.load(CAPTURE)
    recorded = host.read_text

    def read_text(path: str) -> str:
        if path == "/usr/share/smartmontools/drivedb.h":
            return '{ "USB: Seagate; ", "0x0bc2:0x2300", "", "", "-d sat" },\n'
        if path.endswith("/usb2/2-1/idVendor"):
            return "46f4\n"
        return recorded(path)

    monkeypatch.setattr(host, "read_text", read_text)
    ctx = ProbeContext(host)
    usb = next(d for d in probe_disks(ctx) if d.serial == "QUSB-0001")
    assert [r.argv for r in ctx.log if r.argv[-1] == usb.path] == [
        ["smartctl", "--json", "-x", "-d", "sat", usb.path]
    ]
    assert usb.smart is not None and usb.smart.device_type == "sat"
    assert usb.smart.messages[0] == f"{usb.path}: USB bridge not in smartctl's drive database"


def test_bridge_known_or_not() -> None:
    from agent.probes.commands import bridge_surely_unknown, usb_vendor_id

    db = (
        '{ "USB: JMicron", "0x152d:0x0578", "", "", "-d sat" },\n{ "USB: ; Realtek", "0x(0bda|2eb9):0x9211" }'
    )
    assert bridge_surely_unknown("46f4", [db, None])
    assert not bridge_surely_unknown("152d", [db, None])
    assert not bridge_surely_unknown("2eb9", [db, None])
    assert not bridge_surely_unknown("46f4", [db, '{ "USB: local", "0x46f4:0x0001" }'])
    assert not bridge_surely_unknown("46f4", [None, None])  # smartctl's built-in database decides
    assert not bridge_surely_unknown(None, [db, None])
    files = {"/sys/devices/pci0000:00/usb2/2-1/idVendor": "46F4\n"}
    assert usb_vendor_id("/sys/devices/pci0000:00/usb2/2-1/2-1:1.0/host3/block/sdb", files.get) == "46f4"
    assert usb_vendor_id("/sys/devices/pci0000:00/ata1/host0/block/sda", files.get) is None
