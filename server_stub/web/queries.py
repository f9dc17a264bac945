"""Read queries only the pages need, built on the device list's filters and donor confinement.

The device list itself is `server_stub.device_list.list_devices`, the same function behind
`GET /devices`; every query here starts from its `apply_filter`, so a donor's `donor_scope`
confines the pages exactly as it confines the API; nothing here decides visibility on its own.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import ColumnElement, Row, Select, and_, bindparam, case, exists, extract, func, select
from sqlalchemy.orm import Session

from server_stub.db import core
from server_stub.device_list import DeviceFilter, day_start, in_order
from server_stub.device_list import apply_filter as _apply_filter
from server_stub.models import Batch, Device, Donor, Outcome

#: What a device table shows (`_device_table.html`): the list reads only these columns, with
#: Core (no ORM object per row), and the batch's reference in the same query. A template that
#: starts showing another column fails loudly (a row has no such attribute, and the templates'
#: undefined is strict) until it is added here.
TABLE_COLUMNS = (
    Device.id,
    Device.asset_code,
    Device.serial,
    Device.manufacturer,
    Device.product,
    Device.grade,
    Device.erasure_status,
    Device.signature_status,
    Device.last_run_at,
    Device.batch_id,
)


@dataclass(frozen=True)
class TableRow:
    """One row of a device table: the device's `TABLE_COLUMNS` (and `batch_reference`), the link
    to its page and its newest outcome (`kind`, `channel`, `date`), if any."""

    device: Row[*tuple[Any, ...]]
    url: str
    outcome: Row[*tuple[Any, ...]] | None


def _ids_param() -> Any:
    return bindparam("ids", expanding=True)


# The pages' fixed queries, built once: SQLAlchemy then neither rebuilds the statement nor walks
# it for its cache key on every request, and reuses its result metadata as is (a device table's
# two queries: 5.8 → 2.8–3.2 ms on PostgreSQL, 1.6–2.6 → 1.0–1.1 ms on SQLite).
_TABLE_ROWS = {
    True: select(*TABLE_COLUMNS, Batch.reference.label("batch_reference"))
    .outerjoin(Batch, Batch.id == Device.batch_id)
    .where(Device.id.in_(_ids_param())),
    False: select(*TABLE_COLUMNS).where(Device.id.in_(_ids_param())),
}
_OUTCOMES = (
    select(Outcome.device_id, Outcome.kind, Outcome.channel, Outcome.date)
    .where(Outcome.device_id.in_(_ids_param()))
    .order_by(Outcome.date, Outcome.id)
)
_BATCH_CHOICES = select(Batch.id, Batch.reference, Batch.label).order_by(
    Batch.received_on.desc().nulls_last(), Batch.id.desc()
)
_DONOR_BATCH_CHOICES = _BATCH_CHOICES.where(Batch.donor_id == bindparam("donor"))
_DONOR_CHOICES = select(Donor.id, Donor.name).order_by(Donor.name)


def device_table_rows(
    session: Session, ids: Sequence[int], url: Callable[[str], str], *, with_batch: bool = True
) -> list[TableRow]:
    """The rows of a device table for `ids`, in that order (a batch's own table has no batch
    column: `with_batch=False` leaves its reference out)."""
    if not ids:
        return []
    conn = core(session)
    wanted = {"ids": list(ids)}
    devices = {row.id: row for row in conn.execute(_TABLE_ROWS[with_batch], wanted)}
    newest: dict[int, Row[*tuple[Any, ...]]] = {}
    for outcome in conn.execute(_OUTCOMES, wanted):  # oldest first: the newest stays
        newest[outcome.device_id] = outcome
    return [
        TableRow(device=device, url=url(device.asset_code), outcome=newest.get(device.id))
        for device in in_order(devices, ids)
    ]


@dataclass(frozen=True)
class BatchCounts:
    received: int = 0
    processed: int = 0
    erased: int = 0
    left: int = 0


def batch_counts(session: Session, *, batch_ids: Sequence[int]) -> dict[int, BatchCounts]:
    """Per batch: devices received (attached), processed (at least one run), erased, left."""
    if not batch_ids:
        return {}
    rows = (
        core(session)
        .execute(
            select(
                Device.batch_id,
                func.count(Device.id),
                func.sum(case((Device.report_count > 0, 1), else_=0)),
                func.sum(case((Device.erasure_status == "erased", 1), else_=0)),
            )
            .where(Device.batch_id.in_(batch_ids))
            .group_by(Device.batch_id)
        )
        .all()
    )
    # One probe of the outcomes index per machine (a semi-join): with 100,000 devices and 40,000
    # outcomes, 3–4 ms for a batch of 2,000 and 38–46 ms for 50 batches on PostgreSQL, where
    # joining every outcome and counting the distinct machines took 15 and 47–64 ms (SQLite:
    # 1.8 against 3.9 ms, 83 against 95 ms).
    has_outcome = exists().where(Outcome.device_id == Device.id)
    left = dict(
        core(session)
        .execute(
            select(Device.batch_id, func.count())
            .where(Device.batch_id.in_(batch_ids), has_outcome)
            .group_by(Device.batch_id)
        )
        .all()
    )
    return {
        int(batch_id): BatchCounts(
            int(received), int(processed or 0), int(erased or 0), int(left.get(batch_id, 0))
        )
        for batch_id, received, processed, erased in rows
    }


# --------------------------------------------------------------------------------------------------
# Dashboard


@dataclass(frozen=True)
class MonthValue:
    month: dt.date
    count: int
    #: Average seconds per machine (only for the time chart).
    seconds: float | None = None


@dataclass
class Dashboard:
    date_from: dt.date
    date_to: dt.date
    processed: list[MonthValue] = field(default_factory=list)
    grades: dict[str, int] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)
    techniques: dict[str, int] = field(default_factory=dict)
    durations: list[MonthValue] = field(default_factory=list)
    average_seconds: float | None = None
    total_processed: int = 0
    total_erased: int = 0
    computed_at: dt.datetime | None = None


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    months = []
    current = start.replace(day=1)
    while current <= end:
        months.append(current)
        current = (current + dt.timedelta(days=32)).replace(day=1)
    return months


def _month(key: Sequence[Any]) -> tuple[int, int]:
    """(year, month) from the dashboard's month key: "YYYY-MM" (SQLite) or two numbers."""
    if len(key) == 1:
        return int(key[0][:4]), int(key[0][5:7])
    return int(key[0]), int(key[1])


