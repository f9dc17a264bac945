"""The overwrite engine: large sequential O_DIRECT writes from aligned buffers, one pass at a time.

One worker thread per disk calls `write_pass`; `os.pwrite` releases the GIL, so disks proceed in
parallel. Random passes generate the next chunk on a helper thread while the current one is
written. Memory per disk: two chunk buffers (2 × 8 MiB by default), far below the 64 MB budget.

I/O errors never stop a pass: the chunk is retried, then rewritten in 64 KiB blocks and, inside a
failing block, sector by sector; unwritable bytes become `FailedRange`s and the pass goes on to the
end of the device (a drive with a bad zone still has its other sectors overwritten).
"""

from __future__ import annotations

import os
import time
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
RETRY_BLOCK = 64 * 1024
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
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    sync_every: int = SYNC_EVERY,
) -> PassResult:
    """Write `source`'s pattern over the whole device [0, dev.size)."""
    size = dev.size
    aligned_end = size - size % dev.sector
    chunk = max(dev.sector, chunk - chunk % dev.sector)
    result = PassResult(pattern=source.pattern, seed=source.stream.seed if source.stream else None)
    meter = Meter(progress, device=dev.path, pass_index=pass_index, passes=passes, phase="write", total=size)
    writer = _Writer(dev)
    buffers = [AlignedBuffer(_page_round(chunk))]
    if not source.constant:
        buffers.append(AlignedBuffer(_page_round(chunk)))
    for buf in buffers:
        source.prepare(buf)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="keystream") if not source.constant else None
    started = time.monotonic()
    offset = 0
    last_sync = 0
    try:
        pending: Future[None] | None = None
        if pool is not None:
            pending = pool.submit(source.fill, buffers[0], 0, min(chunk, aligned_end))
        index = 0
        while offset < aligned_end:
            if cancel is not None and cancel.is_set():
                result.cancelled = True
                break
            n = min(chunk, aligned_end - offset)
            buf = buffers[index % len(buffers)]
            if pending is not None:
                pending.result()
                nxt = offset + n
                if pool is not None and nxt < aligned_end:
                    pending = pool.submit(
                        source.fill, buffers[(index + 1) % len(buffers)], nxt, min(chunk, aligned_end - nxt)
                    )
                else:
                    pending = None
            result.bytes_written += writer.write(buf.view(n), offset)
            offset += n
            index += 1
            if offset - last_sync >= sync_every:
                writer.sync(last_sync, offset)
                last_sync = offset
            meter.update(offset)
        if not result.cancelled and aligned_end < size:
            result.bytes_written += _write_unaligned_tail(dev, source, aligned_end, writer)
            offset = size
        writer.sync(last_sync, offset)
    finally:
        if pool is not None:
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
