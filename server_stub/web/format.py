"""Numbers, sizes, dates and durations as each page's language writes them.

`agent.fmt` follows the process-wide language, which concurrent requests would fight over (the
same reason as `server_stub.i18n`); these take the language explicitly.
"""

from __future__ import annotations

import datetime as dt

_UNITS = {"fr": ("o", "Ko", "Mo", "Go", "To", "Po"), "en": ("B", "KB", "MB", "GB", "TB", "PB")}
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
    if n_bytes is None:
        return "?"
    units = _UNITS.get(lang, _UNITS["fr"])
    base = 1024.0 if binary else 1000.0
    value = float(n_bytes)
    idx = 0
    while value >= base and idx < len(units) - 1:
        value /= base
        idx += 1
    text = f"{value:.1f}".rstrip("0").rstrip(".") if idx else f"{value:.0f}"
    if lang == "fr":
        text = text.replace(".", ",")
    sep = NNBSP if lang == "fr" else " "
    return f"{text}{sep}{units[idx]}"


def day(value: dt.date | dt.datetime | None, lang: str) -> str:
    if value is None:
        return "—"
    return value.strftime("%d/%m/%Y") if lang == "fr" else value.strftime("%Y-%m-%d")


def timestamp(value: dt.datetime | None, lang: str) -> str:
    if value is None:
        return "—"
    return value.strftime("%d/%m/%Y %H:%M") if lang == "fr" else value.strftime("%Y-%m-%d %H:%M")


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    s = round(seconds)
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    if h:
        return f"{h} h {m:02d} min"
    if m:
        return f"{m} min {sec:02d} s"
    return f"{sec} s"


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
