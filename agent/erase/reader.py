"""Read byte ranges of a device with O_DIRECT, overlapping the next read with the caller's checks.

`read_ranges` is the one reading loop (two reads in flight, checks in order on the calling
thread): the overwrite verification compares each piece with the
expected pattern; the firmware and external-tool verifications look for canaries and signatures.
Unreadable sectors are retried, then isolated sector by sector and reported as failed ranges — an
unreadable area is never counted as verified.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from agent.erase.buffers import AlignedBuffer
from agent.erase.device import OpenDevice, open_device
from agent.erase.progress import CancelToken, Meter, ProgressCallback
from agent.erase.ranges import merge
from agent.erase.sampling import split
from agent.report import FailedRange

MiB = 1024 * 1024
DEFAULT_CHUNK = 8 * MiB

#: Called with (device offset, buffer, start in buffer, length): bytes [offset, offset+length)
#: of the device are `buffer.full[start:start+length]`. Only successfully read bytes are given.
Visitor = Callable[[int, AlignedBuffer, int, int], None]


@dataclass
class ReadOutcome:
    bytes_read: int = 0
    failed_ranges: list[FailedRange] = field(default_factory=list)
    cancelled: bool = False


def _pread_into(fd: int, view: memoryview, offset: int) -> None:
    done = 0
    n = len(view)
    while done < n:
        got = os.preadv(fd, [view[done:]], offset + done)
        if got <= 0:
            raise OSError(5, "short read (end of device)")
        done += got


def _read_piece(
    fd: int, buf: AlignedBuffer, offset: int, n: int, sector: int
) -> tuple[list[tuple[int, int]], list[FailedRange]]:
    """Read [offset, offset+n) into buf; returns the good (start, length) pieces and the failures."""
    for _attempt in range(2):
        try:
            _pread_into(fd, buf.view(n), offset)
            return [(0, n)], []
        except OSError:
            continue
    good: list[tuple[int, int]] = []
    bad: list[FailedRange] = []
    for s in range(0, n, sector):
        e = min(s + sector, n)
        try:
            _pread_into(fd, buf.full[s:e], offset + s)
            if good and good[-1][0] + good[-1][1] == s:
                good[-1] = (good[-1][0], good[-1][1] + e - s)
            else:
                good.append((s, e - s))
        except OSError as err:
            bad.append(FailedRange(start=offset + s, end=offset + e, error=f"read: {err.strerror or err}"))
    return good, bad


def read_ranges(
    dev: OpenDevice,
    ranges: Sequence[tuple[int, int]],
    visit: Visitor,
    *,
    chunk: int = DEFAULT_CHUNK,
    depth: int = 2,
    progress: ProgressCallback | None = None,
    pass_index: int = 1,
    passes: int = 1,
    cancel: CancelToken | None = None,
) -> ReadOutcome:
    pieces = split(list(ranges), max(dev.sector, chunk - chunk % dev.sector))
    total = sum(e - s for s, e in pieces)
    meter = Meter(
        progress, device=dev.path, pass_index=pass_index, passes=passes, phase="verify", total=total
    )
    outcome = ReadOutcome()
    if not pieces:
        meter.update(0, final=True)
        return outcome
    largest = max(e - s for s, e in pieces)
    page = os.sysconf("SC_PAGE_SIZE")
    size = (largest + page - 1) // page * page
    depth = max(1, depth)
    # `depth` reads in flight on helper threads (the device never idles); this thread checks each
    # piece in order while the next ones are read. Buffers: one per read in flight + the one checked.
    buffers = [AlignedBuffer(size) for _ in range(min(depth + 1, len(pieces) + 1))]
    pool = ThreadPoolExecutor(max_workers=depth, thread_name_prefix="read")
    failed: list[FailedRange] = []
    inflight: deque[
        tuple[int, int, AlignedBuffer, Future[tuple[list[tuple[int, int]], list[FailedRange]]]]
    ] = deque()
    next_index = 0
    done = 0

    def submit() -> None:
        nonlocal next_index
        start, end = pieces[next_index]
        buf = buffers[next_index % len(buffers)]
        inflight.append(
            (start, end, buf, pool.submit(_read_piece, dev.fd, buf, start, end - start, dev.sector))
        )
        next_index += 1

    try:
        while next_index < len(pieces) and len(inflight) < depth:
            submit()
        while inflight:
            start, end, buf, future = inflight.popleft()
            good, bad = future.result()
            stopping = cancel is not None and cancel.is_set()
            if stopping:
                outcome.cancelled = True
                continue  # drain what is in flight, check nothing more
            if next_index < len(pieces):
                submit()
            failed.extend(bad)
            for s, n in good:
                visit(start + s, buf, s, n)
                outcome.bytes_read += n
            done += end - start
            meter.update(done)
    finally:
        pool.shutdown(wait=True)
        for buf in buffers:
            buf.close()
    outcome.failed_ranges = merge(failed)
    meter.update(done, final=True)
    return outcome


def read_device_ranges(
    path: str,
    ranges: Sequence[tuple[int, int]],
    visit: Visitor,
    *,
    chunk: int = DEFAULT_CHUNK,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> ReadOutcome:
    """Open `path` read-only (no exclusive claim: reading is harmless) and `read_ranges` it."""
    dev = open_device(path, write=False, exclusive=False)
    try:
        return read_ranges(dev, ranges, visit, chunk=chunk, progress=progress, cancel=cancel)
    finally:
        dev.close()


__all__ = ["DEFAULT_CHUNK", "ReadOutcome", "Visitor", "read_device_ranges", "read_ranges"]
