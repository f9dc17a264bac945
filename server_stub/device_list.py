"""The device list: its filters, sort orders and capped totals — one implementation for the API's
`GET /devices` and the web list pages.

With 100,000 devices the expensive part of a list is rarely its 50 rows: it is counting every
match, sorting a filter's matches by a column no index orders them by, or testing a substring
against every row. Hence:

- filtered totals stop counting at `COUNT_CAP` (`DevicePage.capped`; the API says
  `total_capped`), the unfiltered total is kept by triggers (`device_totals`, migration 0008);
- the page's ids are chosen first from an index (`_page_ids`), then only those rows are read —
  a deep page or a run-date range sorted by activity never reads the rows it skips;
- a text search of 3 characters or more collects its matches from the trigram index (SQLite
  FTS5 table `devices_fts`, PostgreSQL pg_trgm GIN index; migration 0002); a search's matches
  are counted up to `COUNT_CAP` in the database, never fetched to be counted, and only when
  there are no more than that are they sorted there for the page;
- a needle of 1 or 2 characters, which no trigram can serve, matches the START of the asset
  code, serial, manufacturer or model (ASCII letters in any case), through B-tree indexes on
  their lower-cased values (migration 0004). A substring of 2 characters had to test every
  row's text (65 ms with 100,000 devices, growing with the table) and mostly found noise ("3f"
  is in 2,350 serials); the start of a field is what someone typing a short needle means:
  a brand ("hp", "LG"), a model ("T4"), a serial's or label's first characters. The page's
  search help and the API's description of `q` say so. On PostgreSQL the four ranges are read
  as a union, each stopped by its LIMIT (`_prefix_candidates`);
- a run-date range sorted by activity reads indexes only, whichever way the planner takes: the
  activity index holds the run date, the run-date index the activity date and the id
  (migration 0006). A machine's activity is mostly its last run, so the two dates go together,
  which no planner knows: PostgreSQL walked the activity index from the newest machine, reading
  the table for each of the 98,000 younger than an old month (110–160 ms).
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeAlias, TypedDict, TypeVar, Unpack

from sqlalchemy import (
    ColumnElement,
    Engine,
    Integer,
    Select,
    String,
    and_,
    column,
    exists,
    func,
    or_,
    select,
    table,
    text,
    union,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.base import ExecutableOption
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import Subquery

from server_stub.db import core
from server_stub.models import Batch, Device, DeviceTotals, Outcome

#: A query of any columns.
AnySelect: TypeAlias = Select[*tuple[Any, ...]]

#: Beyond this many matches a filtered list says "more than 2,000": counting 47,000 graded
#: machines exactly reads every one of them (10× the page itself), and nobody pages that far.
COUNT_CAP = 2_000

#: The list's sort keys, over the columns of `devices` or of a subquery of its rows; every one is
#: served by an index (migration 0002 for "recent" within a run-date range).
SORT_ORDERS: dict[str, Callable[[Any], tuple[Any, ...]]] = {
    "recent": lambda c: (c.updated_at.desc(), c.id.desc()),
    "oldest": lambda c: (c.updated_at.asc(), c.id.asc()),
    "run-desc": lambda c: (c.last_run_at.desc().nulls_last(), c.id.desc()),
    "run-asc": lambda c: (c.last_run_at.asc().nulls_last(), c.id.asc()),
}
SORTS: tuple[str, ...] = tuple(SORT_ORDERS)
#: "waiting": no run yet; "stock": run, no outcome recorded; "left": an outcome is recorded.
STATES = ("waiting", "stock", "left")
#: Shorter needles have no trigram: the index cannot answer them; they match the start of
#: `PREFIX_COLUMNS` instead.
TRIGRAM = 3
#: What a 1–2 character needle is compared with the start of (each has an index on
#: `ascii_lower(column)`, migration 0004).
PREFIX_COLUMNS = (Device.asset_code, Device.serial, Device.manufacturer, Device.product)
#: The SQLite trigram index (an FTS5 table over `devices.search_text`, kept by triggers).
FTS_TABLE = "devices_fts"


@dataclass(frozen=True)
class DeviceFilter:
    grade: str | None = None
    erasure_status: str | None = None
    signature_status: str | None = None
    donor_id: int | None = None
    batch_id: int | None = None
    #: Inclusive bounds on the newest run's start (`last_run_at`), UTC.
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    #: Text search in asset code, serial, manufacturer, model and processor (case-insensitive);
    #: 1–2 characters: the start of the asset code, serial, manufacturer or model.
    q: str | None = None

    @property
    def needle(self) -> str:
        return (self.q or "").strip()


@dataclass(frozen=True, kw_only=True)
class PageCount:
    #: Exact when `capped` is false; otherwise `COUNT_CAP` and more machines match.
    total: int
    capped: bool = False
    #: More devices follow this page.
    has_more: bool = False


@dataclass(frozen=True, kw_only=True)
class IdPage(PageCount):
    """A page's device ids, in its order."""

    ids: Sequence[int]


