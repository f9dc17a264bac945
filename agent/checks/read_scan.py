"""Disk read scan: read across the whole disk (sampled, or every byte on the full profile).

Reads bypass the page cache (O_DIRECT) so what is timed and checked is the disk, not RAM. A read
error (EIO) is a bad sector the drive could not recover: the failing chunk is re-read in small
pieces to locate it. A read far slower than the others (> 10 x the median and > 150 ms) is a
"slow region": on a spinning disk, sectors the drive had to retry many times — often the first
sign of a failing surface, before SMART counts anything.

Reading a disk is data I/O, not probing: it goes straight to the device node (allowed by the
project's rules), read-only.
"""

from __future__ import annotations

import errno
import mmap
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from agent.checks._result import Timer, result
from agent.checks._text import text
from agent.i18n import N_
from agent.report import CheckResult
from agent.report.checks import Measurement

MIB = 1 << 20
SLOW_FACTOR = 10.0
SLOW_MIN_S = 0.150
#: Piece size when locating a bad sector inside a failed chunk (the largest common sector size).
LOCATE_PIECE = 4096


@dataclass(frozen=True)
class ScanSettings:
    #: "sampled": `samples` chunks spread evenly over the disk; "full": every chunk.
    mode: str = "sampled"
    samples: int = 2048
    chunk_bytes: int = MIB
    #: Stop (and say so) after this many seconds; the rest of the disk is not scanned.
    time_budget_s: float = 120.0
    max_errors: int = 64


@dataclass(frozen=True)
class Region:
    offset: int
    length: int
    seconds: float | None = None


@dataclass
class ScanResult:
    size: int
    bytes_read: int = 0
    reads: int = 0
    latencies: list[tuple[int, float]] = field(default_factory=list)
    errors: list[Region] = field(default_factory=list)
    slow: list[Region] = field(default_factory=list)
    direct_io: bool = True
    complete: bool = True
    seconds: float = 0.0


def _open(path: str) -> tuple[int, bool]:
    try:
        return os.open(path, os.O_RDONLY | os.O_DIRECT | os.O_CLOEXEC), True
    except OSError as err:
        if err.errno != errno.EINVAL:
            raise
    # Some devices refuse O_DIRECT: read through the cache and drop it as we go.
    return os.open(path, os.O_RDONLY | os.O_CLOEXEC), False


#: Offsets stay multiples of this (O_DIRECT needs logical-block alignment; 4096 covers 512e and 4Kn).
ALIGN = 4096


