"""Screens from the EDID the kernel read on each DRM connector (/sys/class/drm/card*-*/edid)."""

from __future__ import annotations

from agent.host import HostFileError
from agent.parsers.edid import parse_edid
from agent.probes._context import ProbeContext
from agent.report import Display

PROBE = "display"
DRM_DIR = "/sys/class/drm"
_INTERNAL = ("eDP", "LVDS", "DSI")
#: Base block plus up to 3 extensions is plenty; a broken driver must not make us read megabytes.
_EDID_LIMIT = 4096


def connector_name(entry: str) -> str:
    """'card0-eDP-1' → 'eDP-1'."""
    _, sep, rest = entry.partition("-")
    return rest if sep else entry


def probe_displays(ctx: ProbeContext) -> list[Display]:
    displays: list[Display] = []
    for entry in ctx.list_dir(PROBE, DRM_DIR):
        if not entry.startswith("card") or "-" not in entry:
            continue
        path = f"{DRM_DIR}/{entry}/edid"
        try:
            data = ctx.host.read_bytes(path, limit=_EDID_LIMIT)
        except HostFileError:
            continue
        if not data:
            continue  # nothing plugged into this connector
        connector = connector_name(entry)
        info = parse_edid(data)
        for problem in info.problems:
            ctx.error(PROBE, f"{connector}: {problem}", path)
        displays.append(
            Display(
                connector=connector,
                manufacturer_id=info.manufacturer_id,
                manufacturer=info.manufacturer,
                model=info.model,
                product_code=info.product_code,
                serial=info.serial,
                width_cm=info.width_cm,
                height_cm=info.height_cm,
                diagonal_inches=info.diagonal_inches,
                native_width=info.native_width,
                native_height=info.native_height,
                year=info.year,
                internal=connector.startswith(_INTERNAL),
            )
        )
    return displays


__all__ = ["connector_name", "probe_displays"]
