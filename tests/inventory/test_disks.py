"""Disk probe: live on loop devices, and on replayed sysfs trees whose smartctl outputs are real fixtures."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.host import CommandResult, LiveHost, ReplayHost, UdevDevice
from agent.probes._context import ProbeContext
from agent.probes.disks import probe_disks

_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(os.environ.get("ATELIER_SHARED", _ROOT.parent / "shared")).resolve() / "fixtures"
SMARTCTL = FIXTURES / "smartctl"
IDCTRL = FIXTURES / "disk-tools" / "nvme-id-ctrl"

# ---------------------------------------------------------------------------------------------
# Live: loop devices only (never this machine's own disks).


def test_loop_device_has_no_smart_and_does_not_crash(loop_device: Callable[..., str]) -> None:
    dev = loop_device(16 * 1024 * 1024)
    ctx = ProbeContext(LiveHost())
    (disk,) = probe_disks(ctx, only=[dev])
    assert disk.name == os.path.basename(dev) and disk.path == dev
    assert disk.size_bytes == 16 * 1024 * 1024
    assert disk.logical_sector_size == 512
    assert disk.media_type == "unknown" and disk.transport == "unknown"
    assert disk.in_use == [] and not disk.mounted and not disk.is_boot_medium
    assert disk.smart is None or disk.smart.passed is None
    assert [e.probe for e in ctx.errors] == [f"smart:{dev}"]
    # every command is in the log, none touched another disk
    assert all(r.argv[-1] == dev for r in ctx.log)


def test_mounted_loop_device_is_reported_in_use(loop_device: Callable[..., str], tmp_path: Path) -> None:
    dev = loop_device(32 * 1024 * 1024)
    subprocess.run(["mkfs.ext4", "-q", "-F", dev], check=True, capture_output=True)
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    subprocess.run(["mount", dev, str(mnt)], check=True, capture_output=True)
    try:
        (disk,) = probe_disks(ProbeContext(LiveHost()), only=[dev], smart=False)
    finally:
        subprocess.run(["umount", str(mnt)], check=False, capture_output=True)
    assert disk.mounted and disk.mountpoints == [str(mnt)]
    assert disk.in_use == [f"mounted at {mnt}"]


def test_only_accepts_links_and_reports_unknown_devices(
    loop_device: Callable[..., str], tmp_path: Path
) -> None:
    dev = loop_device(16 * 1024 * 1024)
    link = tmp_path / "usb-Some_Stick_0001-0:0"
    link.symlink_to(dev)
    ctx = ProbeContext(LiveHost())
    disks = probe_disks(ctx, only=[str(link), dev, "/dev/does-not-exist"], smart=False)
    assert [d.path for d in disks] == [dev]
    assert [(e.probe, e.message) for e in ctx.errors] == [("disks", "/dev/does-not-exist: no such disk")]


def test_whole_machine_without_smart_lists_real_disks_only() -> None:
    # Read-only: sysfs and the mount table. Loop, zram… are not disks a technician inventories.
    disks = probe_disks(ProbeContext(LiveHost()), smart=False)
    assert not any(d.name.startswith(("loop", "zram", "ram", "dm-")) for d in disks)
    for disk in disks:
        if "/" in disk.mountpoints:  # (in a container / is an overlay and no disk holds it)
            assert disk.is_boot_medium and "holds the root filesystem" in disk.in_use


# ---------------------------------------------------------------------------------------------
# Replay: fake sysfs trees for a SATA SSD, an NVMe SSD and two USB devices; smartctl = fixtures.

SATA_PATH = "../devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda"
NVME_PATH = "../devices/pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0/nvme0n1"
USB_HDD_PATH = "../devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0/block/sdb"
USB_STICK_PATH = "../devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/host7/target7:0:0/7:0:0:0/block/sdc"


def _fixture(path: Path) -> str:
    return path.read_text()


def _unknown_bridge(dev: str) -> str:
    """What smartctl 7.3 prints for a USB bridge it has no entry for (shape of its JSON output)."""
    return json.dumps(
        {
            "json_format_version": [1, 0],
            "smartctl": {
                "version": [7, 3],
                "argv": ["smartctl", "--json", "-x", dev],
                "messages": [
                    {"string": f"{dev}: Unknown USB bridge [0x090c:0x1000 (0x1100)]", "severity": "error"}
                ],
                "exit_status": 1,
            },
        }
    )


def _sat_failed(dev: str) -> str:
    return json.dumps(
        {
            "json_format_version": [1, 0],
            "smartctl": {
                "version": [7, 3],
                "argv": ["smartctl", "--json", "-x", "-d", "sat", dev],
                "messages": [
                    {
                        "string": "Read Device Identity failed: scsi error unsupported field in scsi command",
                        "severity": "error",
                    }
                ],
                "exit_status": 2,
            },
            "device": {"name": dev, "info_name": dev, "type": "sat", "protocol": "ATA"},
        }
    )


def _block(files: dict[str, str | bytes], name: str, devnum: str, sectors: int, **attrs: str | bytes) -> None:
    base = f"/sys/block/{name}"
    files[f"{base}/dev"] = devnum + "\n"
    files[f"{base}/size"] = f"{sectors}\n"
    files[f"{base}/removable"] = "0\n"
    files[f"{base}/ro"] = "0\n"
    files[f"{base}/queue/logical_block_size"] = "512\n"
    files[f"{base}/queue/physical_block_size"] = "512\n"
    files[f"{base}/queue/rotational"] = "1\n"
    for key, value in attrs.items():
        files[f"{base}/{key.replace('__', '/')}"] = value


def _machine(
    *,
    smartctl: dict[str, tuple[int, str]] | None = None,
    udev: dict[str, list[UdevDevice]] | None = None,
    mountinfo: str = "27 1 0:27 / / rw - overlay overlay rw\n",
) -> ReplayHost:
    files: dict[str, str | bytes] = {}
    serial = b"     S3YZNB0KB00864E"
    _block(
        files,
        "sda",
        "8:0",
        976773168,
        device__model="Samsung SSD 860 \n",  # SCSI INQUIRY keeps 16 characters of the ATA model
        device__vendor="ATA     \n",
        device__rev="RVT0\n",
        device__wwid="naa.5002538e40a22954\n",
        device__vpd_pg80=b"\x00\x80\x00" + bytes([len(serial)]) + serial,
        queue__rotational="0\n",
    )
    _block(
        files,
        "nvme0n1",
        "259:0",
        976773168,
        device__model="Samsung SSD 970 EVO 500GB               \n",
        device__serial="S466NX0M776250H     \n",
        device__firmware_rev="2B2QEXE7\n",
        wwid="eui.0025385781b01234\n",
        queue__rotational="0\n",
    )
    _block(files, "sdb", "8:16", 976773168, device__model="External USB 3.0\n", device__vendor="TOSHIBA \n")
    _block(
        files,
        "sdc",
        "8:32",
        30031872,
        device__model="Flash Disk      \n",
        device__vendor="Generic \n",
        removable="1\n",
    )
    files["/sys/block/sdc/sdc1/dev"] = "8:33\n"
    _block(files, "loop0", "7:0", 0)
    _block(files, "sr0", "11:0", 2097151)
    files["/proc/self/mountinfo"] = mountinfo
    files["/proc/swaps"] = "Filename\tType\tSize\tUsed\tPriority\n"
    files["/proc/cmdline"] = "BOOT_IMAGE=/live/vmlinuz boot=live\n"
    links = {
        "/sys/block/sda": SATA_PATH,
        "/sys/block/nvme0n1": NVME_PATH,
        "/sys/block/sdb": USB_HDD_PATH,
        "/sys/block/sdc": USB_STICK_PATH,
        "/sys/block/loop0": "../devices/virtual/block/loop0",
        "/sys/block/sr0": "../devices/pci0000:00/0000:00:1f.2/ata2/host1/target1:0:0/1:0:0:0/block/sr0",
        "/dev/disk/by-id/ata-Samsung_SSD_860_EVO_500GB_S3YZNB0KB00864E": "../../sda",
        "/dev/disk/by-id/wwn-0x5002538e40a22954": "../../sda",
        "/dev/disk/by-id/nvme-eui.0025385781b01234": "../../nvme0n1",
        "/dev/disk/by-id/nvme-Samsung_SSD_970_EVO_500GB_S466NX0M776250H": "../../nvme0n1",
    }
    commands: dict[tuple[str, ...], tuple[int, str] | tuple[int, str, str]] = {
        ("smartctl", "--json", "-x", "/dev/sda"): (0, _fixture(SMARTCTL / "scrutiny/smart-ata-full.json")),
        ("smartctl", "--json", "-x", "/dev/nvme0n1"): (
            0,
            _fixture(SMARTCTL / "scrutiny/smart-nvme-failed.json"),
        ),
        # nvme-cli's JSON from a WD SN730 (the only real id-ctrl JSON in the corpus): capabilities only
        ("nvme", "id-ctrl", "-o", "json", "/dev/nvme0n1"): (
            0,
            _fixture(IDCTRL / "wdc-pc-sn730-256g-idctrl-json-fna4.json"),
        ),
        ("smartctl", "--json", "-x", "/dev/sdb"): (1, _unknown_bridge("/dev/sdb")),
        ("smartctl", "--json", "-x", "-d", "sat", "/dev/sdb"): (
            216,
            _fixture(SMARTCTL / "peracotta/test0.txt"),
        ),
        ("smartctl", "--json", "-x", "/dev/sdc"): (1, _unknown_bridge("/dev/sdc")),
        ("smartctl", "--json", "-x", "-d", "sat", "/dev/sdc"): (2, _sat_failed("/dev/sdc")),
    }
    for key, value in (smartctl or {}).items():
        commands[("smartctl", "--json", "-x", key)] = value
    return ReplayHost.build(files=files, links=links, commands=commands, udev=udev)


def _by_name(disks: Sequence[Any]) -> dict[str, Any]:
    return {d.name: d for d in disks}


def test_replayed_machine_sata_nvme_usb() -> None:
    ctx = ProbeContext(_machine())
    disks = _by_name(probe_disks(ctx))
    assert list(disks) == ["nvme0n1", "sda", "sdb", "sdc"]  # loop0 (empty) and sr0 skipped

    sda = disks["sda"]
    assert sda.model == "Samsung SSD 860 EVO 500GB"  # smartctl's full ATA model, not sysfs' 16 chars
    assert sda.serial == "S3YZNB0KB00864E"
    assert sda.firmware == "RVT02B6Q"
    assert sda.wwn == "0x5002538e40a22954"
    assert sda.vendor is None  # sysfs "ATA" is the bus, not the maker
    assert sda.size_bytes == 976773168 * 512
    assert (sda.transport, sda.media_type, sda.rotational, sda.rotation_rate_rpm) == ("sata", "ssd", False, 0)
    assert sda.form_factor == "2.5 inches"
    assert sda.by_id == "/dev/disk/by-id/ata-Samsung_SSD_860_EVO_500GB_S3YZNB0KB00864E"
    assert sda.smart is not None and sda.smart.power_on_hours == 14551 and sda.smart.passed is True
    assert sda.capabilities is None and sda.in_use == []

    nvme = disks["nvme0n1"]
    assert (nvme.model, nvme.serial, nvme.firmware) == (
        "Samsung SSD 970 EVO 500GB",
        "S466NX0M776250H",
        "2B2QEXE7",
    )
    assert nvme.wwn == "eui.0025385781b01234"
    assert (nvme.transport, nvme.media_type) == ("nvme", "nvme")
    assert nvme.by_id == "/dev/disk/by-id/nvme-Samsung_SSD_970_EVO_500GB_S466NX0M776250H"
    assert nvme.smart is not None and nvme.smart.nvme_health is not None
    assert nvme.smart.nvme_health.media_errors == 7
    assert nvme.capabilities is not None
    assert nvme.capabilities.nvme_sanitize == ["crypto", "block"]
    assert nvme.capabilities.nvme_format_crypto is True and nvme.capabilities.nvme_format_supported is True
    assert nvme.smart.extended_test_minutes == 26  # EDSTT from id-ctrl: smartctl does not print it

    hdd = disks["sdb"]  # a failing laptop disk in a USB enclosure: smartctl needed "-d sat"
    assert hdd.model == "Hitachi HTS545050B9A300" and hdd.serial == "12345AEIOU123LOL456"
    assert hdd.vendor == "TOSHIBA"  # the enclosure's INQUIRY vendor is all sysfs knows
    assert (hdd.transport, hdd.media_type, hdd.rotation_rate_rpm) == ("usb", "hdd", 5400)
    assert hdd.smart is not None and hdd.smart.passed is False and hdd.smart.device_type == "usbjmicron"
    assert "disk_failing" in hdd.smart.exit_bits

    stick = disks["sdc"]  # a USB stick: no SMART at all
    assert (stick.transport, stick.media_type, stick.removable) == ("usb", "flash", True)
    assert stick.model == "Flash Disk" and stick.vendor == "Generic"
    assert stick.smart is not None and stick.smart.exit_bits == ["device_open_failed"]
    assert stick.smart.device_type == "sat"
    assert stick.smart.messages == [
        "/dev/sdc: Unknown USB bridge [0x090c:0x1000 (0x1100)]",
        "Read Device Identity failed: scsi error unsupported field in scsi command",
    ]

    assert [(e.probe, e.message) for e in ctx.errors] == [("smart:/dev/sdc", "no SMART data")]
    ran = {tuple(r.argv) for r in ctx.log}
    assert ("smartctl", "--json", "-x", "-d", "sat", "/dev/sdb") in ran
    assert not any("/dev/sda" in argv and "-d" in argv for argv in ran)  # no retry without a reason


def test_live_stick_is_the_boot_medium_in_the_inventory() -> None:
    mountinfo = (
        "27 26 8:33 / /run/live/medium ro - vfat /dev/sdc1 ro\n28 1 0:27 / / rw - overlay overlay rw\n"
    )
    disks = _by_name(probe_disks(ProbeContext(_machine(mountinfo=mountinfo)), smart=False))
    stick = disks["sdc"]
    assert stick.is_boot_medium and stick.mounted and stick.mountpoints == ["/run/live/medium"]
    assert "live boot medium (mounted at /run/live/medium)" in stick.in_use
    assert not any(d.in_use for name, d in disks.items() if name != "sdc")


def test_udev_properties_are_used_when_present() -> None:
    udev = {
        "block": [
            UdevDevice(
                "sdb",
                "/sys" + USB_HDD_PATH[2:],
                {
                    "ID_BUS": "usb",
                    "ID_MODEL": "External_USB_3.0",
                    "ID_MODEL_ENC": "External\\x20USB\\x203.0",
                    "ID_VENDOR_ENC": "TOSHIBA\\x20",
                    "ID_SERIAL_SHORT": "20130214005094F",
                    "DEVLINKS": "/dev/disk/by-path/pci-0000:00:14.0-usb-0:1:1.0-scsi-0:0:0:0 "
                    "/dev/disk/by-id/usb-TOSHIBA_External_USB_3.0_20130214005094F-0:0",
                },
            )
        ]
    }
    ctx = ProbeContext(_machine(udev=udev))
    (hdd,) = probe_disks(ctx, only=["/dev/sdb"], smart=False)
    assert hdd.by_id == "/dev/disk/by-id/usb-TOSHIBA_External_USB_3.0_20130214005094F-0:0"
    assert hdd.model == "External USB 3.0" and hdd.serial == "20130214005094F" and hdd.vendor == "TOSHIBA"
    assert hdd.media_type == "flash"  # no SMART asked: a USB device is assumed flash


def test_only_named_devices_are_probed() -> None:
    ctx = ProbeContext(_machine())
    disks = probe_disks(ctx, only=["/dev/disk/by-id/wwn-0x5002538e40a22954"])
    assert [d.name for d in disks] == ["sda"]
    assert {r.argv[-1] for r in ctx.log} == {"/dev/sda"}


def test_placeholder_serial_is_dropped_and_kept_raw() -> None:
    doc = json.loads(_fixture(SMARTCTL / "scrutiny/smart-ata-full.json"))
    doc["serial_number"] = "0000000000"
    host = _machine(smartctl={"/dev/sda": (0, json.dumps(doc))})
    files_host = host  # sysfs VPD serial exists: check that a placeholder in sysfs is handled too
    (sda,) = probe_disks(ProbeContext(files_host), only=["/dev/sda"])
    assert sda.serial == "S3YZNB0KB00864E"  # sysfs still knows the real one
    (nvme,) = probe_disks(ProbeContext(_nvme_with_serial("To Be Filled By O.E.M.")), only=["/dev/nvme0n1"])
    assert nvme.serial is None and nvme.placeholders == {"serial": "To Be Filled By O.E.M."}


def _nvme_with_serial(serial: str) -> ReplayHost:
    files: dict[str, str | bytes] = {}
    _block(files, "nvme0n1", "259:0", 1000, device__model="Some NVMe\n", device__serial=f"{serial}\n")
    files["/proc/self/mountinfo"] = ""
    return ReplayHost.build(files=files, links={"/sys/block/nvme0n1": NVME_PATH})


def test_missing_tools_and_timeouts_are_probe_errors() -> None:
    # smartctl and nvme absent from this "capture": not installed → errors, disks still listed
    files: dict[str, str | bytes] = {}
    _block(files, "nvme0n1", "259:0", 1000, device__model="Some NVMe\n")
    _block(files, "sda", "8:0", 1000, device__model="Disk\n")
    files["/proc/self/mountinfo"] = ""
    host = ReplayHost.build(files=files, links={"/sys/block/nvme0n1": NVME_PATH, "/sys/block/sda": SATA_PATH})
    ctx = ProbeContext(host)
    disks = probe_disks(ctx)
    assert [d.name for d in disks] == ["nvme0n1", "sda"]
    assert all(d.smart is None for d in disks)
    assert sorted(e.probe for e in ctx.errors) == [
        "nvme:/dev/nvme0n1",
        "smart:/dev/nvme0n1",
        "smart:/dev/sda",
    ]

    class SlowHost(ReplayHost):
        def run(self, argv: Sequence[str], *, timeout: float = 30.0) -> CommandResult:
            return CommandResult(tuple(argv), -1, "", "", duration_s=timeout, timed_out=True)

    slow = SlowHost(host._m, host._blobs)
    ctx = ProbeContext(slow)
    assert [d.name for d in probe_disks(ctx, only=["/dev/sda"])] == ["sda"]
    assert [e.message for e in ctx.errors] == ["smartctl timed out after 60 s"]


def test_per_disk_commands_run_concurrently() -> None:
    base = _machine()

    class Delayed(ReplayHost):
        active = 0
        peak = 0
        lock = threading.Lock()

        def run(self, argv: Sequence[str], *, timeout: float = 30.0) -> CommandResult:
            with Delayed.lock:
                Delayed.active += 1
                Delayed.peak = max(Delayed.peak, Delayed.active)
            time.sleep(0.3)
            with Delayed.lock:
                Delayed.active -= 1
            return super().run(argv, timeout=timeout)

    host = Delayed(base._m, base._blobs)
    start = time.monotonic()
    disks = probe_disks(ProbeContext(host))
    elapsed = time.monotonic() - start
    assert len(disks) == 4
    # 7 commands of 0.3 s: in a row ≥ 2.1 s; the slowest chain (USB: two smartctl) is 0.6 s.
    assert Delayed.peak >= 4
    assert elapsed < 1.8, elapsed


# ---------------------------------------------------------------------------------------------
# Property-based: whatever smartctl prints, the probe never raises and the disk stays listed.

_SATA_DOC = json.loads(_fixture(SMARTCTL / "scrutiny/smart-ata-full.json"))
_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=5,
)


def _paths(node: Any, out: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            out.append((node, key))
            _paths(value, out)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out.append((node, index))
            _paths(value, out)
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), rc=st.integers(min_value=-1, max_value=255))
def test_probe_survives_mutated_smartctl_output(data: st.DataObject, rc: int) -> None:
    doc = copy.deepcopy(_SATA_DOC)
    for _ in range(data.draw(st.integers(min_value=1, max_value=10))):
        paths = _paths(doc, [])
        container, key = paths[data.draw(st.integers(min_value=0, max_value=len(paths) - 1))]
        if isinstance(container, dict) and data.draw(st.booleans()):
            del container[key]
        else:
            container[key] = data.draw(_JSON_VALUES)
    text = json.dumps(doc)
    if data.draw(st.booleans()):
        text = text[: data.draw(st.integers(min_value=0, max_value=len(text)))]
    ctx = ProbeContext(_machine(smartctl={"/dev/sda": (rc, text)}))
    (sda,) = probe_disks(ctx, only=["/dev/sda"])
    assert sda.name == "sda" and sda.size_bytes == 976773168 * 512
    type(sda).model_validate(sda.model_dump())  # still a valid report entry


def test_hidden_multipath_nodes_are_skipped() -> None:
    files: dict[str, str | bytes] = {}
    _block(files, "nvme0n1", "259:0", 1000)
    _block(files, "nvme0c0n1", "259:1", 1000, hidden="1\n")
    files["/proc/self/mountinfo"] = ""
    disks = probe_disks(ProbeContext(ReplayHost.build(files=files)), smart=False)
    assert [d.name for d in disks] == ["nvme0n1"]


_SYSFS_VALUES = st.one_of(
    st.text(max_size=12), st.sampled_from(["", "0", "1", "-1", "abc", "99999999999999999999"])
)


@settings(max_examples=40, deadline=None)
@given(values=st.lists(_SYSFS_VALUES, min_size=8, max_size=8), vpd=st.binary(max_size=40))
def test_probe_survives_odd_sysfs_values(values: list[str], vpd: bytes) -> None:
    files: dict[str, str | bytes] = {}
    keys = [
        "size",
        "removable",
        "ro",
        "queue/rotational",
        "queue/logical_block_size",
        "device/model",
        "device/vendor",
        "device/wwid",
    ]
    for key, value in zip(keys, values, strict=True):
        files[f"/sys/block/sda/{key}"] = value
    files["/sys/block/sda/device/vpd_pg80"] = vpd
    files["/proc/self/mountinfo"] = values[0]
    files["/proc/swaps"] = values[1]
    ctx = ProbeContext(ReplayHost.build(files=files, links={"/sys/block/sda": SATA_PATH}))
    disks = probe_disks(ctx, only=["/dev/sda"], smart=False)
    assert [d.name for d in disks] == ["sda"]


def test_emmc_hardware_partitions_are_not_disks() -> None:
    files: dict[str, str | bytes] = {}
    mmc = "../devices/platform/80860F14:00/mmc_host/mmc0/mmc0:0001/block/mmcblk0"
    _block(files, "mmcblk0", "179:0", 61071360, device__name="DF4032\n", device__serial="0x8c5a2f31\n")
    _block(files, "mmcblk0boot0", "179:8", 8192, ro="1\n")
    _block(files, "mmcblk0boot1", "179:16", 8192, ro="1\n")
    files["/proc/self/mountinfo"] = ""
    host = ReplayHost.build(files=files, links={"/sys/block/mmcblk0": mmc})
    (disk,) = probe_disks(ProbeContext(host), smart=False)
    assert (disk.name, disk.transport, disk.media_type) == ("mmcblk0", "mmc", "flash")
    assert disk.model == "DF4032" and disk.serial == "0x8c5a2f31"


def test_capture_replays_to_the_same_disks(tmp_path: Path) -> None:
    from agent.host import RecordingHost

    recording = RecordingHost(_machine())
    first_ctx = ProbeContext(recording)
    first = probe_disks(first_ctx)
    recording.save(tmp_path / "capture")
    replay_ctx = ProbeContext(ReplayHost.load(tmp_path / "capture"))
    again = probe_disks(replay_ctx)
    assert [d.model_dump() for d in again] == [d.model_dump() for d in first]
    assert replay_ctx.errors == first_ctx.errors
    assert [r.argv for r in replay_ctx.log] == [r.argv for r in first_ctx.log]
