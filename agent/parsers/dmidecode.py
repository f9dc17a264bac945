"""`dmidecode` text output: records, then the machine identity (types 0-3) and memory (16, 17).

dmidecode prints one record per SMBIOS structure:

    Handle 0x0012, DMI type 17, 40 bytes
    Memory Device
    <TAB>Size: 8 GB
    <TAB>Features:
    <TAB><TAB>Board is a hosting board

The reader does not rely on the tabs (outputs pasted into tickets often lose them): a record is
"Handle …" then a title line, then `Key: value` lines; a line without a colon after a key with
an empty value is an item of that key's list.

The text is read with string methods rather than regular expressions: compiling this module's
seven patterns was a measurable part of `atelier inventory` under emulated CPUs (issue 2). Each
reader says which pattern it matches; a test compares them on random and real values.
"""

from __future__ import annotations

from agent._record import Record, field
from agent.parsers import dmi
from agent.parsers._text import DIGITS, clean, clean_keep, digits_end, number_end, to_int
from agent.report import (
    BaseboardInfo,
    BiosInfo,
    ChassisInfo,
    Machine,
    Memory,
    MemoryModule,
    SystemInfo,
)

_HEX = frozenset("0123456789abcdefABCDEF")


def _handle(line: str) -> tuple[str, int] | None:
    """`^Handle (0x[0-9A-Fa-f]+), DMI type (\\d+)` → (handle, type)."""
    if not line.startswith("Handle 0x"):
        return None
    handle, sep, rest = line[7:].partition(", DMI type ")
    end = digits_end(rest, 0, len(rest))
    if not sep or len(handle) < 3 or not _HEX.issuperset(handle[2:]) or end == 0:
        return None
    return handle, int(rest[:end])


class DmiRecord(Record):
    handle: str
    type: int
    title: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)

    def get(self, key: str) -> str | None:
        return self.fields.get(key)


def parse_records(text: str) -> list[DmiRecord]:
    """Every SMBIOS record in a dmidecode output (several outputs may be concatenated)."""
    records: list[DmiRecord] = []
    current: DmiRecord | None = None
    last_key: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if found := _handle(line):
            current = DmiRecord(handle=found[0], type=found[1])
            records.append(current)
            last_key = None
            continue
        if not line:
            # dmidecode ends every record with a blank line; what follows before the next
            # "Handle" is its own chatter ("Invalid entry length… DMI table is broken!").
            current, last_key = None, None
            continue
        if current is None:
            continue
        if current.title is None and ":" not in line:
            current.title = line
            continue
        key, sep, value = line.partition(":")
        if sep and key and (value == "" or value.startswith((" ", "\t"))):
            key = key.strip()
            current.fields.setdefault(key, value.strip())
            last_key = key
        elif last_key is not None:
            current.lists.setdefault(last_key, []).append(line)
    return records


def of_type(records: list[DmiRecord], dmi_type: int) -> list[DmiRecord]:
    return [r for r in records if r.type == dmi_type]


def _first(records: list[DmiRecord], dmi_type: int) -> DmiRecord | None:
    found = of_type(records, dmi_type)
    return found[0] if found else None


def machine_from_dmidecode(text: str) -> Machine:
    """System (1), baseboard (2), chassis (3) and BIOS (0) from `dmidecode` output; absent → None."""
    records = parse_records(text)
    ph: dict[str, str] = {}

    def val(rec: DmiRecord | None, key: str, path: str) -> str | None:
        if rec is None:
            return None
        return clean_keep(rec.get(key), path, ph)

    system = _first(records, 1)
    board = _first(records, 2)
    chassis = _first(records, 3)
    bios = _first(records, 0)
    code = dmi.chassis_code(chassis.get("Type")) if chassis else None
    uuid = val(system, "UUID", "system.uuid")
    machine = Machine(
        system=SystemInfo(
            manufacturer=val(system, "Manufacturer", "system.manufacturer"),
            product=val(system, "Product Name", "system.product"),
            version=val(system, "Version", "system.version"),
            serial=val(system, "Serial Number", "system.serial"),
            uuid=uuid.lower() if uuid else None,
            sku=val(system, "SKU Number", "system.sku"),
            family=val(system, "Family", "system.family"),
        ),
        baseboard=BaseboardInfo(
            manufacturer=val(board, "Manufacturer", "baseboard.manufacturer"),
            product=val(board, "Product Name", "baseboard.product"),
            version=val(board, "Version", "baseboard.version"),
            serial=val(board, "Serial Number", "baseboard.serial"),
            asset_tag=val(board, "Asset Tag", "baseboard.asset_tag"),
        ),
        chassis=ChassisInfo(
            type=dmi.chassis_name(code) or (clean(chassis.get("Type")) if chassis else None),
            type_code=code,
            form_factor=dmi.form_factor(code),
            manufacturer=val(chassis, "Manufacturer", "chassis.manufacturer"),
            version=val(chassis, "Version", "chassis.version"),
            serial=val(chassis, "Serial Number", "chassis.serial"),
            asset_tag=val(chassis, "Asset Tag", "chassis.asset_tag"),
        ),
        bios=BiosInfo(
            vendor=val(bios, "Vendor", "bios.vendor"),
            version=val(bios, "Version", "bios.version"),
            date=dmi.bios_date_iso(bios.get("Release Date")) if bios else None,
            release=val(bios, "BIOS Revision", "bios.release"),
        ),
    )
    machine.placeholders.update(ph)
    return machine


