"""`nvme id-ctrl` (JSON, plain text or `-H`) → what the controller says it can do to erase itself.

Three registers of the Identify Controller data structure (NVMe Base Spec 2.0, fig. 275) decide
the erase plan:
- OACS bit 1: Format NVM supported; bit 4: device self-test supported.
- SANICAP bits 0/1/2: Sanitize crypto erase / block erase / overwrite supported.
- FNA bit 2: a cryptographic erase is available as a Format NVM Secure Erase Setting.

nvme-cli's `-H` text sometimes reads the opposite of the bit ("… Broadcast NSID (FFFFFFFFh)
Supported" is printed for 0): judge by the bit value, never by the words. Technicians often paste
only a `grep` of `-H`, so single decoded bit lines are understood without their register line.
Pure: text in, dataclass out; never raises on odd input.
"""

from __future__ import annotations

import json
import re

from agent._record import Record, field
from agent._typing import Any, Literal
from agent.parsers._text import clean

SanitizeAction = Literal["crypto", "block", "overwrite"]

# (register, bit) for a decoded `-H` line, recognised by its words (case-insensitive).
_BIT_LINES: tuple[tuple[str, str, int], ...] = (
    ("format nvm", "oacs", 1),
    ("device self-test", "oacs", 4),
    ("self test", "oacs", 4),
    ("crypto erase sanitize operation", "sanicap", 0),
    ("block erase sanitize operation", "sanicap", 1),
    ("overwrite sanitize operation", "sanicap", 2),
    ("crypto erase supported as part of secure erase", "fna", 2),
    ("crypto erase not supported as part of secure erase", "fna", 2),
    ("crypto erase applies to", "fna", 1),
    ("format applies to", "fna", 0),
)
# Words that start a different register's decoded lines (so "Format NVM Broadcast NSID" is not
# mistaken for OACS bit 1 — it is FNA bit 3).
_NOT_FORMAT = ("broadcast", "applies to", "copy format")

# Patterns of `nvme id-ctrl -H`'s text, as text: `re` compiles (and caches) them on first use, so
# the JSON the live probe reads never pays for them (a measurable cost under emulated CPUs, issue 2).
_REGISTER = r"^([a-z][a-z0-9_]*)\s*:\s*(.*?)\s*$"
_DECODED = r"^\s*\[(\d+):(\d+)\]\s*:\s*(0x[0-9a-fA-F]+|\d+)\s+(.*?)\s*$"


class NvmeIdCtrl(Record):
    """The identity and erase-related capabilities of one NVMe controller; None = not known."""

    vid: int | None = None
    model: str | None = None
    serial: str | None = None
    firmware: str | None = None
    oacs: int | None = None
    sanicap: int | None = None
    fna: int | None = None
    #: EDSTT: extended device self-test time the controller announces, in minutes.
    edstt: int | None = None
    #: Bits known only from decoded `-H` lines, keyed "register.bit" (e.g. "sanicap.1").
    bits: dict[str, bool] = field(default_factory=dict)
    placeholders: dict[str, str] = field(default_factory=dict)

    def bit(self, register: Literal["oacs", "sanicap", "fna"], number: int) -> bool | None:
        value: int | None = getattr(self, register)
        if value is not None:
            return bool(value >> number & 1)
        return self.bits.get(f"{register}.{number}")

    @property
    def sanitize_known(self) -> bool:
        return self.sanicap is not None or any(k.startswith("sanicap.") for k in self.bits)

    @property
    def sanitize_actions(self) -> list[SanitizeAction]:
        """Sanitize operations supported, strongest first (crypto, block, overwrite)."""
        names: tuple[tuple[int, SanitizeAction], ...] = ((0, "crypto"), (1, "block"), (2, "overwrite"))
        return [name for number, name in names if self.bit("sanicap", number)]

    @property
    def format_supported(self) -> bool | None:
        return self.bit("oacs", 1)

    @property
    def format_crypto_erase(self) -> bool | None:
        """FNA bit 2: Format NVM can do a cryptographic erase (Secure Erase Setting 2)."""
        return self.bit("fna", 2)

    @property
    def self_test_supported(self) -> bool | None:
        return self.bit("oacs", 4)

    @property
    def is_empty(self) -> bool:
        return (
            self.model is None
            and self.serial is None
            and self.oacs is None
            and self.sanicap is None
            and self.fna is None
            and not self.bits
        )


def _number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str):
        text = value.strip().lower()
        try:
            return int(text, 16) if text.startswith("0x") else int(text)
        except ValueError:
            return None
    return None


