"""Disks: enumerate /sys/block, identify each disk (udev, sysfs, smartctl), read SMART, say if in use.

Sources, best first for each field:
- identity: smartctl (it asks the drive itself, also behind USB bridges — where udev and sysfs
  only see the bridge — and ATA models are not cut to the 16 characters of SCSI INQUIRY that
  /sys/block/sdX/device/model shows), then udev properties, then sysfs;
- size and sector sizes: sysfs (what the kernel will read and write), then smartctl;
- in use / boot medium: `agent.probes.usage`.

Per-disk commands (smartctl, nvme id-ctrl) run concurrently, each with a timeout: under QEMU TCG
three smartctl calls in a row take ~0.8 s, and a dying drive may take its time to answer.
A failure on one disk is a probe error ("smart:/dev/sda"); the disk is still listed.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping, Sequence
from functools import partial

from agent._record import Record, field
from agent._typing import TYPE_CHECKING
from agent.host import CommandResult, HostFileError
from agent.parsers._text import clean, clean_keep, to_int
from agent.probes._context import ProbeContext
from agent.probes.commands import (
    DRIVEDB_PATHS,
    LOCAL_DRIVEDB,
    NVME_TIMEOUT,
    SMARTCTL_TIMEOUT,
    bridge_surely_unknown,
    is_candidate_disk,
    nvme_idctrl_argv,
    smartctl_argv,
    usb_vendor_id,
)
from agent.report import Disk, EraseCapabilities, Smart
from agent.report.disk import MediaType, Transport

if TYPE_CHECKING:
    from agent.parsers.smartctl import SmartctlDrive

#: smartctl's message for a USB-SATA bridge it does not know; `-d sat` usually works then.
_UNKNOWN_BRIDGE = "unknown usb bridge"
#: Sysfs "vendor" values that name a bus or a PCI id, not a maker.
_NOT_VENDORS = {"ata", "nvme", "usb", "scsi"}
_BY_ID_PREFERENCE = ("ata-", "nvme-", "usb-", "scsi-", "mmc-", "virtio-", "wwn-", "")


class _Found(Record):
    """What sysfs and udev say about one disk, before smartctl."""

    name: str
    sysdir: str
    devpath: str
    udev: Mapping[str, str] = field(default_factory=dict)


def _read(ctx: ProbeContext, path: str) -> str | None:
    return ctx.read_value("disks", path, optional=True)


def _read_int(ctx: ProbeContext, path: str) -> int | None:
    value = to_int(_read(ctx, path))
    return value if value is not None and value >= 0 else None


def _resolve_name(ctx: ProbeContext, device: str, known: set[str]) -> str | None:
    """'/dev/sda', 'sda', a /dev/disk/by-id link or a partition → kernel name of the whole disk."""
    path = device if device.startswith("/") else f"/dev/{device}"
    name = posixpath.basename(path)
    for _ in range(8):
        if name in known:
            return name
        try:
            target = ctx.host.readlink(path)
        except (HostFileError, OSError, ValueError):
            break
        path = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
        name = posixpath.basename(path)
    if name in known:
        return name
    # A partition: /sys/class/block/sda1 → …/block/sda/sda1.
    try:
        target = ctx.host.readlink(f"/sys/class/block/{name}")
    except (HostFileError, OSError, ValueError):
        return None
    parts = target.rstrip("/").split("/")
    return parts[-2] if len(parts) >= 2 and parts[-2] in known else None


def _enumerate(ctx: ProbeContext, only: Sequence[str] | None) -> list[str]:
    names = ctx.list_dir("disks", "/sys/block", optional=False)
    if only is None:
        selected = []
        for name in names:
            if is_candidate_disk(
                name, _read_int(ctx, f"/sys/block/{name}/size"), _read(ctx, f"/sys/block/{name}/hidden")
            ):
                selected.append(name)
        return selected
    known = set(names)
    chosen: list[str] = []
    for device in only:
        resolved = _resolve_name(ctx, device, known)
        if resolved is None:
            ctx.error("disks", f"{device}: no such disk", "not listed in /sys/block")
        elif resolved not in chosen:
            chosen.append(resolved)
    return chosen


def _udev_block(ctx: ProbeContext) -> dict[str, Mapping[str, str]]:
    try:
        devices = ctx.host.udev_devices("block")
    except Exception as err:  # a broken libudev must not stop the inventory; sysfs still answers
        ctx.error("disks", "cannot list udev block devices", repr(err))
        return {}
    return {d.sys_name: d.properties for d in devices if any(k.startswith("ID_") for k in d.properties)}


def _udev_text(props: Mapping[str, str], key: str) -> str | None:
    """udev's *_ENC values keep spaces as \\x20; the plain ones replace them with '_'."""
    encoded = props.get(f"{key}_ENC")
    if encoded:
        decoded = re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), encoded)
        return clean(decoded)
    value = props.get(key)
    return clean(value.replace("_", " ")) if value else None


