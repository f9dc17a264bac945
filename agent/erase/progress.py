"""Progress records a TUI and a log both consume, throttled so callbacks never slow the I/O."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

Phase = Literal["write", "verify", "firmware"]


@dataclass(frozen=True)
class Progress:
    device: str
    pass_index: int
    passes: int
    phase: Phase
    bytes_done: int
    bytes_total: int
    throughput_bps: float
    eta_s: float | None

    @property
    def fraction(self) -> float:
        return self.bytes_done / self.bytes_total if self.bytes_total else 1.0


ProgressCallback = Callable[[Progress], None]


class CancelToken(Protocol):
    """What the loops poll between chunks: a `threading.Event`, or a run-wide + per-disk pair."""

    def is_set(self) -> bool: ...


class Meter:
    """Computes throughput/ETA and calls back at most every `interval` seconds (and at the end)."""

    def __init__(
        self,
        callback: ProgressCallback | None,
        *,
        device: str,
        pass_index: int,
        passes: int,
        phase: Phase,
        total: int,
        interval: float = 0.25,
    ) -> None:
        self.callback = callback
        self.device = device
        self.pass_index = pass_index
        self.passes = passes
        self.phase: Phase = phase
        self.total = total
        self.interval = interval
        self.start = time.monotonic()
        self._last = 0.0

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def update(self, done: int, *, final: bool = False) -> None:
        if self.callback is None:
            return
        now = time.monotonic()
        if not final and now - self._last < self.interval:
            return
        self._last = now
        elapsed = max(now - self.start, 1e-9)
        rate = done / elapsed
        eta = (self.total - done) / rate if rate > 0 else None
        self.callback(
            Progress(
                device=self.device,
                pass_index=self.pass_index,
                passes=self.passes,
                phase=self.phase,
                bytes_done=done,
                bytes_total=self.total,
                throughput_bps=rate,
                eta_s=0.0 if final else eta,
            )
        )


__all__ = ["CancelToken", "Meter", "Phase", "Progress", "ProgressCallback"]
