"""VM tests boot QEMU for minutes: they run with `make e2e` (pytest -m vm), never in `make test`."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    markexpr = str(config.getoption("markexpr") or "")
    if "vm" in markexpr and "not vm" not in markexpr:
        return
    skip = pytest.mark.skip(reason="boots QEMU (minutes): run `make e2e` (pytest -m vm)")
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents and "vm" in item.keywords:
            item.add_marker(skip)
