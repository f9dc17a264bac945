"""Start commands before they are asked for, so their run overlaps the interpreter's start-up."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Sequence

from agent._threads import Pending
from agent.host._base import CommandResult, Prefetch, UdevDevice
from agent.host._live import LiveHost


class PrefetchingHost(LiveHost):
    """The live machine, with some commands already running (still a `LiveHost` to the probes).

    `run(argv)` for a prefetched argv returns that run's result (waiting for it if needed), once;
    any other call goes to the live host. The prefetched commands are read-only queries
    (smartctl, nvme id-ctrl, dmidecode) whose answers do not depend on when they are asked.
    The result is that of the command really run (`Prefetch.run_argv` when set), so the report's
    command log says what ran.
    """

    def __init__(self, inner: LiveHost, commands: Iterable[Prefetch]) -> None:
        super().__init__()
        self._inner = inner
        self._pending: dict[tuple[str, ...], Pending[CommandResult]] = {}
        # The commands are worked out (and started) in a thread of their own: that reads /sys and
        # prepares drive-database subsets, a quarter to half a second under emulated CPUs that
        # the caller spends loading its modules instead. `run` waits for the list to be complete.
        self._starting = Pending(lambda: self._start(commands), name="prefetch-start")

    def _start(self, commands: Iterable[Prefetch]) -> None:
        for command in commands:
            if command.argv not in self._pending:
                self._pending[command.argv] = Pending(_runner(self._inner, command), name="prefetch")

    def read_bytes(self, path: str, *, limit: int | None = None) -> bytes:
        return self._inner.read_bytes(path, limit=limit)

    def read_text(self, path: str) -> str:
        return self._inner.read_text(path)

    def list_dir(self, path: str) -> list[str]:
        return self._inner.list_dir(path)

    def exists(self, path: str) -> bool:
        return self._inner.exists(path)

    def readlink(self, path: str) -> str:
        return self._inner.readlink(path)

    def run(self, argv: Sequence[str], *, timeout: float = 30.0) -> CommandResult:
        # Waits for the list; if working it out failed part-way, the commands not started simply
        # run now, as they would without prefetching (the answers are the same).
        self._starting.wait()
        future = self._pending.pop(tuple(argv), None)
        if future is not None:
            return future.result()
        return self._inner.run(argv, timeout=timeout)

    def udev_devices(self, subsystem: str) -> list[UdevDevice]:
        return self._inner.udev_devices(subsystem)


def _runner(inner: LiveHost, command: Prefetch) -> Callable[[], CommandResult]:
    def run() -> CommandResult:
        if command.run_argv is None:
            return inner.run(command.argv, timeout=command.timeout)
        try:
            result = inner.run(command.run_argv, timeout=command.timeout)
        finally:
            if command.scratch is not None:
                with contextlib.suppress(OSError):  # already gone: nothing left to clean
                    os.unlink(command.scratch)
        if command.accept is not None and not command.accept(result):
            return inner.run(command.argv, timeout=command.timeout)
        return result

    return run


__all__ = ["PrefetchingHost"]
