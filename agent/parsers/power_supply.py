"""`/sys/class/power_supply/<name>/uevent` → Battery.

One read of `uevent` gives every attribute (POWER_SUPPLY_ENERGY_FULL=…), instead of a dozen
files. Capacities come either as energy (µWh) or as charge (µAh, older and Apple/ThinkPad
batteries): charge is turned into energy with the design voltage, as upower does.
"""

from __future__ import annotations

from agent.parsers._text import clean, to_int
from agent.report import Battery


def parse_uevent(text: str) -> dict[str, str]:
    props: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            props[key.strip().removeprefix("POWER_SUPPLY_")] = value.strip()
    return props


def _micro(props: dict[str, str], key: str) -> int | None:
    value = to_int(props.get(key))
    return value if value is not None and value > 0 else None


def _wh(props: dict[str, str], kind: str, voltage_uv: int | None) -> float | None:
    energy = _micro(props, f"ENERGY_{kind}")
    if energy is not None:
        return round(energy / 1e6, 2)
    charge = _micro(props, f"CHARGE_{kind}")
    if charge is not None and voltage_uv is not None:
        return round(charge * voltage_uv / 1e12, 2)
    return None


def is_system_battery(props: dict[str, str]) -> bool:
    # Mice, keyboards and headsets report TYPE=Battery with SCOPE=Device: not the laptop's battery.
    return props.get("TYPE", "").lower() == "battery" and props.get("SCOPE", "").lower() != "device"


def battery_from_uevent(name: str, props: dict[str, str]) -> Battery:
    voltage = _micro(props, "VOLTAGE_MIN_DESIGN") or _micro(props, "VOLTAGE_NOW")
    design = _wh(props, "FULL_DESIGN", voltage)
    full = _wh(props, "FULL", voltage)
    health = round(100.0 * full / design, 1) if design and full else None
    present = props.get("PRESENT")
    cycles = to_int(props.get("CYCLE_COUNT"))
    return Battery(
        name=name,
        manufacturer=clean(props.get("MANUFACTURER")),
        model=clean(props.get("MODEL_NAME")),
        serial=clean(props.get("SERIAL_NUMBER")),
        chemistry=clean(props.get("TECHNOLOGY")),
        design_capacity_wh=design,
        full_capacity_wh=full,
        now_capacity_wh=_wh(props, "NOW", voltage),
        health_percent=health,
        # Negative means "not supported" on some firmware (-1); 0 is kept: it may be a new pack.
        cycle_count=cycles if cycles is not None and cycles >= 0 else None,
        status=clean(props.get("STATUS")),
        present=None if present is None else present.strip() == "1",
    )


__all__ = ["battery_from_uevent", "is_system_battery", "parse_uevent"]