def _transport(name: str, devpath: str, udev: Mapping[str, str]) -> Transport:
    path = devpath.lower()
    if "/usb" in path:
        return "usb"
    if name.startswith("nvme") or "/nvme" in path:
        return "nvme"
    if name.startswith("mmcblk") or "/mmc_host/" in path or "/mmc" in path:
        return "mmc"
    if name.startswith("vd"):
        return "virtio"
    if "/ata" in path:
        return "sata"
    if "/end_device-" in path or "/sas_" in path or "/port-" in path:
        return "sas"
    if "/target" in path:
        return "scsi"
    bus = udev.get("ID_BUS", "").lower()
    mapped: dict[str, Transport] = {"ata": "sata", "usb": "usb", "nvme": "nvme", "scsi": "scsi", "mmc": "mmc"}
    return mapped.get(bus, "unknown")


def _wwn_from_wwid(wwid: str | None) -> str | None:
    """A world-wide name from sysfs wwid / udev ID_WWN: NAA ("naa.", "0x") or EUI-64 ("eui.")."""
    if not wwid:
        return None
    text = wwid.strip().lower()
    if text.startswith("naa."):
        return "0x" + text[4:]
    if text.startswith("eui."):
        return text
    if text.startswith("0x"):
        return text
    # "t10.ATA  …" and NVMe's synthesised "nvme.1b36-<serial hex>-<model hex>-<nsid>" (a drive
    # with neither EUI-64 nor NGUID, e.g. QEMU's) are vendor/model/serial strings, not WWNs.
    return None


def _vpd_serial(ctx: ProbeContext, sysdir: str) -> str | None:
    """SCSI VPD page 0x80 (unit serial number): 4-byte header, then ASCII."""
    try:
        data = ctx.host.read_bytes(f"{sysdir}/device/vpd_pg80", limit=512)
    except (HostFileError, OSError, ValueError):
        return None
    if len(data) < 5 or data[1] != 0x80:
        return None
    length = int.from_bytes(data[2:4], "big")
    return data[4 : 4 + length].decode("ascii", errors="replace").strip("\x00 ") or None


def _by_id(ctx: ProbeContext, name: str, udev: Mapping[str, str]) -> str | None:
    links = [link for link in udev.get("DEVLINKS", "").split() if link.startswith("/dev/disk/by-id/")]
    if not links:
        for entry in ctx.list_dir("disks", "/dev/disk/by-id"):
            try:
                target = ctx.host.readlink(f"/dev/disk/by-id/{entry}")
            except (HostFileError, OSError, ValueError):
                continue
            if posixpath.basename(target) == name:
                links.append(f"/dev/disk/by-id/{entry}")
    if not links:
        return None

    def rank(link: str) -> tuple[int, str]:
        base = posixpath.basename(link)
        # nvme-eui.* / nvme-nvme.* are ids of the namespace, less readable than nvme-MODEL_SERIAL.
        weak = base.startswith(("nvme-eui.", "nvme-nvme."))
        for index, prefix in enumerate(_BY_ID_PREFERENCE):
            if base.startswith(prefix):
                return (index + (10 if weak else 0), base)
        return (len(_BY_ID_PREFERENCE), base)

    return sorted(links, key=rank)[0]


