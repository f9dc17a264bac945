"""`decode-dimms` (i2c-tools) output: one MemoryModule per SPD EEPROM it decoded.

Each module starts with `Decoding EEPROM: /sys/bus/i2c/drivers/eeprom/0-0050`; then lines
`<label><2+ spaces><value>` under `---=== Section ===---` headings. Labels moved between
versions (DDR2: "Manufacturer", DDR3+: "Module Manufacturer"), so both are read.
"""

from __future__ import annotations

import re

from agent.parsers._text import clean
from agent.report import MemoryModule

_FIELD = re.compile(r"^(\S.*?)\s{2,}(\S.*)$")
_SIZE = re.compile(r"^(\d+)\s*(MB|GB|KB)\b", re.IGNORECASE)
_SPEED = re.compile(r"^(\d+)\s*(?:MHz|MT/s)")
_VOLT = re.compile(r"(\d{1,3}(?:\.\d{1,4})?)\s*V\b")
_UNKNOWN_TYPE = re.compile(r"Unknown \(0x([0-9A-Fa-f]{2})\)")
# SPD byte 2 "fundamental memory type" (JEDEC SPD annex), for decoders older than the module.
_SPD_TYPES = {
    0x04: "SDRAM",
    0x07: "DDR",
    0x08: "DDR2",
    0x0B: "DDR3",
    0x0C: "DDR4",
    0x0E: "DDR4E",
    0x0F: "LPDDR3",
    0x10: "LPDDR4",
    0x11: "LPDDR4X",
    0x12: "DDR5",
    0x13: "LPDDR5",
}
_BLANK_SERIAL = re.compile(r"^0x(?:0+|[fF]+)$")
_UNITS = {"KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30}


def _module_type(value: str | None) -> tuple[str | None, bool]:
    """('DDR3', True) for 'DDR3 SDRAM'; ('DDR4', False) for 'Unknown (0x0c)' (decoder too old)."""
    if not value:
        return None, False
    if match := _UNKNOWN_TYPE.search(value):
        return _SPD_TYPES.get(int(match.group(1), 16)), False
    word = value.split()[0]
    return (word if word.upper() != "UNKNOWN" else None), True


def _form_factor(module_type: str | None) -> str | None:
    if not module_type:
        return None
    kind = module_type.split()[0].upper()
    if kind.startswith(("SO-DIMM", "SODIMM", "SO-UDIMM", "SO-RDIMM")):
        return "SODIMM"
    if kind.endswith("DIMM"):
        return "DIMM"
    return kind or None


def _block_module(fields: dict[str, str]) -> MemoryModule:
    mem_type, understood = _module_type(fields.get("Fundamental Memory type"))
    size = None
    if match := _SIZE.match(fields.get("Size", "")):
        size = int(match.group(1)) * _UNITS[match.group(2).upper()]
    speed = None
    # decode-dimms says "MHz" but prints the data rate (PC3-12800 → "1600 MHz").
    if match := _SPEED.match(fields.get("Maximum module speed", "")):
        speed = int(match.group(1))
    voltage = None
    for key in ("Operable voltages", "Voltage Interface Level", "Module Nominal Voltage"):
        if match := _VOLT.search(fields.get(key, "")):
            voltage = float(match.group(1))
            break
    ecc = None
    config = fields.get("Module Configuration Type")
    if config:
        ecc = "ECC" in config.upper()
    elif (ext := fields.get("Bus Width Extension")) is not None:
        ecc = not ext.startswith("0")
    module_type = clean(fields.get("Module Type"))
    # A decoder that did not know the memory type read the maker and part number at the
    # wrong offsets (castes-pc: a DDR4 module reported as "Synertek"): drop them.
    maker = clean(fields.get("Module Manufacturer") or fields.get("Manufacturer")) if understood else None
    part = clean(fields.get("Part Number")) if understood else None
    serial = clean(fields.get("Assembly Serial Number")) if understood else None
    if serial and _BLANK_SERIAL.match(serial):
        serial = None
    bank = clean(fields.get("Guessing DIMM is in"))
    return MemoryModule(
        slot=fields.get("_eeprom"),
        bank=bank,
        size_bytes=size,
        type=mem_type,
        type_detail=module_type.split(" (")[0] if module_type else None,
        speed_mts=speed,
        manufacturer=maker,
        part_number=None if part in {None, "Undefined"} else part,
        serial=serial,
        form_factor=_form_factor(module_type),
        soldered=False if module_type else None,
        voltage_v=voltage,
        ecc=ecc,
    )


def parse_decode_dimms(text: str) -> list[MemoryModule]:
    """Modules in order of their EEPROM; [] for "No EEPROM found" or "0 DIMMs detected"."""
    blocks: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for raw in text.splitlines():
        line = raw.rstrip()
        if line.startswith("Decoding EEPROM"):
            _, _, path = line.partition(":")
            current = {"_eeprom": path.strip().rsplit("/", 1)[-1] or path.strip()}
            blocks.append(current)
            continue
        if current is None or not line or line.startswith("---"):
            continue
        if match := _FIELD.match(line):
            current.setdefault(match.group(1).strip(), match.group(2).strip())
    return [_block_module(block) for block in blocks]


__all__ = ["parse_decode_dimms"]
