"""Ingest throughput of the central inventory: 20 concurrent clients posting realistic reports.

    .venv/bin/python -m benchmarks.server_ingest [--reports 3000] [--clients 20] [--database-url URL]
        [--group-commit on|off|both] [--rounds 4]

`--group-commit both` starts two servers (one transaction per report vs group commit) and
alternates rounds of the same number of reports between them, so both see the same machine load.

The server runs as `atelier-server` (uvicorn, one process, SQLite in WAL mode with synchronous=FULL
unless told otherwise) in a child process on 127.0.0.1; clients are threads using `requests`.
Reports are 30–60 KB, built like the agent's (real SMART data, two Ed25519-signed certificates
each); every report has its own report_id, asset code and freshly signed certificates.
Prints throughput, latency percentiles (client side) and the app's own time (Server-Timing).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import queue
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import requests

from agent.certs import StationKey
from agent.report import canonical_json

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def build_bodies(n: int, key: StationKey, seed: int = 7) -> list[bytes]:
    """`n` distinct report bodies: 50 built by the factory, then re-keyed and re-signed copies."""
    import base64

    from tests.server.factories import make_report

    rng = random.Random(seed)
    bases = [json.loads(make_report(asset_code="X", key=key, rng=rng).model_dump_json()) for _ in range(50)]
    bodies = []
    for i in range(n):
        report = copy.deepcopy(bases[i % len(bases)])
        report["report_id"] = str(uuid.uuid4())
        report["asset_code"] = f"BENCH-{i:07d}"
        for signed in report["certificates"]:
            cert = signed["certificate"]
            cert["certificate_id"] = str(uuid.uuid4())
            cert["report_id"] = report["report_id"]
            cert["asset_code"] = report["asset_code"]
            signed["signature"] = base64.b64encode(key.sign(canonical_json(cert))).decode("ascii")
        bodies.append(json.dumps(report).encode("utf-8"))
    return bodies


def start_server(
    data_dir: Path, port: int, database_url: str | None, synchronous: str, group_commit: bool = True
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ATELIER_SERVER_DATA_DIR": str(data_dir),
        "ATELIER_SERVER_SQLITE_SYNCHRONOUS": synchronous,
        "ATELIER_SERVER_INGEST_GROUP_COMMIT": "1" if group_commit else "0",
        "ATELIER_SERVER_WEB_UI": "0",
        "ATELIER_SERVER_SCRYPT_LOG2_N": "12",
    }
    argv = [sys.executable, "-m", "server_stub.cli", "--port", str(port), "--log-level", "warning"]
    if database_url:
        argv += ["--database-url", database_url]
    proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=2).status_code == 200:
                return proc
        except requests.RequestException:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


def create_station(data_dir: Path, key: StationKey, database_url: str | None) -> str:
    argv = [
        sys.executable,
        "-m",
        "server_stub.cli",
        "station",
        "create",
        f"bench-{uuid.uuid4().hex[:6]}",
        "--public-key",
        key.public_key_b64,
        "--data-dir",
        str(data_dir),
    ]
    if database_url:
        argv += ["--database-url", database_url]
    out = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def run(url: str, token: str, bodies: list[bytes], clients: int) -> dict[str, Any]:
    return summarise(*post_all(url, token, bodies, clients), len(bodies))


def post_all(
    url: str, token: str, bodies: list[bytes], clients: int
) -> tuple[float, list[float], list[float], dict[int, int]]:
    work: queue.Queue[bytes] = queue.Queue()
    for body in bodies:
        work.put(body)
    latencies: list[float] = []
    app_ms: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def client() -> None:
        session = requests.Session()
        barrier.wait()
        while True:
            try:
                body = work.get_nowait()
            except queue.Empty:
                break
            start = time.perf_counter()
            response = session.post(f"{url}/api/v1/reports", data=body, headers=headers, timeout=60)
            elapsed = time.perf_counter() - start
            timing = re.search(r"dur=([\d.]+)", response.headers.get("server-timing", ""))
            with lock:
                latencies.append(elapsed)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                if timing:
                    app_ms.append(float(timing.group(1)))
        session.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - start, latencies, app_ms, statuses


def summarise(
    wall: float, latencies: list[float], app_ms: list[float], statuses: dict[int, int], count: int
) -> dict[str, Any]:
    latencies = sorted(latencies)
    app_ms = sorted(app_ms)

    def pct(values: list[float], p: float) -> float:
        return values[min(len(values) - 1, int(len(values) * p))]

    return {
        "reports": count,
        "seconds": round(wall, 2),
        "reports_per_s": round(count / wall, 1),
        "latency_ms": {
            "p50": round(pct(latencies, 0.50) * 1000, 1),
            "p95": round(pct(latencies, 0.95) * 1000, 1),
            "p99": round(pct(latencies, 0.99) * 1000, 1),
            "max": round(latencies[-1] * 1000, 1),
        },
        "app_ms": {
            "p50": round(pct(app_ms, 0.5), 1),
            "p99": round(pct(app_ms, 0.99), 1),
            "mean": round(statistics.mean(app_ms), 1),
        },
        "statuses": statuses,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--synchronous", default="FULL", choices=["FULL", "NORMAL"])
    parser.add_argument("--group-commit", default="on", choices=["on", "off", "both"])
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds with --group-commit both")
    args = parser.parse_args()

    modes = {"on": [True], "off": [False], "both": [False, True]}[args.group_commit]
    key = StationKey.generate()
    t0 = time.perf_counter()
    bodies = build_bodies((args.reports + args.warmup) * len(modes), key)
    print(f"built {len(bodies)} reports in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    per_mode = args.reports + args.warmup
    rounds = max(1, args.rounds)
    with tempfile.TemporaryDirectory(prefix="atelier-bench-") as tmp:
        servers: list[tuple[bool, str, str, subprocess.Popen[bytes]]] = []
        try:
            for group_commit in modes:
                data_dir = Path(tmp) / ("group" if group_commit else "single")
                data_dir.mkdir()
                database_url = args.database_url
                token = create_station(data_dir, key, database_url)
                port = _free_port()
                proc = start_server(data_dir, port, database_url, args.synchronous, group_commit)
                servers.append((group_commit, f"http://127.0.0.1:{port}", token, proc))
            loads = [os.getloadavg()[0]]
            for index, (_group_commit, url, token, _proc) in enumerate(servers):
                mine = bodies[index * per_mode : (index + 1) * per_mode]
                run(url, token, mine[: args.warmup], args.clients)
            collected: dict[bool, tuple[float, list[float], list[float], dict[int, int]]] = {
                mode: (0.0, [], [], {}) for mode in modes
            }
            chunk = -(-args.reports // rounds)
            for r in range(rounds):
                for index, (group_commit, url, token, _proc) in enumerate(servers):
                    mine = bodies[index * per_mode + args.warmup : (index + 1) * per_mode]
                    part = mine[r * chunk : (r + 1) * chunk]
                    if not part:
                        continue
                    wall, latencies, app_ms, statuses = post_all(url, token, part, args.clients)
                    total = collected[group_commit]
                    for status, n in statuses.items():
                        total[3][status] = total[3].get(status, 0) + n
                    collected[group_commit] = (
                        total[0] + wall,
                        total[1] + latencies,
                        total[2] + app_ms,
                        total[3],
                    )
                    loads.append(os.getloadavg()[0])
        finally:
            for _mode, _url, _token, proc in servers:
                proc.terminate()
                proc.wait(timeout=30)
    results = {
        ("group_commit" if mode else "one_commit_per_report"): summarise(*collected[mode], args.reports)
        for mode in modes
    }
    output: dict[str, Any] = {
        **results,
        "clients": args.clients,
        "rounds": rounds,
        "mean_body_kb": round(sum(len(b) for b in bodies) / len(bodies) / 1024, 1),
        "database": "postgresql" if args.database_url else f"sqlite (WAL, synchronous={args.synchronous})",
        "cpus": os.cpu_count(),
        "load_avg_1min": {"min": min(loads), "max": max(loads)},
    }
    if len(modes) == 2:
        output["ratio_reports_per_s"] = round(
            results["group_commit"]["reports_per_s"] / results["one_commit_per_report"]["reports_per_s"], 2
        )
    print(json.dumps(output, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
