"""The running machine, read through /proc, /sys, /dev, its commands and udev."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

from agent.host._base import CommandResult, HostFileError, UdevDevice
from agent.host._spawn import run_captured

#: Commands run in the C locale so that parsers see the same words everywhere.
_ENV_OVERRIDES = {"LC_ALL": "C", "LANG": "C", "LANGUAGE": ""}
#: Past this, output is cut and the result marked `truncated` (a runaway command must not eat RAM).
MAX_OUTPUT = 32 * 1024 * 1024


def _found(command: str) -> bool:
    """shutil.which's answer, without importing shutil (and its compression modules) at start-up."""
    if "/" in command:
        return os.access(command, os.X_OK) and not os.path.isdir(command)
    for directory in os.environ.get("PATH", os.defpath).split(os.pathsep):
        candidate = os.path.join(directory or ".", command)
        if os.access(candidate, os.X_OK) and not os.path.isdir(candidate):
            return True
    return False


class LiveHost:
    """The real machine. Thread-safe: per-disk probes call `run` from several threads."""

    def __init__(self, root: str = "/") -> None:
        # `root` lets tests point the file side at a fake tree; commands always run for real.
        self._root = root.rstrip("/")

    def _path(self, path: str) -> str:
        return f"{self._root}{path}" if self._root else path

    def read_bytes(self, path: str, *, limit: int | None = None) -> bytes:
        try:
            with open(self._path(path), "rb") as handle:
                return handle.read(-1 if limit is None else limit)
        except OSError as err:
            raise HostFileError(err.errno, f"{path}: {err.strerror}") from err

    def read_text(self, path: str) -> str:
        return self.read_bytes(path).decode("utf-8", errors="replace")

    def list_dir(self, path: str) -> list[str]:
        try:
            return sorted(os.listdir(self._path(path)))
        except OSError as err:
            raise HostFileError(err.errno, f"{path}: {err.strerror}") from err

    def exists(self, path: str) -> bool:
        return os.path.lexists(self._path(path))

    def readlink(self, path: str) -> str:
        try:
            return os.readlink(self._path(path))
        except OSError as err:
            raise HostFileError(err.errno, f"{path}: {err.strerror}") from err

    def run(self, argv: Sequence[str], *, timeout: float = 30.0) -> CommandResult:
        args = tuple(argv)
        if not args or not _found(args[0]):
            return CommandResult(
                args, 127, "", f"{args[0] if args else '?'}: command not found", missing=True
            )
        env = {**os.environ, **_ENV_OVERRIDES}
        start = time.monotonic()
        try:
            proc = run_captured(args, env=env, timeout=timeout, limit=MAX_OUTPUT)
        except OSError as err:
            return CommandResult(args, 126, "", str(err), duration_s=time.monotonic() - start)
        truncated = len(proc.stdout) > MAX_OUTPUT or len(proc.stderr) > MAX_OUTPUT
        return CommandResult(
            args,
            -1 if proc.timed_out else proc.returncode,
            _decode(proc.stdout[:MAX_OUTPUT]),
            _decode(proc.stderr[:MAX_OUTPUT]),
            duration_s=time.monotonic() - start,
            truncated=truncated,
            timed_out=proc.timed_out,
        )

    def udev_devices(self, subsystem: str) -> list[UdevDevice]:
        from agent.host._udevdb import list_udev_devices

        return list_udev_devices(subsystem, self._root)


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


__all__ = ["LiveHost"]
