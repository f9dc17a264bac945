"""The agent's own memory tester: pattern fills and read-backs done by libc, not by Python loops.

numpy is not in the live image, and a Python loop over bytes would test a few MB/s. Every pass
here is `memset` / `memmove` (fill) and `memcmp` (verify) through ctypes on an mmap'ed,
mlock'ed buffer, 1 MiB at a time, so the per-byte work runs at memory speed in C:

- solid 0x00 / 0xFF and checkerboard 0x55 / 0xAA, each followed by its inversion;
- walking ones and walking zeros: 64-bit words with one bit set (cleared), the bit moving with
  the word index, so every data line carries a lone 1 (0) somewhere;
- random data and its inversion;
- own address: within each 1 MiB block every 64-bit word holds its offset in the block (catches
  low address lines), and the block's first word holds the block's own address (catches high
  address lines: an alias overwrites the whole block, tag included).

A mismatch is located to the byte and reported with virtual and, when the kernel lets us read
/proc/self/pagemap (root), physical addresses — what a technician needs to find the module.
"""

from __future__ import annotations

import array
import ctypes
import mmap
import os
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field

BLOCK = 1 << 20
#: Bad blocks located to the byte per pattern (locating is a Python loop: keep it bounded).
MAX_LOCATED = 8
PAGE = mmap.PAGESIZE

_libc = ctypes.CDLL(None, use_errno=True)
_libc.memcmp.restype = ctypes.c_int
_libc.memcmp.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
_libc.memset.restype = ctypes.c_void_p
_libc.memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
_libc.memmove.restype = ctypes.c_void_p
_libc.memmove.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
_libc.mlock.restype = ctypes.c_int
_libc.mlock.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
_libc.munlock.restype = ctypes.c_int
_libc.munlock.argtypes = [ctypes.c_void_p, ctypes.c_size_t]

_INVERT = bytes(255 - i for i in range(256))


@dataclass(frozen=True)
class Mismatch:
    pattern: str
    first_offset: int
    last_offset: int
    first_vaddr: int
    last_vaddr: int
    first_paddr: int | None
    last_paddr: int | None
    bad_bytes: int


@dataclass
class PatternRun:
    size: int
    locked: bool
    passes: int = 0
    bytes_tested: int = 0
    seconds: float = 0.0
    #: CPU time of the sweeps (on a shared machine the wall clock also counts waiting for a core).
    cpu_seconds: float = 0.0
    mismatches: list[Mismatch] = field(default_factory=list)
    #: Blocks that failed beyond the ones located byte by byte (a dead module fails everywhere).
    unlocated_bad_blocks: int = 0


