"""SMBIOS vocabulary shared by the sysfs DMI reader and the dmidecode parser."""

from __future__ import annotations

from agent._typing import Literal
from agent.parsers._text import digits_end

FormFactor = Literal["laptop", "desktop", "tablet", "all-in-one", "server", "mini", "other"]

#: SMBIOS 3.x table 17 (System Enclosure or Chassis Types), spelled as dmidecode prints them.
CHASSIS_TYPES: dict[int, str] = {
    1: "Other",
    2: "Unknown",
    3: "Desktop",
    4: "Low Profile Desktop",
    5: "Pizza Box",
    6: "Mini Tower",
    7: "Tower",
    8: "Portable",
    9: "Laptop",
    10: "Notebook",
    11: "Hand Held",
    12: "Docking Station",
    13: "All In One",
    14: "Sub Notebook",
    15: "Space-saving",
    16: "Lunch Box",
    17: "Main Server Chassis",
    18: "Expansion Chassis",
    19: "Sub Chassis",
    20: "Bus Expansion Chassis",
    21: "Peripheral Chassis",
    22: "RAID Chassis",
    23: "Rack Mount Chassis",
    24: "Sealed-case PC",
    25: "Multi-system",
    26: "CompactPCI",
    27: "AdvancedTCA",
    28: "Blade",
    29: "Blade Enclosing",
    30: "Tablet",
    31: "Convertible",
    32: "Detachable",
    33: "IoT Gateway",
    34: "Embedded PC",
    35: "Mini PC",
    36: "Stick PC",
}
_CODES_BY_NAME = {name.lower(): code for code, name in CHASSIS_TYPES.items()}

# Convertibles and detachables (Surface-like) are handled, charged and graded like laptops.
_FORM_FACTORS: dict[int, FormFactor] = {
    **dict.fromkeys((8, 9, 10, 14, 31, 32), "laptop"),
    **dict.fromkeys((3, 4, 5, 6, 7, 15, 16, 24), "desktop"),
    **dict.fromkeys((11, 30), "tablet"),
    13: "all-in-one",
    **dict.fromkeys((17, 23, 25, 28, 29), "server"),
    **dict.fromkeys((34, 35, 36), "mini"),
    **dict.fromkeys((1, 12, 18, 19, 20, 21, 22, 26, 27, 33), "other"),
}


def chassis_code(value: str | None) -> int | None:
    """Chassis type code from sysfs ("10") or from dmidecode's name ("Notebook")."""
    if value is None:
        return None
    text = value.strip()
    if text.isdecimal():
        # The top bit of the SMBIOS byte is the "chassis lock present" flag, not part of the type.
        code = int(text) & 0x7F
        return code or None
    return _CODES_BY_NAME.get(text.lower())


def chassis_name(code: int | None) -> str | None:
    return None if code is None else CHASSIS_TYPES.get(code)


def form_factor(code: int | None) -> FormFactor | None:
    """Coarse form factor; None for "Unknown" (2) or an unlisted code."""
    return None if code is None else _FORM_FACTORS.get(code)


def _number(text: str, shortest: int, longest: int) -> int | None:
    ok = shortest <= len(text) <= longest and text.isascii() and text.isdigit()
    return int(text) if ok else None


def _date_fields(value: str) -> tuple[int, int, int] | None:
    """(year, month, day) of `^\\s*(\\d{1,2})/(\\d{1,2})/(\\d{2,4})\\s*$` (month first) or of
    `^\\s*(\\d{4})-(\\d{1,2})-(\\d{1,2})` (ISO, anything after), read with string methods: regular
    expressions compiled at start are a measurable part of the inventory under emulated CPUs."""
    text = value.strip()
    parts = text.split("/")
    if len(parts) == 3:
        month, day, year = _number(parts[0], 1, 2), _number(parts[1], 1, 2), _number(parts[2], 2, 4)
        if month is not None and day is not None and year is not None:
            return year, month, day
    iso_year = _number(text[:4], 4, 4)
    iso = text[5:].split("-", 1)
    if iso_year is None or text[4:5] != "-" or len(iso) != 2:
        return None
    day_text = iso[1][: digits_end(iso[1], 0, 2)]
    month, day = _number(iso[0], 1, 2), _number(day_text, 1, 2)
    return None if month is None or day is None else (iso_year, month, day)


def bios_date_iso(value: str | None) -> str | None:
    """SMBIOS dates are MM/DD/YYYY (MM/DD/YY on old firmware): return YYYY-MM-DD or None."""
    if not value:
        return None
    fields = _date_fields(value)
    if fields is None:
        return None
    year, month, day = fields
    if "/" in value and year < 100:
        # SMBIOS 2.3+ requires four digits; two-digit years come from 1990s-2000s firmware.
        year += 1900 if year >= 80 else 2000
    if not (1 <= month <= 12 and 1 <= day <= 31 and 1980 <= year <= 2100):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


__all__ = ["CHASSIS_TYPES", "FormFactor", "bios_date_iso", "chassis_code", "chassis_name", "form_factor"]