# --- memory (types 16 and 17) ---------------------------------------------------------------

_UNIT = {"bytes": 1, "kB": 1 << 10, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40}
# JEDEC JEP106 ids some firmware print instead of the maker's name ("80CE000080CE" = Samsung).
_JEDEC = {
    "80CE": "Samsung",
    "CE00": "Samsung",
    "80AD": "SK Hynix",
    "AD00": "SK Hynix",
    "802C": "Micron",
    "2C00": "Micron",
    "859B": "Crucial",
    "9B05": "Crucial",
    "0198": "Kingston",
    "9801": "Kingston",
    "029E": "Corsair",
    "04CD": "G.Skill",
    "830B": "Nanya",
    "0B83": "Nanya",
    "02FE": "Elpida",
    "FE02": "Elpida",
    "0443": "Ramaxel",
    "4304": "Ramaxel",
    "04CB": "ADATA",
    "CB04": "ADATA",
    "014F": "Transcend",
    "017A": "Apacer",
    "04EF": "Team Group",
}
#: Defaults AMI/Insyde firmware leave in type 17 strings ("Manufacturer0", "SerNum1", "PartNum0",
#: "DIMM0_Manufacturer", "Array1_PartNumber"), after an optional "dimmN_" and "arrayN_".
_MEM_PLACEHOLDER_WORDS = (
    "manufacturer",
    "sernum",
    "serial number",
    "serialnumber",
    "partnum",
    "part number",
    "partnumber",
    "assettagnum",
    "asset tag",
    "assettag",
)
_REMOVABLE_FORMS = {"DIMM", "SODIMM", "SIMM", "RIMM", "SRIMM", "FB-DIMM", "Die", "TSOP", "Proprietary Card"}


def size_bytes(value: str | None) -> int | None:
    """'8 GB', '8192 MB', '512 kB' → bytes; 'No Module Installed', 'Unknown', '0 MB' → None."""
    if not value:
        return None
    found = _size(value)
    if found is None:
        return None
    size = int(float(found[0]) * _UNIT[found[1]])
    return size or None


def _size(value: str) -> tuple[str, str] | None:
    """`^\\s*(\\d{1,12}(?:\\.\\d{1,6})?)\\s*(bytes|[kKMGT]B)\\b` → (number, unit)."""
    text = value.lstrip()
    end = number_end(text, 0, ".", 12, 6)
    if end == 0 or (end < len(text) and text[end] in "0123456789."):
        return None  # no number, or more digits than the pattern takes (it would not match)
    rest = text[end:].lstrip()
    unit = rest[:5] if rest.startswith("bytes") else rest[:2]
    after = rest[len(unit) : len(unit) + 1]
    if unit not in _UNIT or (after and (after.isalnum() or after == "_")):
        return None
    return text[:end], unit


def _number(value: str | None) -> float | None:
    if not value:
        return None
    # The first `\\d{1,12}(?:[.,]\\d{1,6})?` in the text.
    for start, char in enumerate(value):
        if char in DIGITS:
            return float(value[start : number_end(value, start, ".,", 12, 6)].replace(",", "."))
    return None


def _speed(value: str | None) -> int | None:
    # Old dmidecode prints "1600 MHz" where new ones print "1600 MT/s" for the same data rate.
    number = _number(value)
    return int(number) if number else None


def _mem_text(value: str | None) -> str | None:
    text = clean(value)
    if text is None or _is_mem_placeholder(text):
        return None
    return text


def _is_mem_placeholder(text: str) -> bool:
    """`^(?:dimm\\d*_?)?(?:array\\d*_?)?(?:<_MEM_PLACEHOLDER_WORDS>)\\s*\\d*$`, any case."""
    rest = text.lower()
    for prefix in ("dimm", "array"):
        if rest.startswith(prefix):
            rest = rest[len(prefix) :].lstrip(DIGITS).removeprefix("_")
    for word in _MEM_PLACEHOLDER_WORDS:
        if rest.startswith(word):
            tail = rest[len(word) :].lstrip()
            if tail.strip(DIGITS) == "":
                return True
    return False


