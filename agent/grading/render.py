"""The grade as a technician reads it (French by default) — plain text through rich."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from agent.i18n import N_, _, current_language
from agent.report import CheckResult, Grade

_STATUS_FR = {"pass": "OK", "warn": "ATTENTION", "fail": "ÉCHEC", "skipped": "non fait", "error": "erreur"}
_STATUS_EN = {"pass": "OK", "warn": "WARNING", "fail": "FAILED", "skipped": "skipped", "error": "error"}
_STYLE = {"pass": "green", "warn": "yellow", "fail": "bold red", "skipped": "dim", "error": "magenta"}


_NAMES = {
    "disk-health": N_("Disk health"),
    "selftest": N_("SMART self-test"),
    "read-scan": N_("Disk read"),
    "memory": N_("Memory"),
    "cpu": N_("Processor and cooling"),
    "battery": N_("Battery"),
    "network": N_("Network"),
    "keyboard": N_("Keyboard"),
    "screen": N_("Screen"),
    "speakers": N_("Speakers"),
    "webcam": N_("Webcam"),
    "pointer": N_("Touchpad / mouse"),
    "usb-ports": N_("USB ports"),
    "appearance": N_("Appearance"),
}


def check_label(check_id: str) -> str:
    """ "disk-health:/dev/sda" -> "Santé du disque /dev/sda"."""
    kind, _sep, subject = check_id.partition(":")
    name = _(_NAMES[kind]) if kind in _NAMES else kind
    return f"{name} {subject}".strip()


def _status(status: str) -> str:
    return (_STATUS_FR if current_language() == "fr" else _STATUS_EN).get(status, status)


def print_checks(console: Console, checks: list[CheckResult]) -> None:
    table = Table(title=_("Checks"), show_lines=False)
    table.add_column(_("Check"))
    table.add_column(_("Result"))
    table.add_column(_("Details"), overflow="fold")
    table.add_column(_("Time"), justify="right")
    for check in checks:
        table.add_row(
            check_label(check.id),
            f"[{_STYLE.get(check.status, '')}]{_status(check.status)}[/]",
            check.message,
            f"{check.duration_s:.0f} s" if check.duration_s >= 1 else "",
        )
    console.print(table)


def print_grade(console: Console, grade: Grade) -> None:
    fr = current_language() == "fr"
    outcome = {
        "reuse": _("reuse as is"),
        "reuse-after-upgrade": _("reuse after upgrade"),
        "parts": _("parts only"),
        "recycle": _("recycle"),
    }[grade.outcome]
    title = _("Proposed grade: {grade} — {outcome}").format(grade=grade.grade, outcome=outcome)
    console.print(f"[bold]{title}[/]")
    for reason in grade.reasons:
        console.print(f"  • [{reason.grade}] {reason.message_fr if fr else reason.message_en}")
    if grade.upgrades:
        heading = _("Upgrades to do:")
        console.print(f"[bold]{heading}[/]")
        for upgrade in grade.upgrades:
            console.print(f"  → {upgrade.message_fr if fr else upgrade.message_en}")
    separator = " ; " if fr else "; "
    for label, eligibility in (("Windows 11", grade.windows11), ("Linux", grade.linux_desktop)):
        if eligibility is None:
            continue
        answer = {True: _("yes"), False: _("no"), None: _("unknown")}[eligibility.eligible]
        reasons = eligibility.reasons_fr if fr else eligibility.reasons_en
        console.print(f"{label} : {answer}" if fr else f"{label}: {answer}", end="")
        console.print(f" ({separator.join(reasons)})" if reasons else "")
    step = grade.next_step_fr if fr else grade.next_step_en
    if step:
        console.print(f"[bold]{step}[/]")


__all__ = ["check_label", "print_checks", "print_grade"]
