"""The machine's identity (SMBIOS via sysfs, dmidecode as fallback) and its firmware security."""

from __future__ import annotations

import errno

from agent.host import HostFileError
from agent.parsers import dmi
from agent.parsers._text import clean, clean_keep
from agent.parsers.dmidecode import machine_from_dmidecode
from agent.probes._context import ProbeContext
from agent.probes.commands import SMBIOS_SOURCES
from agent.report import (
    BaseboardInfo,
    BiosInfo,
    ChassisInfo,
    FirmwareInfo,
    Machine,
    SystemInfo,
)

PROBE = "machine"
DMI_DIR = "/sys/class/dmi/id"
EFI_DIR = "/sys/firmware/efi"
_EFI_GLOBAL = "8be4df61-93ca-11d2-aa0d-e5c8f8d5b9f7"
SECURE_BOOT_VAR = f"{EFI_DIR}/efivars/SecureBoot-{_EFI_GLOBAL}"
SETUP_MODE_VAR = f"{EFI_DIR}/efivars/SetupMode-{_EFI_GLOBAL}"
TPM_DIR = "/sys/class/tpm"
SMBIOS_TABLE = SMBIOS_SOURCES[0]
DMIDECODE_ARGV = ("dmidecode", "-t", "bios", "-t", "system", "-t", "baseboard", "-t", "chassis")

# Lower-cased substrings of DMI vendor/product that only hypervisors use.
_VIRTUAL_MARKERS = ("qemu", "kvm", "vmware", "virtualbox", "innotek", "xen", "bochs", "parallels", "bhyve")


def _from_sysfs(ctx: ProbeContext) -> Machine:
    ph: dict[str, str] = {}
    denied: list[str] = []

    def attr(name: str, path: str) -> str | None:
        try:
            raw = ctx.host.read_text(f"{DMI_DIR}/{name}")
        except HostFileError as err:
            # Serials and the UUID are readable by root only (mode 0400): say so once, plainly.
            if err.errno == errno.EACCES:
                denied.append(name)
            return None
        return clean_keep(raw, path, ph)

    code = dmi.chassis_code(ctx.read_value(PROBE, f"{DMI_DIR}/chassis_type"))
    uuid = attr("product_uuid", "system.uuid")
    machine = Machine(
        system=SystemInfo(
            manufacturer=attr("sys_vendor", "system.manufacturer"),
            product=attr("product_name", "system.product"),
            version=attr("product_version", "system.version"),
            serial=attr("product_serial", "system.serial"),
            uuid=uuid.lower() if uuid else None,
            sku=attr("product_sku", "system.sku"),
            family=attr("product_family", "system.family"),
        ),
        chassis=ChassisInfo(
            type=dmi.chassis_name(code),
            type_code=code,
            form_factor=dmi.form_factor(code),
            manufacturer=attr("chassis_vendor", "chassis.manufacturer"),
            version=attr("chassis_version", "chassis.version"),
            serial=attr("chassis_serial", "chassis.serial"),
            asset_tag=attr("chassis_asset_tag", "chassis.asset_tag"),
        ),
        baseboard=BaseboardInfo(
            manufacturer=attr("board_vendor", "baseboard.manufacturer"),
            product=attr("board_name", "baseboard.product"),
            version=attr("board_version", "baseboard.version"),
            serial=attr("board_serial", "baseboard.serial"),
            asset_tag=attr("board_asset_tag", "baseboard.asset_tag"),
        ),
        bios=BiosInfo(
            vendor=attr("bios_vendor", "bios.vendor"),
            version=attr("bios_version", "bios.version"),
            date=dmi.bios_date_iso(ctx.read_value(PROBE, f"{DMI_DIR}/bios_date")),
            release=attr("bios_release", "bios.release"),
        ),
    )
    machine.placeholders.update(ph)
    if denied:
        ctx.error(PROBE, "serial numbers unreadable: run as root", ", ".join(denied))
    return machine


def smbios_reachable(ctx: ProbeContext) -> bool:
    """Whether dmidecode can find a table at all: sysfs (kernel ≥ 4.2) or /dev/mem.

    VMs without SMBIOS and some ARM boards have neither: not spawning dmidecode there saves a
    process per probe (tens of ms under emulation) for a certain "No SMBIOS nor DMI entry point".
    """
    return any(ctx.host.exists(source) for source in SMBIOS_SOURCES)


