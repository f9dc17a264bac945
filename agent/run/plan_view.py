"""Read an erase plan without depending on its exact class: device list and one row per disk."""

from __future__ import annotations

from typing import Any


def _entries(plan: Any) -> list[Any]:
    for attr in ("entries", "items", "disks", "steps"):
        value = getattr(plan, attr, None)
        if isinstance(value, list | tuple):
            return list(value)
    return list(plan) if isinstance(plan, list | tuple) else []


def _device(entry: Any) -> str | None:
    for attr in ("device", "path"):
        value = getattr(entry, attr, None)
        if isinstance(value, str):
            return value
    disk = getattr(entry, "disk", None)
    value = getattr(disk, "path", None)
    return value if isinstance(value, str) else None


def _refused(entry: Any) -> bool:
    for attr in ("refused", "protected", "skip", "skipped", "excluded"):
        value = getattr(entry, attr, None)
        if isinstance(value, bool) and value:
            return True
        if isinstance(value, str | list | tuple) and value:
            return True
    action = getattr(entry, "action", None)
    if isinstance(action, str):
        return action != "erase"
    return getattr(entry, "technique", "x") is None


def _technique(entry: Any) -> str:
    technique = getattr(entry, "technique", None)
    if not technique:
        return ""
    try:
        from agent.erase.planner import technique_label
    except ImportError:
        return str(technique)
    return technique_label(str(technique))


def _why(entry: Any) -> str:
    why = getattr(entry, "why", None)
    if callable(why):
        return str(why())
    return str(why or getattr(entry, "reason", None) or "")


def planned_devices(plan: Any) -> list[str]:
    """Devices the plan will write to (entries refused by the safety rules are left out)."""
    to_erase = getattr(plan, "to_erase", None)
    if callable(to_erase):
        return [d for e in to_erase() if (d := _device(e))]
    return [d for e in _entries(plan) if not _refused(e) and (d := _device(e))]


def plan_rows(plan: Any) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for entry in _entries(plan):
        disk = getattr(entry, "disk", None)
        seconds = None
        for attr in ("expected_seconds", "estimated_s", "expected_duration_s", "duration_s", "eta_s"):
            value = getattr(entry, attr, None)
            if isinstance(value, int | float):
                seconds = float(value)
                break
        rows.append(
            {
                "device": _device(entry) or "?",
                "model": str(getattr(disk, "model", None) or getattr(entry, "model", None) or ""),
                "serial": str(getattr(disk, "serial", None) or getattr(entry, "serial", None) or ""),
                "size": str(getattr(disk, "size_bytes", None) or getattr(entry, "size_bytes", None) or ""),
                "technique": _technique(entry),
                "reason": _why(entry),
                "seconds": "" if seconds is None else f"{seconds:.0f}",
                "refused": "1" if _refused(entry) else "",
            }
        )
    return rows


__all__ = ["plan_rows", "planned_devices"]
