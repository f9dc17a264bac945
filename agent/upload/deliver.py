"""Deliver spooled reports: bounded retries with exponential backoff, idempotent by report_id.

The server answers 201 the first time and 200 with the same body for a report_id it already has,
so sending again after any doubt (timeout, server killed mid-request) never makes a duplicate.
Only a confirmed 200/201 moves the spool entry to `sent/`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from agent.spool import Spool, SpoolEntry
from agent.upload.client import Answer, ServerClient

Outcome = Literal["sent", "rejected", "pending"]

#: Worth trying again: the server is busy, restarting, or the request timed out.
RETRYABLE = frozenset({408, 425, 429, 500, 502, 503, 504})
#: Not the report's fault: a wrong or revoked token. The report stays pending for `atelier sync`.
AUTH = frozenset({401, 403})


@dataclass
class Delivery:
    report_id: str
    outcome: Outcome
    status: int | None
    message: str
    attempts: int


@dataclass
class SyncSummary:
    deliveries: list[Delivery] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for d in self.deliveries if d.outcome == outcome)


def backoff_delays(attempts: int, *, base: float = 0.5, cap: float = 8.0) -> list[float]:
    """Waits between attempts: 0.5, 1, 2, 4, 8, 8… seconds (bounded: a run must end)."""
    return [min(cap, base * 2**i) for i in range(max(0, attempts - 1))]


def deliver(
    spool: Spool,
    entry: SpoolEntry,
    client: ServerClient,
    *,
    attempts: int = 5,
    sleep: Callable[[float], None] = time.sleep,
    on_attempt: Callable[[int, Answer], None] | None = None,
) -> Delivery:
    payload = entry.path.read_bytes()
    delays = backoff_delays(attempts)
    answer = Answer(None, "", "not tried")
    for attempt in range(1, attempts + 1):
        answer = client.post_report(payload)
        if on_attempt is not None:
            on_attempt(attempt, answer)
        if answer.status in (200, 201):
            spool.mark_sent(entry.report_id)
            return Delivery(entry.report_id, "sent", answer.status, answer.message, attempt)
        if answer.status is not None and answer.status in AUTH:
            return Delivery(entry.report_id, "pending", answer.status, answer.message, attempt)
        if answer.status is not None and 400 <= answer.status < 500 and answer.status not in RETRYABLE:
            reason = f"HTTP {answer.status}: {answer.message}"
            spool.mark_rejected(entry.report_id, reason)
            return Delivery(entry.report_id, "rejected", answer.status, answer.message, attempt)
        if attempt <= len(delays):
            sleep(delays[attempt - 1])
    return Delivery(
        entry.report_id, "pending", answer.status, answer.message or (answer.error or ""), attempts
    )


def sync_all(
    spool: Spool,
    client: ServerClient,
    *,
    attempts: int = 5,
    sleep: Callable[[float], None] = time.sleep,
    only: str | None = None,
) -> SyncSummary:
    summary = SyncSummary()
    for entry in spool.pending():
        if only is not None and entry.report_id != only:
            continue
        delivery = deliver(spool, entry, client, attempts=attempts, sleep=sleep)
        summary.deliveries.append(delivery)
        # The server is down: do not spend the whole backoff again on every other report.
        if delivery.outcome == "pending" and delivery.status is None:
            attempts = 1
    return summary


__all__ = ["AUTH", "RETRYABLE", "Delivery", "SyncSummary", "backoff_delays", "deliver", "sync_all"]
