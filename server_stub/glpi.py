"""A device's final state as a GLPI native inventory (glpi-project/inventory_format).

GLPI 10+ imports this at /front/inventory.php and keeps `content.bios.assettag` as the computer's
inventory number, so a donor's GLPI can match its former machines by the asset label. Only keys of
the published schema are written, and only when the agent knew the value (GLPI rejects nulls and
pattern mismatches with a 400).
"""

from __future__ import annotations

import re
from typing import Any

from agent.report import Report

MB = 1_000_000
MIB = 1024 * 1024
_BIOS_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_VENDORS = {"GenuineIntel": "Intel", "AuthenticAMD": "AMD"}
_INTERFACES = {
    "sata": "SATA",
    "ata": "IDE",
    "nvme": "NVMe",
    "usb": "USB",
    "scsi": "SCSI",
    "sas": "SAS",
    "mmc": "MMC",
}


def _put(target: dict[str, Any], key: str, value: object) -> None:
    if value is None or value == "":
        return
    target[key] = value


def _bios(report: Report, asset_code: str) -> dict[str, Any]:
    machine = report.machine
    out: dict[str, Any] = {"assettag": asset_code}
    if machine.bios.date and _BIOS_DATE.match(machine.bios.date):
        out["bdate"] = machine.bios.date
    _put(out, "bmanufacturer", machine.bios.vendor)
    _put(out, "bversion", machine.bios.version)
    _put(out, "mmanufacturer", machine.baseboard.manufacturer)
    _put(out, "mmodel", machine.baseboard.product)
    _put(out, "msn", machine.baseboard.serial)
    _put(out, "skunumber", machine.system.sku)
    _put(out, "smanufacturer", machine.system.manufacturer)
    _put(out, "smodel", machine.system.product)
    _put(out, "ssn", machine.system.serial)
    _put(out, "enclosureserial", machine.chassis.serial)
    secure_boot = machine.firmware.secure_boot
    if secure_boot in ("enabled", "disabled"):
        out["secure_boot"] = secure_boot
    elif machine.firmware.boot_mode == "legacy" and machine.firmware.uefi_capable is False:
        out["secure_boot"] = "unsupported"
    return out


def _hardware(report: Report, asset_code: str) -> dict[str, Any]:
    machine = report.machine
    out: dict[str, Any] = {"name": asset_code}
    _put(out, "chassis_type", machine.chassis.type)
    if report.memory.total_bytes:
        out["memory"] = report.memory.total_bytes // MIB
    _put(out, "uuid", machine.system.uuid)
    if machine.virtual is False:
        out["vmsystem"] = "Physical"
    return out


