"""Component checks and the grade (filled by `agent.checks` and `agent.grading`)."""

from __future__ import annotations

from agent._datetime import datetime
from agent._record import field
from agent._typing import Literal
from agent.report._base import Model

CheckStatus = Literal["pass", "warn", "fail", "skipped", "error"]
Measurement = float | int | str | bool | None


class CheckResult(Model):
    id: str
    """Stable id, e.g. 'disk-health:/dev/sda', 'memory', 'cpu', 'keyboard'."""
    status: CheckStatus
    message: str
    """What the technician reads, in the report's language."""
    message_en: str | None = None
    measurements: dict[str, Measurement] = field(default_factory=dict)
    duration_s: float = 0.0
    started_at: datetime | None = None
    #: For interactive checks: who answered ("technicien: Samir"), or "auto".
    answered_by: str | None = None


class GradeReason(Model):
    rule: str
    grade: Literal["A", "B", "C", "D"]
    message_fr: str
    message_en: str


class Upgrade(Model):
    part: str
    message_fr: str
    message_en: str


class Eligibility(Model):
    eligible: bool | None
    reasons_fr: list[str] = field(default_factory=list)
    reasons_en: list[str] = field(default_factory=list)


class Grade(Model):
    grade: Literal["A", "B", "C", "D"]
    #: "reuse", "reuse-after-upgrade", "parts", "recycle".
    outcome: Literal["reuse", "reuse-after-upgrade", "parts", "recycle"]
    reasons: list[GradeReason] = field(default_factory=list)
    upgrades: list[Upgrade] = field(default_factory=list)
    windows11: Eligibility | None = None
    linux_desktop: Eligibility | None = None
    policy: str | None = None
    next_step_fr: str | None = None
    next_step_en: str | None = None
    appearance: Literal["A", "B", "C", "D"] | None = None


__all__ = ["CheckResult", "CheckStatus", "Eligibility", "Grade", "GradeReason", "Measurement", "Upgrade"]
