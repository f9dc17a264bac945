"""Verification of an overwrite: read back (all of it, or NIST samples) and compare with the pattern.

A random pass is checked against its regenerated keystream, so "the data is random-looking" is
never mistaken for "our pattern is there". Unreadable sectors fail the verification.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Literal

from agent.erase.buffers import AlignedBuffer, equal, first_difference
from agent.erase.device import OpenDevice
from agent.erase.patterns import PatternSource
from agent.erase.progress import CancelToken, ProgressCallback
from agent.erase.reader import DEFAULT_CHUNK, read_ranges
from agent.erase.sampling import NIST_MIN_PERCENT, NIST_MIN_SECTIONS, ReadPlan, full_plan, sampled_plan
from agent.report import FailedRange, Verification

Level = Literal["full", "sampled", "none"]
MAX_DETAILS = 20


@dataclass
class VerifyResult:
    method: Level
    plan: ReadPlan | None
    bytes_read: int = 0
    passed: bool = False
    first_mismatch_offset: int | None = None
    mismatched_chunks: int = 0
    failed_ranges: list[FailedRange] = field(default_factory=list)
    cancelled: bool = False
    details: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_model(self) -> Verification:
        size = self.plan.size if self.plan else 0
        return Verification(
            method=self.method,
            target="pattern" if self.method != "none" else None,
            coverage_percent=round(100.0 * self.bytes_read / size, 3) if size else 0.0,
            samples=len(self.plan.ranges) if self.plan else 0,
            bytes_read=self.bytes_read,
            passed=self.passed,
            first_mismatch_offset=self.first_mismatch_offset,
            details=list(self.details),
        )


def read_plan(
    dev: OpenDevice,
    level: Level,
    *,
    percent: float = NIST_MIN_PERCENT,
    sections: int = NIST_MIN_SECTIONS,
    rng: random.Random | None = None,
) -> ReadPlan | None:
    if level == "full":
        return full_plan(dev.size - dev.size % dev.sector, dev.sector)
    if level == "sampled":
        return sampled_plan(dev.size, dev.sector, percent=percent, sections=sections, rng=rng)
    return None


def verify_pattern(
    dev: OpenDevice,
    source: PatternSource,
    level: Level,
    *,
    percent: float = NIST_MIN_PERCENT,
    sections: int = NIST_MIN_SECTIONS,
    chunk: int = DEFAULT_CHUNK,
    progress: ProgressCallback | None = None,
    pass_index: int = 1,
    passes: int = 1,
    cancel: CancelToken | None = None,
    rng: random.Random | None = None,
) -> VerifyResult:
    """Compare the device with `source`'s pattern over the ranges `level` asks for."""
    plan = read_plan(dev, level, percent=percent, sections=sections, rng=rng)
    result = VerifyResult(method=level, plan=plan)
    if plan is None:
        result.details.append("verification disabled by policy")
        return result
    started = time.monotonic()
    largest = max((e - s for s, e in plan.ranges), default=0)
    cap = min(chunk, largest) if largest else chunk
    page = 4096
    expected = AlignedBuffer(max(page, (cap + page - 1) // page * page))
    source.prepare(expected)

    def visit(offset: int, buf: AlignedBuffer, start: int, n: int) -> None:
        if not source.constant:
            source.fill(expected, offset, n)
        same = equal(buf, expected, n, a_offset=start)
        if same:
            return
        result.mismatched_chunks += 1
        where = _locate(buf, expected, start, n)
        absolute = offset + (where or 0)
        if result.first_mismatch_offset is None or absolute < result.first_mismatch_offset:
            result.first_mismatch_offset = absolute
        if len(result.details) < MAX_DETAILS:
            result.details.append(f"pattern mismatch at byte {absolute}")

    try:
        outcome = read_ranges(
            dev,
            plan.ranges,
            visit,
            chunk=chunk,
            progress=progress,
            pass_index=pass_index,
            passes=passes,
            cancel=cancel,
        )
    finally:
        expected.close()
    result.bytes_read = outcome.bytes_read
    result.failed_ranges = outcome.failed_ranges
    result.cancelled = outcome.cancelled
    for fr in outcome.failed_ranges[:MAX_DETAILS]:
        result.details.append(f"unreadable bytes {fr.start}-{fr.end}: {fr.error}")
    result.passed = (
        not result.cancelled
        and not outcome.failed_ranges
        and result.mismatched_chunks == 0
        and result.bytes_read == plan.bytes
    )
    result.seconds = time.monotonic() - started
    return result


def _locate(buf: AlignedBuffer, expected: AlignedBuffer, start: int, n: int) -> int | None:
    """First differing byte of buf[start:start+n] vs expected[0:n]."""
    if start == 0:
        return first_difference(buf, expected, n)
    for i in range(n):
        if buf.full[start + i] != expected.full[i]:
            return i
    return None


__all__ = ["Level", "VerifyResult", "read_plan", "verify_pattern"]
