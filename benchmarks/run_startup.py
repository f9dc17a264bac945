"""Technician's run (issue 6): time to the asset-code prompt, asset code → inventory on screen, and
the agent's overhead (TUI + bookkeeping) on erasure throughput against the bare engine.

    .venv/bin/python benchmarks/run_startup.py [--size-mib 256] [--rounds 3]

Needs root (a loop device is created over a file in /tmp and detached at the end).
"""

from __future__ import annotations

import argparse
import os
import pty
import select
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ATELIER = str(Path(sys.executable).parent / "atelier")


def read_until(fd: int, needle: bytes, timeout: float) -> float:
    start = time.monotonic()
    seen = b""
    while time.monotonic() - start < timeout:
        ready, _w, _x = select.select([fd], [], [], 0.05)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
            if needle in seen:
                return time.monotonic()
    raise RuntimeError(f"{needle!r} not seen; got {seen[-400:]!r}")


def prompt_and_inventory(device: str, data_dir: Path) -> tuple[float, float]:
    """(start → asset-code prompt, asset code → inventory facts on screen) through a real pty."""
    env = {**os.environ, "TERM": "linux", "ATELIER_CMDLINE": "/dev/null", "COLUMNS": "80", "LINES": "25"}
    argv = [
        ATELIER,
        "run",
        "--data-dir",
        str(data_dir),
        "--disks",
        device,
        "--fresh",
        "--skip-checks",
        "memory",
        "cpu",
        "selftest",
        "read-scan",
        "interactive",
        "network",
    ]
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(ATELIER, argv, env)
    start = time.monotonic()
    try:
        prompt_at = read_until(fd, b"Code d'inventaire", 30)
        typed_at = time.monotonic()
        os.write(fd, b"PC-BENCH-0001\r")
        facts_at = read_until(fd, "Mémoire".encode(), 30)
        return prompt_at - start, facts_at - typed_at
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(fd)


def erasure_overhead(device: str, rounds: int) -> tuple[list[float], list[float]]:
    """Throughput (bytes/s, write + verify) of execute_plan bare vs under the guided TUI's Live
    progress display and the pipeline's per-certificate state save."""
    from rich.console import Console

    from agent.certs.keys import StationKey
    from agent.erase.planner import plan_erasure
    from agent.erase.policy import load_policy
    from agent.erase.runner import EraseContext, execute_plan
    from agent.host import LiveHost
    from agent.probes.inventory import collect_inventory
    from agent.probes.usage import disk_usages
    from agent.run.state import RunState, RunStore
    from agent.tui.guided import GuidedUI
    from agent.tui.term import Charset

    host = LiveHost()
    report = collect_inventory(host, only_disks=[device], smart=False)
    plan = plan_erasure(report.disks, load_policy("default"), usages=disk_usages(host), selected=[device])
    size = report.disks[0].size_bytes or 0
    key = StationKey.generate()
    context = EraseContext(asset_code="PC-BENCH-0001", report_id=None)
    bare: list[float] = []
    agent: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = RunStore(Path(tmp))
        state = RunState(asset_code="PC-BENCH-0001")
        lock = threading.Lock()

        def saved(signed: object, _paths: object = None) -> None:
            with lock:
                store.save(state)

        for _round in range(rounds):
            t0 = time.monotonic()
            # Certificates are signed and written (PDF too) in both cases: that is the engine's work.
            execute_plan(plan, host, key=key, context=context, out_dir=Path(tmp) / "bare")
            bare.append(2 * size / (time.monotonic() - t0))

            with open(os.devnull, "w") as sink:
                console = Console(
                    file=sink, force_terminal=True, width=80, height=25, color_system="standard"
                )
                ui = GuidedUI(console, charset=Charset("linux"))
                t0 = time.monotonic()
                ui.erase_started([device])
                try:
                    execute_plan(
                        plan,
                        host,
                        key=key,
                        context=context,
                        out_dir=Path(tmp) / "certs",
                        progress=ui.erase_progress,
                        on_certificate=saved,
                    )
                finally:
                    ui.erase_finished()
                agent.append(2 * size / (time.monotonic() - t0))
    return bare, agent


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mib", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", choices=("startup", "erase"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        image = Path(tmp) / "disk.img"
        with open(image, "wb") as handle:
            handle.truncate(args.size_mib * 1024 * 1024)
        device = subprocess.run(
            ["losetup", "-f", "--show", "--direct-io=on", str(image)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        try:
            prompts: list[float] = []
            inventories: list[float] = []
            for _round in range(0 if args.only == "erase" else args.rounds):
                p, i = prompt_and_inventory(device, Path(tmp) / "data")
                prompts.append(p)
                inventories.append(i)
            if prompts:
                print(
                    f"start -> asset-code prompt: {', '.join(f'{v:.2f}' for v in prompts)} s "
                    f"(median {statistics.median(prompts):.2f} s, limit 3 s)"
                )
                print(
                    f"asset code -> inventory on screen: {', '.join(f'{v:.2f}' for v in inventories)} s "
                    f"(median {statistics.median(inventories):.2f} s, limit 5 s)"
                )
            if args.only == "startup":
                return 0
            bare, agent = erasure_overhead(device, args.rounds)
            ratio = statistics.median(agent) / statistics.median(bare)
            print("bare engine (write+verify): " + ", ".join(f"{b / 1e6:.0f}" for b in bare) + " MB/s")
            print("under the guided TUI:       " + ", ".join(f"{a / 1e6:.0f}" for a in agent) + " MB/s")
            print(f"ratio agent/bare (medians): {ratio:.3f} (limit >= 0.97)")
        finally:
            subprocess.run(["losetup", "-d", device], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
