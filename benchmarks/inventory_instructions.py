"""Instructions `atelier inventory --json --no-disks` executes, per commit (issue 2), under valgrind.

    .venv/bin/python -m benchmarks.inventory_instructions [--runs 3] REV [REV ...]

Why instructions: inside the TCG VM of `benchmarks/inventory_vm.py` the agent's own time is its
instructions (each costs 10-40 times its native time) and the wall time swings by a third from
one run to the next with the host's load; callgrind's count of the Python process's instructions
is the same from run to run, so a change of a few percent shows. Each revision's `agent/` is
exported with `git archive`, byte-compiled, and run by this interpreter with `-S` and the
revision's own entry point (`[project.scripts] atelier`), as the image runs it (no editable-install
hook); `--no-disks` keeps this machine's own disk out of it. Runs alternate between revisions;
the table gives the median of each. Needs valgrind (Debian package).
"""

from __future__ import annotations

import argparse
import compileall
import os
import re
import statistics
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _export(rev: str, dest: Path) -> str:
    """The revision's agent/ in `dest`, compiled; returns its `atelier` entry point."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "agent", "pyproject.toml"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    compileall.compile_dir(str(dest / "agent"), quiet=1)
    entry: str = tomllib.loads((dest / "pyproject.toml").read_text())["project"]["scripts"]["atelier"]
    return entry


def _count(tree: Path, entry: str) -> float:
    module, function = entry.split(":")
    code = (
        "import sys; sys.argv = ['atelier', 'inventory', '--json', '--no-disks']; "
        f"from {module} import {function}; sys.exit({function}())"
    )
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={tmp}/out",
                sys.executable,
                "-S",
                # Without -P, `-c` puts the working directory first on sys.path, and a checkout
                # there would be measured instead of `tree`.
                "-P",
                "-c",
                code,
            ],
            env=env,
            cwd=tree,
            capture_output=True,
            text=True,
            check=False,
        )
    match = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or match is None:
        raise SystemExit(f"valgrind run failed ({done.returncode}): {done.stderr[-500:]}")
    return int(match.group(1)) / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("revs", nargs="+", help="git revisions to compare (e.g. 9575f0c HEAD)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        trees: dict[str, tuple[Path, str]] = {}
        for rev in args.revs:
            tree = Path(tmp) / rev.replace("/", "_")
            tree.mkdir()
            trees[rev] = (tree, _export(rev, tree))
        counts: dict[str, list[float]] = {rev: [] for rev in args.revs}
        for _ in range(args.runs):
            for rev, (tree, entry) in trees.items():
                counts[rev].append(_count(tree, entry))
    first = statistics.median(counts[args.revs[0]])
    print(
        f"Command: `.venv/bin/python -m benchmarks.inventory_instructions --runs {args.runs} {' '.join(args.revs)}`"
    )
    print(f"Python {sys.version.split()[0]}, valgrind callgrind, `atelier inventory --json --no-disks`\n")
    print("| revision | instructions (M, median) | runs | vs first |")
    print("|---|---|---|---|")
    for rev, values in counts.items():
        median = statistics.median(values)
        runs = ", ".join(f"{v:.1f}" for v in values)
        print(f"| {rev} | {median:.1f} | {runs} | {median / first:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
