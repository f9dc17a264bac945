"""EDID 1.x base block (VESA E-EDID, 128 bytes) → what identifies a screen.

Tolerant by design: a truncated blob (a flaky DDC read, an 0-byte `edid` of a disconnected
connector) yields whatever fields its bytes still cover, and `problems` says what was wrong.
"""

from __future__ import annotations

import math

from agent._record import Record, field
from agent.parsers.pnp_ids import maker_name

HEADER = bytes.fromhex("00ffffffffffff00")
BLOCK = 128
_DESCRIPTORS = (54, 72, 90, 108)


class EdidInfo(Record):
    manufacturer_id: str | None = None
    manufacturer: str | None = None
    product_code: int | None = None
    serial: str | None = None
    name: str | None = None
    #: Texts of "alphanumeric data string" descriptors (0xFE): laptop panels put their part number there.
    texts: list[str] = field(default_factory=list)
    year: int | None = None
    week: int | None = None
    version: str | None = None
    width_cm: int | None = None
    height_cm: int | None = None
    width_mm: int | None = None
    height_mm: int | None = None
    native_width: int | None = None
    native_height: int | None = None
    header_ok: bool = False
    checksum_ok: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def model(self) -> str | None:
        return self.name or (" ".join(self.texts) if self.texts else None)

    @property
    def diagonal_inches(self) -> float | None:
        # The detailed timing gives millimetres; the basic block only whole centimetres.
        if self.width_mm and self.height_mm:
            return round(math.hypot(self.width_mm, self.height_mm) / 25.4, 1)
        if self.width_cm and self.height_cm:
            return round(math.hypot(self.width_cm, self.height_cm) / 2.54, 1)
        return None


def _pnp(b1: int, b2: int) -> str | None:
    word = (b1 << 8) | b2
    letters = [(word >> shift) & 0x1F for shift in (10, 5, 0)]
    if word & 0x8000 or not all(1 <= c <= 26 for c in letters):
        return None
    return "".join(chr(ord("A") + c - 1) for c in letters)


def _text(raw: bytes) -> str | None:
    raw = raw.split(b"\x0a", 1)[0]
    # Some panels put non-ASCII bytes between two strings (AUO "T6N3N\x80B140RW3").
    text = "".join(chr(b) if 0x20 <= b < 0x7F else " " for b in raw)
    text = " ".join(text.split())
    return text or None


def parse_edid(data: bytes) -> EdidInfo:
    info = EdidInfo()
    if len(data) < BLOCK:
        info.problems.append(f"truncated EDID: {len(data)} of {BLOCK} bytes")
    info.header_ok = data[:8] == HEADER
    if not info.header_ok:
        info.problems.append("EDID header missing")
        if len(data) >= 8:
            return info
    if len(data) >= BLOCK:
        info.checksum_ok = sum(data[:BLOCK]) % 256 == 0
        if not info.checksum_ok:
            info.problems.append("EDID checksum mismatch")
    if len(data) >= 10:
        info.manufacturer_id = _pnp(data[8], data[9])
        info.manufacturer = maker_name(info.manufacturer_id)
    if len(data) >= 12:
        info.product_code = data[10] | (data[11] << 8)
    if len(data) >= 16:
        number = int.from_bytes(data[12:16], "little")
        if number not in (0, 0x01010101, 0xFFFFFFFF):
            info.serial = str(number)
    if len(data) >= 18:
        week, year = data[16], data[17]
        info.week = week if 1 <= week <= 54 else None
        info.year = 1990 + year if year else None
    if len(data) >= 20:
        info.version = f"{data[18]}.{data[19]}"
    if len(data) >= 23:
        info.width_cm = data[21] or None
        info.height_cm = data[22] or None
        if not (info.width_cm and info.height_cm):
            # Both zero: size unknown; one zero: the other is an aspect ratio (EDID 1.4), not a size.
            info.width_cm = info.height_cm = None
    first_timing = True
    for start in _DESCRIPTORS:
        desc = data[start : start + 18]
        if len(desc) < 18:
            break
        if desc[0] or desc[1]:
            if first_timing:
                first_timing = False
                info.native_width = desc[2] | ((desc[4] & 0xF0) << 4) or None
                info.native_height = desc[5] | ((desc[7] & 0xF0) << 4) or None
                info.width_mm = desc[12] | ((desc[14] & 0xF0) << 4) or None
                info.height_mm = desc[13] | ((desc[14] & 0x0F) << 8) or None
                # TVs often store an aspect ratio here (16 x 9 "mm"): no screen is 5 cm wide.
                if (info.width_mm or 0) < 50 or (info.height_mm or 0) < 30:
                    info.width_mm = info.height_mm = None
            continue
        tag = desc[3]
        text = _text(desc[5:18])
        if tag == 0xFC and text:
            info.name = text
        elif tag == 0xFF and text:
            # The descriptor serial is the one printed on the label; the binary one is often 0 or 1.
            info.serial = text
        elif tag == 0xFE and text:
            info.texts.append(text)
    return info


__all__ = ["EdidInfo", "parse_edid"]