@dataclass(frozen=True, kw_only=True)
class DevicePage(PageCount):
    """A page's devices, in its order."""

    rows: Sequence[Device]


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _like(needle: str) -> ColumnElement[bool]:
    escaped = needle.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return Device.search_text.like(f"%{escaped}%", escape="\\")


_FTS = table(FTS_TABLE, column("rowid", Integer))


def _trigram_matches(needle: str) -> Select[Any]:
    """Ids of the devices whose `search_text` contains `needle` (>= 3 characters), from the FTS5
    trigram index: the needle's trigrams at consecutive positions are exactly a substring (the
    index is case-sensitive; `search_text` and the needle are both lower-cased by Python).

    A join, not `id IN (…)`: SQLite then streams the index's matches and a LIMIT stops it
    early; an IN list is built whole first (25,000 ids for "thinkpad")."""
    phrase = '"' + needle.lower().replace('"', '""') + '"'
    return (
        select(Device.id)
        .select_from(_FTS.join(Device, Device.id == _FTS.c.rowid))
        .where(text(f"{FTS_TABLE} MATCH :needle").bindparams(needle=phrase))
    )


_FTS_READY: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def _sqlite_text_index(session: Session) -> bool:
    """Whether this is a SQLite database with the trigram table (migration 0002 skips it when
    the SQLite build lacks FTS5 or its trigram tokenizer)."""
    engine = session.get_bind().engine
    if engine.dialect.name != "sqlite":
        return False
    if _FTS_READY.get(engine):
        return True
    found = session.scalar(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name").bindparams(name=FTS_TABLE)
    )
    if found:
        _FTS_READY[engine] = True
    return bool(found)


class ascii_lower(FunctionElement[str]):
    """`lower()` of ASCII letters only, the same on both databases: SQLite's built-in `lower()`
    folds ASCII only; PostgreSQL's follows the database's locale unless the collation is "C"
    (which also makes its comparisons byte order, as SQLite's BINARY: `_after_prefix` needs it).
    Migration 0004 indexes exactly these expressions."""

    type = String()
    name = "ascii_lower"
    inherit_cache = True


