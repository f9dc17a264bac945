"""Batteries from /sys/class/power_supply (one `uevent` read per supply)."""

from __future__ import annotations

from agent.parsers.power_supply import battery_from_uevent, is_system_battery, parse_uevent
from agent.probes._context import ProbeContext
from agent.report import Battery

PROBE = "battery"
SUPPLY_DIR = "/sys/class/power_supply"


def probe_batteries(ctx: ProbeContext) -> list[Battery]:
    batteries: list[Battery] = []
    for name in ctx.list_dir(PROBE, SUPPLY_DIR):
        # AC adapters and USB-C ports are supplies too; TYPE tells them apart (names vary: BAT0, CMB1).
        text = ctx.read_text(PROBE, f"{SUPPLY_DIR}/{name}/uevent")
        if text is None:
            continue
        props = parse_uevent(text)
        if not props.get("TYPE"):
            props["TYPE"] = ctx.read_value(PROBE, f"{SUPPLY_DIR}/{name}/type") or ""
        if not is_system_battery(props):
            continue
        battery = battery_from_uevent(name, props)
        if battery.present is not False and battery.design_capacity_wh is None:
            ctx.error(PROBE, f"{name}: design capacity unknown", f"{SUPPLY_DIR}/{name}/uevent")
        batteries.append(battery)
    return batteries


__all__ = ["probe_batteries"]
