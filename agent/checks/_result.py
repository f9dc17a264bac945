"""Building check results the same way in every check."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from agent.checks._text import Text, text
from agent.i18n import N_
from agent.report import CheckResult, CheckStatus
from agent.report.checks import Measurement

Progress = Callable[[str, float], None]


class Timer:
    """Start time (wall clock for the report, monotonic for the duration)."""

    def __init__(self) -> None:
        self.started_at = datetime.now(UTC)
        self._t0 = time.monotonic()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self._t0


def result(
    check_id: str,
    status: CheckStatus,
    message: Text,
    *,
    timer: Timer | None = None,
    measurements: dict[str, Measurement] | None = None,
    answered_by: str | None = "auto",
) -> CheckResult:
    return CheckResult(
        id=check_id,
        status=status,
        message=message.local(),
        message_en=message.en,
        measurements=measurements or {},
        duration_s=round(timer.elapsed, 3) if timer else 0.0,
        started_at=timer.started_at if timer else datetime.now(UTC),
        answered_by=answered_by,
    )


def not_available(check_id: str, why: Text | None = None, *, timer: Timer | None = None) -> CheckResult:
    """A check this machine cannot run (no battery, no SMART, no sensor): skipped, said plainly."""
    return result(check_id, "skipped", why or text(N_("not available on this machine")), timer=timer)


def error(check_id: str, what: str, *, timer: Timer | None = None) -> CheckResult:
    """The check itself broke (not the hardware): status "error", detail kept for support."""
    return result(
        check_id,
        "error",
        text(N_("the check could not run: {detail}"), detail=what),
        timer=timer,
    )


__all__ = ["Progress", "Timer", "error", "not_available", "result"]
