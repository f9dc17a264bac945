"""Shared test fixtures: the real-hardware fixture corpus and real loop devices."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from agent.i18n import set_language

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ATELIER_SHARED", ROOT.parent / "shared")).resolve()
FIXTURES = SHARED / "fixtures"


@pytest.fixture(autouse=True)
def _french_by_default() -> Iterator[None]:
    set_language("fr")
    yield
    set_language("fr")


@pytest.fixture(scope="session")
def fixtures() -> Path:
    if not FIXTURES.is_dir():
        pytest.fail(f"fixture corpus not found at {FIXTURES} (set ATELIER_SHARED)")
    return FIXTURES


def is_root() -> bool:
    return os.geteuid() == 0


requires_root = pytest.mark.skipif(not is_root(), reason="needs root for loop devices (CI runs as root)")


def _losetup(path: Path, direct_io: bool) -> str:
    argv = ["losetup", "-f", "--show"]
    if direct_io:
        argv.append("--direct-io=on")
    argv.append(str(path))
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def loop_device(tmp_path: Path) -> Iterator[Callable[..., str]]:
    """Factory: `loop_device(size_bytes, direct_io=True, backing=None)` -> '/dev/loopN' (detached after)."""
    if not is_root() or shutil.which("losetup") is None:
        pytest.skip("loop devices need root and losetup (CI runs as root)")
    created: list[str] = []

    def make(size: int = 64 * 1024 * 1024, *, direct_io: bool = True, backing: Path | None = None) -> str:
        image = backing or tmp_path / f"disk{len(created)}.img"
        if not image.exists():
            with open(image, "wb") as handle:
                handle.truncate(size)
        dev = _losetup(image, direct_io)
        created.append(dev)
        return dev

    yield make
    for dev in created:
        subprocess.run(["losetup", "-d", dev], check=False, capture_output=True)