def dashboard(
    session: Session,
    *,
    date_from: dt.date,
    date_to: dt.date,
    donor_id: int | None = None,
    batch_id: int | None = None,
    donor_scope: int | None = None,
) -> Dashboard:
    """What a monthly meeting looks at, for machines whose newest run falls in the period."""
    period = DeviceFilter(donor_id=donor_id, batch_id=batch_id)
    result = Dashboard(date_from=date_from, date_to=date_to, computed_at=dt.datetime.now(dt.UTC))
    start, end = day_start(date_from), day_start(date_to) + dt.timedelta(days=1)
    in_period: list[ColumnElement[Any]] = [Device.last_run_at >= start, Device.last_run_at < end]
    month_key: tuple[ColumnElement[Any], ...]
    if session.get_bind().dialect.name == "sqlite":
        # A dashboard's period holds most machines: one scan of the table (34 ms for 100,000)
        # beats a seek per machine through the run-date index (460 ms); likely() tells SQLite.
        in_period = [func.likely(condition) for condition in in_period]
        # "YYYY-MM" of the stored text: two strftime() calls per machine cost 200 ms more.
        month_key = (func.substr(Device.last_run_at, 1, 7),)
    else:
        month_key = (extract("year", Device.last_run_at), extract("month", Device.last_run_at))

    # One pass over the period's machines: months, grades, erased count, erasure techniques and
    # run durations all live on the device row (written at ingest, migration 0003).
    summary = cast(
        "Select[Any]",
        select(
            *month_key,
            Device.grade,
            Device.erasure_status,
            Device.last_run_techniques,
            func.count(Device.id),
            func.sum(Device.last_run_seconds),
            func.count(Device.last_run_seconds),
        )
        .select_from(Device)
        .where(*in_period),
    )
    grouped = _apply_filter(summary, period, donor_scope).group_by(
        *month_key, Device.grade, Device.erasure_status, Device.last_run_techniques
    )
    per_month: dict[tuple[int, int], int] = {}
    per_month_time: dict[tuple[int, int], tuple[float, int]] = {}
    for *month, grade, erasure, techniques, n, seconds, timed_n in session.execute(grouped):
        key, n = _month(month), int(n)
        per_month[key] = per_month.get(key, 0) + n
        result.grades[grade or "?"] = result.grades.get(grade or "?", 0) + n
        if erasure == "erased":
            result.total_erased += n
        for technique in (techniques or "").split("\n"):
            if technique:
                result.techniques[technique] = result.techniques.get(technique, 0) + n
        if timed_n:
            total, count = per_month_time.get(key, (0.0, 0))
            per_month_time[key] = (total + float(seconds), count + int(timed_n))
    months = months_between(date_from, date_to)
    result.processed = [MonthValue(m, per_month.get((m.year, m.month), 0)) for m in months]
    result.total_processed = sum(per_month.values())
    result.techniques = dict(sorted(result.techniques.items(), key=lambda item: -item[1]))
    for m in months:
        total, count = per_month_time.get((m.year, m.month), (0.0, 0))
        result.durations.append(MonthValue(m, count, total / count if count else None))
    timed = sum(count for _total, count in per_month_time.values())
    if timed:
        result.average_seconds = sum(total for total, _count in per_month_time.values()) / timed

    # Outcomes recorded in the period, for the devices in scope (whatever the date of their run).
    outcomes = select(Outcome.kind, func.count(Outcome.id)).where(
        and_(Outcome.date >= date_from, Outcome.date <= date_to)
    )
    if donor_id is not None or batch_id is not None or donor_scope is not None:
        scope = DeviceFilter(donor_id=donor_id, batch_id=batch_id)
        outcomes = outcomes.where(Outcome.device_id.in_(_apply_filter(select(Device.id), scope, donor_scope)))
    result.outcomes = {k: int(n) for k, n in session.execute(outcomes.group_by(Outcome.kind))}
    return result


