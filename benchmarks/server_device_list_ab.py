"""The device list's queries, this tree against an older one, alternately on the same database.

    .venv/bin/python benchmarks/server_device_list_ab.py --peer DIR [--data-dir /tmp/atelier-bench-api]
                                                         [--rounds 20]

`DIR` is a source tree of an older commit (`git archive`); its `server_stub/device_list.py` (or,
before session 3, `crud.py`) is loaded under another name and its `list_devices` called as
`GET /devices` called it, with this tree's
models (the database is at this tree's schema: the older code only reads it). Each round calls
the peer then this tree's `device_list.list_devices` for the same filters, in one process, so
both see the same page cache and the same machine load. Time = process CPU time of the call
(queries and ORM rows; no HTTP, no JSON); on PostgreSQL (`--database-url`), whose server does
the queries in another process, the wall time is also given.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore", category=DeprecationWarning)

CASES: dict[str, dict[str, Any]] = {
    "first page": {},
    "offset 5000": {"offset": 5000},
    "grade=A": {"grade": "A"},
    "grade=B + erased": {"grade": "B", "erasure_status": "erased"},
    "erasure=failed": {"erasure_status": "failed"},
    "batch": {"batch_id": 17},
    "donor": {"donor_id": 7},
    "one month": {"date_from": dt.date(2025, 6, 1), "date_to": dt.date(2025, 6, 30)},
    "recent month": {"date_from": dt.date(2026, 10, 1), "date_to": dt.date(2026, 10, 31)},
    "runs since 2025-03": {"date_from": dt.date(2025, 3, 1)},
    "runs before 2026-06": {"date_to": dt.date(2026, 5, 31)},
    "q asset code": {"q": "AT-0012345"},
    "q thinkpad": {"q": "thinkpad"},
    "q 3 chars": {"q": "a3f"},
    "q 2 chars": {"q": "3f"},
    "q 1 char": {"q": "3"},
    "q 'hp'": {"q": "hp"},
    "q 'at'": {"q": "at"},
}


def _load(tree: Path, name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"peer_{name}", tree / "server_stub" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[f"peer_{name}"] = module
    spec.loader.exec_module(module)
    return module


def load_peer(tree: Path) -> Any:
    """The peer's list function: `crud.list_devices` (before session 3) or, since, the
    `device_list` module's, wrapped to answer (rows, total) as the old one did."""
    if (tree / "server_stub" / "device_list.py").exists():
        module = _load(tree, "device_list")

        class Peer:
            DeviceFilter = module.DeviceFilter

            @staticmethod
            def list_devices(session: Any, **kwargs: Any) -> tuple[Any, int]:
                page = module.list_devices(session, **kwargs)
                return page.rows, page.total

        return Peer
    return _load(tree, "crud")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/atelier-bench-api"))
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--database-url", default="", help="a PostgreSQL set filled by benchmarks.server_api")
    args = parser.parse_args()

    from server_stub import device_list
    from server_stub.config import Settings
    from server_stub.db import make_database

    peer = load_peer(args.peer)
    db = make_database(Settings(data_dir=args.data_dir, database_url=args.database_url, web_ui=False))
    load = Path("/proc/loadavg").read_text().split()[:3]
    results = {}
    for name, params in CASES.items():
        limit, offset = 50, params.pop("offset", 0)
        times: dict[str, list[float]] = {"peer": [], "this": []}
        walls: dict[str, list[float]] = {"peer": [], "this": []}
        totals: dict[str, Any] = {}
        for _ in range(args.rounds + 2):
            with db.read() as session:
                start, wall = time.process_time(), time.perf_counter()
                rows, total = peer.list_devices(
                    session, filters=peer.DeviceFilter(**params), limit=limit, offset=offset
                )
                times["peer"].append((time.process_time() - start) * 1000)
                walls["peer"].append((time.perf_counter() - wall) * 1000)
                totals["peer"] = (total, len(rows))
            with db.read() as session:
                start, wall = time.process_time(), time.perf_counter()
                page = device_list.list_devices(
                    session, filters=device_list.DeviceFilter(**params), limit=limit, offset=offset
                )
                times["this"].append((time.process_time() - start) * 1000)
                walls["this"].append((time.perf_counter() - wall) * 1000)
                totals["this"] = (page.total, len(page.rows), "capped" if page.capped else "exact")
        peer_ms = statistics.median(times["peer"][2:])
        this_ms = statistics.median(times["this"][2:])
        peer_wall, this_wall = (statistics.median(walls[side][2:]) for side in ("peer", "this"))
        results[name] = {
            "peer_wall_ms": round(peer_wall, 1),
            "this_wall_ms": round(this_wall, 1),
            "peer_cpu_ms": round(peer_ms, 1),
            "this_cpu_ms": round(this_ms, 1),
            "ratio": round(peer_ms / this_ms, 2),
            "peer_total_rows": totals["peer"],
            "this_total_rows": totals["this"],
        }
        print(
            f"{name:20s} CPU peer {peer_ms:7.1f} ms  this {this_ms:6.1f} ms  ×{peer_ms / this_ms:5.2f}  "
            f"wall {peer_wall:7.1f} / {this_wall:6.1f} ms  {totals}"
        )
    db.dispose()
    load_after = Path("/proc/loadavg").read_text().split()[:3]
    print(json.dumps({"loadavg": [load, load_after], "results": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
