"""Names shown for the inventory's codes (msgids in English, French in `po/web.po`).

Codes already named for the documents are reused from where they are defined — outcomes and
certificate results from `server_stub.exports`, techniques and media from the certificate PDF —
so a batch page and its traceability PDF never word the same thing differently.
"""

from __future__ import annotations

from agent.certs.pdf import CATEGORY_LABELS, MEDIA_LABELS, TECHNIQUE_LABELS, VERIFICATION_METHODS
from agent.i18n import N_
from server_stub.exports import OUTCOMES, RESULTS

ERASURE_STATUS = {
    "none": N_("Not erased yet"),
    "erased": N_("Erased and verified"),
    "incomplete": N_("Erasure incomplete"),
    "failed": N_("Erasure failed"),
}
SIGNATURE_STATUS = {
    "none": N_("No certificate"),
    "valid": N_("Signature valid"),
    "invalid": N_("Signature INVALID"),
}
GRADE_OUTCOME = {
    "reuse": N_("Reuse"),
    "reuse-after-upgrade": N_("Reuse after upgrade"),
    "parts": N_("Parts"),
    "recycle": N_("Recycling"),
}
#: The grades as the agent's grading policy defines them (agent/grading): what to do with the machine.
GRADE_MEANING = {
    "A": N_("Grade A: reuse as is"),
    "B": N_("Grade B: reuse after upgrade or part swap"),
    "C": N_("Grade C: parts only"),
    "D": N_("Grade D: recycling"),
}
CHECK_STATUS = {
    "pass": N_("OK"),
    "warn": N_("Warning"),
    "fail": N_("Failed"),
    "skipped": N_("Skipped"),
    "error": N_("Error"),
}
#: Check ids (before any ":device" suffix) named for people.
CHECK_NAMES = {
    "battery": N_("Battery"),
    "memory": N_("Memory"),
    "cpu": N_("Processor"),
    "network": N_("Network"),
    "keyboard": N_("Keyboard"),
    "screen": N_("Screen"),
    "speakers": N_("Speakers"),
    "webcam": N_("Webcam"),
    "pointer": N_("Touchpad or mouse"),
    "usb-ports": N_("USB ports"),
    "appearance": N_("Appearance"),
    "disk-health": N_("Disk health"),
    "read-scan": N_("Disk surface read"),
    "self-test": N_("Disk self-test"),
    "audio": N_("Sound"),
    "wifi": N_("Wi-Fi"),
    "usb": N_("USB ports"),
}
FORM_FACTOR = {
    "laptop": N_("Laptop"),
    "desktop": N_("Desktop"),
    "tablet": N_("Tablet"),
    "all-in-one": N_("All-in-one"),
    "server": N_("Server"),
    "mini": N_("Mini PC"),
    "other": N_("Other"),
}
SECURE_BOOT = {
    "enabled": N_("Secure Boot on"),
    "disabled": N_("Secure Boot off"),
    "setup-mode": N_("Secure Boot in setup mode"),
}
#: The list's "where is it" filter: computed from reports and outcomes.
DEVICE_STATE = {
    "waiting": N_("Waiting (no run yet)"),
    "stock": N_("Processed, in stock"),
    "left": N_("Left the workshop"),
}
SORTS = {
    "recent": N_("Latest activity first"),
    "oldest": N_("Oldest activity first"),
    "run-desc": N_("Latest run first"),
    "run-asc": N_("Oldest run first"),
}
ROLE = {
    "admin": N_("administrator"),
    "supervisor": N_("supervisor"),
    "technician": N_("technician"),
    "donor": N_("donor"),
}
#: Outcomes that put the machine back in use (the dashboard's "reuse" side).
REUSE_KINDS = ("donated", "lent", "sold")


def check_name(check_id: str) -> tuple[str | None, str]:
    """(msgid of the check's name or None, the device it ran on or the raw id)."""
    base, _sep, target = check_id.partition(":")
    if base in CHECK_NAMES:
        return CHECK_NAMES[base], target
    return None, check_id


__all__ = [
    "CATEGORY_LABELS",
    "CHECK_NAMES",
    "CHECK_STATUS",
    "DEVICE_STATE",
    "ERASURE_STATUS",
    "FORM_FACTOR",
    "GRADE_MEANING",
    "GRADE_OUTCOME",
    "MEDIA_LABELS",
    "OUTCOMES",
    "RESULTS",
    "REUSE_KINDS",
    "ROLE",
    "SECURE_BOOT",
    "SIGNATURE_STATUS",
    "SORTS",
    "TECHNIQUE_LABELS",
    "VERIFICATION_METHODS",
    "check_name",
]
