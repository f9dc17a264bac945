"""Numbers, sizes, dates and durations as each page's language writes them.

Sizes, dates and durations are `agent.fmt`'s, given each page's language explicitly (the
process-wide language would be fought over by concurrent requests); an absent value shows as a
dash on a page.
"""

from __future__ import annotations

import datetime as dt

from agent import fmt

#: French typography: a narrow no-break space before units and as thousands separator.
NNBSP = "\u202f"
PARIS_HINT = "UTC"


def number(value: float | int | None, lang: str, decimals: int = 0) -> str:
    if value is None:
        return "?"
    text = f"{value:,.{decimals}f}"
    if lang == "fr":
        return text.replace(",", NNBSP).replace(".", ",")
    return text


def size(n_bytes: int | None, lang: str, *, binary: bool = False) -> str:
    """Disk sizes decimal (as printed on the drive), memory sizes binary (`binary=True`)."""
    return fmt.size(n_bytes, binary=binary, lang=lang)


def day(value: dt.date | dt.datetime | None, lang: str) -> str:
    return "—" if value is None else fmt.day(value, lang)


def timestamp(value: dt.datetime | None, lang: str) -> str:
    return "—" if value is None else fmt.timestamp(value, lang)


def duration(seconds: float | None) -> str:
    return "—" if seconds is None else fmt.duration(seconds)


def percent(value: float | None, lang: str) -> str:
    if value is None:
        return "?"
    text = f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"
    if lang == "fr":
        return text.replace(".", ",") + NNBSP + "%"
    return text + " %"


def iso_day(value: dt.date | None) -> str:
    """The value of an `<input type="date">`."""
    return value.isoformat() if value else ""


__all__ = ["day", "duration", "iso_day", "number", "percent", "size", "timestamp"]
