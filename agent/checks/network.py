"""Network check: wired link (carrier, speed), Wi-Fi adapter present, inventory server reachable."""

from __future__ import annotations

from collections.abc import Callable

from agent.checks._result import Timer, result
from agent.checks._text import Text, text
from agent.host import Host
from agent.i18n import N_
from agent.probes._context import ProbeContext
from agent.probes.network import probe_network
from agent.report import CheckResult, CheckStatus
from agent.report.checks import Measurement

#: (url, timeout) -> HTTP status, or raises OSError / requests' errors.
HealthGet = Callable[[str, float], int]


def _requests_get(url: str, timeout: float) -> int:
    import requests

    return int(requests.get(url, timeout=timeout).status_code)


def server_reachable(
    server_url: str, *, get: HealthGet = _requests_get, timeout: float = 3.0
) -> tuple[bool, str]:
    url = server_url.rstrip("/") + "/api/v1/health"
    try:
        status = get(url, timeout)
    except Exception as err:  # requests raises its own tree; any failure means "not reachable"
        return False, type(err).__name__
    return 200 <= status < 300, f"HTTP {status}"


def check_network(
    host: Host, *, server_url: str | None = None, get: HealthGet = _requests_get
) -> CheckResult:
    timer = Timer()
    interfaces = probe_network(ProbeContext(host))
    wired = [i for i in interfaces if i.kind == "wired"]
    wireless = [i for i in interfaces if i.kind == "wireless"]
    linked = [i for i in wired if i.link]
    measurements: dict[str, Measurement] = {
        "wired_adapters": len(wired),
        "wired_link": bool(linked),
        "wired_speed_mbps": max((i.speed_mbps or 0 for i in linked), default=0) or None,
        "wifi_adapters": len(wireless),
    }
    server_ok: bool | None = None
    if server_url:
        server_ok, detail = server_reachable(server_url, get=get)
        measurements["server_reachable"] = server_ok
        measurements["server_detail"] = detail
    if not interfaces:
        return result(
            "network", "fail", text(N_("no network adapter found")), timer=timer, measurements=measurements
        )
    parts = []
    if linked:
        speed = measurements["wired_speed_mbps"]
        parts.append(
            text(N_("wired link up ({speed} Mbit/s)"), speed=speed) if speed else text(N_("wired link up"))
        )
    elif wired:
        parts.append(text(N_("wired adapter present, no cable link (plug a cable to test the port)")))
    if wireless:
        parts.append(text(N_("Wi-Fi adapter present")))
    if server_ok is True:
        parts.append(text(N_("inventory server reachable")))
    elif server_ok is False:
        parts.append(text(N_("inventory server NOT reachable")))
    message_fr = " ; ".join(p.fr for p in parts)
    message_en = "; ".join(p.en for p in parts)
    status: CheckStatus = "pass" if (linked or wireless) else "warn"
    if server_ok is False:
        status = "warn"
    return result(
        "network", status, Text(en=message_en, fr=message_fr), timer=timer, measurements=measurements
    )


__all__ = ["check_network", "server_reachable"]