def _tile(unit: bytes) -> bytes:
    return unit * (BLOCK // len(unit))


def _walking(ones: bool) -> bytes:
    words = [1 << i for i in range(64)]
    if not ones:
        words = [~w & 0xFFFFFFFFFFFFFFFF for w in words]
    return _tile(struct.pack("<64Q", *words))


def _address_block() -> bytes:
    return array.array("Q", range(0, BLOCK, 8)).tobytes()


@dataclass(frozen=True)
class Pattern:
    name: str
    #: A 1 MiB block tiled over the buffer, or a single byte for memset.
    block: bytes | None = None
    byte: int | None = None
    own_address: bool = False


def pattern_set(full: bool, seed: bytes | None = None) -> list[Pattern]:
    rand = seed if seed is not None else os.urandom(BLOCK)
    quick = [
        Pattern("random", block=rand),
        Pattern("random-inverted", block=rand.translate(_INVERT)),
        Pattern("walking-ones", block=_walking(True)),
        Pattern("own-address", own_address=True),
    ]
    if not full:
        return quick
    return [
        Pattern("solid-zeros", byte=0x00),
        Pattern("solid-ones", byte=0xFF),
        Pattern("checkerboard", byte=0x55),
        Pattern("checkerboard-inverted", byte=0xAA),
        Pattern("walking-zeros", block=_walking(False)),
        *quick,
    ]


def _physical(vaddr: int) -> int | None:
    """Physical address of a virtual one (needs CAP_SYS_ADMIN; the PFN reads as 0 otherwise)."""
    try:
        with open("/proc/self/pagemap", "rb") as handle:
            handle.seek((vaddr // PAGE) * 8)
            entry = struct.unpack("<Q", handle.read(8))[0]
    except OSError:
        return None
    if not entry >> 63 & 1:
        return None
    pfn = entry & ((1 << 55) - 1)
    return None if pfn == 0 else pfn * PAGE + vaddr % PAGE


class Buffer:
    """An anonymous mapping, locked in RAM when the kernel allows (so we test RAM, not swap)."""

    def __init__(self, size: int) -> None:
        self.size = size - size % BLOCK
        if self.size <= 0:
            raise ValueError("memory test buffer smaller than one block")
        self.map = mmap.mmap(-1, self.size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        self._anchor = ctypes.c_char.from_buffer(self.map)
        self.addr = ctypes.addressof(self._anchor)
        self.locked = _libc.mlock(self.addr, self.size) == 0

    def close(self) -> None:
        if self.locked:
            _libc.munlock(self.addr, self.size)
        del self._anchor
        self.map.close()


class _Ref:
    """A pattern's 1 MiB reference block in C memory (or its single byte, for memset)."""

    def __init__(self, pattern: Pattern) -> None:
        self.pattern = pattern
        source = _address_block() if pattern.own_address else pattern.block
        if source is None:
            source = bytes([pattern.byte or 0]) * BLOCK
        self.data = ctypes.create_string_buffer(source, BLOCK)
        self.addr = ctypes.addressof(self.data)

    def fill(self, buf: Buffer, off: int) -> None:
        if self.pattern.byte is not None:
            _libc.memset(buf.addr + off, self.pattern.byte, BLOCK)
            return
        _libc.memmove(buf.addr + off, self.addr, BLOCK)
        if self.pattern.own_address:
            # The block's first word carries the block's own address (high address lines).
            buf.map[off : off + 8] = struct.pack("<Q", buf.addr + off)

    def good(self, buf: Buffer, off: int) -> bool:
        here = buf.addr + off
        if self.pattern.own_address:
            tag_ok = buf.map[off : off + 8] == struct.pack("<Q", here)
            return tag_ok and int(_libc.memcmp(here + 8, self.addr + 8, BLOCK - 8)) == 0
        return int(_libc.memcmp(here, self.addr, BLOCK)) == 0

    def expected(self, buf: Buffer, off: int) -> bytes:
        data = bytearray(self.data.raw)
        if self.pattern.own_address:
            data[0:8] = struct.pack("<Q", buf.addr + off)
        return bytes(data)


def _locate(buf: Buffer, pattern: Pattern, off: int, expected: bytes) -> Mismatch:
    actual = buf.map[off : off + BLOCK]
    diffs = [i for i in range(BLOCK) if actual[i] != expected[i]]
    first, last = off + diffs[0], off + diffs[-1]
    return Mismatch(
        pattern=pattern.name,
        first_offset=first,
        last_offset=last,
        first_vaddr=buf.addr + first,
        last_vaddr=buf.addr + last,
        first_paddr=_physical(buf.addr + first),
        last_paddr=_physical(buf.addr + last),
        bad_bytes=len(diffs),
    )


#: Test seam: called after each fill, before the read-back (a test flips a byte to see it caught).
FaultHook = Callable[[Buffer, Pattern], None]


def run_patterns(
    size: int,
    patterns: list[Pattern],
    *,
    deadline: float | None = None,
    progress: Callable[[float], None] | None = None,
    fault_hook: FaultHook | None = None,
) -> PatternRun:
    """Write and read back each pattern over a `size`-byte buffer; stops early past `deadline`.

    Moving-inversions order: one sweep per pattern reads back the previous pattern in a block and
    at once writes the next one there. The block was written a whole sweep earlier (the buffer is
    far larger than the caches), so the read-back really comes from RAM, and the write finds the
    cache line already owned — one read and one write per byte per pattern, no extra
    read-for-ownership. This is what keeps the test near memory speed.
    """
    buf = Buffer(size)
    run = PatternRun(size=buf.size, locked=buf.locked)
    started = time.perf_counter()
    cpu_started = time.process_time()
    previous: _Ref | None = None
    try:
        for index in range(len(patterns) + 1):
            stop = deadline is not None and time.monotonic() > deadline
            current = _Ref(patterns[index]) if index < len(patterns) and not stop else None
            located = 0
            for off in range(0, buf.size, BLOCK):
                if previous is not None and not previous.good(buf, off):
                    if located < MAX_LOCATED:
                        run.mismatches.append(
                            _locate(buf, previous.pattern, off, previous.expected(buf, off))
                        )
                        located += 1
                    else:
                        run.unlocated_bad_blocks += 1
                if current is not None:
                    current.fill(buf, off)
            if previous is not None:
                run.passes += 1
                run.bytes_tested += buf.size
                if progress is not None:
                    progress(run.passes / len(patterns))
            if current is None:
                break
            if fault_hook is not None:
                fault_hook(buf, current.pattern)
            previous = current
    finally:
        run.seconds = time.perf_counter() - started
        run.cpu_seconds = time.process_time() - cpu_started
        buf.close()
    return run


__all__ = ["BLOCK", "Buffer", "FaultHook", "Mismatch", "Pattern", "PatternRun", "pattern_set", "run_patterns"]