def _base_disk(ctx: ProbeContext, found: _Found) -> Disk:
    name, sysdir, udev = found.name, found.sysdir, found.udev
    dev = f"{sysdir}/device"
    placeholders: dict[str, str] = {}

    sectors = _read_int(ctx, f"{sysdir}/size")
    logical = _read_int(ctx, f"{sysdir}/queue/logical_block_size")
    physical = _read_int(ctx, f"{sysdir}/queue/physical_block_size")
    rotational = _read(ctx, f"{sysdir}/queue/rotational")
    removable = _read(ctx, f"{sysdir}/removable")
    read_only = _read(ctx, f"{sysdir}/ro")

    model = _udev_text(udev, "ID_MODEL") or clean_keep(
        _read(ctx, f"{dev}/model") or _read(ctx, f"{dev}/name"), "model", placeholders
    )
    vendor_raw = _udev_text(udev, "ID_VENDOR") or _read(ctx, f"{dev}/vendor")
    vendor = clean(vendor_raw)
    if vendor and (vendor.lower() in _NOT_VENDORS or vendor.lower().startswith("0x")):
        vendor = None
    serial_raw = (
        udev.get("ID_SERIAL_SHORT")
        or _read(ctx, f"{dev}/serial")
        or _read(ctx, f"{sysdir}/serial")
        or _vpd_serial(ctx, sysdir)
    )
    serial = clean_keep(serial_raw, "serial", placeholders)
    firmware = clean(
        udev.get("ID_REVISION")
        or _read(ctx, f"{dev}/firmware_rev")
        or _read(ctx, f"{dev}/rev")
        or _read(ctx, f"{dev}/fwrev")
    )
    wwn = _wwn_from_wwid(udev.get("ID_WWN_WITH_EXTENSION") or udev.get("ID_WWN")) or _wwn_from_wwid(
        _read(ctx, f"{dev}/wwid") or _read(ctx, f"{sysdir}/wwid")
    )
    transport = _transport(name, found.devpath, udev)
    return Disk(
        name=name,
        path=f"/dev/{name}",
        by_id=_by_id(ctx, name, udev),
        model=model,
        vendor=vendor,
        serial=serial,
        wwn=wwn.lower() if wwn and wwn.lower().startswith("0x") else wwn,
        firmware=firmware,
        size_bytes=sectors * 512 if sectors is not None else None,
        logical_sector_size=logical or None,
        physical_sector_size=physical or None,
        rotational=None if rotational not in ("0", "1") else rotational == "1",
        transport=transport,
        removable=None if removable not in ("0", "1") else removable == "1",
        read_only=None if read_only not in ("0", "1") else read_only == "1",
        placeholders=placeholders,
    )


def _media_type(disk: Disk, rpm: int | None) -> MediaType:
    if disk.name.startswith(("loop", "ram", "zram")):
        return "unknown"  # a file or memory, whatever "rotational" says
    if disk.transport == "nvme":
        return "nvme"
    if disk.transport == "mmc":
        return "flash"
    if rpm is not None:
        return "ssd" if rpm == 0 else "hdd"
    if disk.transport == "usb":
        # USB sticks commonly claim rotational=1; without SMART through the bridge we cannot
        # tell a stick from a disk in an enclosure, and flash is the cautious answer for erasure.
        return "flash"
    if disk.rotational is not None:
        return "hdd" if disk.rotational else "ssd"
    return "unknown"


# ---------------------------------------------------------------------------------------------
# Per-disk commands


class _SmartOutcome(Record):
    smart: Smart | None = None
    model: str | None = None
    serial: str | None = None
    firmware: str | None = None
    wwn: str | None = None
    vendor: str | None = None
    capacity: int | None = None
    logical: int | None = None
    physical: int | None = None
    rpm: int | None = None
    form_factor: str | None = None
    placeholders: dict[str, str] = field(default_factory=dict)


def _first_message(result: CommandResult, smart: Smart | None) -> str:
    if smart is not None and smart.messages:
        return smart.messages[0]
    if smart is not None and smart.available is False:
        return "SMART is not available on this device"
    for text in (result.stderr, result.stdout):
        for line in text.splitlines():
            if line.strip() and not line.lstrip().startswith(("{", "[")):
                return line.strip()[:200]
    bits = ", ".join(smart.exit_bits) if smart is not None and smart.exit_bits else ""
    return f"exit status {result.returncode}" + (f" ({bits})" if bits else "")


