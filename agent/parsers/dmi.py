"""SMBIOS vocabulary shared by the sysfs DMI reader and the dmidecode parser."""

from __future__ import annotations

import re

from agent._typing import Literal

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


_DATE_MDY = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{2,4})\s*$")
_DATE_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})")


def bios_date_iso(value: str | None) -> str | None:
    """SMBIOS dates are MM/DD/YYYY (MM/DD/YY on old firmware): return YYYY-MM-DD or None."""
    if not value:
        return None
    if match := _DATE_MDY.match(value):
        month, day, year = (int(g) for g in match.groups())
        if year < 100:
            # SMBIOS 2.3+ requires four digits; two-digit years come from 1990s-2000s firmware.
            year += 1900 if year >= 80 else 2000
    elif match := _DATE_ISO.match(value):
        year, month, day = (int(g) for g in match.groups())
    else:
        return None
    if not (1 <= month <= 12 and 1 <= day <= 31 and 1980 <= year <= 2100):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


__all__ = ["CHASSIS_TYPES", "FormFactor", "bios_date_iso", "chassis_code", "chassis_name", "form_factor"]
