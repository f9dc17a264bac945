"""Reports built from real fixtures: peracotta machines (lscpu, decode-dimms) + real smartctl drives."""

from __future__ import annotations

from pathlib import Path

from agent.parsers.decode_dimms import parse_decode_dimms
from agent.parsers.lscpu import parse_lscpu
from agent.parsers.smartctl import parse_smartctl_documents
from agent.report import Cpu, Disk, FirmwareInfo, Machine, Memory, Report


def machine_report(fixtures: Path, machine: str, *, slots_total: int | None = None) -> Report:
    base = fixtures / "machines" / "peracotta" / machine
    info = parse_lscpu((base / "lscpu.txt").read_text())
    modules = parse_decode_dimms((base / "dimms.txt").read_text())
    cpu = Cpu(
        model=info.model_name,
        vendor=info.vendor,
        family=info.family,
        model_number=info.model,
        stepping=info.stepping,
        is_64bit="64-bit" in (info.op_modes or ""),
        flags=info.flags,
    )
    total = sum(m.size_bytes or 0 for m in modules) or None
    memory = Memory(total_bytes=total, modules=modules, slots_total=slots_total)
    return Report(agent_version="test", cpus=[cpu], memory=memory)


def smartctl_disk(fixtures: Path, name: str, *, dev: str = "sda", transport: str = "sata") -> Disk:
    drive = parse_smartctl_documents((fixtures / "smartctl" / name).read_text(errors="replace"))[0]
    rotational = bool(drive.rotation_rate) if drive.rotation_rate is not None else None
    return Disk(
        name=dev,
        path=f"/dev/{dev}",
        model=drive.model,
        serial=drive.serial,
        size_bytes=drive.capacity_bytes,
        rotation_rate_rpm=drive.rotation_rate,
        rotational=rotational,
        media_type="hdd"
        if rotational
        else "nvme"
        if transport == "nvme"
        else "ssd"
        if rotational is False
        else "unknown",
        transport=transport,  # type: ignore[arg-type]
        smart=drive.smart,
    )


def win11_firmware() -> Machine:
    return Machine(
        firmware=FirmwareInfo(
            boot_mode="uefi", uefi_capable=True, secure_boot="enabled", tpm_present=True, tpm_version="2.0"
        )
    )
