"""sg3-utils outputs: `sg_readcap`, `sg_format` / `sg_sanitize` progress, `sg_inq`, `sg_opcodes`.

Only sg_format and sg_readcap outputs from a real drive were found (an EMC 520-byte SAS disk); the
sg_sanitize / sg_opcodes forms follow sg3-utils' source and are parsed tolerantly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from agent.parsers._text import clean

ScsiSanitizeMode = Literal["crypto", "block", "overwrite"]


@dataclass
class ReadCapacity:
    last_lba: int | None = None
    blocks: int | None = None
    block_length: int | None = None
    size_bytes: int | None = None


def parse_readcap(text: str) -> ReadCapacity:
    out = ReadCapacity()
    if (m := re.search(r"Last LBA=(\d+)", text)) is not None:
        out.last_lba = int(m.group(1))
    if (m := re.search(r"Number of logical blocks=(\d+)", text)) is not None:
        out.blocks = int(m.group(1))
    if (m := re.search(r"Logical block length=(\d+)", text)) is not None:
        out.block_length = int(m.group(1))
    if (m := re.search(r"Device size:\s*(\d+)\s*bytes", text)) is not None:
        out.size_bytes = int(m.group(1))
    elif out.blocks is not None and out.block_length is not None:
        out.size_bytes = out.blocks * out.block_length
    return out


@dataclass
class ScsiProgress:
    """What sg_format / sg_sanitize printed while the drive worked."""

    vendor: str | None = None
    product: str | None = None
    revision: str | None = None
    serial: str | None = None
    lu_name: str | None = None
    blocks_before: int | None = None
    block_size_before: int | None = None
    #: Every "N% done" seen, in order.
    percents: list[float] = field(default_factory=list)
    started: bool = False
    completed: bool = False
    errors: list[str] = field(default_factory=list)

    @property
    def last_percent(self) -> float | None:
        return self.percents[-1] if self.percents else None


_INQ_LINE = re.compile(r"^\s{2,}(\S.{7})\s+(\S.{15})\s+(\S{1,4})\s+peripheral_type", re.M)
_ERROR = re.compile(
    r"(Illegal request|invalid opcode|not supported|Medium error|Hardware error|Not ready|failed|aborted|"
    r"command not supported|sense key)",
    re.I,
)


def parse_progress(text: str) -> ScsiProgress:
    out = ScsiProgress()
    if (m := _INQ_LINE.search(text)) is not None:
        out.vendor, out.product, out.revision = (clean(g) for g in m.groups())
    if (m := re.search(r"Unit serial number:\s*(.+)", text)) is not None:
        out.serial = clean(m.group(1))
    if (m := re.search(r"LU name:\s*(\S+)", text)) is not None:
        out.lu_name = m.group(1)
    if (m := re.search(r"Number of blocks=(\d+)", text)) is not None:
        out.blocks_before = int(m.group(1))
    if (m := re.search(r"Block size=(\d+)", text)) is not None:
        out.block_size_before = int(m.group(1))
    out.percents = [float(p) for p in re.findall(r"in progress,\s*([\d.]+)%\s*done", text, re.I)]
    out.started = bool(re.search(r"(Format unit|Sanitize) has started|in progress", text, re.I))
    out.completed = bool(re.search(r"(FORMAT UNIT|SANITIZE) Complete", text, re.I))
    for line in text.splitlines():
        if _ERROR.search(line) and "press control-c" not in line.lower():
            out.errors.append(line.strip())
    return out


def parse_opcodes_sanitize(text: str) -> list[ScsiSanitizeMode]:
    """SANITIZE (opcode 0x48) service actions `sg_opcodes` lists, strongest first.

    Judged by the command names sg3-utils prints ("Sanitize, overwrite", "Sanitize, block erase",
    "Sanitize, cryptographic erase"): the column layout changed across sg3-utils versions.
    """
    found: set[ScsiSanitizeMode] = set()
    for line in text.splitlines():
        tokens = line.split()
        if not tokens or tokens[0].lower() not in ("48", "0x48"):
            continue
        low = line.lower()
        if "sanitize" not in low:
            continue
        if "overwrite" in low:
            found.add("overwrite")
        elif "block erase" in low:
            found.add("block")
        elif "crypto" in low:
            found.add("crypto")
    order: list[ScsiSanitizeMode] = ["crypto", "block", "overwrite"]
    return [mode for mode in order if mode in found]


@dataclass
class ScsiInquiry:
    vendor: str | None = None
    product: str | None = None
    revision: str | None = None
    peripheral_type: str | None = None


def parse_inquiry(text: str) -> ScsiInquiry:
    """`sg_inq DEV` standard INQUIRY fields."""
    out = ScsiInquiry()
    for key, attr in (
        ("Vendor identification", "vendor"),
        ("Product identification", "product"),
        ("Product revision level", "revision"),
    ):
        if (m := re.search(rf"{key}:\s*(.*)", text)) is not None:
            setattr(out, attr, clean(m.group(1)))
    if (m := re.search(r"Peripheral device type:\s*(.*)", text)) is not None:
        out.peripheral_type = clean(m.group(1))
    return out


__all__ = [
    "ReadCapacity",
    "ScsiInquiry",
    "ScsiProgress",
    "ScsiSanitizeMode",
    "parse_inquiry",
    "parse_opcodes_sanitize",
    "parse_progress",
    "parse_readcap",
]
