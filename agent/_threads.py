"""A result computed in a thread of its own: the little of concurrent.futures the inventory needs.

concurrent.futures imports logging, traceback and queue, a noticeable share of `atelier
inventory`'s start-up under the emulated CPUs of test VMs; the inventory only ever starts a handful
of jobs (one per probe, one or two per disk, one per prefetched command) and waits for all of them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from agent._typing import Generic, TypeVar

T = TypeVar("T")


class Pending(Generic[T]):
    """`fn()` running in a daemon thread; `result()` waits and returns it (or raises what it raised)."""

    def __init__(self, fn: Callable[[], T], name: str = "job") -> None:
        self._fn = fn
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._fn()
        except BaseException as err:  # handed to whoever waits for the result
            self._error = err

    def wait(self) -> None:
        self._thread.join()

    def result(self) -> T:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]  # set when no error was raised


__all__ = ["Pending"]