def _has_data(smart: Smart) -> bool:
    return (
        smart.passed is not None
        or bool(smart.ata_attributes)
        or smart.nvme_health is not None
        or smart.scsi_health is not None
        or smart.power_on_hours is not None
    )


def _run_smartctl(ctx: ProbeContext, disk: Disk) -> _SmartOutcome:
    from agent.parsers.smartctl import SmartctlParseError, parse_smartctl_json

    probe = f"smart:{disk.path}"

    def attempt(extra: Sequence[str]) -> tuple[CommandResult, SmartctlDrive | None]:
        result = ctx.run(probe, smartctl_argv(disk.path, extra), timeout=SMARTCTL_TIMEOUT)
        if result.missing or result.timed_out:
            return result, None
        try:
            return result, parse_smartctl_json(result.stdout)
        except SmartctlParseError as err:
            ctx.error(probe, "smartctl output is not JSON", f"{err}; {_first_message(result, None)}")
            return result, None

    if disk.transport == "usb" and _bridge_surely_unknown(ctx, disk):
        result, drive = attempt(["-d", "sat"])
        if drive is not None and not (drive.has_identity or _has_data(drive.smart)):
            drive.smart = drive.smart.model_copy(
                update={
                    "messages": [
                        f"{disk.path}: USB bridge not in smartctl's drive database",
                        *drive.smart.messages,
                    ]
                }
            )
        return _smart_outcome(ctx, probe, result, drive)
    result, drive = attempt([])
    if drive is not None and any(_UNKNOWN_BRIDGE in m.lower() for m in drive.smart.messages):
        # Issue 2 §4: behind a USB bridge smartctl does not recognise, SAT passthrough often works.
        retry_result, retry = attempt(["-d", "sat"])
        if retry is not None:
            if not (retry.has_identity or _has_data(retry.smart)):
                # Keep both answers: the bridge is unknown *and* SAT passthrough did not work.
                messages = drive.smart.messages + retry.smart.messages
                retry.smart = retry.smart.model_copy(update={"messages": messages})
            result, drive = retry_result, retry
    return _smart_outcome(ctx, probe, result, drive)


def _bridge_surely_unknown(ctx: ProbeContext, disk: Disk) -> bool:
    try:
        link = ctx.host.readlink(f"/sys/block/{disk.name}")
    except (HostFileError, OSError, ValueError):
        return False
    devpath = posixpath.normpath(posixpath.join("/sys/block", link))
    vendor = usb_vendor_id(devpath, lambda path: ctx.read_value(f"smart:{disk.path}", path, optional=True))
    main = next(
        (
            text
            for text in (ctx.read_text("smart", path, optional=True) for path in DRIVEDB_PATHS)
            if text is not None
        ),
        None,
    )
    return bridge_surely_unknown(vendor, [main, ctx.read_text("smart", LOCAL_DRIVEDB, optional=True)])


def _smart_outcome(
    ctx: ProbeContext, probe: str, result: CommandResult, drive: SmartctlDrive | None
) -> _SmartOutcome:
    if drive is None:
        return _SmartOutcome()
    smart = drive.smart
    if not _has_data(smart):
        ctx.error(probe, "no SMART data", _first_message(result, smart))
    return _SmartOutcome(
        smart=smart,
        model=drive.model,
        serial=drive.serial,
        firmware=drive.firmware,
        wwn=drive.wwn,
        vendor=drive.vendor,
        capacity=drive.capacity_bytes,
        logical=drive.logical_block_size,
        physical=drive.physical_block_size,
        rpm=drive.rotation_rate,
        form_factor=drive.form_factor,
        placeholders=drive.placeholders,
    )


class _NvmeOutcome(Record):
    capabilities: EraseCapabilities | None = None
    extended_test_minutes: int | None = None
    model: str | None = None
    serial: str | None = None
    firmware: str | None = None


