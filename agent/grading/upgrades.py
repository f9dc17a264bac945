"""Concrete upgrade suggestions, from what the inventory says about the machine."""

from __future__ import annotations

from agent.checks._text import Text, text
from agent.grading.facts import GB, free_slots, memory_gb, memory_kind, populated
from agent.i18n import N_
from agent.report import Disk, Memory, Report, Upgrade


def _upgrade(part: str, t: Text) -> Upgrade:
    return Upgrade(part=part, message_fr=t.fr, message_en=t.en)


def ssd_size_gb(current_bytes: int | None, min_gb: int) -> int:
    """The SSD to buy: the policy's minimum, or 480 GB when the old disk held more than ~400 GB."""
    if current_bytes and current_bytes / GB > 400:
        return max(480, min_gb)
    return min_gb


def _ssd_kind(report: Report, disk: Disk | None) -> Text:
    if disk is not None and disk.transport == "nvme":
        return text(N_("an M.2 NVMe SSD"))
    form = (disk.form_factor or "") if disk is not None else ""
    if "3.5" in form or report.machine.chassis.form_factor in ("desktop", "server"):
        return text(N_("a 2.5-inch SATA SSD (with a 3.5-inch bracket)"))
    return text(N_("a 2.5-inch SATA SSD"))


def replace_hdd(report: Report, disk: Disk, min_gb: int) -> Upgrade:
    size = ssd_size_gb(disk.size_bytes, min_gb)
    kind = _ssd_kind(report, disk)
    t = text(N_("replace the hard disk by {kind} of at least {size} GB"), kind="{kind}", size=size)
    return _upgrade(
        f"disk:{disk.name}",
        Text(en=t.en.format(kind=kind.en), fr=t.fr.format(kind=kind.fr)),
    )


def replace_failing_disk(report: Report, disk: Disk, min_gb: int) -> Upgrade:
    size = ssd_size_gb(disk.size_bytes, min_gb)
    kind = _ssd_kind(report, disk)
    t = text(
        N_("replace the failing disk {model} by {kind} of at least {size} GB"),
        model=disk.model or disk.name,
        kind="{kind}",
        size=size,
    )
    return _upgrade(f"disk:{disk.name}", Text(en=t.en.format(kind=kind.en), fr=t.fr.format(kind=kind.fr)))


def add_disk(report: Report, min_gb: int) -> Upgrade:
    kind = _ssd_kind(report, None)
    t = text(N_("add {kind} of at least {size} GB"), kind="{kind}", size=min_gb)
    return _upgrade("disk", Text(en=t.en.format(kind=kind.en), fr=t.fr.format(kind=kind.fr)))


def _module_size(gb: float) -> int:
    for size in (2, 4, 8, 16, 32):
        if size >= gb:
            return size
    return 32


def memory_upgrade(memory: Memory, min_gb: float, module_gb: int) -> Upgrade | None:
    """ "add 4 GB of DDR3L SO-DIMM (1 free slot)": one module that brings the machine to `min_gb`.

    The module is never smaller than `module_gb` (smaller second-hand modules are not worth the
    slot), and its type and form factor are those already fitted.
    """
    have = memory_gb(memory) or 0.0
    if have >= min_gb:
        return None
    kind, form = memory_kind(memory)
    label = " ".join(p for p in (kind, form) if p) or "RAM"
    free = free_slots(memory)
    modules = populated(memory.modules)
    if modules and all(m.soldered for m in modules) and not free:
        return _upgrade("memory", text(N_("memory is soldered to the board: it cannot be extended")))
    add = max(module_gb, _module_size(min_gb - have))
    if free:
        msgid = (
            N_("add {add} GB of {label} ({free} free slot)")
            if free == 1
            else N_("add {add} GB of {label} ({free} free slots)")
        )
        return _upgrade("memory", text(msgid, add=add, label=label, free=free))
    if free == 0 and modules:
        smallest = min(modules, key=lambda m: m.size_bytes or 0)
        old = round((smallest.size_bytes or 0) / 1024**3)
        new = max(module_gb, _module_size(old + min_gb - have))
        return _upgrade(
            "memory",
            text(
                N_("replace the {old} GB module by a {new} GB {label} module (no free slot)"),
                old=old,
                new=new,
                label=label,
            ),
        )
    return _upgrade(
        "memory", text(N_("add {label} memory to reach {target:g} GB"), label=label, target=min_gb)
    )


def replace_battery(health: float) -> Upgrade:
    return _upgrade(
        "battery",
        text(N_("replace the battery ({health:.0f}% of its original capacity left)"), health=health),
    )


def clean_cooling() -> Upgrade:
    return _upgrade("cooling", text(N_("clean the fan and heatsink, and renew the thermal paste")))


PART_REPLACEMENTS = {
    "keyboard-fault": ("keyboard", N_("replace the keyboard")),
    "screen-fault": ("screen", N_("replace the screen panel")),
    "pointer-fault": ("pointer", N_("replace or repair the touchpad / mouse buttons")),
    "appearance-poor": ("case", N_("replace the damaged case parts (cover, bezel, hinges)")),
}


def part_replacement(rule: str) -> Upgrade | None:
    entry = PART_REPLACEMENTS.get(rule)
    return None if entry is None else _upgrade(entry[0], text(entry[1]))


__all__ = [
    "add_disk",
    "clean_cooling",
    "memory_upgrade",
    "part_replacement",
    "replace_battery",
    "replace_failing_disk",
    "replace_hdd",
    "ssd_size_gb",
]
