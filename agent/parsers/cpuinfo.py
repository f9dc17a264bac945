"""`/proc/cpuinfo` → one record per physical package (socket).

x86 kernels print `physical id`, `core id`, `cpu cores` and `siblings` per logical CPU; old
single-socket kernels and ARM print none of them, and ARM has no `model name` (only
`CPU implementer`/`CPU part`, sometimes `Hardware`/`Model`).
"""

from __future__ import annotations

import math

from agent._record import Record, field
from agent.parsers._text import clean, to_int


class CpuinfoPackage(Record):
    physical_id: str
    model_name: str | None = None
    vendor: str | None = None
    family: int | None = None
    model: int | None = None
    stepping: int | None = None
    microcode: str | None = None
    cores: int | None = None
    threads: int | None = None
    mhz: float | None = None
    flags: list[str] = field(default_factory=list)


def parse_processors(text: str) -> list[dict[str, str]]:
    """One dict per `processor` block, keys lower-cased as the kernel prints them."""
    processors: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            if current:
                processors.append(current)
                current = {}
            continue
        key, sep, value = line.partition(":")
        if sep:
            current.setdefault(key.strip().lower(), value.strip())
    if current:
        processors.append(current)
    # ARM prints global lines ("Hardware", "Serial") in a block of their own, after the CPUs.
    cpus = [p for p in processors if "processor" in p]
    extras = [p for p in processors if "processor" not in p]
    for extra in extras:
        for cpu in cpus:
            for key, value in extra.items():
                cpu.setdefault(key, value)
    return cpus or extras


def _mhz(value: str | None) -> float | None:
    try:
        number = float(value) if value else None
    except ValueError:
        return None
    return number if number is not None and math.isfinite(number) else None


def _flags(procs: list[dict[str, str]]) -> list[str]:
    # The first CPU that lists them: pasted outputs are often trimmed to flags on one CPU only.
    for proc in procs:
        text = proc.get("flags") or proc.get("features")
        if text:
            return text.split()
    return []


def parse_cpuinfo(text: str) -> list[CpuinfoPackage]:
    """Packages in order of their physical id; [] when the text holds no processor."""
    groups: dict[str, list[dict[str, str]]] = {}
    for proc in parse_processors(text):
        groups.setdefault(proc.get("physical id", "0"), []).append(proc)
    packages = []
    for pid, procs in groups.items():
        first = procs[0]
        core_ids = {p["core id"] for p in procs if "core id" in p}
        cores = to_int(first.get("cpu cores")) or (len(core_ids) or None)
        threads = len(procs) if procs and "processor" in first else None
        name = first.get("model name") or first.get("hardware") or first.get("cpu model")
        packages.append(
            CpuinfoPackage(
                physical_id=pid,
                model_name=clean(" ".join(name.split())) if name else None,
                vendor=clean(first.get("vendor_id")) or clean(first.get("cpu implementer")),
                family=to_int(first.get("cpu family")),
                model=to_int(first.get("model")),
                stepping=to_int(first.get("stepping")),
                microcode=clean(first.get("microcode")),
                cores=cores,
                threads=threads,
                mhz=_mhz(first.get("cpu mhz")),
                flags=_flags(procs),
            )
        )
    return sorted(packages, key=lambda p: (len(p.physical_id), p.physical_id))


__all__ = ["CpuinfoPackage", "parse_cpuinfo", "parse_processors"]
