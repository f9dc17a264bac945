"""Central inventory (issue 5), web pages: server time of the device list, the device page, a batch
page and the dashboard with 100,000 devices and 300,000 reports in SQLite (or PostgreSQL).

    .venv/bin/python benchmarks/server_pages.py [--devices 100000] [--reports-per-device 3]
                                                [--data-dir /tmp/atelier-bench-pages] [--rounds 40]
                                                [--database-url postgresql+psycopg://…/empty_db]

The database is built once (reused when its counts match): realistic report bodies (~34 KB,
`tests/server/factories.make_report`, real SMART data, two signed certificates each) copied from
a few dozen templates with their report id and asset code rewritten, bulk-inserted with
SQLAlchemy Core. Every report has its certificate rows; 40 % of the devices have an outcome.

Server time is measured in-process (ASGI app through Starlette's TestClient: routing,
dependencies, queries, template rendering; no socket). The peer is the API's JSON answer for the
same data (`GET /api/v1/devices`, `GET /api/v1/devices/{code}`), requested alternately with the
page in one run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import time
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore", category=DeprecationWarning)

from sqlalchemy import func, insert, select  # noqa: E402

from server_stub import crud  # noqa: E402
from server_stub.models import Batch, Certificate, Device, Donor, Outcome, Report, Station  # noqa: E402

TEMPLATES = 40
ASSET = "@@ASSET-CODE@@"
PASSWORD = "benchmark-password"
KINDS = ("donated", "donated", "lent", "sold", "recycled", "parts")
GRADES = "AABBBBBCCD"


def templates(rng: random.Random) -> list[tuple[str, str, list[tuple[Any, str]], Any]]:
    """(report body with placeholders, its report id, [(certificate, signed json)], report)."""
    import importlib.util

    from agent.certs import StationKey
    from agent.report import canonical_json

    spec = importlib.util.spec_from_file_location("factories", ROOT / "tests" / "server" / "factories.py")
    assert spec is not None and spec.loader is not None
    factories = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(factories)
    make_report = factories.make_report

    key = StationKey.generate()
    result = []
    for i in range(TEMPLATES):
        report = make_report(asset_code=ASSET, key=key, rng=rng, grade=GRADES[i % len(GRADES)])
        body = report.model_dump_json()
        certs = [(s.certificate, canonical_json(s).decode("utf-8")) for s in report.certificates]
        result.append((body, str(report.report_id), certs, report))
    return result


def build(db: Any, *, devices: int, per_device: int, seed: int = 5) -> None:
    rng = random.Random(seed)
    pool = templates(rng)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with db.session(write=True) as session:
        station, _ = crud.create_station(session, name="poste-bench")
        donors = [crud.create_donor(session, name=f"Donateur {i:02d}") for i in range(10)]
        batches = [
            crud.create_batch(
                session,
                donor_id=donors[i % 10].id,
                reference=f"LOT-{i:03d}",
                label=f"Convention {2024 + i % 3}, lot {i}",
                units_announced=devices // 50 + 10,
                received_on=(now - dt.timedelta(days=10 + 7 * i)).date(),
            )
            for i in range(50)
        ]
        crud.create_user(session, username="bench", password=PASSWORD, role="supervisor", log2_n=10)
        crud.create_user(
            session, username="bench-donor", password=PASSWORD, role="donor", donor_id=donors[3].id, log2_n=10
        )
        station_id, batch_ids = station.id, [b.id for b in batches]
    chunk = 1000
    started = time.monotonic()
    for first in range(0, devices, chunk):
        with db.engine.begin() as conn:
            device_rows, report_rows, cert_rows, outcome_rows = [], [], [], []
            for n in range(first, min(first + chunk, devices)):
                code = f"AT-{n:07d}"
                body, template_id, certs, report = pool[n % TEMPLATES]
                last = now - dt.timedelta(minutes=rng.randrange(365 * 24 * 60))
                runs = sorted(last - dt.timedelta(days=30 * k + rng.randrange(20)) for k in range(per_device))
                report_ids = [uuid.uuid4() for _ in runs]
                durations = [dt.timedelta(minutes=rng.randrange(35, 140)) for _ in runs]
                system = report.machine.system
                grade = report.grade.grade if report.grade else None
                device_rows.append(
                    {
                        "id": n + 1,
                        "asset_code": code,
                        "serial": f"SN{n:08d}",
                        "manufacturer": system.manufacturer,
                        "product": system.product,
                        "form_factor": "laptop",
                        "cpu_model": report.cpus[0].model,
                        "memory_bytes": report.memory.total_bytes,
                        "storage_bytes": 512_000_000_000,
                        "grade": grade,
                        "grade_outcome": "reuse",
                        "erasure_status": "erased" if n % 17 else "incomplete",
                        "signature_status": "valid",
                        "batch_id": batch_ids[n % len(batch_ids)],
                        "latest_report_id": report_ids[-1],
                        "report_count": len(runs),
                        "last_run_at": runs[-1],
                        "erased_at": runs[-1] + dt.timedelta(minutes=40),
                        "search_text": f"{code} sn{n:08d} {system.manufacturer} {system.product}".lower(),
                        "last_run_seconds": durations[-1].total_seconds(),
                        "last_run_techniques": "\n".join(cert.technique for cert, _signed in certs) or None,
                        "created_at": runs[0],
                        "updated_at": runs[-1] + dt.timedelta(minutes=55),
                    }
                )
                for report_id, run, duration in zip(report_ids, runs, durations, strict=True):
                    text = body.replace(ASSET, code).replace(template_id, str(report_id))
                    report_rows.append(
                        {
                            "id": report_id,
                            "device_id": n + 1,
                            "station_id": station_id,
                            "received_at": run + dt.timedelta(minutes=56),
                            "started_at": run,
                            "finished_at": run + duration,
                            "agent_version": "0.1.0",
                            "schema_version": "1.0",
                            "body": text,
                            "body_sha256": crud.report_sha256(text),
                            "grade": grade,
                            "grade_outcome": "reuse",
                            "erasure_status": "erased",
                            "signature_status": "valid",
                            "batch_ref": None,
                            "problems": [],
                        }
                    )
                    for position, (cert, signed) in enumerate(certs):
                        certificate_id = uuid.uuid4()
                        cert_rows.append(
                            {
                                "certificate_id": certificate_id,
                                "report_id": report_id,
                                "device_id": n + 1,
                                "position": position,
                                "kind": cert.kind,
                                "result": cert.result,
                                "technique": cert.technique,
                                "category": cert.category,
                                "verification_method": cert.verification.method,
                                "verification_passed": True,
                                "verification_coverage": cert.verification.coverage_percent,
                                "disk_serial": cert.disk.serial,
                                "disk_model": cert.disk.model,
                                "disk_size_bytes": cert.disk.size_bytes,
                                "finished_at": run + dt.timedelta(minutes=40),
                                "key_fingerprint": "0" * 64,
                                "valid_signature": True,
                                "problems": [],
                                "signed_json": signed.replace(ASSET, code)
                                .replace(template_id, str(report_id))
                                .replace(str(cert.certificate_id), str(certificate_id)),
                            }
                        )
                if n % 5 < 2:
                    kind = KINDS[n % len(KINDS)]
                    outcome_rows.append(
                        {
                            "device_id": n + 1,
                            "kind": kind,
                            "channel": None if kind in ("recycled", "parts") else "Centre social",
                            "recycler_pickup_ref": "ENL-1" if kind == "recycled" else None,
                            "date": (runs[-1] + dt.timedelta(days=3)).date(),
                            "note": "",
                        }
                    )
            conn.execute(insert(Device), device_rows)
            conn.execute(insert(Report), report_rows)
            conn.execute(insert(Certificate), cert_rows)
            if outcome_rows:
                conn.execute(insert(Outcome), outcome_rows)
            done = min(first + chunk, devices)
            if done % 10_000 == 0:
                rate = done / (time.monotonic() - started)
                print(f"  {done:,} devices ({rate:,.0f}/s)", flush=True)
    if db.engine.dialect.name != "sqlite":
        # What autovacuum does on a live server: statistics, and the visibility map that lets
        # PostgreSQL answer from an index alone.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
        return
    raw = db.engine.raw_connection()  # autocommit: the pool's connections set isolation_level=None
    try:
        cursor = raw.cursor()
        cursor.execute("ANALYZE")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    finally:
        raw.close()


def counts(db: Any) -> tuple[int, int]:
    with db.session() as session:
        return (
            session.scalar(select(func.count(Device.id))) or 0,
            session.scalar(select(func.count(Report.id))) or 0,
        )


def login(client: Any, username: str) -> None:
    import re

    page = client.get("/connexion")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    answer = client.post(
        "/connexion", data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert answer.status_code == 303, answer.text


class ServerTimer:
    """ASGI middleware: wall time and process CPU time of each request inside the app.

    The CPU time is what the request cost the server whatever else runs on the machine (the
    TestClient thread waits, so during a request only the server's threads use this process's
    CPU); the wall time also counts waiting for a core on a loaded machine."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.last: tuple[float, float] = (0.0, 0.0)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            await self.app(scope, receive, send)
        finally:
            self.last = ((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000)


TIMER: ServerTimer | None = None


def timed(client: Any, path: str) -> tuple[float, float]:
    answer = client.get(path)
    if answer.status_code != 200:
        raise RuntimeError(f"{path}: {answer.status_code} {answer.text[:300]}")
    assert TIMER is not None
    return TIMER.last


def summary(samples: list[tuple[float, float]]) -> str:
    wall = sorted(w for w, _c in samples)
    cpu = sorted(c for _w, c in samples)
    p95 = wall[min(len(wall) - 1, int(len(wall) * 0.95))]
    return (
        f"wall median {statistics.median(wall):6.1f} ms, p95 {p95:6.1f}, min {wall[0]:5.1f}; "
        f"CPU median {statistics.median(cpu):5.1f} ms"
    )


def median_cpu(samples: list[tuple[float, float]]) -> float:
    return statistics.median(c for _w, c in samples)


def page_cases(
    batch_id: int, code: Callable[[], str]
) -> tuple[list[tuple[str, Callable[[], str], Callable[[], str]]], list[tuple[str, str, bool]]]:
    """The pages measured: (name, page, its API peer) triples, then (name, page, as the donor)
    for the pages measured alone. `code()` gives an asset code of the set; `server_http.py`
    serves the same pages."""
    cases: list[tuple[str, Callable[[], str], Callable[[], str]]] = [
        ("device list, default (newest first)", lambda: "/appareils", lambda: "/api/v1/devices?limit=50"),
        (
            "device list, grade B + erased",
            lambda: "/appareils?grade=B&erasure=erased",
            lambda: "/api/v1/devices?grade=B&erasure_status=erased&limit=50",
        ),
        (
            "device list, one batch",
            lambda: f"/appareils?batch={batch_id}",
            lambda: f"/api/v1/devices?batch_id={batch_id}",
        ),
        (
            "device list, search by asset code",
            lambda: "/appareils?" + urlencode({"q": code()}),
            lambda: "/api/v1/devices?" + urlencode({"q": code()}),
        ),
        (
            "device list, substring search 'thinkpad'",
            lambda: "/appareils?q=thinkpad",
            lambda: "/api/v1/devices?q=thinkpad",
        ),
        (
            "device list, 2-character search '3f'",
            lambda: "/appareils?q=3f",
            lambda: "/api/v1/devices?q=3f",
        ),
        (
            "device list, 2-character search 'hp'",
            lambda: "/appareils?q=hp",
            lambda: "/api/v1/devices?q=hp",
        ),
        (
            "device list, date range (one month)",
            lambda: "/appareils?from=2026-06-01&to=2026-06-30",
            lambda: "/api/v1/devices?date_from=2026-06-01&date_to=2026-06-30",
        ),
        (
            "device list, page 200",
            lambda: "/appareils?page=200",
            lambda: "/api/v1/devices?offset=9950&limit=50",
        ),
        (
            "device page (3 runs, 6 certificates)",
            lambda: "/appareil?" + urlencode({"code": code()}),
            lambda: "/api/v1/devices/" + code(),
        ),
    ]
    alone = [
        ("device list as a donor (1/10 of devices)", "/appareils", True),
        ("device list, 'in stock' filter", "/appareils?state=stock", False),
        ("batch page (2,000 devices, 50 shown)", f"/lots/{batch_id}", False),
        ("donors and batches page", "/lots", False),
    ]
    return cases, alone


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--reports-per-device", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/atelier-bench-pages"))
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--only", help="comma-separated words: run only the cases naming one (no dashboard)")
    parser.add_argument("--dashboard-only", action="store_true", help="measure the dashboard only")
    parser.add_argument(
        "--database-url", default="", help="an EMPTY PostgreSQL database to fill (or one this script filled)"
    )
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from server_stub.config import Settings
    from server_stub.main import create_app, prepare_for_serving

    settings = Settings(
        environment="test",
        data_dir=args.data_dir,
        database_url=args.database_url,
        scrypt_log2_n=10,
        admin_password="benchmark-admin",  # type: ignore[arg-type]
        sqlite_synchronous="NORMAL",
    )
    app = create_app(settings)
    db = app.state.db
    want = (args.devices, args.devices * args.reports_per_device)
    have = counts(db)
    if have != want and args.database_url and have != (0, 0):
        print(f"{have} devices/reports in the database, {want} wanted: give an empty one", file=sys.stderr)
        return 2
    if have != want:
        # A half-built or differently sized database: start over.
        db.dispose()
        for name in ("atelier.db", "atelier.db-wal", "atelier.db-shm"):
            (args.data_dir / name).unlink(missing_ok=True)
        app = create_app(settings)
        db = app.state.db
        print(f"building {want[0]:,} devices and {want[1]:,} reports in {args.data_dir} …", flush=True)
        start = time.monotonic()
        build(db, devices=args.devices, per_device=args.reports_per_device)
        print(f"built in {time.monotonic() - start:.0f} s", flush=True)
    if args.database_url:
        with db.session() as session:
            size = (session.scalar(select(func.pg_database_size(func.current_database()))) or 0) / 1e9
    else:
        size = sum(p.stat().st_size for p in args.data_dir.glob("atelier.db*")) / 1e9
    print(f"database: {counts(db)[0]:,} devices, {counts(db)[1]:,} reports, {size:.1f} GB")

    prepare_for_serving()  # as `atelier-server` readies each serving process
    global TIMER
    TIMER = ServerTimer(app)
    rng = random.Random(11)
    client = TestClient(TIMER, follow_redirects=False)
    login(client, "bench")
    donor = TestClient(TIMER, follow_redirects=False)
    login(donor, "bench-donor")
    with db.session() as session:
        batch_id = session.scalar(select(Batch.id).order_by(Batch.id).limit(1))
        station = session.scalar(select(Station.id))
        assert station is not None and session.scalar(select(func.count(Donor.id)))

    def code() -> str:
        return f"AT-{rng.randrange(args.devices):07d}"

    only = set(args.only.split(",")) if args.only else None
    cases, alone = page_cases(batch_id, code)
    lines = []
    if args.dashboard_only:
        cases, others = [], []
    else:
        others = [(name, path, donor if as_donor else client) for name, path, as_donor in alone]
    for name, page, api in cases:
        if only is not None and not any(word in name for word in only):
            continue
        timed(client, page())  # warm
        pages_ms, api_ms = [], []
        for _ in range(args.rounds):
            pages_ms.append(timed(client, page()))
            api_ms.append(timed(client, api()))
        ratio = median_cpu(pages_ms) / median_cpu(api_ms)
        lines.append(f"{name:38s} page: {summary(pages_ms)}")
        lines.append(f"{'':38s}  API: {summary(api_ms)}; page/API CPU {ratio:.2f}")
        print("\n".join(lines[-2:]), flush=True)
    if only is not None:
        # --only also picks among the pages measured alone ("batch"), and skips the dashboard.
        others = [case for case in others if any(word in case[0] for word in only)]
    for name, path, who in others:
        timed(who, path)
        values = [timed(who, path) for _ in range(max(5, args.rounds // 4))]
        lines.append(f"{name:38s} page: {summary(values)}")
        print(lines[-1], flush=True)
    dashboards = (
        []
        if only is not None
        else [("dashboard, 12 months, everything", client), ("dashboard as a donor", donor)]
    )
    for name, who in dashboards:
        computed = []
        for _ in range(3):
            if hasattr(app.state, "web_dashboard_cache"):
                app.state.web_dashboard_cache.clear()
            computed.append(timed(who, "/tableau-de-bord"))
        cached = [timed(who, "/tableau-de-bord") for _ in range(max(5, args.rounds // 4))]
        lines.append(f"{name + ', computed':38s} page: {summary(computed)}")
        lines.append(f"{name + ', cached':38s} page: {summary(cached)}")
        print("\n".join(lines[-2:]), flush=True)
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(
        json.dumps(
            {"cpu": cpu, "nproc": os.cpu_count(), "loadavg": load, "python": platform.python_version()}
        )
    )
    app.state.db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