def _run_nvme(ctx: ProbeContext, disk: Disk) -> _NvmeOutcome:
    from agent.parsers.nvme_idctrl import parse_nvme_idctrl

    probe = f"nvme:{disk.path}"
    result = ctx.run(probe, nvme_idctrl_argv(disk.path), timeout=NVME_TIMEOUT)
    if result.missing or result.timed_out:
        return _NvmeOutcome()
    ctrl = parse_nvme_idctrl(result.stdout)
    if result.returncode != 0 or ctrl.is_empty:
        ctx.error(probe, "nvme id-ctrl failed", _first_message(result, None))
        return _NvmeOutcome()
    return _NvmeOutcome(
        capabilities=EraseCapabilities(
            nvme_sanitize=ctrl.sanitize_actions,
            nvme_format_crypto=ctrl.format_crypto_erase,
            nvme_format_supported=ctrl.format_supported,
        ),
        extended_test_minutes=ctrl.edstt if ctrl.edstt and ctrl.self_test_supported else None,
        model=ctrl.model,
        serial=ctrl.serial,
        firmware=ctrl.firmware,
    )


def _merge(disk: Disk, smart: _SmartOutcome, nvme: _NvmeOutcome) -> Disk:
    behind_bridge = disk.transport == "usb" and smart.smart is not None and (smart.model or smart.serial)

    def pick(current: str | None, *better: str | None) -> str | None:
        for value in better:
            if value:
                return value
        return current

    update: dict[str, object] = {}
    # The drive's own answer beats udev/sysfs (full ATA model; the disk, not the USB bridge).
    update["model"] = pick(disk.model, smart.model, nvme.model)
    update["serial"] = pick(disk.serial, smart.serial, nvme.serial)
    update["firmware"] = pick(disk.firmware, smart.firmware, nvme.firmware)
    update["wwn"] = pick(disk.wwn, smart.wwn) if behind_bridge else disk.wwn or smart.wwn
    update["vendor"] = disk.vendor if disk.vendor and not behind_bridge else smart.vendor or disk.vendor
    update["size_bytes"] = disk.size_bytes or smart.capacity
    update["logical_sector_size"] = disk.logical_sector_size or smart.logical
    update["physical_sector_size"] = disk.physical_sector_size or smart.physical
    update["rotation_rate_rpm"] = smart.rpm
    update["form_factor"] = smart.form_factor
    if smart.rpm is not None:
        update["rotational"] = smart.rpm != 0
    update["smart"] = smart.smart
    if smart.smart is not None and smart.smart.extended_test_minutes is None and nvme.extended_test_minutes:
        # smartctl does not print EDSTT; nvme id-ctrl does (NVMe's announced long self-test time).
        update["smart"] = smart.smart.model_copy(update={"extended_test_minutes": nvme.extended_test_minutes})
    update["capabilities"] = nvme.capabilities
    placeholders = dict(disk.placeholders)
    if update["serial"] is None:
        for key, value in smart.placeholders.items():
            placeholders.setdefault(key, value)
    update["placeholders"] = placeholders
    merged = disk.model_copy(update=update)
    return merged.model_copy(update={"media_type": _media_type(merged, smart.rpm)})


def _with_usage(ctx: ProbeContext, disks: list[Disk]) -> list[Disk]:
    from agent.probes.usage import disk_usages

    try:
        usages = disk_usages(ctx.host)
    except Exception as err:  # never let a usage bug make a disk look free: mark all in use
        ctx.error("disks", "cannot tell which disks are in use", repr(err))
        return [d.model_copy(update={"in_use": ["usage unknown"]}) for d in disks]
    out: list[Disk] = []
    for disk in disks:
        usage = usages.get(disk.name)
        if usage is None:
            out.append(disk.model_copy(update={"in_use": ["usage unknown"]}))
            continue
        out.append(
            disk.model_copy(
                update={
                    "is_boot_medium": usage.is_boot_medium,
                    "mounted": bool(usage.mountpoints),
                    "mountpoints": list(usage.mountpoints),
                    "in_use": list(usage.reasons),
                }
            )
        )
    return out


