"""The dashboard reads each device's newest-run summary (duration, erasure techniques) from the
device row (written at ingest, filled by migration 0003): it must say what joining the newest
reports and their certificates says."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from server_stub.config import Settings
from server_stub.migrate import upgrade
from server_stub.models import Certificate, Device, Report
from server_stub.web import queries

from .conftest import PG_URL, make_settings
from .web_seed import Seeded, seed_workshop


@pytest.fixture
def workshop(settings: Settings) -> Iterator[tuple[Any, Seeded]]:
    from server_stub.main import create_app

    app = create_app(settings)
    seeded = seed_workshop(app.state.db, per_batch=3)
    yield app, seeded
    app.state.db.dispose()


def _joined(session: Any) -> tuple[Counter[str], float, int]:
    """Techniques and durations the way the dashboard computed them before migration 0003."""
    techniques: Counter[str] = Counter()
    total, timed = 0.0, 0
    for device in session.scalars(select(Device).where(Device.latest_report_id.is_not(None))):
        report = session.get(Report, device.latest_report_id)
        if report.finished_at is not None and report.finished_at >= report.started_at:
            total += (report.finished_at - report.started_at).total_seconds()
            timed += 1
        techniques.update(
            session.scalars(select(Certificate.technique).where(Certificate.report_id == report.id))
        )
    return techniques, total, timed


def test_dashboard_matches_the_newest_reports(workshop: tuple[Any, Seeded]) -> None:
    app, _seeded = workshop
    with app.state.db.session() as session:
        everything = queries.dashboard(
            session, date_from=dt.date(2000, 1, 1), date_to=dt.date.today() + dt.timedelta(days=31)
        )
        techniques, total, timed = _joined(session)
    assert timed and techniques
    assert everything.techniques == dict(techniques)
    assert everything.average_seconds == pytest.approx(total / timed)
    assert sum(m.count for m in everything.durations) == timed


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    if not PG_URL:
        pytest.skip("ATELIER_TEST_PG_URL not set")
    name = f"atelier_fill_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_migration_fills_existing_devices(fresh_url: str, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, fresh_url)
    upgrade(settings, revision="0002")
    engine = create_engine(settings.resolved_database_url)
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    report_id, untimed_id = uuid.uuid4(), uuid.uuid4()
    with engine.begin() as conn:
        devices = [
            {
                "id": i,
                "asset_code": f"M-{i}",
                "latest_report_id": rid,
                "last_run_at": start,
                "search_text": "",
            }
            for i, rid in ((1, report_id), (2, untimed_id), (3, None))
        ]
        conn.execute(insert(Device.__table__).values(devices[0]))
        conn.execute(insert(Device.__table__).values(devices[1]))
        conn.execute(insert(Device.__table__).values(devices[2]))
        for rid, device_id, finished in (
            (report_id, 1, start + dt.timedelta(minutes=75)),
            (untimed_id, 2, None),
        ):
            conn.execute(
                insert(Report.__table__).values(
                    id=rid,
                    device_id=device_id,
                    received_at=start,
                    started_at=start,
                    finished_at=finished,
                    body="{}",
                    body_sha256="0" * 64,
                    problems=[],
                )
            )
        for position, technique in enumerate(("overwrite", "nvme-format")):
            conn.execute(
                insert(Certificate.__table__).values(
                    certificate_id=uuid.uuid4(),
                    report_id=report_id,
                    device_id=1,
                    position=position,
                    kind="erasure",
                    result="erased",
                    technique=technique,
                    problems=[],
                    signed_json="{}",
                )
            )
    upgrade(settings)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, last_run_seconds, last_run_techniques FROM devices ORDER BY id")
        ).all()
    engine.dispose()
    assert rows[0][1] == pytest.approx(75 * 60, abs=0.01)
    assert sorted(rows[0][2].split("\n")) == ["nvme-format", "overwrite"]
    assert tuple(rows[1][1:]) == (None, None) and tuple(rows[2][1:]) == (None, None)