def _identity(result: NvmeIdCtrl, key: str, raw: Any) -> None:
    if not isinstance(raw, str):
        return
    text = raw.strip()
    # Pasted outputs elide serials with "..." — that is no serial at all.
    value = None if text.strip(".") == "" else clean(text)
    if value is None and text and text.strip(".") != "":
        result.placeholders[key] = text
    setattr(result, key, value)


def _from_json(doc: dict[str, Any]) -> NvmeIdCtrl:
    result = NvmeIdCtrl(
        vid=_number(doc.get("vid")),
        oacs=_number(doc.get("oacs")),
        sanicap=_number(doc.get("sanicap")),
        fna=_number(doc.get("fna")),
        edstt=_number(doc.get("edstt")),
    )
    _identity(result, "model", doc.get("mn"))
    _identity(result, "serial", doc.get("sn"))
    _identity(result, "firmware", doc.get("fr"))
    return result


def _from_text(text: str) -> NvmeIdCtrl:
    result = NvmeIdCtrl()
    registers: dict[str, str] = {}
    current: str | None = None
    for line in text.splitlines():
        match = re.match(_REGISTER, line)
        if match:
            current = match.group(1)
            registers.setdefault(current, match.group(2))
            continue
        decoded = re.match(_DECODED, line)
        if not decoded:
            if line.strip() and not line.startswith(" "):
                current = None
            continue
        high, low, value, words = decoded.groups()
        if high != low:
            continue
        target = _which_bit(words.lower(), current)
        if target is None:
            continue
        register, number = target
        if int(low) != number:
            continue
        result.bits[f"{register}.{number}"] = (_number(value) or 0) != 0
    result.vid = _number(registers.get("vid"))
    result.oacs = _number(registers.get("oacs"))
    result.sanicap = _number(registers.get("sanicap"))
    result.fna = _number(registers.get("fna"))
    result.edstt = _number(registers.get("edstt"))
    _identity(result, "model", registers.get("mn"))
    _identity(result, "serial", registers.get("sn"))
    _identity(result, "firmware", registers.get("fr"))
    return result


def _which_bit(words: str, current: str | None) -> tuple[str, int] | None:
    for phrase, register, number in _BIT_LINES:
        if phrase not in words:
            continue
        if phrase == "format nvm" and any(x in words for x in _NOT_FORMAT):
            continue
        # Inside a known register's block, only that register's bits count.
        if current in ("oacs", "sanicap", "fna") and current != register:
            continue
        return register, number
    return None


def parse_nvme_idctrl(text: str) -> NvmeIdCtrl:
    """`nvme id-ctrl -o json`, plain `nvme id-ctrl` or `-H` (whole or grepped). Odd input → empty."""
    if not isinstance(text, str):
        return NvmeIdCtrl()
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            doc = json.loads(stripped)
        except (json.JSONDecodeError, RecursionError):
            doc = None
        if isinstance(doc, dict):
            return _from_json(doc)
    return _from_text(text)


class NvmeListEntry(Record, frozen=True):
    node: str
    serial: str | None
    model: str | None
    firmware: str | None


def parse_nvme_list(text: str) -> list[NvmeListEntry]:
    """`nvme list` (1.x and 2.x with the Generic column): node, serial, model, firmware per line.

    Columns are located from the dashes under the header, since models contain spaces.
    """
    lines = text.splitlines() if isinstance(text, str) else []
    for index, line in enumerate(lines):
        if line.startswith("---") and index > 0:
            header, dashes = lines[index - 1], line
            break
    else:
        return []
    spans = [(m.start(), m.end()) for m in re.finditer(r"-+", dashes)]
    names = [header[start:end].strip().lower() for start, end in spans]
    entries: list[NvmeListEntry] = []
    for row in lines[index + 1 :]:
        if not row.startswith("/dev/"):
            continue
        cells = {
            name: row[start : spans[i + 1][0] if i + 1 < len(spans) else len(row)].strip()
            for i, (name, (start, _)) in enumerate(zip(names, spans, strict=True))
        }
        entries.append(
            NvmeListEntry(
                node=cells.get("node", row.split()[0]),
                serial=clean(cells.get("sn")),
                model=clean(cells.get("model")),
                firmware=clean(cells.get("fw rev")),
            )
        )
    return entries


__all__ = ["NvmeIdCtrl", "NvmeListEntry", "SanitizeAction", "parse_nvme_idctrl", "parse_nvme_list"]