def _manufacturer(value: str | None) -> str | None:
    text = _mem_text(value)
    if text is None or not (4 <= len(text) <= 16 and _HEX.issuperset(text)):
        return text
    upper = text.upper()
    for prefix, name in _JEDEC.items():
        if upper.startswith(prefix):
            return name
    return text


def _ecc_from_array(value: str | None) -> bool | None:
    if not value:
        return None
    low = value.strip().lower()
    if low == "none":
        return False
    if "ecc" in low or low in {"parity", "crc"}:
        return True
    return None


def _on_board(where: str) -> bool:
    """`on.?board|soldered|memory down|row of chips`, any case, anywhere in the locator."""
    low = where.lower()
    if "soldered" in low or "memory down" in low or "row of chips" in low or "onboard" in low:
        return True
    at = low.find("board", 3)
    while at >= 0:
        if low[at - 3 : at - 1] == "on" and low[at - 1] != "\n":
            return True
        at = low.find("board", at + 1)
    return False


def _module(rec: DmiRecord) -> MemoryModule | None:
    size = size_bytes(rec.get("Size"))
    if size is None:
        return None
    form = clean(rec.get("Form Factor"))
    locator = clean(rec.get("Locator"))
    bank = clean(rec.get("Bank Locator"))
    where = f"{locator or ''} {bank or ''}"
    if form == "Row Of Chips" or (form in {None, "Other", "Unknown", "Chip"} and _on_board(where)):
        soldered: bool | None = True
    elif form in _REMOVABLE_FORMS:
        soldered = False
    else:
        soldered = None
    total_w = to_int((rec.get("Total Width") or "").split(" ")[0])
    data_w = to_int((rec.get("Data Width") or "").split(" ")[0])
    ecc = None if not total_w or not data_w else total_w > data_w
    mem_type = clean(rec.get("Type"))
    voltage = _number(rec.get("Configured Voltage")) or _number(rec.get("Minimum Voltage"))
    return MemoryModule(
        slot=locator,
        bank=bank,
        size_bytes=size,
        type=None if mem_type in {None, "Other"} else mem_type,
        type_detail=clean(rec.get("Type Detail")),
        speed_mts=_speed(rec.get("Speed")),
        configured_speed_mts=_speed(rec.get("Configured Memory Speed") or rec.get("Configured Clock Speed")),
        manufacturer=_manufacturer(rec.get("Manufacturer")),
        part_number=_mem_text(rec.get("Part Number")),
        serial=_mem_text(rec.get("Serial Number")),
        form_factor=form,
        soldered=soldered,
        voltage_v=voltage or None,
        ecc=ecc,
    )


def memory_from_dmidecode(text: str) -> Memory:
    """Modules (installed slots only), slot counts, maximum capacity and ECC from `dmidecode -t 16 -t 17`.

    `total_bytes` is left to the caller: the kernel's MemTotal is the authority on usable RAM.
    """
    records = parse_records(text)
    arrays = of_type(records, 16)
    # Flash and cache arrays (BIOS ROM on some boards) also have type 17 children: keep system RAM.
    system = [a for a in arrays if (a.get("Use") or "System Memory").strip() == "System Memory"]
    other_handles = {a.handle for a in arrays if a not in system}
    devices = [d for d in of_type(records, 17) if d.get("Array Handle") not in other_handles]
    modules = [m for m in (_module(d) for d in devices) if m is not None]
    declared = [to_int(a.get("Number Of Devices")) for a in system]
    slots_total = sum(n for n in declared if n) or (len(devices) or None)
    capacities = [size_bytes(a.get("Maximum Capacity")) for a in system]
    max_capacity = sum(c for c in capacities if c) or None
    array_ecc = [_ecc_from_array(a.get("Error Correction Type")) for a in system]
    ecc: bool | None
    if any(e is True for e in array_ecc):
        ecc = True
    elif array_ecc and all(e is False for e in array_ecc):
        ecc = False
    else:
        module_ecc = [m.ecc for m in modules if m.ecc is not None]
        ecc = all(module_ecc) if module_ecc else None
    for module in modules:
        if module.ecc is None and ecc is not None:
            module.ecc = ecc
    return Memory(
        modules=modules,
        slots_total=slots_total,
        slots_used=len(modules) if devices else None,
        max_capacity_bytes=max_capacity,
        ecc=ecc,
    )


__all__ = [
    "DmiRecord",
    "machine_from_dmidecode",
    "memory_from_dmidecode",
    "of_type",
    "parse_records",
    "size_bytes",
]
