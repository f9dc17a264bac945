"""What `atelier run` imports before its first screen: in the live image's emulated PCs each
heavy module costs seconds between the launcher and that screen (issue 7's boot-to-agent number,
BENCHMARKS.md), and a stray import anywhere would silently undo it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

#: Loaded later, when a step needs them — never before the first screen.
KEPT_OUT = (
    "pydantic",  # settings and run state are validated by pydantic only when a value needs it
    "requests",
    "cryptography",
    "psutil",
    "pyudev",
    "reportlab",
    "agent.probes",
    "agent.checks",
    "agent.erase",
    "agent.grading",
    "agent.certs",
)
#: The unattended run's log is plain text: the guided screen's library stays out too.
KEPT_OUT_UNATTENDED = (*KEPT_OUT, "rich")

PROBE = """
import json, os, sys
from agent.cli.main import main
import agent.tui.{module} as ui

def first_screen(self, *args, **kwargs):
    sys.__stdout__.write("@@" + json.dumps(sorted(sys.modules)) + "\\n")
    sys.__stdout__.flush()
    os._exit(0)

ui.{cls}.{method} = first_screen
sys.argv = ["atelier", "run", "--data-dir", sys.argv[1], "--fresh", "--disks", "/dev/null"] + sys.argv[2:]
sys.stdout = open(os.devnull, "w")
main()
"""


def modules_at_first_screen(tmp_path: Path, module: str, cls: str, method: str, *args: str) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATELIER_")}
    env["ATELIER_CMDLINE"] = os.devnull
    code = PROBE.format(module=module, cls=cls, method=method)
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("@@")]
    assert lines, f"no first screen (rc {result.returncode}): {result.stderr[-2000:]}"
    loaded: set[str] = set(json.loads(lines[0][2:]))
    return loaded


def _kept_out_loaded(loaded: set[str], names: tuple[str, ...]) -> list[str]:
    return [name for name in names if any(m == name or m.startswith(name + ".") for m in loaded)]


def test_unattended_first_line_keeps_heavy_modules_out(tmp_path: Path) -> None:
    loaded = modules_at_first_screen(
        tmp_path, "log", "LogUI", "_line", "--unattended", "--asset-code", "PC-0001"
    )
    assert "agent.run.pipeline" in loaded  # the probe did stop at the run's first line
    assert _kept_out_loaded(loaded, KEPT_OUT_UNATTENDED) == []


@pytest.mark.parametrize("asset", [[], ["--asset-code", "PC-0001"]], ids=["prompt", "asset-given"])
def test_guided_first_screen_keeps_heavy_modules_out(tmp_path: Path, asset: list[str]) -> None:
    loaded = modules_at_first_screen(tmp_path, "guided", "GuidedUI", "_draw", *asset)
    assert "rich.console" in loaded and "agent.run.pipeline" in loaded
    assert _kept_out_loaded(loaded, KEPT_OUT) == []
