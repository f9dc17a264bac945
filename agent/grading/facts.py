"""What grading needs to know about a machine, read once from the report (tolerant of gaps)."""

from __future__ import annotations

from dataclasses import dataclass

from agent.report import Disk, Memory, MemoryModule, Report

GB = 1_000_000_000
GIB = 1024**3


def internal_disks(report: Report) -> list[Disk]:
    """Disks that belong to the machine: not the boot stick, not USB, not removable."""
    return [
        d for d in report.disks if not d.is_boot_medium and d.transport != "usb" and d.removable is not True
    ]


def is_hdd(disk: Disk) -> bool:
    if disk.media_type == "hdd":
        return True
    if disk.media_type in ("ssd", "nvme", "flash"):
        return False
    return disk.rotational is True or (disk.rotation_rate_rpm or 0) > 0


def populated(modules: list[MemoryModule]) -> list[MemoryModule]:
    return [m for m in modules if m.size_bytes]


def memory_bytes(memory: Memory) -> int | None:
    if memory.total_bytes:
        return memory.total_bytes
    total = sum(m.size_bytes or 0 for m in memory.modules)
    return total or None


def memory_gb(memory: Memory) -> float | None:
    total = memory_bytes(memory)
    # The kernel reports a little less than installed (firmware reservations): round to 0.5 GiB.
    return None if total is None else round(total / GIB * 2) / 2


def is_soldered(memory: Memory) -> bool | None:
    modules = populated(memory.modules)
    if modules and all(m.soldered or (m.form_factor or "").lower() == "row of chips" for m in modules):
        return True if not memory.slots_total or memory.slots_total <= len(modules) else None
    if modules and any(m.soldered is False for m in modules):
        return False
    return None


def free_slots(memory: Memory) -> int | None:
    """Empty sockets. Soldered memory listed by SMBIOS as a "slot" counts as used, so it is never free."""
    if memory.slots_total is None:
        return None
    used = memory.slots_used if memory.slots_used is not None else len(populated(memory.modules))
    return max(memory.slots_total - used, 0)


def memory_kind(memory: Memory) -> tuple[str | None, str | None]:
    """(type, form factor) as a seller names them: ("DDR3L", "SO-DIMM")."""
    modules = populated(memory.modules)
    if not modules:
        return None, None
    module = modules[0]
    kind = (module.type or "").upper() or None
    detail = (module.type_detail or "").lower()
    if kind == "DDR3" and (
        "low voltage" in detail or "low-voltage" in detail or (module.voltage_v and module.voltage_v < 1.4)
    ):
        kind = "DDR3L"
    form = (module.form_factor or "").upper().replace("-", "")
    form_name = "SO-DIMM" if form == "SODIMM" else "DIMM" if form == "DIMM" else None
    return kind, form_name


def storage_gb(report: Report) -> float | None:
    sizes = [d.size_bytes for d in internal_disks(report) if d.size_bytes]
    return None if not sizes else max(sizes) / GB


@dataclass(frozen=True)
class CpuFacts:
    model: str | None
    vendor: str | None
    family: int | None
    model_number: int | None
    stepping: int | None
    is_64bit: bool | None


def cpu_facts(report: Report) -> CpuFacts | None:
    if not report.cpus:
        return None
    cpu = report.cpus[0]
    is_64 = cpu.is_64bit
    if is_64 is None and cpu.flags:
        is_64 = "lm" in cpu.flags
    return CpuFacts(cpu.model, cpu.vendor, cpu.family, cpu.model_number, cpu.stepping, is_64)


__all__ = [
    "GB",
    "GIB",
    "CpuFacts",
    "cpu_facts",
    "free_slots",
    "internal_disks",
    "is_hdd",
    "is_soldered",
    "memory_bytes",
    "memory_gb",
    "memory_kind",
    "populated",
    "storage_gb",
]
