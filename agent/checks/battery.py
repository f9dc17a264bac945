"""Battery check: health (full vs design capacity), cycles, charging state, and on the full
profile a short discharge-rate measurement (energy_now / power_now over a few seconds)."""

from __future__ import annotations

import time
from collections.abc import Callable

from agent.checks._result import Timer, result
from agent.checks._text import text
from agent.host import Host
from agent.i18n import N_
from agent.parsers.power_supply import parse_uevent
from agent.probes._context import ProbeContext
from agent.probes.battery import SUPPLY_DIR, probe_batteries
from agent.report import Battery, CheckResult
from agent.report.checks import Measurement

REPLACE_BELOW = 60.0
DISCLOSE_BELOW = 80.0


def _props(host: Host, name: str) -> dict[str, str]:
    ctx = ProbeContext(host)
    raw = ctx.read_text("battery", f"{SUPPLY_DIR}/{name}/uevent", optional=True)
    return parse_uevent(raw) if raw else {}


def _power_w(props: dict[str, str]) -> float | None:
    try:
        if props.get("POWER_NOW"):
            return abs(int(props["POWER_NOW"])) / 1e6
        if props.get("CURRENT_NOW") and props.get("VOLTAGE_NOW"):
            return abs(int(props["CURRENT_NOW"])) * int(props["VOLTAGE_NOW"]) / 1e12
    except ValueError:
        return None
    return None


def _energy_wh(props: dict[str, str]) -> float | None:
    try:
        if props.get("ENERGY_NOW"):
            return int(props["ENERGY_NOW"]) / 1e6
        if props.get("CHARGE_NOW") and props.get("VOLTAGE_MIN_DESIGN"):
            return int(props["CHARGE_NOW"]) * int(props["VOLTAGE_MIN_DESIGN"]) / 1e12
    except ValueError:
        return None
    return None


def measure_discharge(
    host: Host, name: str, seconds: float, *, sleep: Callable[[float], None] = time.sleep
) -> dict[str, Measurement]:
    """Discharge rate over `seconds`: the energy drop when the gauge moves, else the power reading."""
    first = _props(host, name)
    if first.get("STATUS", "").lower() != "discharging":
        return {"discharge": "on mains power: unplug the charger to measure"}
    e0 = _energy_wh(first)
    sleep(seconds)
    last = _props(host, name)
    e1 = _energy_wh(last)
    watts: float | None = None
    if e0 is not None and e1 is not None and e0 > e1:
        watts = (e0 - e1) * 3600 / seconds
    if watts is None:
        readings = [w for w in (_power_w(first), _power_w(last)) if w]
        watts = sum(readings) / len(readings) if readings else None
    out: dict[str, Measurement] = {"discharge_w": round(watts, 2) if watts else None}
    if watts and e1:
        out["runtime_estimate_min"] = round(e1 / watts * 60)
    return out


def _one(
    host: Host, battery: Battery, discharge_s: float | None, sleep: Callable[[float], None]
) -> CheckResult:
    timer = Timer()
    check_id = f"battery:{battery.name}"
    measurements: dict[str, Measurement] = {
        "health_percent": battery.health_percent,
        "cycle_count": battery.cycle_count,
        "status": battery.status,
        "design_wh": battery.design_capacity_wh,
        "full_wh": battery.full_capacity_wh,
    }
    if discharge_s:
        measurements.update(measure_discharge(host, battery.name, discharge_s, sleep=sleep))
    if battery.present is False:
        return result(
            check_id,
            "fail",
            text(N_("battery slot empty or battery not detected")),
            timer=timer,
            measurements=measurements,
        )
    health = battery.health_percent
    cycles = "?" if battery.cycle_count in (None, 0) else str(battery.cycle_count)
    if health is None:
        return result(
            check_id,
            "warn",
            text(N_("battery present but its capacity cannot be read")),
            timer=timer,
            measurements=measurements,
        )
    if health < REPLACE_BELOW:
        return result(
            check_id,
            "fail",
            text(
                N_("battery worn out: {health:.0f}% of its original capacity ({cycles} cycles): replace it"),
                health=health,
                cycles=cycles,
            ),
            timer=timer,
            measurements=measurements,
        )
    if health < DISCLOSE_BELOW:
        return result(
            check_id,
            "warn",
            text(
                N_(
                    "battery usable: {health:.0f}% of its original capacity ({cycles} cycles), tell the recipient"
                ),
                health=health,
                cycles=cycles,
            ),
            timer=timer,
            measurements=measurements,
        )
    return result(
        check_id,
        "pass",
        text(
            N_("battery in good health: {health:.0f}% of its original capacity ({cycles} cycles)"),
            health=health,
            cycles=cycles,
        ),
        timer=timer,
        measurements=measurements,
    )


def check_batteries(
    host: Host, *, discharge_s: float | None = None, sleep: Callable[[float], None] = time.sleep
) -> list[CheckResult]:
    batteries = probe_batteries(ProbeContext(host))
    if not batteries:
        return [result("battery", "skipped", text(N_("no battery on this machine")))]
    return [_one(host, b, discharge_s, sleep) for b in batteries]


__all__ = ["check_batteries", "measure_discharge"]
