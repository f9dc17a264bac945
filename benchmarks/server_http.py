"""Central inventory (issue 5), web pages as served: the server time `atelier-server` itself reports
(`Server-Timing: app;dur=…`) for the device list, the device page and the batch pages, over HTTP from
a real server process (uvicorn, readied by `prepare_for_serving` as in production), optionally
alternating with a peer tree on the same database.

    .venv/bin/python benchmarks/server_http.py --data-dir /tmp/atelier-bench-pages
                                               [--database-url postgresql+psycopg://…/db]
                                               [--peer /path/to/other/checkout] [--rounds 30]
                                               [--alternations 2]

The database is the one `benchmarks/server_pages.py` builds (100,000 devices, 300,000 reports,
its `bench` and `bench-donor` accounts); this script only reads it. `server_pages.py` measures
in-process, without sockets; this measures the deployed shape: one uvicorn worker, requests one at
a time over loopback, the server's own timing header (routing, authentication, queries, template;
not the socket). Each tree's server is started from that tree (`PYTHONPATH`), so the peer runs
its own code and migrations check out as already applied.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import requests
from sqlalchemy import create_engine, func, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.server_pages import PASSWORD, page_cases  # noqa: E402

SERVER = "import sys; from server_stub.cli import main; sys.exit(main())"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(tree: Path, args: argparse.Namespace, port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-c", SERVER, "--host", "127.0.0.1", "--port", str(port)]
    command += ["--data-dir", str(args.data_dir), "--log-level", "warning"]
    if args.database_url:
        command += ["--database-url", args.database_url]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    server = subprocess.Popen(command, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"{tree}: the server stopped: {server.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).ok:
                return server
        except requests.ConnectionError:
            time.sleep(0.3)
    server.kill()
    raise RuntimeError(f"{tree}: the server did not answer within 120 s")


def login(base: str, username: str) -> requests.Session:
    session = requests.Session()
    token = TOKEN.search(session.get(base + "/connexion").text)
    assert token is not None
    answer = session.post(
        base + "/connexion",
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
        allow_redirects=False,
    )
    if answer.status_code != 303:
        raise RuntimeError(f"log-in as {username}: {answer.status_code} (a database server_pages.py built?)")
    return session


def server_ms(session: requests.Session, url: str) -> float:
    answer = session.get(url)
    if answer.status_code != 200:
        raise RuntimeError(f"{url}: {answer.status_code} {answer.text[:300]}")
    return float(answer.headers["server-timing"].split("dur=")[1])


def cases(args: argparse.Namespace) -> list[tuple[str, Callable[[], str], bool]]:
    """(name, path, as the donor) of every page measured."""
    url = args.database_url or f"sqlite:///{args.data_dir / 'atelier.db'}"
    engine = create_engine(url)
    with engine.connect() as conn:
        batch = conn.execute(text("SELECT min(id) FROM batches")).scalar_one()
        devices = conn.execute(select(func.count()).select_from(text("devices"))).scalar_one()
    engine.dispose()
    rng = random.Random(11)

    def code() -> str:
        return f"AT-{rng.randrange(devices):07d}"

    pairs, alone = page_cases(batch, code)
    return [(name, page, False) for name, page, _api in pairs] + [
        (name, lambda path=path: path, as_donor) for name, path, as_donor in alone
    ]


def measure(tree: Path, args: argparse.Namespace) -> dict[str, list[float]]:
    port = free_port()
    server = start(tree, args, port)
    base = f"http://127.0.0.1:{port}"
    try:
        staff, donor = login(base, "bench"), login(base, "bench-donor")
        samples: dict[str, list[float]] = {}
        for name, path, as_donor in cases(args):
            who = donor if as_donor else staff
            for _ in range(3):
                server_ms(who, base + path())
            samples[name] = [server_ms(who, base + path()) for _ in range(args.rounds)]
        return samples
    finally:
        server.terminate()
        server.wait(timeout=30)


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--peer", type=Path, help="another checkout, served alternately on the same database")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--alternations", type=int, default=2)
    args = parser.parse_args()
    trees = {"this": ROOT} if args.peer is None else {"peer": args.peer.resolve(), "this": ROOT}
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    pooled: dict[str, dict[str, list[float]]] = {who: {} for who in trees}
    for _ in range(args.alternations):
        for who, tree in trees.items():
            for name, values in measure(tree, args).items():
                pooled[who].setdefault(name, []).extend(values)
    header = f"{'page (server time, ms)':42s} " + "  ".join(f"{who + ' median / p90':>20s}" for who in trees)
    print(header + ("   this/peer" if args.peer else ""))
    for name in pooled["this"]:
        cells = [f"{statistics.median(pooled[w][name]):9.1f} / {p90(pooled[w][name]):6.1f}  " for w in trees]
        ratio = (
            f"   {statistics.median(pooled['this'][name]) / statistics.median(pooled['peer'][name]):.2f}"
            if args.peer
            else ""
        )
        print(f"{name:42s} " + "  ".join(cells) + ratio)
    print(
        json.dumps(
            {
                "cpu": next(
                    (
                        line.split(":", 1)[1].strip()
                        for line in Path("/proc/cpuinfo").read_text().splitlines()
                        if "model name" in line
                    ),
                    platform.processor(),
                ),
                "nproc": os.cpu_count(),
                "loadavg_before": load_before,
                "loadavg_after": Path("/proc/loadavg").read_text().split()[:3],
                "database": "postgresql" if args.database_url else "sqlite",
                "rounds": args.rounds * args.alternations,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