def _cpus(report: Report) -> list[dict[str, Any]]:
    cpus = []
    for cpu in report.cpus:
        out: dict[str, Any] = {}
        if cpu.is_64bit is not None:
            out["arch"] = "x86_64" if cpu.is_64bit else "i686"
        _put(out, "core", cpu.cores)
        _put(out, "corecount", cpu.cores)
        if cpu.threads and cpu.cores:
            out["thread"] = max(1, cpu.threads // cpu.cores)
        _put(out, "manufacturer", _VENDORS.get(cpu.vendor or "", cpu.vendor))
        _put(out, "name", cpu.model)
        speed = cpu.max_mhz or cpu.base_mhz
        if speed:
            out["speed"] = round(speed)
        if cpu.family is not None:
            out["familynumber"] = str(cpu.family)
        if cpu.model_number is not None:
            out["model"] = str(cpu.model_number)
        _put(out, "stepping", cpu.stepping)
        cpus.append(out)
    return cpus


def _memories(report: Report) -> list[dict[str, Any]]:
    modules = []
    for index, module in enumerate(report.memory.modules, start=1):
        out: dict[str, Any] = {"numslots": index}
        if module.size_bytes:
            out["capacity"] = module.size_bytes // MIB
        _put(out, "caption", module.slot)
        _put(out, "description", module.form_factor)
        _put(out, "manufacturer", module.manufacturer)
        _put(out, "serialnumber", module.serial)
        _put(out, "model", module.part_number)
        _put(out, "type", module.type)
        speed = module.configured_speed_mts or module.speed_mts
        if speed:
            out["speed"] = f"{speed} MT/s"
        if module.ecc is not None:
            out["memorycorrection"] = "ECC" if module.ecc else "None"
        if module.soldered is not None:
            out["removable"] = not module.soldered
        modules.append(out)
    return modules


def _storages(report: Report) -> list[dict[str, Any]]:
    storages = []
    for disk in report.disks:
        if disk.is_boot_medium:
            continue  # the Atelier stick is not part of the machine
        out: dict[str, Any] = {"name": disk.name, "type": "disk"}
        _put(out, "model", disk.model)
        _put(out, "manufacturer", disk.vendor)
        _put(out, "serial", disk.serial)
        _put(out, "firmware", disk.firmware)
        _put(out, "wwn", disk.wwn)
        if disk.size_bytes:
            out["disksize"] = disk.size_bytes // MB
        interface = _INTERFACES.get(disk.transport)
        _put(out, "interface", interface)
        _put(out, "description", interface)
        storages.append(out)
    return storages


def _networks(report: Report) -> list[dict[str, Any]]:
    networks = []
    for nic in report.network:
        out: dict[str, Any] = {"description": nic.name, "virtualdev": False}
        _put(out, "mac", nic.mac)
        if nic.kind == "wired":
            out["type"] = "ethernet"
        elif nic.kind == "wireless":
            out["type"] = "wifi"
        if nic.link is not None:
            out["status"] = "up" if nic.link else "down"
        if nic.speed_mbps and nic.speed_mbps > 0:
            out["speed"] = str(nic.speed_mbps)
        _put(out, "driver", nic.driver)
        _put(out, "manufacturer", nic.vendor)
        _put(out, "model", nic.model)
        networks.append(out)
    return networks


def _batteries(report: Report) -> list[dict[str, Any]]:
    batteries = []
    for battery in report.batteries:
        if battery.present is False:
            continue
        out: dict[str, Any] = {}
        _put(out, "name", battery.model or battery.name)
        _put(out, "manufacturer", battery.manufacturer)
        _put(out, "serial", battery.serial)
        _put(out, "chemistry", battery.chemistry)
        if battery.design_capacity_wh:
            out["capacity"] = round(battery.design_capacity_wh * 1000)
        if battery.full_capacity_wh:
            out["real_capacity"] = round(battery.full_capacity_wh * 1000)
        batteries.append(out)
    return batteries


def _monitors(report: Report) -> list[dict[str, Any]]:
    monitors = []
    for display in report.displays:
        out: dict[str, Any] = {}
        _put(out, "name", display.model)
        _put(out, "caption", display.model)
        _put(out, "manufacturer", display.manufacturer or display.manufacturer_id)
        _put(out, "serial", display.serial)
        _put(out, "port", display.connector)
        if display.year:
            out["description"] = str(display.year)
        monitors.append(out)
    return monitors


def _device_id(asset_code: str, report: Report) -> str:
    when = report.finished_at or report.started_at
    safe = re.sub(r"[^A-Za-z0-9_-]+", "_", asset_code).strip("_") or "asset"
    return f"{safe}-{when:%Y-%m-%d-%H-%M-%S}"


def glpi_inventory(report: Report, *, asset_code: str) -> dict[str, Any]:
    """The GLPI native inventory document of one report (the device's newest)."""
    content: dict[str, Any] = {
        "versionclient": f"Atelier_v{report.agent_version}",
        "bios": _bios(report, asset_code),
        "hardware": _hardware(report, asset_code),
    }
    for key, items in (
        ("cpus", _cpus(report)),
        ("memories", _memories(report)),
        ("storages", _storages(report)),
        ("networks", _networks(report)),
        ("batteries", _batteries(report)),
        ("monitors", _monitors(report)),
    ):
        if items:
            content[key] = items
    when = report.finished_at or report.started_at
    content["accesslog"] = {"logdate": f"{when:%Y-%m-%d %H:%M:%S}"}
    return {
        "action": "inventory",
        "deviceid": _device_id(asset_code, report),
        "itemtype": "Computer",
        "content": content,
    }


__all__ = ["glpi_inventory"]
