"""What goes on the label: the asset code and the specs a beneficiary cares about, in French."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from agent import fmt
from agent.i18n import _
from agent.report import Report
from agent.tui.facts import battery_text, cpu_text, memory_text, screen_text, storage_text


@dataclass(frozen=True)
class LabelContent:
    asset_code: str
    lines: list[tuple[str, str]]
    grade: str | None


def erased_on(report: Report) -> datetime | None:
    ends = [
        c.certificate.finished_at
        for c in report.certificates
        if c.certificate.result in ("erased", "verified")
    ]
    return max(ends) if ends else None


def label_content(report: Report) -> LabelContent:
    battery = None
    for b in report.batteries:
        if b.health_percent is not None:
            battery = f"{round(b.health_percent)} %"
            break
    _battery_long = battery_text(report)  # the screen's wording; the label keeps the short one
    grade = report.grade.grade if report.grade else None
    erased = erased_on(report)
    pairs = [
        (_("Processor"), cpu_text(report)),
        (_("Memory"), memory_text(report)),
        (_("Storage"), storage_text(report)),
        (_("Screen"), screen_text(report)),
        (_("Battery"), battery),
        (_("Grade"), grade),
        (_("Erased on"), fmt.day(erased) if erased else None),
    ]
    return LabelContent(
        asset_code=report.asset_code or "?",
        lines=[(k, v) for k, v in pairs if v],
        grade=grade,
    )


__all__ = ["LabelContent", "erased_on", "label_content"]