def _offsets(size: int, settings: ScanSettings) -> list[int]:
    chunk = settings.chunk_bytes
    if settings.mode == "full" or settings.samples * chunk >= size:
        return list(range(0, size, chunk))
    # Evenly spread, always including the very start (partition table) and the very end (backup GPT).
    tail = max(size - chunk, 0) // ALIGN * ALIGN
    count = max(settings.samples, 2)
    return sorted({int(i * tail / (count - 1)) // ALIGN * ALIGN for i in range(count)})


PReadV = Callable[[int, list[memoryview], int], int]


def _locate(fd: int, buf: mmap.mmap, offset: int, length: int, size: int, preadv: PReadV) -> list[Region]:
    bad: list[Region] = []
    view = memoryview(buf)
    for piece in range(offset, min(offset + length, size), LOCATE_PIECE):
        try:
            preadv(fd, [view[:LOCATE_PIECE]], piece)
        except OSError:
            if bad and bad[-1].offset + bad[-1].length == piece:
                bad[-1] = Region(bad[-1].offset, bad[-1].length + LOCATE_PIECE)
            else:
                bad.append(Region(piece, LOCATE_PIECE))
    view.release()
    return bad or [Region(offset, length)]


def scan_device(
    path: str,
    settings: ScanSettings | None = None,
    *,
    progress: Callable[[float], None] | None = None,
    clock: Callable[[], float] = time.perf_counter,
    preadv: PReadV = os.preadv,
) -> ScanResult:
    """Scan a block device. `preadv` is a test seam: this kernel has no device-mapper "error"
    target, so the tests inject EIO for a byte range on top of a real loop device."""
    settings = settings or ScanSettings()
    fd, direct = _open(path)
    try:
        size = os.lseek(fd, 0, os.SEEK_END)
        scan = ScanResult(size=size, direct_io=direct)
        if size == 0:
            return scan
        chunk = min(settings.chunk_bytes, size)
        buf = mmap.mmap(-1, chunk)  # page-aligned, as O_DIRECT requires
        view = memoryview(buf)
        offsets = _offsets(size, ScanSettings(settings.mode, settings.samples, chunk, settings.time_budget_s))
        started = time.monotonic()
        for index, offset in enumerate(offsets):
            if time.monotonic() - started > settings.time_budget_s:
                scan.complete = False
                break
            length = min(chunk, size - offset)
            t0 = clock()
            try:
                got = preadv(fd, [view[:length]], offset)
            except OSError as err:
                if err.errno not in (errno.EIO, errno.ENODATA, errno.EILSEQ, errno.EBADMSG):
                    raise
                if len(scan.errors) < settings.max_errors:
                    scan.errors.extend(_locate(fd, buf, offset, length, size, preadv))
                continue
            finally:
                scan.reads += 1
            elapsed = clock() - t0
            scan.bytes_read += got
            scan.latencies.append((offset, elapsed))
            if not direct:
                os.posix_fadvise(fd, offset, length, os.POSIX_FADV_DONTNEED)
            if progress is not None and index % 64 == 0:
                progress(index / len(offsets))
        view.release()
        buf.close()
        scan.seconds = time.monotonic() - started
    finally:
        os.close(fd)
    scan.slow = slow_regions(scan.latencies, settings.chunk_bytes)
    if progress is not None:
        progress(1.0)
    return scan


def slow_regions(latencies: list[tuple[int, float]], chunk: int) -> list[Region]:
    """Reads slower than 10 x the median and than 150 ms (pure: testable on recorded timings)."""
    if len(latencies) < 8:
        return []
    median = statistics.median(t for _, t in latencies)
    limit = max(SLOW_FACTOR * median, SLOW_MIN_S)
    return [Region(offset, chunk, seconds) for offset, seconds in latencies if seconds > limit]


def _ranges(regions: list[Region], limit: int = 6) -> str:
    parts = [f"{r.offset}+{r.length}" for r in regions[:limit]]
    if len(regions) > limit:
        parts.append(f"… ({len(regions)})")
    return ", ".join(parts)


def check_read_scan(
    path: str,
    settings: ScanSettings | None = None,
    *,
    progress: Callable[[float], None] | None = None,
    preadv: PReadV = os.preadv,
) -> CheckResult:
    timer = Timer()
    check_id = f"read-scan:{path}"
    try:
        scan = scan_device(path, settings, progress=progress, preadv=preadv)
    except OSError as err:
        return result(
            check_id,
            "error",
            text(N_("cannot read the disk {path}: {error}"), path=path, error=err.strerror or str(err)),
            timer=timer,
        )
    latencies = [t for _, t in scan.latencies]
    measurements: dict[str, Measurement] = {
        "size_bytes": scan.size,
        "bytes_read": scan.bytes_read,
        "reads": scan.reads,
        "read_errors": len(scan.errors),
        "slow_regions": len(scan.slow),
        "median_ms": round(statistics.median(latencies) * 1000, 2) if latencies else None,
        "max_ms": round(max(latencies) * 1000, 1) if latencies else None,
        "mb_per_s": round(scan.bytes_read / scan.seconds / 1e6, 1) if scan.seconds > 0 else None,
        "direct_io": scan.direct_io,
        "complete": scan.complete,
    }
    if scan.errors:
        measurements["error_ranges"] = _ranges(scan.errors)
        return result(
            check_id,
            "fail",
            text(
                N_("{n} unreadable area(s) on the disk (bytes {ranges}): replace the disk"),
                n=len(scan.errors),
                ranges=_ranges(scan.errors),
            ),
            timer=timer,
            measurements=measurements,
        )
    if scan.slow:
        measurements["slow_ranges"] = _ranges(scan.slow)
        return result(
            check_id,
            "warn",
            text(N_("{n} very slow area(s) on the disk: the surface may be wearing out"), n=len(scan.slow)),
            timer=timer,
            measurements=measurements,
        )
    if not scan.complete:
        return result(
            check_id,
            "warn",
            text(N_("read scan stopped at the time limit; no error in what was read")),
            timer=timer,
            measurements=measurements,
        )
    return result(
        check_id,
        "pass",
        text(N_("disk read without error ({mb} MB read)"), mb=scan.bytes_read // 1_000_000),
        timer=timer,
        measurements=measurements,
    )


__all__ = ["Region", "ScanResult", "ScanSettings", "check_read_scan", "scan_device", "slow_regions"]