class DashboardCache:
    """Dashboards of the last minutes, per period and scope.

    A monthly meeting does not need to-the-second figures, and the full computation reads every
    machine of the period (seconds with 100,000 machines); several people opening the dashboard
    during the meeting then cost one computation."""

    def __init__(self, ttl_s: float = 600.0, size: int = 64) -> None:
        self.ttl_s = ttl_s
        self.size = size
        self._lock = threading.Lock()
        self._items: dict[tuple[Any, ...], tuple[float, Dashboard]] = {}

    def get(self, key: tuple[Any, ...], compute: Callable[[], Dashboard]) -> Dashboard:
        now = time.monotonic()
        with self._lock:
            hit = self._items.get(key)
            if hit is not None and now - hit[0] < self.ttl_s:
                return hit[1]
        value = compute()
        with self._lock:
            if len(self._items) >= self.size:
                self._items.pop(min(self._items, key=lambda k: self._items[k][0]))
            self._items[key] = (time.monotonic(), value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def batch_choices(session: Session, *, donor_scope: int | None) -> Sequence[Row[*tuple[Any, ...]]]:
    """The batches a viewer may filter by (`id`, `reference`, `label`), newest first: a menu's
    options, read with Core (no ORM object for each of a workshop's batches on every page)."""
    if donor_scope is None:
        return core(session).execute(_BATCH_CHOICES).all()
    return core(session).execute(_DONOR_BATCH_CHOICES, {"donor": donor_scope}).all()


def donor_choices(session: Session) -> Sequence[Row[*tuple[Any, ...]]]:
    """Every donor (`id`, `name`) by name: a staff member's menu."""
    return core(session).execute(_DONOR_CHOICES).all()


__all__ = [
    "TABLE_COLUMNS",
    "BatchCounts",
    "Dashboard",
    "DashboardCache",
    "MonthValue",
    "TableRow",
    "batch_choices",
    "batch_counts",
    "dashboard",
    "device_table_rows",
    "donor_choices",
    "months_between",
]
