"""The device list shared by `GET /devices` and the web list: substring search through the
trigram index (and without it), 1–2 character search through the prefix indexes, capped totals,
sort orders, the OpenAPI description."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from server_stub import device_list
from server_stub.device_list import DeviceFilter, _like, _prefix_match, _trigram_matches, list_devices
from server_stub.models import Device, DeviceTotals

from .conftest import Api
from .factories import make_report
from .test_devices import _seed


def _page(api: Api, **params: object) -> dict[str, Any]:
    response = api.client.get("/api/v1/devices", params=params, headers=api.admin)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _search_texts(api: Api) -> dict[str, str]:
    with api.client.app.state.db.session() as session:  # type: ignore[attr-defined]
        return {code: text for code, text in session.execute(select(Device.asset_code, Device.search_text))}


def _fields(api: Api) -> dict[str, tuple[str, ...]]:
    """asset code → the fields a 1–2 character needle is compared with the start of."""
    with api.client.app.state.db.session() as session:  # type: ignore[attr-defined]
        rows = session.execute(select(Device.asset_code, Device.serial, Device.manufacturer, Device.product))
        return {code: tuple(f for f in (code, *rest) if f is not None) for code, *rest in rows}


ASCII_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _starts(field: str, needle: str) -> bool:
    return field.translate(ASCII_FOLD).startswith(needle.translate(ASCII_FOLD))


def test_text_search_matches_python(api: Api) -> None:
    """Every needle (1 to 8 characters, any case, LIKE's wildcards, quotes) finds exactly the
    devices Python finds: 3+ characters, those whose search text contains it (trigram index);
    1–2 characters, those whose asset code, serial, manufacturer or model starts with it."""
    _seed(api)
    texts = _search_texts(api)
    fields = _fields(api)
    rng = random.Random(5)
    needles = {"y", "3x", "Ser3x", "SER3XYZ", "dev-", "%", "_", "\\", '"', 'a"b', "  ", "zzz", "r3xyz "}
    for text in texts.values():
        for length in (1, 2, 3, 4, 8):
            start = rng.randrange(max(1, len(text) - length))
            needles.add(text[start : start + length])
            needles.add(text[start : start + length].upper())
    for needle in sorted(needles):
        if not needle.strip():
            continue
        wanted = needle.strip()
        if len(wanted) < device_list.TRIGRAM:
            expected = sorted(
                code for code, values in fields.items() if any(_starts(f, wanted) for f in values)
            )
        else:
            expected = sorted(
                code for code, text in texts.items() if wanted.lower() in text or code == wanted
            )
        page = _page(api, q=needle, limit=500)
        assert sorted(d["asset_code"] for d in page["items"]) == expected, needle
        assert page["total"] == len(expected) and not page["total_capped"]


def test_search_with_control_characters_answers(api: Api) -> None:
    _seed(api)
    for needle in ("\x00ser", "ser\x00", "\x01\x02\x03", "a\u0301bc"):
        response = api.client.get("/api/v1/devices", params={"q": needle}, headers=api.admin)
        # PostgreSQL refuses NUL in any string: a 422, as everywhere else in the API.
        assert response.status_code in (200, 422), (needle, response.text)


def test_search_follows_the_newest_report(api: Api) -> None:
    _, headers, key = api.station()
    first = dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC)
    for serial, start in (("OLDSERIAL77", first), ("NEWSERIAL88", first + dt.timedelta(days=1))):
        report = make_report(asset_code="AT-77", key=key, serial=serial, started_at=start, certificates=False)
        assert api.post_report(report, headers).status_code == 201
    assert [d["asset_code"] for d in _page(api, q="serial88")["items"]] == ["AT-77"]
    assert _page(api, q="serial77")["items"] == []
    # 1–2 characters: the start of a field ("NEWSERIAL88"), not anywhere in it.
    assert [d["asset_code"] for d in _page(api, q="ne")["items"]] == ["AT-77"]
    assert _page(api, q="OL")["items"] == [] and _page(api, q="88")["items"] == []


def test_trigram_index_equals_like_on_random_texts(api: Api) -> None:
    """The index's answer is LIKE's answer, whatever the text (spaces, quotes, accents, ß, digits)."""
    rng = random.Random(11)
    alphabet = 'abcdeéèßøİı0123456789 -_"%.'
    with api.client.app.state.db.session() as session:  # type: ignore[attr-defined]
        texts = [
            "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 40))).lower() for _ in range(150)
        ]
        session.add_all(Device(asset_code=f"R-{i}", search_text=t) for i, t in enumerate(texts))
        session.commit()
        dialect = session.get_bind().dialect.name
        needles = {t[a : a + n] for t in texts for a, n in ((rng.randrange(len(t)), rng.randrange(3, 7)),)}
        needles |= {"".join(rng.choice(alphabet) for _ in range(3)) for _ in range(50)}
        for needle in sorted(n for n in needles if len(n) >= 3):
            scanned = set(session.scalars(select(Device.id).where(_like(needle))))
            assert len(scanned) == sum(needle.lower() in t for t in texts), needle
            if dialect == "sqlite":
                assert set(session.scalars(_trigram_matches(needle))) == scanned, needle


def test_prefix_indexes_equal_python_on_random_texts(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 1–2 character needle, through the indexes and through the capped list's walk of the sort
    index, finds what Python's `startswith` finds with ASCII letters folded (accents, ß, İ,
    LIKE's wildcards and the highest code point stay as they are)."""
    rng = random.Random(17)
    alphabet = 'aAbBzZéÉßİı09 -_%"\U0010ffff'
    values: dict[str, tuple[str | None, str | None, str | None]] = {}
    with api.client.app.state.db.session() as session:  # type: ignore[attr-defined]
        for i in range(120):
            row = tuple(
                "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 6)))
                if rng.random() < 0.8
                else None
                for _ in range(3)
            )
            values[f"P{i}"] = (row[0], row[1], row[2])
            session.add(Device(asset_code=f"P{i}", serial=row[0], manufacturer=row[1], product=row[2]))
        session.commit()
        needles = {a + b for a in alphabet for b in alphabet} | set(alphabet)
        for needle in sorted(needles):
            expected = {
                code
                for code, row in values.items()
                if any(_starts(f, needle) for f in (code, *row) if f is not None)
            }
            for lower in (device_list.ascii_lower, device_list.unindexed_ascii_lower):
                found = set(session.scalars(select(Device.asset_code).where(_prefix_match(needle, lower))))
                assert found == expected, (needle, lower)
        monkeypatch.setattr(device_list, "COUNT_CAP", 3)
        for needle in ("a", "A", "é", "_", "Z9", "\U0010ffff"):
            expected = {c for c, row in values.items() if any(_starts(f, needle) for f in (c, *row) if f)}
            page = list_devices(session, filters=DeviceFilter(q=needle), limit=500)
            assert {d.asset_code for d in page.rows} == expected, needle
            assert page.capped == (len(expected) > 3)


def test_prefix_bounds() -> None:
    assert device_list._after_prefix("ab") == "ac"
    assert device_list._after_prefix("a\U0010ffff") == "b"
    assert device_list._after_prefix("\U0010ffff") is None
    assert device_list._after_prefix("\ud7ff") == "\ue000"


def test_short_search_reads_the_prefix_indexes(api: Api) -> None:
    """The 1–2 character search is served by migration 0004's indexes (the query's expressions
    are exactly the indexed ones), on SQLite and on PostgreSQL."""
    with api.client.app.state.db.session() as session:  # type: ignore[attr-defined]
        conn = session.connection()
        query = select(Device.id).where(_prefix_match("3f"))
        sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
        if conn.dialect.name == "sqlite":
            plan = " ".join(str(row[3]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
        else:
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = " ".join(str(row[0]) for row in conn.exec_driver_sql("EXPLAIN " + sql))
        for column in ("asset_code", "serial", "manufacturer", "product"):
            assert f"ix_devices_prefix_{column}" in plan, plan
        session.rollback()


def test_filtered_totals_are_capped(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    _seed(api)
    monkeypatch.setattr(device_list, "COUNT_CAP", 3)
    everything = _page(api, limit=2)
    assert (everything["total"], everything["total_capped"], everything["has_more"]) == (5, False, True)
    erased = _page(api, erasure_status="erased", limit=2)  # 4 match
    assert (erased["total"], erased["total_capped"], erased["has_more"]) == (3, True, True)
    rest = _page(api, erasure_status="erased", limit=2, offset=2)
    assert len(rest["items"]) == 2 and not rest["has_more"]
    search = _page(api, q="dev-", limit=2)  # 5 match, counted from the index up to the cap
    assert (search["total"], search["total_capped"], search["has_more"]) == (3, True, True)
    assert [d["asset_code"] for d in search["items"]] == ["DEV-4", "DEV-3"]
    assert [d["asset_code"] for d in _page(api, q="dev-", limit=2, offset=4)["items"]] == ["DEV-0"]
    small = _page(api, grade="A")
    assert (small["total"], small["total_capped"], small["has_more"]) == (2, False, False)


def test_sort_orders_and_date_range(api: Api) -> None:
    _seed(api)

    def codes(**params: object) -> list[str]:
        return [d["asset_code"] for d in _page(api, **params)["items"]]

    assert codes() == ["DEV-4", "DEV-3", "DEV-2", "DEV-1", "DEV-0"]
    assert codes(sort="oldest") == ["DEV-0", "DEV-1", "DEV-2", "DEV-3", "DEV-4"]
    assert codes(sort="run-asc") == ["DEV-0", "DEV-1", "DEV-2", "DEV-3", "DEV-4"]
    assert codes(sort="run-desc", limit=2, offset=1) == ["DEV-3", "DEV-2"]
    assert codes(date_from="2026-11-02", date_to="2026-11-04", limit=2) == ["DEV-3", "DEV-2"]
    page = _page(api, date_from="2026-11-02", date_to="2026-11-04", limit=2)
    assert page["total"] == 3 and page["has_more"]
    bad = api.client.get("/api/v1/devices", params={"sort": "random"}, headers=api.admin)
    assert bad.status_code == 422


def _assert_page(
    page: device_list.DevicePage, expected: list[str], offset: int, cap: int, case: tuple[Any, ...]
) -> None:
    """A page of 4 at `offset` is that slice of `expected`, says whether more follow, and gives the
    total exactly up to `cap` and capped beyond."""
    where = (*case, cap, offset)
    assert [d.asset_code for d in page.rows] == expected[offset : offset + 4], where
    assert page.has_more == (len(expected) > offset + 4), where
    assert page.capped == (len(expected) > cap), where
    assert page.total == min(len(expected), cap), where


def test_run_date_range_pages_equal_python(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run-date range sorted by activity gives Python's page, its total capped or exact — with
    activity and run dates that go together, as in a workshop, and some that do not."""
    rng = random.Random(23)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    runs: dict[str, tuple[dt.datetime | None, dt.datetime]] = {}
    with api.client.app.state.db.session() as session:  # type: ignore[attr-defined]
        for i in range(90):
            run = start + dt.timedelta(hours=rng.randrange(24 * 60)) if rng.random() < 0.9 else None
            later = dt.timedelta(hours=rng.choice((0, 0, 1, 30 * 24)))
            # A few share their activity time: the id breaks the tie.
            updated = (run or start) + later if rng.random() < 0.9 else start + dt.timedelta(days=7)
            runs[f"R{i}"] = (run, updated)
            session.add(Device(asset_code=f"R{i}", last_run_at=run, updated_at=updated))
        session.commit()
        ids = {code: id_ for code, id_ in session.execute(select(Device.asset_code, Device.id))}
        for cap in (1000, 5):
            monkeypatch.setattr(device_list, "COUNT_CAP", cap)
            for first, last in ((1, 10), (1, 60), (40, 60), (20, 21), (59, 60)):
                flt = DeviceFilter(
                    date_from=dt.date(2026, 1, 1) + dt.timedelta(days=first - 1),
                    date_to=dt.date(2026, 1, 1) + dt.timedelta(days=last - 1),
                )
                low, high = device_list.day_start(flt.date_from), device_list.day_start(flt.date_to)  # type: ignore[arg-type]
                high += dt.timedelta(days=1)
                inside = [c for c, (run, _) in runs.items() if run is not None and low <= run < high]
                for sort, reverse in (("recent", True), ("oldest", False)):
                    expected = sorted(inside, key=lambda c: (runs[c][1], ids[c]), reverse=reverse)
                    for offset in (0, 2, 7, 30):
                        page = list_devices(session, filters=flt, sort=sort, limit=4, offset=offset)
                        _assert_page(page, expected, offset, cap, (first, last, sort))


def test_search_pages_equal_python(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """A text search's page in every sort order and at every offset is Python's, its total exact
    up to the cap and capped beyond — short and long needles, few and many matches, alone and with
    another filter; a machine whose make and model both start with the needle counted once."""
    rng = random.Random(29)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    makes = ("HP", "Lenovo", "Dell", "hpe")

    @dataclass
    class Seed:
        make: str
        model: str
        grade: str
        updated: dt.datetime
        run: dt.datetime | None

    seeds: dict[str, Seed] = {}
    with api.client.app.state.db.session() as session:  # type: ignore[attr-defined]
        for i in range(60):
            make = rng.choice(makes)
            updated = start + dt.timedelta(hours=rng.randrange(500))
            run = updated - dt.timedelta(hours=rng.randrange(3)) if rng.random() < 0.8 else None
            seed = Seed(make, rng.choice((f"{make} 840", "T480")), rng.choice("AB"), updated, run)
            seeds[f"S{i}"] = seed
            session.add(
                Device(
                    asset_code=f"S{i}",
                    manufacturer=make,
                    product=seed.model,
                    grade=seed.grade,
                    search_text=f"s{i} {make} {seed.model}".lower(),
                    updated_at=updated,
                    last_run_at=run,
                )
            )
        session.commit()
        ids = {code: id_ for code, id_ in session.execute(select(Device.asset_code, Device.id))}
        never = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        # Newest or oldest activity; newest or oldest run, machines never run last either way.
        orders = {
            "recent": (lambda c: (seeds[c].updated, ids[c]), True),
            "oldest": (lambda c: (seeds[c].updated, ids[c]), False),
            "run-desc": (lambda c: (seeds[c].run is not None, seeds[c].run or never, ids[c]), True),
            "run-asc": (lambda c: (seeds[c].run is None, seeds[c].run or never, ids[c]), False),
        }
        assert set(orders) == set(device_list.SORTS)
        for cap in (1000, 5):
            monkeypatch.setattr(device_list, "COUNT_CAP", cap)
            for needle, grade in itertools.product(("hp", "HPE", "t4", "lenovo", "dell", "s1"), (None, "A")):
                hits = [
                    c
                    for c, seed in seeds.items()
                    if (grade is None or seed.grade == grade)
                    and (
                        any(_starts(f, needle) for f in (c, seed.make, seed.model))
                        if len(needle) < device_list.TRIGRAM
                        else needle.lower() in f"{c} {seed.make} {seed.model}".lower()
                    )
                ]
                for sort, (key, reverse) in orders.items():
                    expected = sorted(hits, key=key, reverse=reverse)
                    for offset in (0, 3, 9, 70):
                        flt = DeviceFilter(q=needle, grade=grade)
                        page = list_devices(session, filters=flt, sort=sort, limit=4, offset=offset)
                        _assert_page(page, expected, offset, cap, (needle, grade, sort))


def test_a_scanned_label_wins_over_a_serial(api: Api) -> None:
    """A needle that is one machine's asset code and another's serial finds the labelled machine;
    a serial shared by two machines finds both."""
    with api.client.app.state.db.session() as session:  # type: ignore[attr-defined]
        session.add_all(
            [
                Device(asset_code="AT-555", serial="S-1", search_text="at-555 s-1"),
                Device(asset_code="AT-556", serial="AT-555", search_text="at-556 at-555"),
                Device(asset_code="AT-557", serial="TWIN-9", search_text="at-557 twin-9"),
                Device(asset_code="AT-558", serial="TWIN-9", search_text="at-558 twin-9"),
            ]
        )
        session.commit()
        assert [d.asset_code for d in list_devices(session, filters=DeviceFilter(q="AT-555")).rows] == [
            "AT-555"
        ]
        twins = list_devices(session, filters=DeviceFilter(q="TWIN-9"))
        assert {d.asset_code for d in twins.rows} == {"AT-557", "AT-558"} and twins.total == 2


def test_donor_sees_only_its_devices_in_every_path(api: Api) -> None:
    ids = _seed(api)
    donor = api.user("donor", donor_id=ids["donor_a"])
    for params in ({}, {"q": "DEV-3"}, {"q": "ser3"}, {"q": "3x"}, {"grade": "D"}, {"sort": "run-asc"}):
        response = api.client.get("/api/v1/devices", params=params, headers=donor)
        assert response.status_code == 200
        assert {d["asset_code"] for d in response.json()["items"]} <= {"DEV-0", "DEV-1"}, params


def test_openapi_documents_the_capped_total(api: Api) -> None:
    schema = api.client.get("/api/v1/openapi.json").json()
    page = schema["components"]["schemas"]["DevicePage"]["properties"]
    assert {"total", "total_capped", "has_more", "limit", "offset", "items"} <= set(page)
    assert "2,000" in page["total"]["description"] and "lower bound" in page["total_capped"]["description"]
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/devices"]["get"]["parameters"]}
    assert "sort" in parameters
    assert "start" in parameters["q"]["description"] and "3 characters" in parameters["q"]["description"]


def test_list_without_the_trigram_table(api: Api) -> None:
    """A SQLite build without FTS5 trigram: migration 0002 skips the table, searches scan."""
    _seed(api)
    with api.client.app.state.db.session() as session:  # type: ignore[attr-defined]
        if session.get_bind().dialect.name != "sqlite":
            pytest.skip("SQLite only")
        for statement in (
            "DROP TRIGGER devices_fts_insert",
            "DROP TRIGGER devices_fts_delete",
            "DROP TRIGGER devices_fts_update",
            "DROP TABLE devices_fts",
        ):
            session.connection().exec_driver_sql(statement)
        session.commit()
        device_list._FTS_READY.clear()
        found = list_devices(session, filters=DeviceFilter(q="ser3xy"))
        assert [d.asset_code for d in found.rows] == ["DEV-3"] and found.total == 1


def test_batch_counts(api: Api) -> None:
    """A batch's counters: machines received, processed (a run), erased, and left (at least one
    outcome, counted once however many) — per batch, on both databases."""
    from server_stub import crud
    from server_stub.models import Outcome
    from server_stub.web.queries import BatchCounts, batch_counts

    with api.client.app.state.db.session() as session:  # type: ignore[attr-defined]
        donor = crud.create_donor(session, name="Counting donor")
        first, second, empty = (
            crud.create_batch(session, donor_id=donor.id, reference=f"CNT-{i}", label="Lot") for i in range(3)
        )
        rows = [
            (first.id, 1, "erased", 2),
            (first.id, 1, "failed", 1),
            (first.id, 0, "none", 0),
            (second.id, 2, "erased", 0),
            (None, 1, "erased", 1),
        ]
        for i, (batch, runs, erasure, outcomes) in enumerate(rows):
            device = Device(asset_code=f"CNT-{i}", batch_id=batch, report_count=runs, erasure_status=erasure)
            session.add(device)
            session.flush()
            session.add_all(
                Outcome(device_id=device.id, kind="donated", date=dt.date(2026, 11, 1 + n))
                for n in range(outcomes)
            )
        session.commit()
        counts = batch_counts(session, batch_ids=[first.id, second.id, empty.id])
    assert counts == {first.id: BatchCounts(3, 2, 1, 2), second.id: BatchCounts(1, 1, 1, 0)}


def test_unfiltered_total_follows_every_insert_and_delete(api: Api) -> None:
    """The unfiltered list's total comes from `device_totals` (kept by triggers, migration 0008):
    exact after ORM inserts, a bulk insert, deletes and a rolled-back insert."""
    from sqlalchemy import delete, func, insert

    def totals(session: Any) -> tuple[int, int]:
        return list_devices(session, limit=1).total, session.scalar(select(func.count(Device.id)))

    with api.client.app.state.db.session() as session:  # type: ignore[attr-defined]
        assert session.scalar(select(DeviceTotals.devices)) == 0  # the row is there: no fallback
        assert totals(session) == (0, 0)
        session.add_all(Device(asset_code=f"T-{i}") for i in range(3))
        session.commit()
        assert totals(session) == (3, 3)
        session.execute(insert(Device), [{"asset_code": f"B-{i}", "search_text": ""} for i in range(25)])
        session.commit()
        assert totals(session) == (28, 28)
        session.execute(delete(Device).where(Device.asset_code.like("B-1%")))  # B-1, B-10 … B-19
        session.commit()
        assert totals(session) == (17, 17)
        session.add(Device(asset_code="GONE"))
        session.flush()
        assert totals(session) == (18, 18)  # inside the transaction
        session.rollback()
        assert totals(session) == (17, 17)