def probe_disks(ctx: ProbeContext, *, only: Sequence[str] | None = None, smart: bool = True) -> list[Disk]:
    """Every disk of the machine (or only the named devices), with SMART and usage.

    `only` takes device paths ('/dev/loop3', by-id links); named devices are listed even when
    they are loop/dm/md devices, which tests use so they never touch the machine's own disks.
    `smart=False` runs no per-disk command at all (no smartctl, no nvme id-ctrl); neither does
    the boot medium.
    """
    names = _enumerate(ctx, only)
    udev = _udev_block(ctx)
    found: list[_Found] = []
    for name in names:
        sysdir = f"/sys/block/{name}"
        try:
            devpath = ctx.host.readlink(sysdir)
        except (HostFileError, OSError, ValueError):
            devpath = ""
        found.append(_Found(name=name, sysdir=sysdir, devpath=devpath, udev=udev.get(name, {})))

    disks: list[Disk] = []
    for item in found:
        try:
            disks.append(_base_disk(ctx, item))
        except Exception as err:  # one odd disk must not hide the others
            ctx.error("disks", f"cannot describe /dev/{item.name}", repr(err))
            disks.append(Disk(name=item.name, path=f"/dev/{item.name}"))

    disks = _with_usage(ctx, disks)
    # The boot stick is the workshop's, not the donated machine's: its SMART would only cost
    # two more smartctl runs (plain, then `-d sat` behind its USB bridge) on every inventory.
    ask = [smart and not d.is_boot_medium for d in disks]
    queried = [d for d, wanted in zip(disks, ask, strict=True) if wanted]
    answers = iter(_probe_commands(ctx, queried) if queried else [])
    return [
        next(answers) if wanted else d.model_copy(update={"media_type": _media_type(d, None)})
        for d, wanted in zip(disks, ask, strict=True)
    ]


def _smart_guarded(ctx: ProbeContext, disk: Disk) -> _SmartOutcome:
    try:
        return _run_smartctl(ctx, disk)
    except Exception as err:  # a parser or host bug on one disk is that disk's probe error
        ctx.error(f"smart:{disk.path}", "probe failed", repr(err))
        return _SmartOutcome()


def _nvme_guarded(ctx: ProbeContext, disk: Disk) -> _NvmeOutcome:
    try:
        return _run_nvme(ctx, disk)
    except Exception as err:
        ctx.error(f"nvme:{disk.path}", "probe failed", repr(err))
        return _NvmeOutcome()


def _probe_commands(ctx: ProbeContext, disks: list[Disk]) -> list[Disk]:
    """smartctl (and nvme id-ctrl) for every disk at once; results merged in disk order.

    Each job records into its own context, copied into `ctx` in disk order afterwards, so that
    a capture replays to the very same report (errors and command log in a stable order).
    """
    from agent._threads import Pending

    jobs: list[tuple[Pending[_SmartOutcome], Pending[_NvmeOutcome] | None, ProbeContext, ProbeContext]] = []
    for disk in disks:
        smart_ctx, nvme_ctx = ProbeContext(ctx.host), ProbeContext(ctx.host)
        nvme_job = (
            Pending(partial(_nvme_guarded, nvme_ctx, disk), "nvme") if disk.transport == "nvme" else None
        )
        jobs.append(
            (Pending(partial(_smart_guarded, smart_ctx, disk), "smart"), nvme_job, smart_ctx, nvme_ctx)
        )
    for smart_job, nvme_job, _, _ in jobs:  # every command finished before the logs are merged
        smart_job.wait()
        if nvme_job is not None:
            nvme_job.wait()
    merged: list[Disk] = []
    for disk, (smart_job, nvme_job, smart_ctx, nvme_ctx) in zip(disks, jobs, strict=True):
        for sub in (smart_ctx, nvme_ctx):
            for error in sub.errors:
                ctx.error(error.probe, error.message, error.detail)
            ctx.log.extend(sub.log)  # one list.extend: atomic under the GIL
        nvme_out = nvme_job.result() if nvme_job is not None else _NvmeOutcome()
        try:
            merged.append(_merge(disk, smart_job.result(), nvme_out))
        except Exception as err:
            ctx.error(f"smart:{disk.path}", "cannot merge SMART data", repr(err))
            merged.append(disk.model_copy(update={"media_type": _media_type(disk, None)}))
    return merged


__all__ = ["probe_disks"]
