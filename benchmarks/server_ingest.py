"""Ingest throughput of the central inventory: 20 concurrent clients posting realistic reports.

    .venv/bin/python -m benchmarks.server_ingest [--reports 3000] [--clients 20] [--database-url URL]

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
    data_dir: Path, port: int, database_url: str | None, synchronous: str
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ATELIER_SERVER_DATA_DIR": str(data_dir),
        "ATELIER_SERVER_SQLITE_SYNCHRONOUS": synchronous,
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
    wall = time.perf_counter() - start
    latencies.sort()
    app_ms.sort()

    def pct(values: list[float], p: float) -> float:
        return values[min(len(values) - 1, int(len(values) * p))]

    return {
        "reports": len(bodies),
        "seconds": round(wall, 2),
        "reports_per_s": round(len(bodies) / wall, 1),
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
        "mean_body_kb": round(sum(len(b) for b in bodies) / len(bodies) / 1024, 1),
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
    args = parser.parse_args()

    key = StationKey.generate()
    t0 = time.perf_counter()
    bodies = build_bodies(args.reports + args.warmup, key)
    print(f"built {len(bodies)} reports in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="atelier-bench-") as tmp:
        data_dir = Path(tmp)
        token = create_station(data_dir, key, args.database_url)
        port = _free_port()
        proc = start_server(data_dir, port, args.database_url, args.synchronous)
        try:
            url = f"http://127.0.0.1:{port}"
            run(url, token, bodies[: args.warmup], args.clients)
            result = run(url, token, bodies[args.warmup :], args.clients)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    result.update(
        clients=args.clients,
        database="postgresql" if args.database_url else f"sqlite (WAL, synchronous={args.synchronous})",
        cpus=os.cpu_count(),
    )
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
