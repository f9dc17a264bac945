"""Group commit (server_stub.ingest): one transaction per batch, each report its own answer,
and no answer before the commit that makes the report durable."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from agent.certs import StationKey
from agent.report import Report as AgentReport
from server_stub import crud
from server_stub.db import Database
from server_stub.errors import Conflict
from server_stub.ingest import IngestWriter, pending
from server_stub.models import Device, Report

from .conftest import Api
from .factories import make_report


def _db(api: Api) -> Database:
    db: Database = api.client.app.state.db  # type: ignore[attr-defined]
    return db


def _prepared(report: AgentReport, key: StationKey) -> crud.PreparedReport:
    return crud.prepare_report(report, station_public_key=key.public_key_b64)


def _count(db: Database, model: Any, **where: Any) -> int:
    with db.session() as session:
        query = select(func.count()).select_from(model).filter_by(**where)
        return int(session.scalar(query) or 0)


@contextmanager
def _commit_hook(db: Database, hook: Any) -> Iterator[None]:
    event.listen(db.engine, "commit", hook)
    try:
        yield
    finally:
        event.remove(db.engine, "commit", hook)


def test_mixed_batch_each_report_gets_its_own_answer(api: Api) -> None:
    station_id, _headers, key = api.station()
    db = _db(api)
    first = make_report(asset_code="MIX-1", key=key, probe_log=5)
    other_content = first.model_copy(update={"agent_version": "9.9-other"})
    broken = make_report(asset_code="MIX-2", key=key, probe_log=5)
    # The same certificate twice in one report breaks a unique constraint: a database-side failure.
    broken = broken.model_copy(update={"certificates": [broken.certificates[0]] * 2})
    last = make_report(asset_code="MIX-3", key=key, probe_log=5)
    items = [
        pending(_prepared(report, key), station_id) for report in (first, first, other_content, broken, last)
    ]
    IngestWriter(db).write_batch(items)

    assert all(item.done for item in items)
    created, repeat, conflict, failed, after = items
    assert created.result is not None and created.result.created
    assert repeat.result is not None and not repeat.result.created
    assert repeat.result.answer == created.result.answer
    assert isinstance(conflict.error, Conflict) and conflict.result is None
    assert isinstance(failed.error, IntegrityError) and failed.result is None
    assert after.result is not None and after.result.created
    assert _count(db, Report) == 2
    assert _count(db, Device, asset_code="MIX-2") == 0  # rolled back to its savepoint, device too
    # The repeat, posted again later, still gets the very same answer.
    response = api.post_report(first, _headers)
    assert response.status_code == 200
    assert response.json() == created.result.answer


def test_answer_waits_for_the_commit(api: Api) -> None:
    station_id, _headers, key = api.station()
    db = _db(api)
    writer = IngestWriter(db)
    prepared = _prepared(make_report(asset_code="DURABLE-1", key=key, probe_log=5), key)
    in_commit = threading.Event()
    release = threading.Event()
    blocked = False

    def hold_commit(_conn: Any) -> None:
        nonlocal blocked
        if not blocked:
            blocked = True
            in_commit.set()
            assert release.wait(30)

    results: list[crud.IngestResult] = []
    with _commit_hook(db, hold_commit):
        thread = threading.Thread(
            target=lambda: results.append(writer.store(prepared, station_id=station_id))
        )
        thread.start()
        assert in_commit.wait(30)
        time.sleep(0.2)
        # Stored in the open transaction, yet not answered nor visible: nothing acknowledged yet.
        assert thread.is_alive() and not results
        assert _count(db, Report) == 0
        release.set()
        thread.join(30)
    assert results and results[0].created
    assert _count(db, Report) == 1


def test_failed_commit_fails_every_report_of_the_batch(api: Api) -> None:
    station_id, _headers, key = api.station()
    db = _db(api)
    items = [
        pending(_prepared(make_report(asset_code=f"LOST-{i}", key=key, probe_log=5), key), station_id)
        for i in range(3)
    ]

    def fail(_conn: Any) -> None:
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    with _commit_hook(db, fail):
        IngestWriter(db).write_batch(items)
    assert all(isinstance(item.error, OperationalError) and item.result is None for item in items)
    assert _count(db, Report) == 0 and _count(db, Device) == 0


def test_reports_waiting_during_a_commit_share_the_next_one(api: Api) -> None:
    station_id, _headers, key = api.station()
    db = _db(api)
    writer = IngestWriter(db)
    clients = 12
    prepared = [
        _prepared(make_report(asset_code=f"GROUP-{i}", key=key, probe_log=5), key) for i in range(clients)
    ]
    release = threading.Event()
    commits = 0

    def count_and_hold_first(_conn: Any) -> None:
        nonlocal commits
        commits += 1
        if commits == 1:
            assert release.wait(30)

    results: list[crud.IngestResult] = []
    lock = threading.Lock()

    def client(i: int) -> None:
        result = writer.store(prepared[i], station_id=station_id)
        with lock:
            results.append(result)

    with _commit_hook(db, count_and_hold_first):
        threads = [threading.Thread(target=client, args=(0,))]
        threads[0].start()
        deadline = time.monotonic() + 30
        while commits == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        threads += [threading.Thread(target=client, args=(i,)) for i in range(1, clients)]
        for t in threads[1:]:
            t.start()
        while len(writer._queue) < clients - 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        release.set()
        for t in threads:
            t.join(30)
    assert len(results) == clients and all(r.created for r in results)
    assert commits == 2  # the first report alone, then the eleven that queued behind it
    assert _count(db, Report) == clients


@pytest.mark.parametrize("group_commit", [True, False])
def test_repeat_and_conflict_in_both_modes(api: Api, group_commit: bool) -> None:
    station_id, _headers, key = api.station()
    writer = IngestWriter(_db(api), group_commit=group_commit)
    report = make_report(asset_code="MODE-1", key=key, probe_log=5)
    first = writer.store(_prepared(report, key), station_id=station_id)
    again = writer.store(_prepared(report, key), station_id=station_id)
    assert first.created and not again.created and again.answer == first.answer
    with pytest.raises(Conflict):
        writer.store(_prepared(report.model_copy(update={"agent_version": "x"}), key), station_id=station_id)


def _count_commits(db: Database) -> tuple[list[int], Any]:
    commits = [0]

    def count(_conn: Any) -> None:
        commits[0] += 1

    return commits, count


def test_async_posts_waiting_together_share_one_commit(api: Api) -> None:
    """The API's path (`store_async`): reports queued on the event loop go in one transaction,
    `max_batch` at a time, and a failing one gets its own error without the others'."""
    import asyncio

    station_id, _headers, key = api.station()
    db = _db(api)
    writer = IngestWriter(db, max_batch=5)
    reports = [make_report(asset_code=f"ASYNC-{i}", key=key, probe_log=5) for i in range(12)]
    reports.append(reports[0].model_copy(update={"agent_version": "other"}))  # same id, other content
    prepared = [_prepared(report, key) for report in reports]

    async def post_all() -> list[crud.IngestResult | BaseException]:
        return await asyncio.gather(
            *(writer.store_async(p, station_id=station_id) for p in prepared), return_exceptions=True
        )

    commits, count = _count_commits(db)
    with _commit_hook(db, count):
        results = asyncio.run(post_all())
    assert commits[0] == 3  # 13 reports queued at once: batches of 5, 5 and 3
    assert all(isinstance(r, crud.IngestResult) and r.created for r in results[:12])
    assert isinstance(results[12], Conflict)
    assert _count(db, Report) == 12


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_async_batch_waits_for_another_process_writing(api: Api) -> None:
    """Another server process holds the SQLite write lock: the batch waits for it (without
    blocking the event loop) and is stored once it is released."""
    import asyncio

    from server_stub.db import SqliteWriteLock

    station_id, _headers, key = api.station()
    db = _db(api)
    assert isinstance(db.write_lock, SqliteWriteLock) and db.write_lock.path is not None
    other_process = SqliteWriteLock(db.write_lock.path)  # its own descriptor: an flock of its own
    writer = IngestWriter(db)
    prepared = _prepared(make_report(asset_code="LOCKED-1", key=key, probe_log=5), key)

    async def scenario() -> tuple[bool, crud.IngestResult]:
        task = asyncio.create_task(writer.store_async(prepared, station_id=station_id))
        await asyncio.sleep(0.3)
        still_waiting = not task.done()  # and the loop ran this coroutine meanwhile
        other_process.release()
        return still_waiting, await asyncio.wait_for(task, 30)

    assert other_process.acquire(blocking=False)
    assert not db.write_lock.acquire(blocking=False)
    still_waiting, result = asyncio.run(scenario())
    assert still_waiting and result.created
    assert _count(db, Report) == 1
    assert db.write_lock.acquire(blocking=False)  # given back after the batch
    db.write_lock.release()