@compiles(ascii_lower)
def _ascii_lower_sqlite(element: ascii_lower, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(ascii_lower, "postgresql")
def _ascii_lower_postgresql(element: ascii_lower, compiler: SQLCompiler, **kw: Any) -> str:
    return f'lower({compiler.process(element.clauses, **kw)} COLLATE "C")'


class unindexed_ascii_lower(ascii_lower):
    """`ascii_lower` that SQLite may not take from its index (the documented unary "+"): a list
    of more than `COUNT_CAP` matches ("at": every asset code) walks the sort index and tests each
    row; from the prefix indexes SQLite would read and sort every match (56 ms for "at").
    PostgreSQL's planner has statistics to choose by itself."""

    name = "unindexed_ascii_lower"
    inherit_cache = True


@compiles(unindexed_ascii_lower)
def _unindexed_sqlite(element: ascii_lower, compiler: SQLCompiler, **kw: Any) -> str:
    return "+" + _ascii_lower_sqlite(element, compiler, **kw)


@compiles(unindexed_ascii_lower, "postgresql")
def _unindexed_postgresql(element: ascii_lower, compiler: SQLCompiler, **kw: Any) -> str:
    return _ascii_lower_postgresql(element, compiler, **kw)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def is_short(needle: str) -> bool:
    """A needle no trigram index can serve: it matches the start of `PREFIX_COLUMNS`."""
    return len(needle) < TRIGRAM


def _after_prefix(prefix: str) -> str | None:
    """The smallest string after every string that starts with `prefix`, in code point order
    (byte order of UTF-8: SQLite's BINARY, PostgreSQL's "C"); None if there is none."""
    kept = prefix.rstrip("\U0010ffff")
    if not kept:
        return None
    after = ord(kept[-1]) + 1
    if 0xD800 <= after <= 0xDFFF:  # surrogates are not characters of a stored text
        after = 0xE000
    return kept[:-1] + chr(after)


def _prefix_match(needle: str, lower: type[ascii_lower] = ascii_lower) -> ColumnElement[bool]:
    """Asset code, serial, manufacturer or model starting with `needle` (ASCII letters in any
    case): a range of each column's `ascii_lower` index, so a 2-character needle reads its
    matches, not the table. (A range, not `LIKE 'x%'`: SQLite uses an index for LIKE only on a
    NOCASE column, PostgreSQL only for a pattern known when it plans.)"""
    low = needle.translate(_ASCII_LOWER)
    high = _after_prefix(low)
    return or_(
        *(
            and_(lower(col) >= low, lower(col) < high) if high is not None else lower(col) >= low
            for col in PREFIX_COLUMNS
        )
    )


#: What sorting a page of candidates needs.
_SORT_COLUMNS = (Device.id, Device.updated_at, Device.last_run_at)


def _prefix_candidates(
    needle: str, where: Callable[[AnySelect], AnySelect], dialect: str, columns: Sequence[Any]
) -> Subquery:
    """Devices whose asset code, serial, manufacturer or model starts with `needle`, restricted
    by `where`: all of them when there are no more than `COUNT_CAP`, more than `COUNT_CAP`
    otherwise.

    On PostgreSQL, a union of the four prefix-index ranges, each read in its index's order so that
    its LIMIT stops it. Given the four ranges OR-ed, PostgreSQL scanned the table computing the
    four lower-cased columns of every row it passed (9–10 ms for "hp", whose 27,500 machines it
    had to meet 2,001 of) or built the bitmap of all 27,500 (4.5–5.5 ms); the union reads 2,001
    index entries (3.3–4.4 ms). SQLite's own plan for the OR reads the ranges one after the
    other and stops at the LIMIT; the union cost it 4 ms more.

    `columns`: the devices' ids to count them (SQLite then reads only its indexes), or with
    `_SORT_COLUMNS` to sort them."""
    if dialect != "postgresql":
        return where(select(*columns).where(_prefix_match(needle))).limit(COUNT_CAP + 1).subquery()
    low = needle.translate(_ASCII_LOWER)
    high = _after_prefix(low)
    ranges = []
    for col in PREFIX_COLUMNS:
        key = ascii_lower(col)
        found = where(select(*columns).where(key >= low if high is None else and_(key >= low, key < high)))
        one = found.order_by(key).limit(COUNT_CAP + 1).subquery()
        ranges.append(select(*one.c))
    return union(*ranges).subquery()


def _text_match(needle: str) -> ColumnElement[bool]:
    """The text filter. 3 characters or more: `needle` in asset code, serial, manufacturer, model
    or processor (a scan of every row on SQLite; PostgreSQL's planner serves the LIKE from its
    pg_trgm index by itself). Shorter: the start of asset code, serial, manufacturer or model."""
    if is_short(needle):
        return _prefix_match(needle)
    return or_(Device.asset_code == needle, _like(needle))


def apply_filter(
    query: AnySelect,
    flt: DeviceFilter,
    donor_scope: int | None,
) -> AnySelect:
    """`query` restricted to the devices matching `flt` that `donor_scope` (a donor user) may see."""
    if flt.grade:
        query = query.where(Device.grade == flt.grade)
    if flt.erasure_status:
        query = query.where(Device.erasure_status == flt.erasure_status)
    if flt.signature_status:
        query = query.where(Device.signature_status == flt.signature_status)
    if flt.batch_id is not None:
        query = query.where(Device.batch_id == flt.batch_id)
    for donor in (flt.donor_id, donor_scope):
        if donor is not None:
            query = query.where(Device.batch_id.in_(select(Batch.id).where(Batch.donor_id == donor)))
    if flt.date_from is not None:
        query = query.where(Device.last_run_at >= day_start(flt.date_from))
    if flt.date_to is not None:
        query = query.where(Device.last_run_at < day_start(flt.date_to) + dt.timedelta(days=1))
    if flt.needle:
        query = query.where(_text_match(flt.needle))
    return query


def _has_outcome() -> ColumnElement[bool]:
    return exists().where(Outcome.device_id == Device.id)


def _apply_state(query: AnySelect, state: str | None) -> AnySelect:
    if state == "waiting":
        return query.where(Device.report_count == 0)
    if state == "stock":
        return query.where(Device.report_count > 0, ~_has_outcome())
    if state == "left":
        return query.where(_has_outcome())
    return query


def _is_filtered(filters: DeviceFilter, state: str | None, donor_scope: int | None) -> bool:
    return (
        state is not None
        or donor_scope is not None
        or bool(filters.needle)
        or any(
            value is not None
            for value in (
                filters.grade,
                filters.erasure_status,
                filters.signature_status,
                filters.donor_id,
                filters.batch_id,
                filters.date_from,
                filters.date_to,
            )
        )
    )


def _ids(session: Session, query: Select[Any]) -> Sequence[int]:
    return core(session).execute(query).scalars().all()


def _count(session: Session, query: AnySelect) -> int:
    return int(core(session).execute(query).scalar() or 0)


#: Built once (the unfiltered list's total on every first page).
_DEVICE_TOTAL = select(DeviceTotals.devices).where(DeviceTotals.id == 1)


_T = TypeVar("_T")


def in_order(by_id: Mapping[int, _T], ids: Sequence[int]) -> list[_T]:
    """The rows of `by_id` in the order of `ids` (the page's), skipping any not found."""
    return [by_id[i] for i in ids if i in by_id]


def _rows(session: Session, ids: Sequence[int], options: Sequence[ExecutableOption]) -> Sequence[Device]:
    if not ids:
        return []
    found = session.scalars(select(Device).where(Device.id.in_(ids)).options(*options))
    return in_order({device.id: device for device in found}, ids)


def list_device_ids(
    session: Session,
    *,
    filters: DeviceFilter | None = None,
    state: str | None = None,
    sort: str = "recent",
    limit: int = 50,
    offset: int = 0,
    donor_scope: int | None = None,
) -> IdPage:
    """The ids of one page of the devices matching `filters` (and `state`), in `sort` order, with
    the total. (The web table reads its columns with Core, the API its rows with the ORM.)"""
    flt = filters or DeviceFilter()
    order_of = SORT_ORDERS.get(sort, SORT_ORDERS["recent"])
    order = order_of(Device)
    limit, offset = max(1, limit), max(0, offset)

    def matching(columns: AnySelect, flt: DeviceFilter = flt) -> AnySelect:
        return _apply_state(apply_filter(columns, flt, donor_scope), state)

    def page_ids(query: Select[Any]) -> Sequence[int]:
        # Ids first: the sort index (or a covering index) gives the page without reading the
        # rows skipped by the offset or sorted away. One more id says whether a page follows.
        return _ids(session, query.order_by(*order).limit(limit + 1).offset(offset))

    def page(ids: Sequence[int], total: int, *, capped: bool = False) -> IdPage:
        return IdPage(ids=ids[:limit], total=total, capped=capped, has_more=len(ids) > limit)

    needle = flt.needle
    if needle:
        exact = replace(flt, q=None)
        if not is_short(needle):
            # A scanned label or a serial typed in full, from the unique and serial indexes in one
            # query; the label wins. (Not for 1–2 characters: the prefix indexes answer as fast,
            # and a serial "A1" must not hide the "A1…" of the others.)
            lookup = select(Device.id, Device.asset_code == needle).where(
                or_(Device.asset_code == needle, Device.serial == needle)
            )
            hits = core(session).execute(matching(lookup, exact)).all()
            same = [i for i, by_label in hits if by_label] or [i for i, _ in hits]
            if same:
                return page(page_ids(select(Device.id).where(Device.id.in_(same))), len(same))
        # The matches from the trigram index, the prefix indexes of a short needle (or one
        # sequential scan), up to `COUNT_CAP` of them: counted, then sorted in memory. (The
        # asset code equal to the needle, the other half of the text filter, was looked for
        # just above.) Counted, not fetched: a common word's 2,001 ids cost 1.5–2 ms to move.
        if is_short(needle):
            dialect = session.get_bind().dialect.name

            def first(columns: Sequence[Any]) -> Subquery:
                return _prefix_candidates(needle, lambda query: matching(query, exact), dialect, columns)
        else:
            # (FTS5 reads its query up to a NUL: "unterminated string". Such a needle scans.)
            if "\x00" not in needle and _sqlite_text_index(session):
                candidates = matching(_trigram_matches(needle), exact)
            else:
                candidates = matching(select(Device.id))

            def first(columns: Sequence[Any]) -> Subquery:
                return candidates.with_only_columns(*columns).limit(COUNT_CAP + 1).subquery()

        matched = _count(session, select(func.count()).select_from(first([Device.id])))
        if matched <= COUNT_CAP:
            # The same bounded set sorted: its LIMIT keeps either database from trading the
            # index's few matches for a walk of the sort index.
            found = first(_SORT_COLUMNS)
            ordered = select(found.c.id).order_by(*order_of(found.c)).limit(limit + 1).offset(offset)
            return page(_ids(session, ordered) if matched else [], matched)
        # A common word ("thinkpad", "hp"): walking the sort index meets matches early.
        if is_short(needle):
            walk = matching(select(Device.id).where(_prefix_match(needle, unindexed_ascii_lower)), exact)
            return page(page_ids(walk), COUNT_CAP, capped=True)
        return page(page_ids(matching(select(Device.id))), COUNT_CAP, capped=True)
    ids = page_ids(matching(select(Device.id)))
    if offset == 0 and len(ids) <= limit:
        return page(ids, len(ids))
    if not _is_filtered(flt, state, donor_scope):
        # Kept by triggers (migration 0008); counted if its row is missing.
        total = core(session).execute(_DEVICE_TOTAL).scalar()
        return page(ids, total if total is not None else _count(session, select(func.count(Device.id))))
    capped = select(func.count()).select_from(matching(select(Device.id)).limit(COUNT_CAP + 1).subquery())
    total = _count(session, capped)
    if total > COUNT_CAP:
        return page(ids, COUNT_CAP, capped=True)
    return page(ids, total)


class ListParams(TypedDict, total=False):
    """`list_device_ids`'s keyword arguments."""

    filters: DeviceFilter | None
    state: str | None
    sort: str
    limit: int
    offset: int
    donor_scope: int | None


def list_devices(
    session: Session, *, options: Sequence[ExecutableOption] = (), **params: Unpack[ListParams]
) -> DevicePage:
    """`list_device_ids`'s page with its rows as ORM objects; `options` are the ORM's loader
    options for them (`load_only` for a few columns)."""
    found = list_device_ids(session, **params)
    return DevicePage(
        rows=_rows(session, found.ids, options),
        total=found.total,
        capped=found.capped,
        has_more=found.has_more,
    )


__all__ = [
    "COUNT_CAP",
    "PREFIX_COLUMNS",
    "SORTS",
    "SORT_ORDERS",
    "STATES",
    "TRIGRAM",
    "DeviceFilter",
    "DevicePage",
    "IdPage",
    "ListParams",
    "PageCount",
    "apply_filter",
    "ascii_lower",
    "day_start",
    "in_order",
    "is_short",
    "list_device_ids",
    "list_devices",
]
