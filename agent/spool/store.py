"""The durable spool on the stick's data partition: pending → sent (or rejected), never deleted.

A report enters `spool/pending/<report_id>.json` (atomic write) before any upload is tried. Only
the server's 200/201 moves it to `spool/sent/`; a report the server refuses for good (a 4xx that
retrying cannot fix) goes to `spool/rejected/` next to a `.reason.txt` with the server's words.
Moves are `os.replace` + directory fsync, so a power cut leaves the file in exactly one place.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from agent.errors import EnvironmentProblem
from agent.i18n import _
from agent.storage import atomic_write, fsync_dir

PENDING = "pending"
SENT = "sent"
REJECTED = "rejected"


@dataclass(frozen=True)
class SpoolEntry:
    report_id: str
    path: Path
    asset_code: str | None


def _name(report_id: str | UUID) -> str:
    text = str(report_id)
    UUID(text)  # refuses anything that could climb out of the spool directory
    return f"{text}.json"


def disk_full_error(directory: Path, err: OSError | None = None) -> EnvironmentProblem:
    return EnvironmentProblem(
        _(
            "The data partition {path} is full: free some space on the USB stick "
            "(copy the old reports in spool/sent to a computer) and start again."
        ).format(path=directory)
    )


class Spool:
    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir) / "spool"

    def _dir(self, state: str) -> Path:
        return self.root / state

    def put(self, report_id: str | UUID, payload: bytes) -> Path:
        """Store a report for upload; ENOSPC becomes a plain message about the full stick."""
        target = self._dir(PENDING) / _name(report_id)
        if (self._dir(SENT) / target.name).exists():
            return self._dir(SENT) / target.name
        try:
            return atomic_write(target, payload)
        except OSError as err:
            if err.errno in (errno.ENOSPC, errno.EDQUOT):
                raise disk_full_error(self.root.parent, err) from err
            raise EnvironmentProblem(
                _("Cannot write the report to {path}: {error}").format(path=target, error=err.strerror)
            ) from err

    def _entries(self, state: str) -> list[SpoolEntry]:
        directory = self._dir(state)
        if not directory.is_dir():
            return []
        entries: list[SpoolEntry] = []
        for path in sorted(directory.glob("*.json")):
            if path.name.startswith("."):
                continue
            try:
                UUID(path.stem)
            except ValueError:
                continue
            entries.append(SpoolEntry(path.stem, path, _asset_code(path)))
        return entries

    def pending(self) -> list[SpoolEntry]:
        return self._entries(PENDING)

    def sent(self) -> list[SpoolEntry]:
        return self._entries(SENT)

    def rejected(self) -> list[SpoolEntry]:
        return self._entries(REJECTED)

    def state_of(self, report_id: str | UUID) -> str | None:
        name = _name(report_id)
        for state in (SENT, PENDING, REJECTED):
            if (self._dir(state) / name).exists():
                return state
        return None

    def _move(self, report_id: str | UUID, to: str) -> Path:
        name = _name(report_id)
        source = self._dir(PENDING) / name
        target_dir = self._dir(to)
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / name
        os.replace(source, target)
        fsync_dir(target_dir)
        fsync_dir(source.parent)
        return target

    def mark_sent(self, report_id: str | UUID) -> Path:
        return self._move(report_id, SENT)

    def mark_rejected(self, report_id: str | UUID, reason: str) -> Path:
        reason_path = self._dir(REJECTED) / f"{report_id}.reason.txt"
        atomic_write(reason_path, reason.encode("utf-8"))
        return self._move(report_id, REJECTED)


def _asset_code(path: Path) -> str | None:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    value = data.get("asset_code") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def check_free_space(data_dir: Path, min_free_mb: int, *, write_probe: bool = True) -> None:
    """Refuse to start (or to erase) when the report could not be kept afterwards.

    Checked twice: with statvfs, and by really writing a probe file, because a FAT partition
    can announce free clusters it cannot allocate. The probe (a synced write) is skipped at
    start-up, where it would delay the first screen on a slow stick; it runs before erasing.
    """
    data_dir = Path(data_dir)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        free = shutil.disk_usage(data_dir).free
    except OSError as err:
        raise EnvironmentProblem(
            _("The data directory {path} cannot be used: {error}").format(path=data_dir, error=err.strerror)
        ) from err
    if free < min_free_mb * 1024 * 1024:
        raise disk_full_error(data_dir)
    if not write_probe:
        return
    probe = data_dir / ".atelier-space-check"
    try:
        atomic_write(probe, b"\0" * min(64 * 1024, max(min_free_mb, 1) * 1024 * 1024))
    except OSError as err:
        if err.errno in (errno.ENOSPC, errno.EDQUOT):
            raise disk_full_error(data_dir, err) from err
        raise EnvironmentProblem(
            _("The data directory {path} cannot be used: {error}").format(path=data_dir, error=err.strerror)
        ) from err
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()


__all__ = ["PENDING", "REJECTED", "SENT", "Spool", "SpoolEntry", "check_free_space", "disk_full_error"]
