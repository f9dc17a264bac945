"""Where to read: the whole medium, or NIST SP 800-88 sampling.

NIST SP 800-88 Rev. 1 §4.7.2 asks a sampled verification to cover at least 10 % of the medium,
spread over many subsections, including the first and last addressable blocks. Here the medium is
cut into `sections` equal subsections (≥ 1,000); each gets one contiguous sample of ≥ `percent`
of its length at a random place, except the first (starts at LBA 0) and the last (ends at the
last LBA). The placement is random so a drive cannot be "prepared" for known offsets.

Reused by the verification of firmware erasures and of other tools' erasures (signature search).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

NIST_MIN_PERCENT = 10.0
NIST_MIN_SECTIONS = 1000


@dataclass(frozen=True)
class ReadPlan:
    #: Sorted, disjoint byte ranges [start, end), sector-aligned.
    ranges: tuple[tuple[int, int], ...]
    sections: int
    size: int

    @property
    def bytes(self) -> int:
        return sum(e - s for s, e in self.ranges)

    @property
    def coverage_percent(self) -> float:
        return 100.0 * self.bytes / self.size if self.size else 0.0


def full_plan(size: int, sector: int = 512) -> ReadPlan:
    return ReadPlan(ranges=((0, size),) if size else (), sections=1, size=size)


def sampled_plan(
    size: int,
    sector: int = 512,
    *,
    percent: float = NIST_MIN_PERCENT,
    sections: int = NIST_MIN_SECTIONS,
    rng: random.Random | None = None,
) -> ReadPlan:
    """Sample ranges covering ≥ `percent` % of `size` over `sections` subsections (see module doc)."""
    if not 0 < percent <= 100:
        raise ValueError("sampling percent must be in (0, 100]")
    lbas = size // sector
    if lbas == 0:
        return ReadPlan(ranges=(), sections=0, size=size)
    rng = rng or random.Random()
    n = max(1, min(sections, lbas))
    raw: list[tuple[int, int]] = []
    for i in range(n):
        first = i * lbas // n
        last = (i + 1) * lbas // n  # exclusive
        length = last - first
        take = min(length, max(1, math.ceil(length * percent / 100.0)))
        if i == 0:
            start = first
        elif i == n - 1:
            start = last - take
        else:
            start = first + rng.randint(0, length - take)
        raw.append((start * sector, (start + take) * sector))
    merged: list[tuple[int, int]] = []
    for s, e in raw:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return ReadPlan(ranges=tuple(merged), sections=n, size=size)


def split(ranges: tuple[tuple[int, int], ...] | list[tuple[int, int]], chunk: int) -> list[tuple[int, int]]:
    """Ranges cut into pieces of at most `chunk` bytes (the unit of one read)."""
    out: list[tuple[int, int]] = []
    for s, e in ranges:
        pos = s
        while pos < e:
            out.append((pos, min(pos + chunk, e)))
            pos += chunk
    return out


__all__ = ["NIST_MIN_PERCENT", "NIST_MIN_SECTIONS", "ReadPlan", "full_plan", "sampled_plan", "split"]
