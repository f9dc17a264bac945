"""The end of a run in a few facts: grade, what to do with the machine, disks, delivery, exit code."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from agent._record import Record, field
from agent.i18n import N_, _, current_language

if TYPE_CHECKING:
    from agent.report import Grade

#: What to do with the machine, one sentence a technician acts on. The workshop's shelves.
NEXT_STEP = {
    "reuse": N_("→ Reuse: green label, shelf A"),
    "reuse-after-upgrade": N_("→ Reuse after upgrade: orange label, shelf B"),
    "parts": N_("→ Parts: grey label, shelf C"),
    "recycle": N_("→ Recycling: red label, recycling bin D"),
}
OUTCOME_WORD = {
    "reuse": N_("REUSE"),
    "reuse-after-upgrade": N_("UPGRADE"),
    "parts": N_("PARTS"),
    "recycle": N_("RECYCLE"),
}


class DiskOutcome(Record):
    device: str
    model: str | None
    serial: str | None
    result: str
    technique: str | None = None
    restarted: bool = False


class RunSummary(Record):
    report_id: str
    asset_code: str | None
    machine: str | None
    grade: Grade | None = None
    disks: list[DiskOutcome] = field(default_factory=list)
    checks_failed: list[str] = field(default_factory=list)
    checks_skipped: int = 0
    upload: str = "pending"
    upload_message: str = ""
    spool_path: Path | None = None
    label_path: Path | None = None
    label_printed: bool = False
    unavailable: list[str] = field(default_factory=list)
    refused: str | None = None
    resumed: bool = False
    notes: list[str] = field(default_factory=list)
    exit_code: int = 0

    def next_step(self) -> str:
        if self.grade is None:
            return _("→ No grade: ask the supervisor")
        own = self.grade.next_step_fr if current_language() == "fr" else self.grade.next_step_en
        return own or _(NEXT_STEP[self.grade.outcome])

    def reasons(self) -> list[str]:
        if self.grade is None:
            return []
        fr = current_language() == "fr"
        return [r.message_fr if fr else r.message_en for r in self.grade.reasons]

    def upgrades(self) -> list[str]:
        if self.grade is None:
            return []
        fr = current_language() == "fr"
        return [u.message_fr if fr else u.message_en for u in self.grade.upgrades]


#: Exit codes of `atelier run` (README, "Exit codes"): the most serious problem wins.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_REFUSED = 4
EXIT_ENVIRONMENT = 5
EXIT_NOT_DELIVERED = 6


def exit_code(summary: RunSummary) -> int:
    if summary.refused:
        return EXIT_REFUSED
    if any(d.result not in ("erased", "verified") for d in summary.disks) or summary.checks_failed:
        return EXIT_FAILED
    if "erase" in summary.unavailable:
        return EXIT_FAILED
    if summary.upload != "sent":
        return EXIT_NOT_DELIVERED
    return EXIT_OK


__all__ = [
    "EXIT_ENVIRONMENT",
    "EXIT_FAILED",
    "EXIT_NOT_DELIVERED",
    "EXIT_OK",
    "EXIT_REFUSED",
    "NEXT_STEP",
    "OUTCOME_WORD",
    "DiskOutcome",
    "RunSummary",
    "exit_code",
]
