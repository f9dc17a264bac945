"""The overwrite engine: large sequential O_DIRECT writes from aligned buffers, one pass at a time.

One worker thread per disk calls `write_pass`; `os.pwrite` releases the GIL, so disks proceed in
parallel. Two sequential writes are kept in flight per disk; random passes generate the next chunk
while the previous ones are written. Memory per disk: one 8 MiB buffer for a constant pattern,
three for a random pass — far below the 64 MB budget.

I/O errors never stop a pass: the chunk is retried, then rewritten in 64 KiB blocks and, inside a
failing block, sector by sector; unwritable bytes become `FailedRange`s and the pass goes on to the
end of the device (a drive with a bad zone still has its other sectors overwritten).
"""

from __future__ import annotations

import os
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from agent.erase.buffers import AlignedBuffer
from agent.erase.device import OpenDevice
from agent.erase.patterns import Pattern, PatternSource
from agent.erase.progress import CancelToken, Meter, ProgressCallback
from agent.erase.ranges import merge
from agent.report import FailedRange

MiB = 1024 * 1024
DEFAULT_CHUNK = 8 * MiB
#: Flush the drive's write cache this often, so an error surfaces near where it happened.
SYNC_EVERY = 1024 * MiB
BUFFERED_SYNC_EVERY = 64 * MiB
RETRY_BLOCK = 64 * 1024
#: Writes (and reads) kept in flight per disk.
QUEUE_DEPTH = 2
#: After this many consecutive fully-dead retry blocks the rest of the chunk is declared failed
#: without trying every sector: a dead zone on a real drive can take seconds per sector.
DEAD_BLOCKS_LIMIT = 2


@dataclass
class PassResult:
    pattern: Pattern
    bytes_written: int = 0
    seconds: float = 0.0
    failed_ranges: list[FailedRange] = field(default_factory=list)
    cancelled: bool = False
    #: Seed of a random pass, kept (in memory only) so verification can regenerate the stream.
    seed: bytes | None = None


def _pwrite_all(fd: int, view: memoryview, offset: int) -> None:
    done = 0
    n = len(view)
    while done < n:
        wrote = os.pwrite(fd, view[done:], offset + done)
        if wrote <= 0:
            raise OSError(5, "short write (0 bytes)")
        done += wrote


def _error_text(err: OSError) -> str:
    return f"{err.strerror or err}" + (f" (errno {err.errno})" if err.errno else "")


class _Writer:
    def __init__(self, dev: OpenDevice) -> None:
        self.dev = dev
        self.failed: list[FailedRange] = []

    def write(self, view: memoryview, offset: int) -> int:
        """Write a chunk; returns bytes successfully written; failures land in `self.failed`."""
        try:
            _pwrite_all(self.dev.fd, view, offset)
            return len(view)
        except OSError:
            pass
        try:
            _pwrite_all(self.dev.fd, view, offset)
            return len(view)
        except OSError:
            return self._salvage(view, offset)

    def _salvage(self, view: memoryview, offset: int) -> int:
        sector = self.dev.sector
        written = 0
        dead_blocks = 0
        n = len(view)
        pos = 0
        while pos < n:
            end = min(pos + RETRY_BLOCK, n)
            if dead_blocks >= DEAD_BLOCKS_LIMIT:
                self.failed.append(
                    FailedRange(
                        start=offset + pos,
                        end=offset + n,
                        error=f"not retried: {DEAD_BLOCKS_LIMIT} consecutive unwritable blocks before it",
                    )
                )
                return written
            try:
                _pwrite_all(self.dev.fd, view[pos:end], offset + pos)
                written += end - pos
                dead_blocks = 0
            except OSError:
                bad = 0
                for s in range(pos, end, sector):
                    e = min(s + sector, end)
                    try:
                        _pwrite_all(self.dev.fd, view[s:e], offset + s)
                        written += e - s
                    except OSError as err:
                        bad += e - s
                        self.failed.append(
                            FailedRange(start=offset + s, end=offset + e, error=_error_text(err))
                        )
                dead_blocks = dead_blocks + 1 if bad == end - pos else 0
            pos = end
        return written

    def sync(self, since: int, upto: int) -> None:
        try:
            os.fdatasync(self.dev.fd)
        except OSError as err:
            # The kernel does not say which write was lost: everything since the last good flush is
            # suspect (buffered fallback, or a drive cache that failed to flush).
            self.failed.append(FailedRange(start=since, end=upto, error=f"fdatasync: {_error_text(err)}"))


