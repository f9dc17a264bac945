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

The API posts through `store_async`: requests wait on the event loop (a future each) rather than
in a thread each, and one batch at a time is written on the loop's own thread (see
`_write_batch_here`). Several server processes (uvicorn workers) each group their own reports; on
SQLite their batches take turns through the database's cross-process write lock
(`Database.write_lock`).
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from anyio import to_thread
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from server_stub import crud
from server_stub.db import Database, SqliteWriteLock
from server_stub.driver_sql import DriverCursor
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


def _store_one(connection: Connection, cursor: DriverCursor, item: _Pending) -> crud.IngestResult:
    for attempt in range(RETRIES):
        try:
            with cursor.savepoint():
                return crud.store_report(
                    connection,
                    prepared=item.prepared,
                    station_id=item.station_id,
                    touch_station=False,
                    cursor=cursor,
                )
        except IntegrityError:
            if attempt == RETRIES - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _release_when_taken(lock: SqliteWriteLock) -> Callable[[asyncio.Future[bool]], None]:
    def release(waiting: asyncio.Future[bool]) -> None:
        if not waiting.cancelled() and waiting.exception() is None and waiting.result():
            lock.release()

    return release


@dataclass
class _LoopQueue:
    items: list[tuple[_Pending, asyncio.Future[None]]] = field(default_factory=list)
    drainer: asyncio.Task[None] | None = None


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
        # store_async's queue and writer task, one per event loop (tests run the app on several):
        # each is only touched from its loop's thread; their batches share `db.write_lock`.
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopQueue] = (
            weakref.WeakKeyDictionary()
        )

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

    async def store_async(self, prepared: crud.PreparedReport, *, station_id: int) -> crud.IngestResult:
        """`store` for the event loop: waits for the commit without holding a thread."""
        item = _Pending(prepared, station_id)
        if not self.group_commit:
            await to_thread.run_sync(self._store_alone, item)
        else:
            loop = asyncio.get_running_loop()
            state = self._loops.get(loop)
            if state is None:
                state = self._loops[loop] = _LoopQueue()
            future: asyncio.Future[None] = loop.create_future()
            state.items.append((item, future))
            if state.drainer is None:
                state.drainer = asyncio.create_task(self._drain(state))
            # Shielded: a client that disconnects must not cancel the batch its report is in.
            await asyncio.shield(future)
        if item.error is not None:
            raise item.error
        assert item.result is not None
        return item.result

    async def _drain(self, state: _LoopQueue) -> None:
        """Write what is queued, one batch at a time, until the queue is empty."""
        try:
            while state.items:
                taken = state.items[: self.max_batch]
                del state.items[: self.max_batch]
                try:
                    await self._write_batch_here([item for item, _ in taken])
                finally:
                    for item, future in taken:
                        if not item.done:
                            item.error = RuntimeError("report not stored: the server is stopping")
                            item.done = True
                        if not future.done():
                            future.set_result(None)
        finally:
            state.drainer = None
            # Only when cancelled (server stopping) is anything left: answer it rather than hang.
            leftover, state.items = state.items, []
            for item, future in leftover:
                item.error = RuntimeError("report not stored: the server is stopping")
                item.done = True
                if not future.done():
                    future.set_result(None)

    async def _write_batch_here(self, items: list[_Pending]) -> None:
        """`write_batch` on the event loop's own thread; only waiting for the lock is done aside.

        In a worker thread, the batch's statements competed for the GIL with the request handling
        on the loop: every SQLite call releases it, and getting it back waited up to the 5 ms
        switch interval, so a batch of 3 ms of CPU per report took 20–40 ms per report of wall
        time while its requests waited. Here the statements run straight through; the process's
        other requests wait for the batch (at most `max_batch` reports), as they would have waited
        for the GIL.
        """
        lock = self.db.write_lock
        if not isinstance(lock, SqliteWriteLock):  # PostgreSQL: no lock, its own concurrency
            self._write_locked(items)
            return
        if not lock.acquire(blocking=False):
            # Another process (or thread) is writing: wait for it without blocking the loop.
            waiting = asyncio.get_running_loop().run_in_executor(None, lock.acquire)
            try:
                await asyncio.shield(waiting)
            except asyncio.CancelledError:  # stopping: give the lock back once the wait ends
                waiting.add_done_callback(_release_when_taken(lock))
                raise
        try:
            self._write_locked(items)
        finally:
            lock.release()

    def write_batch(self, items: list[_Pending]) -> None:
        """Store `items` in one transaction; each item ends `done` with its result or its error."""
        with self.db.write_lock:
            self._write_locked(items)

    def _write_locked(self, items: list[_Pending]) -> None:
        results: dict[int, crud.IngestResult] = {}
        failure: Exception | None = None
        committed = False
        try:
            with self.db.transaction() as connection:
                cursor = DriverCursor(connection)
                try:
                    for index, item in enumerate(items):
                        try:
                            results[index] = _store_one(connection, cursor, item)
                        except Exception as exc:  # this report's own answer (409, 422…)
                            item.error = exc
                finally:
                    cursor.close()
                created = {items[i].station_id for i, result in results.items() if result.created}
                if created:
                    crud.touch_stations(connection, station_ids=sorted(created), now=utcnow())
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
                    with self.db.write_lock, self.db.transaction() as connection:
                        item.result = crud.store_report(
                            connection, prepared=item.prepared, station_id=item.station_id
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
