"""Report ingest with group commit: many reports, one transaction, one fsync.

With SQLite in WAL mode and `synchronous=FULL` every commit waits for an fsync of the WAL (3–5 ms
on this VM, much more on a workshop's cheap SSD), and SQLite has one writer at a time: one commit
per report capped ingest near 1/fsync-time whatever the number of clients. Here the request
threads queue their prepared reports; whichever thread finds no write in progress becomes the
writer for everything queued at that moment (leader/follower group commit: no background thread
to start or stop), stores each report in its own SAVEPOINT and commits once. Every request is
answered only after that commit returned, so a 201/200 still means "on disk": the agent deletes
its local copy on that answer.

A report that fails inside the batch (same report_id with other content, a certificate id
repeated, a number too large for the database) rolls back to its savepoint and gets its own
error; the others are committed. A failing commit fails every report of the batch (none stored).
The same path runs on PostgreSQL, where the savepoints also keep one failed statement from
aborting the whole transaction.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Final

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server_stub import crud
from server_stub.db import Database
from server_stub.models import utcnow

#: A report that lost a race (same new asset code or report_id from another process, on
#: PostgreSQL) is tried again in a fresh savepoint: the retry sees the winner's committed row.
RETRIES: Final = 3
#: Upper bound of reports per transaction: keeps one batch's transaction (and the latency of the
#: first report in it) short when a backlog has built up.
MAX_BATCH: Final = 64


@dataclass
class _Pending:
    prepared: crud.PreparedReport
    station_id: int
    result: crud.IngestResult | None = None
    error: Exception | None = None
    done: bool = False


def _store_one(session: Session, item: _Pending) -> crud.IngestResult:
    for attempt in range(RETRIES):
        try:
            with session.begin_nested():
                return crud.store_report(
                    session, prepared=item.prepared, station_id=item.station_id, touch_station=False
                )
        except IntegrityError:
            if attempt == RETRIES - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


class IngestWriter:
    """Stores prepared reports: grouped into shared transactions, or one transaction each.

    `group_commit=False` is the previous behaviour (one transaction and one fsync per report),
    kept for comparison in `benchmarks.server_ingest`.
    """

    def __init__(self, db: Database, *, group_commit: bool = True, max_batch: int = MAX_BATCH) -> None:
        self.db = db
        self.group_commit = group_commit
        self.max_batch = max_batch
        self._cond = threading.Condition()
        self._queue: list[_Pending] = []
        self._writing = False

    def store(self, prepared: crud.PreparedReport, *, station_id: int) -> crud.IngestResult:
        """Store one report; returns once it is committed, raises its own error otherwise."""
        item = _Pending(prepared, station_id)
        if not self.group_commit:
            self._store_alone(item)
        else:
            with self._cond:
                self._queue.append(item)
            while True:
                with self._cond:
                    while not item.done and self._writing:
                        self._cond.wait()
                    if item.done:
                        break
                    self._writing = True
                    batch = self._queue[: self.max_batch]
                    del self._queue[: self.max_batch]
                try:
                    self.write_batch(batch)
                finally:
                    with self._cond:
                        self._writing = False
                        self._cond.notify_all()
        if item.error is not None:
            raise item.error
        assert item.result is not None
        return item.result

    def write_batch(self, items: list[_Pending]) -> None:
        """Store `items` in one transaction; each item ends `done` with its result or its error."""
        results: dict[int, crud.IngestResult] = {}
        failure: Exception | None = None
        committed = False
        try:
            with self.db.write_lock, self.db.session(write=True) as session:
                for index, item in enumerate(items):
                    try:
                        results[index] = _store_one(session, item)
                    except Exception as exc:  # this report's own answer (409, 422…)
                        item.error = exc
                created = {items[i].station_id for i, result in results.items() if result.created}
                if created:
                    crud.touch_stations(session, station_ids=sorted(created), now=utcnow())
                # Leaving the block commits (fsync): answers are released only after it returned.
            committed = True
        except Exception as exc:  # nothing of this batch is stored: every report gets the error
            failure = exc
        finally:
            for index, item in enumerate(items):
                if item.error is None:
                    if committed and index in results:
                        item.result = results[index]
                    else:
                        item.error = failure or RuntimeError("report not stored: the server is stopping")
                item.done = True

    def _store_alone(self, item: _Pending) -> None:
        """One transaction (and one fsync) per report: the behaviour before group commit."""
        try:
            for attempt in range(RETRIES):
                try:
                    with self.db.write_lock, self.db.session(write=True) as session:
                        item.result = crud.store_report(
                            session, prepared=item.prepared, station_id=item.station_id
                        )
                    break
                except IntegrityError:
                    if attempt == RETRIES - 1:
                        raise
        except Exception as exc:
            item.result = None
            item.error = exc
        item.done = True


def pending(prepared: crud.PreparedReport, station_id: int) -> _Pending:
    """A queue item for `IngestWriter.write_batch` (tests and bulk loaders)."""
    return _Pending(prepared, station_id)


__all__ = ["MAX_BATCH", "RETRIES", "IngestWriter", "pending"]
