"""Ingest throughput of the central inventory: 20 concurrent clients posting realistic reports.

    .venv/bin/python -m benchmarks.server_ingest [--reports 3000] [--clients 20] [--workers 2]
        [--database-url URL] [--group-commit on|off|both] [--peer DIR] [--rounds 4] [--keep-alive]

The server runs as `atelier-server --workers N` (uvicorn, SQLite in WAL mode with
synchronous=FULL unless told otherwise) in a child process on 127.0.0.1. Clients are threads in
this process using `http.client`; like an agent run, each report goes over a new connection with
the agent's headers (`--keep-alive`: one connection per client). Reports are 30–60 KB, built like
the agent's (real SMART data, two Ed25519-signed certificates each); every report has its own
report_id, asset code and freshly signed certificates.

Several servers get the same rounds in turn, so they see the same machine load:
`--group-commit both` (one transaction per report vs group commit), and `--peer DIR` (another
source tree, e.g. `git archive` of an older commit, served as it was: one process, h11).

Prints throughput, latency percentiles (client side), the app's own time (Server-Timing) and the
CPU time per report of the server processes and of the clients.
"""

from __future__ import annotations

import argparse
import copy
import http.client
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
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

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
    data_dir: Path,
    port: int,
    database_url: str | None,
    synchronous: str,
    group_commit: bool = True,
    workers: int = 1,
    tree: Path = ROOT,
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ATELIER_SERVER_DATA_DIR": str(data_dir),
        "ATELIER_SERVER_SQLITE_SYNCHRONOUS": synchronous,
        "ATELIER_SERVER_INGEST_GROUP_COMMIT": "1" if group_commit else "0",
        "ATELIER_SERVER_WEB_UI": "0",
        "ATELIER_SERVER_SCRYPT_LOG2_N": "12",
        "PYTHONPATH": str(tree),
    }
    if tree != ROOT and PEER_AS_SESSION_1:
        # The peer runs as it was deployed before this tree: uvicorn with h11 (httptools, which
        # uvicorn picks when importable, came with this tree's dependencies).
        env["PYTHONPATH"] = f"{_without_httptools(data_dir)}:{tree}"
    argv = [sys.executable, "-m", "server_stub.cli", "--port", str(port), "--log-level", "warning"]
    if workers > 1:
        argv += ["--workers", str(workers)]
    if database_url:
        argv += ["--database-url", database_url]
    proc = subprocess.Popen(argv, env=env, cwd=tree, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health")
            ready = conn.getresponse().status == 200
            conn.close()
            if ready and len(psutil.Process(proc.pid).children()) >= (workers if workers > 1 else 0):
                time.sleep(0.5 if workers > 1 else 0)  # every worker listening, not just the first
                return proc
        except OSError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


#: `--peer` serves the peer as session 1 deployed it (one process, h11) unless told otherwise.
PEER_AS_SESSION_1 = True


def _without_httptools(directory: Path) -> Path:
    shim = directory / "no-httptools" / "httptools"
    shim.mkdir(parents=True, exist_ok=True)
    (shim / "__init__.py").write_text("raise ImportError('httptools hidden for the peer server')\n")
    return shim.parent


def create_station(data_dir: Path, key: StationKey, database_url: str | None, tree: Path = ROOT) -> str:
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
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(argv, cwd=tree, env=env, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def run(url: str, token: str, bodies: list[bytes], clients: int, keep_alive: bool = False) -> dict[str, Any]:
    return summarise(*post_all(url, token, bodies, clients, keep_alive), len(bodies))


def post_all(
    url: str, token: str, bodies: list[bytes], clients: int, keep_alive: bool = False
) -> tuple[float, list[float], list[float], dict[int, int]]:
    """Post `bodies` from `clients` threads, each posting one report after the other.

    Like an agent run, each report goes over a new connection with the agent's headers
    (`keep_alive=True` reuses one connection per client instead). `http.client` rather than
    `requests`: the clients share the two cores with the server, and `requests` spent ~2.5 ms of
    CPU per post (session, adapters, header merging), a quarter of what the target allows per
    report for both sides.
    """
    parts = urllib.parse.urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port
    work: queue.Queue[bytes] = queue.Queue()
    for body in bodies:
        work.put(body)
    latencies: list[float] = []
    app_ms: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)
    headers = {
        "Accept": "application/json",
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
    }

    def client() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=60)
        barrier.wait()
        while True:
            try:
                body = work.get_nowait()
            except queue.Empty:
                break
            start = time.perf_counter()
            for attempt in (1, 2):
                try:
                    conn.request("POST", "/api/v1/reports", body=body, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    break
                except (ConnectionError, http.client.HTTPException):
                    # The server closed an idle keep-alive connection: post again (same report_id).
                    conn.close()
                    if attempt == 2:
                        raise
            if not keep_alive:
                conn.close()
            elapsed = time.perf_counter() - start
            timing = re.search(r"dur=([\d.]+)", response.getheader("server-timing") or "")
            with lock:
                latencies.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1
                if timing:
                    app_ms.append(float(timing.group(1)))
        conn.close()

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


@dataclass
class Server:
    label: str
    url: str
    token: str
    proc: subprocess.Popen[bytes]
    wall: float = 0.0
    latencies: list[float] = field(default_factory=list)
    app_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    server_cpu: float = 0.0
    client_cpu: float = 0.0

    def cpu_seconds(self) -> float:
        """CPU time used so far by the server: its process and its workers."""
        try:
            root = psutil.Process(self.proc.pid)
            processes = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0.0
        total = 0.0
        for process in processes:
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
        return total


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="server processes (atelier-server --workers)")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--synchronous", default="FULL", choices=["FULL", "NORMAL"])
    parser.add_argument("--group-commit", default="on", choices=["on", "off", "both"])
    parser.add_argument(
        "--peer",
        type=Path,
        help="another source tree (e.g. `git archive` of an older commit) served alongside, same rounds",
    )
    parser.add_argument(
        "--peer-served-alike",
        action="store_true",
        help="serve the peer like this tree (httptools, --workers) instead of as session 1 did",
    )
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds between the servers")
    parser.add_argument(
        "--keep-alive", action="store_true", help="one connection per client for all its reports"
    )
    args = parser.parse_args()

    # (label, source tree, group commit, workers): every server gets the same rounds in turn.
    configs: list[tuple[str, Path, bool, int]] = []
    if args.peer:
        global PEER_AS_SESSION_1
        PEER_AS_SESSION_1 = not args.peer_served_alike
        configs.append(("peer", args.peer.resolve(), True, args.workers if args.peer_served_alike else 1))
    for group_commit in {"on": [True], "off": [False], "both": [False, True]}[args.group_commit]:
        label = "group_commit" if group_commit else "one_commit_per_report"
        configs.append((label, ROOT, group_commit, args.workers))
    key = StationKey.generate()
    t0 = time.perf_counter()
    per_server = args.reports + args.warmup
    bodies = build_bodies(per_server * len(configs), key)
    print(f"built {len(bodies)} reports in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    rounds = max(1, args.rounds)
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="atelier-bench-") as tmp:
        servers: list[Server] = []
        try:
            for label, tree, group_commit, workers in configs:
                data_dir = Path(tmp) / label
                data_dir.mkdir()
                token = create_station(data_dir, key, args.database_url, tree)
                port = _free_port()
                proc = start_server(
                    data_dir, port, args.database_url, args.synchronous, group_commit, workers, tree
                )
                servers.append(Server(label, f"http://127.0.0.1:{port}", token, proc))
            for index, server in enumerate(servers):
                mine = bodies[index * per_server : (index + 1) * per_server]
                run(server.url, server.token, mine[: args.warmup], args.clients, args.keep_alive)
            chunk = -(-args.reports // rounds)
            for r in range(rounds):
                for index, server in enumerate(servers):
                    mine = bodies[index * per_server + args.warmup : (index + 1) * per_server]
                    part = mine[r * chunk : (r + 1) * chunk]
                    if not part:
                        continue
                    server_cpu, client_cpu = server.cpu_seconds(), time.process_time()
                    wall, latencies, app_ms, statuses = post_all(
                        server.url, server.token, part, args.clients, args.keep_alive
                    )
                    server.server_cpu += server.cpu_seconds() - server_cpu
                    server.client_cpu += time.process_time() - client_cpu
                    server.wall += wall
                    server.latencies += latencies
                    server.app_ms += app_ms
                    for status, n in statuses.items():
                        server.statuses[status] = server.statuses.get(status, 0) + n
                    loads.append(os.getloadavg()[0])
        finally:
            for server in servers:
                server.proc.terminate()
                server.proc.wait(timeout=30)
    results = {}
    for server, (_label, tree, _group, workers) in zip(servers, configs, strict=True):
        summary = summarise(server.wall, server.latencies, server.app_ms, server.statuses, args.reports)
        summary["workers"] = workers
        summary["tree"] = str(tree)
        summary["cpu_ms_per_report"] = {
            "server": round(server.server_cpu / args.reports * 1000, 2),
            "clients": round(server.client_cpu / args.reports * 1000, 2),
        }
        results[server.label] = summary
    output: dict[str, Any] = {
        **results,
        "clients": args.clients,
        "rounds": rounds,
        "mean_body_kb": round(sum(len(b) for b in bodies) / len(bodies) / 1024, 1),
        "database": "postgresql" if args.database_url else f"sqlite (WAL, synchronous={args.synchronous})",
        "cpus": os.cpu_count(),
        "load_avg_1min": {"min": min(loads), "max": max(loads)},
    }
    if len(servers) == 2:
        first, second = (results[s.label]["reports_per_s"] for s in servers)
        output["ratio_reports_per_s"] = {f"{servers[1].label}/{servers[0].label}": round(second / first, 2)}
    print(json.dumps(output, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
