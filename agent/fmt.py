"""Sizes, dates and durations formatted the way a language writes them ("16 Go", "29/11/2026").

Each function follows the process-wide language unless `lang` is given: the server renders pages
for several readers at once and passes each page's language explicitly.
"""

from __future__ import annotations

from datetime import date, datetime

from agent.i18n import current_language

_UNITS_FR = ("o", "Ko", "Mo", "Go", "To", "Po")
_UNITS_EN = ("B", "KB", "MB", "GB", "TB", "PB")


def _french(lang: str | None) -> bool:
    return (lang or current_language()) == "fr"


def _number(value: float, decimals: int, lang: str | None = None) -> str:
    text = f"{value:.{decimals}f}"
    if decimals:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if _french(lang) else text


def size(n_bytes: int | None, *, binary: bool = False, decimals: int = 1, lang: str | None = None) -> str:
    """Disk sizes are decimal (as printed on the drive), memory sizes binary (`binary=True`)."""
    if n_bytes is None:
        return "?"
    units = _UNITS_FR if _french(lang) else _UNITS_EN
    base = 1024.0 if binary else 1000.0
    value = float(n_bytes)
    idx = 0
    while value >= base and idx < len(units) - 1:
        value /= base
        idx += 1
    # French typography puts a narrow no-break space between number and unit.
    sep = "\u202f" if _french(lang) else " "
    return f"{_number(value, decimals if idx else 0, lang)}{sep}{units[idx]}"


def day(value: date | datetime | None, lang: str | None = None) -> str:
    if value is None:
        return "?"
    return value.strftime("%d/%m/%Y") if _french(lang) else value.strftime("%Y-%m-%d")


def day_iso(value: str | None) -> str | None:
    """An ISO date string ("2019-03-14") the way `day()` writes it; None stays None."""
    if not value:
        return None
    try:
        return day(date.fromisoformat(value[:10]))
    except ValueError:
        return value


def timestamp(value: datetime | None, lang: str | None = None) -> str:
    if value is None:
        return "?"
    return value.strftime("%d/%m/%Y %H:%M") if _french(lang) else value.strftime("%Y-%m-%d %H:%M")


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    s = round(seconds)
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    if h:
        return f"{h} h {m:02d} min"
    if m:
        return f"{m} min {sec:02d} s"
    return f"{sec} s"


def decimal(value: float | None, decimals: int = 1) -> str:
    return "?" if value is None else _number(value, decimals)


__all__ = ["day", "day_iso", "decimal", "duration", "size", "timestamp"]
