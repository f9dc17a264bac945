"""The few facts about a machine a technician (and a beneficiary) cares about, in their language."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent import fmt
from agent.i18n import _

if TYPE_CHECKING:
    from agent.report import Report


def cpu_text(report: Report) -> str | None:
    if not report.cpus:
        return None
    cpu = report.cpus[0]
    model = cpu.model or ""
    # "Intel(R) Core(TM) i5-6300U CPU @ 2.40GHz" → "Intel Core i5-6300U": the rest is noise on a sticker.
    model = model.split(" @ ")[0].replace("(R)", "").replace("(TM)", "").replace(" CPU", "")
    model = " ".join(model.split())
    if cpu.cores:
        return _("{model}, {cores} cores").format(model=model or "?", cores=cpu.cores)
    return model or None


def memory_text(report: Report) -> str | None:
    total = report.memory.total_bytes
    if total is None:
        total = sum(m.size_bytes or 0 for m in report.memory.modules) or None
    if total is None:
        return None
    # RAM is sold in binary gigabytes: 8 GiB is "8 Go" on the sticker, never "8,6 Go".
    text = fmt.size(total, binary=True, decimals=0)
    kinds = {m.type for m in report.memory.modules if m.type}
    return f"{text} {sorted(kinds)[0]}" if len(kinds) == 1 else text


def disk_kind(media: str) -> str:
    return {"hdd": _("HDD"), "ssd": "SSD", "nvme": "SSD NVMe", "flash": _("flash")}.get(media, "")


def storage_lines(report: Report) -> list[str]:
    lines = []
    for disk in report.disks:
        if disk.is_boot_medium:
            continue
        size = fmt.size(disk.size_bytes, decimals=0)
        kind = disk_kind(disk.media_type)
        lines.append(" ".join(p for p in (size, kind) if p and p != "?") or "?")
    return lines


def storage_text(report: Report) -> str | None:
    lines = storage_lines(report)
    return " + ".join(lines) if lines else None


def screen_text(report: Report) -> str | None:
    for display in report.displays:
        if display.diagonal_inches:
            inches = fmt.decimal(display.diagonal_inches, 1)
            if display.native_width and display.native_height:
                return f'{inches}" ({display.native_width}×{display.native_height})'
            return f'{inches}"'
    return None


def battery_text(report: Report) -> str | None:
    for battery in report.batteries:
        if battery.health_percent is not None:
            return _("{percent} % of original capacity").format(percent=round(battery.health_percent))
    return None


def key_facts(report: Report) -> list[tuple[str, str]]:
    """(label, value) pairs, unknown values left out."""
    pairs = [
        (_("Processor"), cpu_text(report)),
        (_("Memory"), memory_text(report)),
        (_("Storage"), storage_text(report)),
        (_("Screen"), screen_text(report)),
        (_("Battery"), battery_text(report)),
    ]
    return [(label, value) for label, value in pairs if value]


__all__ = [
    "battery_text",
    "cpu_text",
    "key_facts",
    "memory_text",
    "screen_text",
    "storage_lines",
    "storage_text",
]
