"""`lscpu` text output (util-linux 2.2x to 2.40) → the processor facts it states.

The agent runs lscpu in the C locale, but recorded outputs from the field are not always so:
values may carry a decimal comma ("CPU max MHz: 4000,0000", seen in 11 of the peracotta
machines) and labels may be French (`LANG=fr_FR`: "Nom de modèle : …").
"""

from __future__ import annotations

from agent._record import Record, field
from agent.parsers._text import clean

# Label → attribute; French labels as util-linux's fr.po spells them.
_LABELS = {
    "architecture": "architecture",
    "cpu op-mode(s)": "op_modes",
    "mode(s) opératoire(s) des processeurs": "op_modes",
    "cpu(s)": "cpus",
    "processeur(s)": "cpus",
    "thread(s) per core": "threads_per_core",
    "thread(s) par cœur": "threads_per_core",
    "core(s) per socket": "cores_per_socket",
    "core(s) per cluster": "cores_per_socket",
    "cœur(s) par socket": "cores_per_socket",
    "socket(s)": "sockets",
    "vendor id": "vendor",
    "identifiant constructeur": "vendor",
    "cpu family": "family",
    "famille de processeur": "family",
    "model": "model",
    "modèle": "model",
    "model name": "model_name",
    "nom de modèle": "model_name",
    "stepping": "stepping",
    "révision": "stepping",
    "cpu mhz": "mhz",
    "vitesse du processeur en mhz": "mhz",
    "cpu max mhz": "max_mhz",
    "vitesse maximale du processeur en mhz": "max_mhz",
    "cpu min mhz": "min_mhz",
    "vitesse minimale du processeur en mhz": "min_mhz",
    "flags": "flags",
    "drapeaux": "flags",
    "hypervisor vendor": "hypervisor_vendor",
    "constructeur d'hyperviseur": "hypervisor_vendor",
    "virtualization": "virtualization",
    "virtualisation": "virtualization",
}
_INTS = {"cpus", "threads_per_core", "cores_per_socket", "sockets", "family", "stepping"}
_FLOATS = {"mhz", "max_mhz", "min_mhz"}


class LscpuInfo(Record):
    architecture: str | None = None
    op_modes: str | None = None
    cpus: int | None = None
    threads_per_core: int | None = None
    cores_per_socket: int | None = None
    sockets: int | None = None
    vendor: str | None = None
    family: int | None = None
    #: The CPUID model number (lscpu's "Model"); on ARM lscpu prints a revision here ("r0p4").
    model: int | None = None
    model_name: str | None = None
    stepping: int | None = None
    mhz: float | None = None
    max_mhz: float | None = None
    min_mhz: float | None = None
    flags: list[str] = field(default_factory=list)
    hypervisor_vendor: str | None = None
    virtualization: str | None = None


def to_float(value: str | None) -> float | None:
    """'4000,0000' or '4000.0000' → 4000.0; anything else → None."""
    if not value:
        return None
    text = value.strip().replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def _int(value: str) -> int | None:
    text = value.strip()
    return int(text) if text.isdecimal() else None


def parse_lscpu(text: str) -> LscpuInfo:
    info = LscpuInfo()
    seen: set[str] = set()
    for line in text.splitlines():
        label, sep, value = line.partition(":")
        if not sep:
            continue
        attr = _LABELS.get(" ".join(label.split()).lower())
        # lscpu ≥ 2.38 repeats some labels under "BIOS …" and per-cluster sections: first wins.
        if attr is None or attr in seen:
            continue
        value = value.strip()
        if not value:
            continue
        seen.add(attr)
        if attr in _INTS or attr == "model":
            setattr(info, attr, _int(value))
        elif attr in _FLOATS:
            setattr(info, attr, to_float(value))
        elif attr == "flags":
            info.flags = value.split()
        elif attr == "model_name":
            info.model_name = clean(" ".join(value.split()))
        else:
            setattr(info, attr, clean(value))
    return info


__all__ = ["LscpuInfo", "parse_lscpu", "to_float"]
