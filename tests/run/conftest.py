"""Isolate every run test from this machine's kernel command line and the person's environment."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# Helpers (run_stubs, run_server, run_fake_server) import the same way whether or not the test
# tree is a package.
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(autouse=True)
def _isolated_config(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    empty = tmp_path_factory.mktemp("cmdline") / "cmdline"
    empty.write_text("BOOT_IMAGE=/vmlinuz quiet\n")
    monkeypatch.setenv("ATELIER_CMDLINE", str(empty))
    for name in ("ATELIER_DATA_DIR", "ATELIER_SERVER", "ATELIER_TOKEN", "ATELIER_MODE", "ATELIER_LANG"):
        monkeypatch.delenv(name, raising=False)
    yield


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path
