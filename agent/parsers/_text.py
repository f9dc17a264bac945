"""Placeholder strings firmware and drives put where a value should be, and helpers to drop them."""

from __future__ import annotations

# Seen in real SMBIOS tables and drive identities; compared case-insensitively after stripping.
_PLACEHOLDERS = {
    "",
    "to be filled by o.e.m.",
    "to be filled by oem",
    "default string",
    "not specified",
    "not applicable",
    "not available",
    "none",
    "n/a",
    "na",
    "null",
    "unknown",
    "system serial number",
    "system product name",
    "system manufacturer",
    "system version",
    "base board serial number",
    "base board product name",
    "chassis serial number",
    "chassis manufacture",
    "chassis version",
    "default",
    "o.e.m.",
    "oem",
    "type1productconfigid",
    "type1family",
    "type2 - board serial number",
    "type2 - board vendor name1",
    "invalid",
    "empty",
    "xxxxxxxxxxxx",
    "0123456789",
    "123456789",
    "1234567890",
    "0000000000",
    "00000000",
    "sku",
    "asset-1234567890",
    "no asset tag",
    "no asset information",
    "base board asset tag#",
    "asset tag#",
    "asset tag",
    "serial number",
    "uuid",
    # Seen in the peracotta corpus: ASUS/AMI boards (rottame, viabork, viavai, asdpc2, travasato).
    "mb-1234567890",
    "123456789000",
    "bsn12345678901234567",
    "atn12345678901234567",
    "base board asset tag",
    "not defined",
    "<bad index>",  # dmidecode's marker for a string the SMBIOS table does not hold
    "<out of spec>",
    # dmidecode's words for an empty SMBIOS string or UUID (type 1 UUID, type 17 strings).
    "not provided",
    "not settable",
    "not present",
    "no dimm",
}
_UUID_PLACEHOLDERS = {
    "00000000-0000-0000-0000-000000000000",
    "ffffffff-ffff-ffff-ffff-ffffffffffff",
    "03000200-0400-0500-0006-000700080009",  # AMI's famous default
    "00020003-0004-0005-0006-000700080009",
}


def is_placeholder(value: str | None) -> bool:
    if value is None:
        return True
    text = value.strip().strip("\x00").strip()
    low = text.lower()
    if low in _PLACEHOLDERS or low in _UUID_PLACEHOLDERS:
        return True
    compact = low.replace("-", "").replace(" ", "")
    if not compact:
        # "------------------": a serial the owner blanked out (or the maker never wrote).
        return bool(text)
    # "0000000000", "FFFFFFFF", "          ", "..........": a field the maker never filled in.
    return compact[0] in "0f. x*" and compact == compact[0] * len(compact)


def clean(value: str | None) -> str | None:
    """Strip whitespace and NULs; None for an empty or placeholder value."""
    if value is None:
        return None
    text = value.strip().strip("\x00").strip()
    return None if is_placeholder(text) else text


def clean_keep(value: str | None, field: str, placeholders: dict[str, str]) -> str | None:
    """`clean()`, remembering in `placeholders[field]` the raw value that was dropped."""
    if value is None:
        return None
    result = clean(value)
    raw = value.strip().strip("\x00").strip()
    if result is None and raw:
        placeholders[field] = raw
    return result


def to_int(value: object) -> int | None:
    """Tolerant integer: '1,234', ' 42 ', 42.0 → int; anything else → None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value == value and abs(value) != float("inf") else None
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("_", "")
        try:
            return int(text, 0) if text.lower().startswith("0x") else int(text)
        except ValueError:
            try:
                return int(float(text))
            except (ValueError, OverflowError):  # "1e999" is a float, but an infinite one
                return None
    return None


#: The digits the parsers' string readers accept (ASCII: what firmware and tools print).
DIGITS = "0123456789"


def digits_end(text: str, start: int, most: int) -> int:
    """End of the run of at most `most` ASCII digits at `start` (== start: none).

    With `number_end`, what the parsers read instead of compiling regular expressions at start
    (a measurable part of the inventory under emulated CPUs, issue 2)."""
    end = start
    while end < len(text) and end - start < most and text[end] in DIGITS:
        end += 1
    return end


def number_end(text: str, start: int, separators: str, whole: int, fraction: int) -> int:
    """End of `\\d{1,whole}(?:[<separators>]\\d{1,fraction})?` at `start` (== start: none)."""
    end = digits_end(text, start, whole)
    if end > start and end < len(text) and text[end] in separators:
        after = digits_end(text, end + 1, fraction)
        if after > end + 1:
            return after
    return end


__all__ = ["DIGITS", "clean", "clean_keep", "digits_end", "is_placeholder", "number_end", "to_int"]