def _from_dmidecode(ctx: ProbeContext) -> Machine:
    # Kernels without /sys/class/dmi (very old, or CONFIG_DMI_SYSFS off): ask dmidecode, which
    # reads the SMBIOS table itself. This is the only dmidecode call of this probe.
    if not smbios_reachable(ctx):
        ctx.error(PROBE, "no SMBIOS table on this machine", f"{SMBIOS_TABLE} and /dev/mem missing")
        return Machine()
    result = ctx.run(PROBE, DMIDECODE_ARGV, timeout=15)
    if result.missing or result.timed_out:
        return Machine()
    machine = machine_from_dmidecode(result.stdout)
    if not result.ok and machine == Machine():
        ctx.error(
            PROBE,
            "dmidecode found no SMBIOS table",
            f"exit {result.returncode}: {result.stderr.strip()[:200]}",
        )
    return machine


def _efi_var(ctx: ProbeContext, path: str) -> int | None:
    """Value byte of a boolean EFI variable: efivarfs prefixes 4 bytes of attributes."""
    try:
        data = ctx.host.read_bytes(path, limit=16)
    except HostFileError:
        return None
    return data[4] if len(data) >= 5 else None


def _firmware(ctx: ProbeContext) -> FirmwareInfo:
    fw = FirmwareInfo()
    if ctx.host.exists(EFI_DIR):
        fw.boot_mode = "uefi"
        fw.uefi_capable = True
        secure = _efi_var(ctx, SECURE_BOOT_VAR)
        if secure == 1:
            fw.secure_boot = "enabled"
        elif secure == 0:
            fw.secure_boot = "setup-mode" if _efi_var(ctx, SETUP_MODE_VAR) == 1 else "disabled"
        else:
            ctx.error(PROBE, "Secure Boot state unreadable (efivarfs not mounted?)", SECURE_BOOT_VAR)
    else:
        # Booted through BIOS or CSM; the board may still be UEFI-capable, which Linux cannot see.
        fw.boot_mode = "legacy"
    _tpm(ctx, fw)
    return fw


def _tpm(ctx: ProbeContext, fw: FirmwareInfo) -> None:
    devices = [d for d in ctx.list_dir(PROBE, TPM_DIR) if d.startswith("tpm") and d[3:].isdecimal()]
    # The kernel binds tpm_tis/tpm_crb on its own when firmware exposes a TPM: no device, no TPM
    # (or one disabled in the firmware setup, which is the same for the next owner).
    fw.tpm_present = bool(devices)
    if not devices:
        return
    base = f"{TPM_DIR}/{devices[0]}"
    major = ctx.read_value(PROBE, f"{base}/tpm_version_major")
    if major == "2":
        fw.tpm_version = "2.0"
    elif major == "1":
        fw.tpm_version = "1.2"
    description = ctx.read_value(PROBE, f"{base}/device/description") or ""
    if fw.tpm_version is None and "2.0" in description:
        fw.tpm_version = "2.0"
    # TPM 1.2 drivers expose "caps" (tpm_version_major appeared with kernel 5.6).
    caps = ctx.read_text(PROBE, f"{base}/caps", optional=True) or ctx.read_text(
        PROBE, f"{base}/device/caps", optional=True
    )
    for line in (caps or "").splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "TCG version" and fw.tpm_version is None:
            fw.tpm_version = value.strip() or None
        elif key.strip() == "Manufacturer":
            fw.tpm_manufacturer = _tpm_vendor(value.strip())
    if fw.tpm_version is None and ("1.2" in description or caps):
        fw.tpm_version = "1.2"


def _tpm_vendor(value: str) -> str | None:
    """'0x49465800' → 'IFX' (TCG vendor ids are four ASCII bytes)."""
    try:
        raw = int(value, 16).to_bytes(4, "big")
    except (ValueError, OverflowError):
        return clean(value)
    return clean("".join(chr(b) for b in raw if 0x20 < b < 0x7F))


def _is_virtual(ctx: ProbeContext, machine: Machine) -> bool | None:
    words = " ".join(
        v or "" for v in (machine.system.manufacturer, machine.system.product, machine.bios.vendor)
    ).lower()
    if any(marker in words for marker in _VIRTUAL_MARKERS) or "virtual machine" in words:
        return True
    try:
        # The first processor block is enough; the kernel sets "hypervisor" on every guest CPU.
        head = ctx.host.read_bytes("/proc/cpuinfo", limit=16384).decode("utf-8", "replace")
    except HostFileError:
        return None if not words.strip() else False
    for line in head.splitlines():
        if line.startswith("flags"):
            return "hypervisor" in line.split()
    return None if not words.strip() else False


def probe_machine(ctx: ProbeContext) -> Machine:
    if ctx.host.exists(DMI_DIR):
        machine = _from_sysfs(ctx)
    else:
        ctx.error(PROBE, f"no DMI table in sysfs ({DMI_DIR} missing)", DMI_DIR)
        machine = _from_dmidecode(ctx)
    machine.firmware = _firmware(ctx)
    machine.virtual = _is_virtual(ctx, machine)
    return machine


__all__ = ["SMBIOS_TABLE", "probe_machine", "smbios_reachable"]