def write_pass(
    dev: OpenDevice,
    source: PatternSource,
    *,
    pass_index: int = 1,
    passes: int = 1,
    chunk: int = DEFAULT_CHUNK,
    depth: int = QUEUE_DEPTH,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    sync_every: int = SYNC_EVERY,
) -> PassResult:
    """Write `source`'s pattern over the whole device [0, dev.size).

    `depth` sequential writes are kept in flight (helper threads; `os.pwrite` releases the GIL):
    the device never idles between two chunks, which is what makes this beat `dd`'s one write
    at a time. A random pass fills the next buffer here while the previous ones are written.
    """
    size = dev.size
    aligned_end = size - size % dev.sector
    chunk = max(dev.sector, chunk - chunk % dev.sector)
    depth = max(1, depth)
    if not dev.direct:
        # Buffered fallback: errors only surface at fdatasync, so flush often enough that the
        # failed range it implies stays small.
        sync_every = min(sync_every, BUFFERED_SYNC_EVERY)
    result = PassResult(pattern=source.pattern, seed=source.stream.seed if source.stream else None)
    meter = Meter(progress, device=dev.path, pass_index=pass_index, passes=passes, phase="write", total=size)
    writer = _Writer(dev)
    # A constant pattern is one read-only buffer shared by every write in flight; a random pass
    # needs one per write in flight plus the one being filled.
    buffers = [AlignedBuffer(_page_round(chunk)) for _ in range(1 if source.constant else depth + 1)]
    for buf in buffers:
        source.prepare(buf)
    pool = ThreadPoolExecutor(max_workers=depth, thread_name_prefix="write")
    inflight: deque[Future[int]] = deque()
    started = time.monotonic()
    offset = 0
    completed = 0
    last_sync = 0

    def reap() -> None:
        nonlocal completed
        written = inflight.popleft().result()
        result.bytes_written += written
        completed += 1

    try:
        index = 0
        while offset < aligned_end:
            if cancel is not None and cancel.is_set():
                result.cancelled = True
                break
            if len(inflight) >= depth:
                reap()
                meter.update(min(offset, completed * chunk))
            n = min(chunk, aligned_end - offset)
            buf = buffers[index % len(buffers)]
            source.fill(buf, offset, n)
            inflight.append(pool.submit(writer.write, buf.view(n), offset))
            offset += n
            index += 1
            if offset - last_sync >= sync_every:
                while inflight:
                    reap()
                writer.sync(last_sync, offset)
                last_sync = offset
        while inflight:
            reap()
        if not result.cancelled and aligned_end < size:
            result.bytes_written += _write_unaligned_tail(dev, source, aligned_end, writer)
            offset = size
        writer.sync(last_sync, offset)
    finally:
        pool.shutdown(wait=True)
        for buf in buffers:
            buf.close()
    result.seconds = time.monotonic() - started
    result.failed_ranges = merge(writer.failed)
    meter.update(offset, final=True)
    return result


def _page_round(n: int) -> int:
    page = os.sysconf("SC_PAGE_SIZE")
    return (n + page - 1) // page * page


def _write_unaligned_tail(dev: OpenDevice, source: PatternSource, start: int, writer: _Writer) -> int:
    """A size that is not a whole number of sectors (image files): the tail is written buffered."""
    n = dev.size - start
    buf = AlignedBuffer(_page_round(n + dev.sector))
    try:
        source.prepare(buf)
        source.fill(buf, start, (n + 15) // 16 * 16)
        fd = os.open(dev.path, os.O_WRONLY | os.O_CLOEXEC)
        try:
            _pwrite_all(fd, buf.view(n), start)
            os.fsync(fd)
            return n
        except OSError as err:
            writer.failed.append(FailedRange(start=start, end=dev.size, error=_error_text(err)))
            return 0
        finally:
            os.close(fd)
    finally:
        buf.close()


__all__ = ["DEFAULT_CHUNK", "PassResult", "write_pass"]
