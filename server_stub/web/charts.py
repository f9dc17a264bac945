"""Geometry of the dashboard's charts, drawn by the templates as inline SVG.

Pure functions (numbers in, shapes out): no JavaScript, no external library, and the chart is in
the page a screen reader, a printer and a projector all get. Every shape carries its value as
text, so nothing depends on telling colours apart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    #: Horizontal position and width in percent of the chart's width (the SVG stretches to its
    #: container while text keeps its size: no viewBox scaling that shrinks or blows up labels).
    x: float
    width: float
    #: Vertical position and height in pixels.
    y: float
    height: float
    label: str
    value: str
    #: Colour class (`c1`…`c8` in the stylesheet).
    tone: str
    #: Second label line (the year under January and under the first month).
    sublabel: str = ""


@dataclass(frozen=True)
class BarChart:
    height: int
    baseline: float
    bars: list[Bar]
    empty: bool


def nice_ceiling(value: float) -> float:
    """The axis top: 1, 2, 2.5 or 5 times a power of ten, at or above the largest value."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if value <= step * power:
            return step * power
    return 10.0 * power


def column_chart(
    values: Sequence[float],
    labels: Sequence[str],
    texts: Sequence[str],
    sublabels: Sequence[str] | None = None,
    *,
    height: int = 240,
    tone: str = "c1",
) -> BarChart:
    """Vertical bars (one per month): value written above, label (and year) below."""
    top_margin, bottom_margin = 26.0, 42.0
    baseline = height - bottom_margin
    usable = baseline - top_margin
    slot = 100.0 / max(len(values), 1)
    bar_width = slot * 0.62
    top = nice_ceiling(max(values, default=0))
    bars = []
    for i, (value, label, text) in enumerate(zip(values, labels, texts, strict=True)):
        h = usable * (value / top) if value > 0 else 0.0
        bars.append(
            Bar(
                x=i * slot + (slot - bar_width) / 2,
                width=bar_width,
                y=baseline - h,
                height=h,
                label=label,
                value=text,
                tone=tone,
                sublabel=sublabels[i] if sublabels else "",
            )
        )
    return BarChart(height=height, baseline=baseline, bars=bars, empty=not any(values))


def row_chart(
    values: Sequence[float],
    labels: Sequence[str],
    texts: Sequence[str],
    tones: Sequence[str] | None = None,
) -> BarChart:
    """Horizontal bars, the label on its own line above each bar (long technique names fit);
    the longest bar takes 70 % of the width, leaving room for its value on its right."""
    row, bar_height, label_room = 52.0, 22.0, 22.0
    top = max(values, default=0) or 1
    bars = []
    for i, (value, label, text) in enumerate(zip(values, labels, texts, strict=True)):
        tone = tones[i] if tones else "c1"
        bars.append(
            Bar(
                x=0.0,
                width=max(70.0 * value / top, 0.5),
                y=i * row + label_room,
                height=bar_height,
                label=label,
                value=text,
                tone=tone,
            )
        )
    height = int(len(values) * row + 6)
    return BarChart(height=max(height, 40), baseline=0, bars=bars, empty=not any(values))


@dataclass(frozen=True)
class Slice:
    label: str
    value: str
    share: str
    tone: str
    #: `stroke-dasharray` and `stroke-dashoffset` of the ring segment.
    dash: str
    offset: float


@dataclass(frozen=True)
class Donut:
    radius: float
    circumference: float
    slices: list[Slice]
    total: str
    empty: bool


def donut(
    values: Sequence[float],
    labels: Sequence[str],
    texts: Sequence[str],
    shares: Sequence[str],
    tones: Sequence[str],
    total: str,
    *,
    radius: float = 60.0,
) -> Donut:
    """A ring of segments drawn as dashed circles (no path arithmetic, exact at any size)."""
    circumference = 2 * math.pi * radius
    whole = sum(values)
    slices = []
    start = 0.0
    for value, label, text, share, tone in zip(values, labels, texts, shares, tones, strict=True):
        length = circumference * value / whole if whole else 0.0
        slices.append(
            Slice(
                label=label,
                value=text,
                share=share,
                tone=tone,
                dash=f"{length:.2f} {circumference - length:.2f}",
                # SVG circles start at 3 o'clock; the ring is rotated -90° in the template.
                offset=-start,
            )
        )
        start += length
    return Donut(radius=radius, circumference=circumference, slices=slices, total=total, empty=whole == 0)


__all__ = ["Bar", "BarChart", "Donut", "Slice", "column_chart", "donut", "nice_ceiling", "row_chart"]
