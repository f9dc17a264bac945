"""API read times of the central inventory with 100,000 devices and 300,000 reports (SQLite).

    .venv/bin/python -m benchmarks.server_api [--devices 100000] [--reports-per-device 3] [--rounds 30]
                                              [--database-url postgresql+psycopg://…/empty_db]

Bulk-loads the database with SQLAlchemy Core (reused when its counts match): every device has
`reports-per-device` reports, a certificate per newest report, a batch among 200 of 40 donors;
report bodies are a complete agent report (~6 KB: identity, CPU, memory, one disk, grade) copied
with ids rewritten, so the device page parses a real `agent.report.Report`. Server time is the
app's own `Server-Timing` (routing, auth, queries, serialisation), requests sent in-process;
`cpu_median_ms` is the process CPU time of the request (the machine's load does not inflate it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import statistics
import sys
import time
import uuid
import warnings
from pathlib import Path
from typing import Any

warnings.filterwarnings("ignore", category=DeprecationWarning)

from sqlalchemy import func, insert, select  # noqa: E402

from server_stub.config import Settings  # noqa: E402
from server_stub.models import Batch, Certificate, Device, Donor, Report  # noqa: E402

GRADES = "ABCD"
ERASURE = ("erased", "erased", "erased", "failed", "incomplete", "none")
MAKERS = (
    ("Dell Inc.", "Latitude E7470"),
    ("LENOVO", "ThinkPad T460"),
    ("HP", "EliteBook 840 G3"),
    ("Dell Inc.", "OptiPlex 7040"),
)


def _template() -> dict[str, Any]:
    from agent.certs import StationKey
    from tests.server.factories import make_report

    report = make_report(
        asset_code="T", key=StationKey.generate(), disks=1, certificates=False, probe_log=0, checks=[]
    )
    data: dict[str, Any] = json.loads(report.model_dump_json())
    data["disks"][0]["smart"]["ata_attributes"] = data["disks"][0]["smart"]["ata_attributes"][:5]
    return data


def build(settings: Settings, devices: int, per_device: int) -> None:
    from server_stub.db import make_database
    from server_stub.migrate import upgrade

    db = make_database(settings)
    upgrade(settings, db.engine)
    rng = random.Random(5)
    template = _template()
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    with db.engine.begin() as conn:
        conn.execute(
            insert(Donor), [{"name": f"Donateur {i}", "note": "", "created_at": start} for i in range(40)]
        )
        conn.execute(
            insert(Batch),
            [
                {
                    "donor_id": 1 + i % 40,
                    "reference": f"LOT-{i:04d}",
                    "label": f"Convention {i}",
                    "note": "",
                    "created_at": start,
                }
                for i in range(200)
            ],
        )
    t0 = time.perf_counter()
    chunk = 2000
    for base in range(0, devices, chunk):
        device_rows, report_rows, cert_rows = [], [], []
        for i in range(base, min(devices, base + chunk)):
            maker, product = MAKERS[i % len(MAKERS)]
            code = f"AT-{i:07d}"
            serial = f"{rng.randrange(16**7):07X}"
            runs = sorted(
                start + dt.timedelta(minutes=rng.randrange(700 * 24 * 60)) for _ in range(per_device)
            )
            grade = rng.choice(GRADES)
            erasure = rng.choice(ERASURE)
            ids = [uuid.uuid4() for _ in runs]
            device_rows.append(
                {
                    "id": i + 1,
                    "asset_code": code,
                    "serial": serial,
                    "manufacturer": maker,
                    "product": product,
                    "form_factor": "laptop",
                    "cpu_model": "Intel(R) Core(TM) i5-6300U CPU @ 2.40GHz",
                    "memory_bytes": 8 * 1024**3,
                    "storage_bytes": 256_000_000_000,
                    "grade": grade,
                    "grade_outcome": "reuse",
                    "erasure_status": erasure,
                    "signature_status": "valid" if erasure != "none" else "none",
                    "batch_id": 1 + i % 200,
                    "latest_report_id": ids[-1],
                    "report_count": len(runs),
                    "last_run_at": runs[-1],
                    "erased_at": runs[-1],
                    "created_at": runs[0],
                    "updated_at": runs[-1],
                    "search_text": f"{code} {serial} {maker} {product} intel(r) core(tm) i5-6300u".lower(),
                    "last_run_seconds": 0.0,
                    "last_run_techniques": "overwrite",
                }
            )
            for report_id, run in zip(ids, runs, strict=True):
                body = dict(template, report_id=str(report_id), asset_code=code, started_at=run.isoformat())
                body["machine"] = {
                    **template["machine"],
                    "system": {**template["machine"]["system"], "serial": serial},
                }
                text = json.dumps(body)
                report_rows.append(
                    {
                        "id": report_id,
                        "device_id": i + 1,
                        "station_id": None,
                        "received_at": run,
                        "started_at": run,
                        "finished_at": run,
                        "agent_version": "0.1.0",
                        "schema_version": "1.0",
                        "body": text,
                        "body_sha256": "0" * 64,
                        "grade": grade,
                        "grade_outcome": "reuse",
                        "erasure_status": erasure,
                        "signature_status": "valid",
                        "batch_ref": None,
                        "problems": [],
                    }
                )
            cert_rows.append(
                {
                    "certificate_id": uuid.uuid4(),
                    "report_id": ids[-1],
                    "device_id": i + 1,
                    "position": 0,
                    "kind": "erasure",
                    "result": "erased",
                    "technique": "overwrite",
                    "category": "clear",
                    "verification_method": "sampled",
                    "verification_passed": True,
                    "verification_coverage": 10.0,
                    "disk_serial": f"S{serial}",
                    "disk_model": "ST500LM021",
                    "disk_size_bytes": 500_107_862_016,
                    "finished_at": runs[-1],
                    "key_fingerprint": "0" * 64,
                    "valid_signature": True,
                    "problems": [],
                    "signed_json": "{}",
                }
            )
        with db.engine.begin() as conn:
            conn.execute(insert(Device), device_rows)
            conn.execute(insert(Report), report_rows)
            conn.execute(insert(Certificate), cert_rows)
        if base % 20000 == 0:
            print(f"  {base + chunk} devices loaded ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    db.dispose()


def counts(settings: Settings) -> tuple[int, int]:
    from server_stub.db import make_database

    if not settings.database_url and not (settings.data_dir / "atelier.db").exists():
        return 0, 0
    db = make_database(settings)
    try:
        with db.read() as session:
            return (
                int(session.scalar(select(func.count(Device.id))) or 0),
                int(session.scalar(select(func.count()).select_from(Report)) or 0),
            )
    except Exception:
        return 0, 0
    finally:
        db.dispose()


def database_mb(settings: Settings) -> float:
    if not settings.database_url:
        return (settings.data_dir / "atelier.db").stat().st_size / 1e6
    from sqlalchemy import text

    from server_stub.db import make_database

    db = make_database(settings)
    try:
        with db.read() as session:
            return float(session.scalar(text("SELECT pg_database_size(current_database())")) or 0) / 1e6
    finally:
        db.dispose()


class CpuTimer:
    """ASGI wrapper: the process CPU time each request used inside the app (what it cost the
    server whatever else the machine runs; the TestClient's thread waits meanwhile)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.last_cpu_ms = 0.0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        start = time.process_time()
        try:
            await self.app(scope, receive, send)
        finally:
            self.last_cpu_ms = (time.process_time() - start) * 1000


def measure(settings: Settings, rounds: int) -> dict[str, dict[str, float]]:
    from fastapi.testclient import TestClient

    from server_stub.main import create_app, prepare_for_serving

    app = create_app(settings)
    prepare_for_serving()  # as `atelier-server` readies each serving process
    timer = CpuTimer(app)
    client = TestClient(timer)
    login = client.post("/api/v1/auth/login", json={"username": "admin", "password": "bench-admin-password"})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    client.cookies.clear()
    rng = random.Random(9)
    n_devices, _ = counts(settings)
    cases: dict[str, Any] = {
        "list: first page": lambda: "/api/v1/devices",
        "list: page 100": lambda: "/api/v1/devices?offset=5000",
        "list: grade=A": lambda: "/api/v1/devices?grade=A",
        "list: erasure=failed": lambda: "/api/v1/devices?erasure_status=failed",
        "list: batch": lambda: f"/api/v1/devices?batch_id={rng.randrange(1, 201)}",
        "list: donor": lambda: f"/api/v1/devices?donor_id={rng.randrange(1, 41)}",
        "list: month": lambda: "/api/v1/devices?date_from=2025-06-01&date_to=2025-06-30",
        # Runs span 2025-01-01 + 700 days: a recent month (more than 2,000 machines with one
        # report each), every run since a date (the newest machines), every run before one (the
        # oldest: neither of the first few thousand by activity).
        "list: recent month": lambda: "/api/v1/devices?date_from=2026-10-01&date_to=2026-10-31",
        "list: runs since 2025-03": lambda: "/api/v1/devices?date_from=2025-03-01",
        "list: runs before 2026-06": lambda: "/api/v1/devices?date_to=2026-05-31",
        "list: q asset code": lambda: f"/api/v1/devices?q=AT-{rng.randrange(n_devices):07d}",
        "list: q text (thinkpad)": lambda: "/api/v1/devices?q=thinkpad",
        "list: grade=B + erased": lambda: "/api/v1/devices?grade=B&erasure_status=erased",
        "list: q serial part (4 chars)": lambda: f"/api/v1/devices?q={rng.randrange(16**4):04x}",
        # 1–2 characters: a substring scan until session 3, the start of a field since session 4.
        "list: q 2 chars (hex)": lambda: f"/api/v1/devices?q={rng.randrange(16**2):02x}",
        "list: q 1 char (hex)": lambda: f"/api/v1/devices?q={rng.randrange(16):x}",
        "list: q 'hp' (a make)": lambda: "/api/v1/devices?q=hp",
        "list: q 'at' (every asset code)": lambda: "/api/v1/devices?q=at",
        "device page": lambda: f"/api/v1/devices/AT-{rng.randrange(n_devices):07d}",
    }
    results: dict[str, dict[str, float]] = {}
    for name, make_path in cases.items():
        times, cpu = [], []
        for _ in range(rounds + 3):
            response = client.get(make_path(), headers=headers)
            assert response.status_code == 200, (name, response.status_code, response.text[:200])
            match = re.search(r"dur=([\d.]+)", response.headers["server-timing"])
            assert match
            times.append(float(match.group(1)))
            cpu.append(timer.last_cpu_ms)
        times = sorted(times[3:])
        results[name] = {
            "median_ms": round(statistics.median(times), 1),
            "p90_ms": round(times[int(len(times) * 0.9) - 1], 1),
            "max_ms": round(times[-1], 1),
            "cpu_median_ms": round(statistics.median(cpu[3:]), 1),
        }
    app.state.db.dispose()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--reports-per-device", type=int, default=3)
    parser.add_argument("--data-dir", default="/tmp/atelier-bench-api")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument(
        "--database-url", default="", help="an EMPTY PostgreSQL database to fill (or one this script filled)"
    )
    args = parser.parse_args()
    settings = Settings(
        data_dir=Path(args.data_dir),
        database_url=args.database_url,
        web_ui=False,
        scrypt_log2_n=12,
        admin_password="bench-admin-password",  # type: ignore[arg-type]
    )
    expected = (args.devices, args.devices * args.reports_per_device)
    have = counts(settings)
    if have != expected:
        if settings.database_url and have != (0, 0):
            print(
                f"{have} devices/reports in the database, {expected} wanted: give an empty one",
                file=sys.stderr,
            )
            return 2
        for name in ("atelier.db", "atelier.db-wal", "atelier.db-shm"):
            (settings.data_dir / name).unlink(missing_ok=True)
        t0 = time.perf_counter()
        build(settings, args.devices, args.reports_per_device)
        print(
            f"built {expected[0]} devices / {expected[1]} reports in {time.perf_counter() - t0:.0f} s",
            file=sys.stderr,
        )
    size_mb = database_mb(settings)
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    results = measure(settings, args.rounds)
    print(
        json.dumps(
            {
                "devices": expected[0],
                "reports": expected[1],
                "database": "postgresql" if settings.database_url else "sqlite",
                "db_mb": round(size_mb),
                "cpus": os.cpu_count(),
                "started": started,
                "loadavg_before": load_before,
                "loadavg_after": Path("/proc/loadavg").read_text().split()[:3],
                "results": results,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
