"""The machine's identity: SMBIOS system, chassis, baseboard, BIOS, and its firmware security."""

from __future__ import annotations

from agent._record import field
from agent._typing import Literal
from agent.report._base import Model


class SystemInfo(Model):
    manufacturer: str | None = None
    product: str | None = None
    version: str | None = None
    serial: str | None = None
    uuid: str | None = None
    sku: str | None = None
    family: str | None = None


class ChassisInfo(Model):
    #: SMBIOS chassis type name as dmidecode prints it ("Notebook", "Desktop", "Laptop"…).
    type: str | None = None
    #: SMBIOS chassis type code (3 = Desktop, 9 = Laptop, 10 = Notebook, …).
    type_code: int | None = None
    #: Coarse form factor used by grading and labels.
    form_factor: Literal["laptop", "desktop", "tablet", "all-in-one", "server", "mini", "other"] | None = None
    manufacturer: str | None = None
    version: str | None = None
    serial: str | None = None
    asset_tag: str | None = None


class BaseboardInfo(Model):
    manufacturer: str | None = None
    product: str | None = None
    version: str | None = None
    serial: str | None = None
    asset_tag: str | None = None


class BiosInfo(Model):
    vendor: str | None = None
    version: str | None = None
    #: ISO date (YYYY-MM-DD) when the firmware's date could be read.
    date: str | None = None
    release: str | None = None


class FirmwareInfo(Model):
    boot_mode: Literal["uefi", "legacy"] | None = None
    secure_boot: Literal["enabled", "disabled", "setup-mode"] | None = None
    #: True when the platform is UEFI-capable; a legacy boot may still run on UEFI hardware (CSM).
    uefi_capable: bool | None = None
    tpm_present: bool | None = None
    #: "2.0" or "1.2".
    tpm_version: str | None = None
    tpm_manufacturer: str | None = None


class Machine(Model):
    system: SystemInfo = field(default_factory=SystemInfo)
    chassis: ChassisInfo = field(default_factory=ChassisInfo)
    baseboard: BaseboardInfo = field(default_factory=BaseboardInfo)
    bios: BiosInfo = field(default_factory=BiosInfo)
    firmware: FirmwareInfo = field(default_factory=FirmwareInfo)
    #: Placeholder values ("To Be Filled By O.E.M.", "0123456789"…) turned into null, by field path
    #: (e.g. "system.serial"), kept so support can see what the firmware really said.
    placeholders: dict[str, str] = field(default_factory=dict)
    #: True when the machine runs under a hypervisor (DMI and CPU flags say so).
    virtual: bool | None = None


__all__ = ["BaseboardInfo", "BiosInfo", "ChassisInfo", "FirmwareInfo", "Machine", "SystemInfo"]
