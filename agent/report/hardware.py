"""Processors, memory, GPUs, network interfaces, batteries and displays."""

from __future__ import annotations

from agent._record import field
from agent._typing import Literal
from agent.report._base import Model


class Cpu(Model):
    """One physical processor package (socket)."""

    socket: str | None = None
    model: str | None = None
    vendor: str | None = None
    family: int | None = None
    model_number: int | None = None
    stepping: int | None = None
    cores: int | None = None
    threads: int | None = None
    base_mhz: float | None = None
    max_mhz: float | None = None
    is_64bit: bool | None = None
    #: The flags that matter for reuse: lm, nx, pae, sse4_2, popcnt, aes, avx, avx2, vmx/svm, hypervisor…
    flags: list[str] = field(default_factory=list)
    microcode: str | None = None


class MemoryModule(Model):
    slot: str | None = None
    bank: str | None = None
    size_bytes: int | None = None
    #: "DDR", "DDR2", "DDR3", "DDR4", "DDR5", "LPDDR3"… as SMBIOS or the SPD says.
    type: str | None = None
    type_detail: str | None = None
    speed_mts: int | None = None
    configured_speed_mts: int | None = None
    manufacturer: str | None = None
    part_number: str | None = None
    serial: str | None = None
    #: "DIMM", "SODIMM", "Row Of Chips" (soldered)…
    form_factor: str | None = None
    soldered: bool | None = None
    voltage_v: float | None = None
    ecc: bool | None = None


class Memory(Model):
    total_bytes: int | None = None
    modules: list[MemoryModule] = field(default_factory=list)
    slots_total: int | None = None
    slots_used: int | None = None
    max_capacity_bytes: int | None = None
    ecc: bool | None = None


class Gpu(Model):
    pci_slot: str | None = None
    vendor: str | None = None
    model: str | None = None
    vendor_id: str | None = None
    device_id: str | None = None
    driver: str | None = None
    integrated: bool | None = None


class NetworkInterface(Model):
    name: str
    mac: str | None = None
    driver: str | None = None
    kind: Literal["wired", "wireless", "other"] = "other"
    link: bool | None = None
    speed_mbps: int | None = None
    vendor: str | None = None
    model: str | None = None
    bus: str | None = None


class Battery(Model):
    name: str
    manufacturer: str | None = None
    model: str | None = None
    serial: str | None = None
    chemistry: str | None = None
    design_capacity_wh: float | None = None
    full_capacity_wh: float | None = None
    now_capacity_wh: float | None = None
    health_percent: float | None = None
    cycle_count: int | None = None
    status: str | None = None
    present: bool | None = None


class Display(Model):
    connector: str | None = None
    #: Three-letter PNP id from the EDID ("LGD") and the maker's name when known ("LG Display").
    manufacturer_id: str | None = None
    manufacturer: str | None = None
    model: str | None = None
    product_code: int | None = None
    serial: str | None = None
    width_cm: int | None = None
    height_cm: int | None = None
    diagonal_inches: float | None = None
    native_width: int | None = None
    native_height: int | None = None
    year: int | None = None
    internal: bool | None = None


__all__ = ["Battery", "Cpu", "Display", "Gpu", "Memory", "MemoryModule", "NetworkInterface"]
