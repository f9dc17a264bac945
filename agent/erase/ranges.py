"""Byte ranges that failed, merged so a dead zone is reported once, not sector by sector."""

from __future__ import annotations

from agent.report import FailedRange


def merge(ranges: list[FailedRange]) -> list[FailedRange]:
    """Sort and merge touching/overlapping ranges; the first error text of a merged run is kept."""
    out: list[FailedRange] = []
    for item in sorted(ranges, key=lambda r: (r.start, r.end)):
        if out and item.start <= out[-1].end:
            last = out[-1]
            out[-1] = FailedRange(start=last.start, end=max(last.end, item.end), error=last.error)
        else:
            out.append(item)
    return out


def total(ranges: list[FailedRange]) -> int:
    return sum(r.end - r.start for r in merge(ranges))


__all__ = ["merge", "total"]
