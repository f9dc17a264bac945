"""Names and sentences both screens show (guided and unattended), without the guided screen's
rich: the unattended run's log prints its first line before any of rich is loaded."""

from __future__ import annotations

from typing import Any

from agent.i18n import N_, _

CHECK_NAMES = {
    "read-scan": N_("Disk read test"),
    "memory": N_("Memory test"),
    "cpu": N_("Processor and cooling"),
    "selftest": N_("Disk self-test"),
    "battery": N_("Battery"),
    "network": N_("Network"),
}
CHANNELS = {"left": N_("left"), "right": N_("right")}
PHASES = {"write": N_("writing"), "verify": N_("checking"), "firmware": N_("drive erasing")}


def disk_line(disk: Any) -> str:
    """One disk's erasure result, as a technician acts on it."""
    results = {
        "erased": _("erased and verified"),
        "failed": _("ERASURE FAILED: remove this disk"),
        "incomplete": _("erasure INCOMPLETE: start again"),
        "verified": _("verified"),
        "verification_failed": _("VERIFICATION FAILED"),
    }
    name = " ".join(p for p in (disk.device, disk.model) if p)
    text = f"{name}: {results.get(disk.result, disk.result)}"
    if disk.restarted:
        text += " " + _("(restarted after an interruption)")
    return text


__all__ = ["CHANNELS", "CHECK_NAMES", "PHASES", "disk_line"]
