"""hdparm outputs: `-I` (identify), `-N` (HPA / Accessible Max Address), `--dco-identify`,
`--sanitize-status`, and the one-line errors of its security commands.

Real outputs arrive damaged in ways these parsers tolerate: tabs turned to spaces, forum BBCode
around a word (`[COLOR=#ff0000]frozen[/COLOR]`), HTML entities, USB bridges that return a
garbled IDENTIFY (checksum "Integrity word not set"), nwipe debug prefixes, `grep -A10` excerpts.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Literal

from agent.parsers._text import clean
from agent.report import AtaSecurity

SanitizeMode = Literal["crypto", "block", "overwrite"]

_BBCODE = re.compile(r"\[/?[A-Za-z]+(?:=[^\]]*)?\]")


def normalise(text: str) -> str:
    """Undo what forums and web archives did to a pasted output."""
    text = html.unescape(text)
    text = _BBCODE.sub("", text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass
class HdparmIdentify:
    model: str | None = None
    serial: str | None = None
    firmware: str | None = None
    lba_sectors: int | None = None
    lba48_sectors: int | None = None
    logical_sector_size: int | None = None
    physical_sector_size: int | None = None
    #: "ssd" when the drive says "Solid State Device", else its rotation rate.
    solid_state: bool | None = None
    rotation_rpm: int | None = None
    security: AtaSecurity | None = None
    sanitize_supported: bool = False
    sanitize_modes: list[SanitizeMode] = field(default_factory=list)
    sanitize_antifreeze: bool = False
    hpa_feature: bool | None = None
    dco_feature: bool | None = None
    trim: bool | None = None
    #: False when hdparm says the IDENTIFY checksum is wrong (garbage through a USB bridge).
    checksum_ok: bool | None = None
    #: The data cannot be trusted: garbled strings or a bad checksum.
    garbled: bool = False

    @property
    def user_sectors(self) -> int | None:
        return self.lba48_sectors or self.lba_sectors


_FIELD = re.compile(r"^\s*(Model Number|Serial Number|Firmware Revision):[ \t]*(.*?)\s*$", re.M)
_SECTORS = re.compile(r"^\s*(LBA48|LBA)\s+user addressable sectors:\s*(\d+)", re.M)
_LOGICAL = re.compile(r"^\s*Logical(?:/Physical)?\s+Sector size:\s*(\d+)\s*bytes", re.M)
_PHYSICAL = re.compile(r"^\s*(?:Logical/)?Physical\s+Sector size:\s*(\d+)\s*bytes", re.M)
_ROTATION = re.compile(r"Nominal Media Rotation Rate:\s*(.+)")
_ERASE_TIME = re.compile(
    r"(?:more than\s*)?(\d+)\s*min for SECURITY ERASE UNIT\.\s*(?:(?:more than\s*)?(\d+)\s*min for ENHANCED)?",
)


def _looks_garbled(value: str) -> bool:
    return (
        "\ufffd" in value
        or any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in value)
        or any(ord(c) > 0x2FF for c in value)
    )


def _security_block(lines: list[str]) -> list[str] | None:
    for i, line in enumerate(lines):
        if line.strip().startswith("Security:"):
            block: list[str] = []
            for nxt in lines[i + 1 :]:
                if nxt and not nxt[0].isspace():
                    break
                block.append(nxt.strip())
            return block
    return None


def parse_security(block: list[str]) -> AtaSecurity:
    sec = AtaSecurity()
    for raw in block:
        tokens = raw.split()
        if not tokens:
            continue
        negated = tokens[0] == "not"
        rest = " ".join(tokens[1:] if negated else tokens)
        value = not negated
        if rest.startswith("Master password revision code"):
            match = re.search(r"=\s*(\d+)", rest)
            sec.master_password_revision = int(match.group(1)) if match else None
        elif rest == "supported":
            sec.supported = value
        elif rest == "enabled":
            sec.enabled = value
        elif rest == "locked":
            sec.locked = value
        elif rest == "frozen":
            sec.frozen = value
        elif rest.startswith("expired"):
            sec.count_expired = value
        elif rest.startswith("supported: enhanced erase"):
            sec.enhanced_erase_supported = value
        elif rest.startswith("Security level"):
            sec.level = rest.split()[-1].lower()
        else:
            match = _ERASE_TIME.search(raw)
            if match:
                sec.erase_minutes = int(match.group(1))
                if match.group(2):
                    sec.enhanced_erase_minutes = int(match.group(2))
    return sec


def parse_identify(text: str) -> HdparmIdentify:
    """`hdparm -I DEV`, whole or a grep excerpt of it."""
    text = normalise(text)
    out = HdparmIdentify()
    for name, value in _FIELD.findall(text):
        if _looks_garbled(value):
            out.garbled = True
            continue
        cleaned = clean(value)
        if name == "Model Number":
            out.model = cleaned
        elif name == "Serial Number":
            out.serial = cleaned
        else:
            out.firmware = cleaned
    for kind, value in _SECTORS.findall(text):
        if kind == "LBA48":
            out.lba48_sectors = int(value)
        else:
            out.lba_sectors = int(value)
    if (m := _LOGICAL.search(text)) is not None:
        out.logical_sector_size = int(m.group(1))
    if (m := _PHYSICAL.search(text)) is not None:
        out.physical_sector_size = int(m.group(1))
    if (m := _ROTATION.search(text)) is not None:
        rate = m.group(1).strip()
        if "Solid State" in rate:
            out.solid_state = True
        elif rate.isdecimal() and 1000 < int(rate) < 20000:
            out.solid_state, out.rotation_rpm = False, int(rate)
        # 32767 and other values come from garbled identify data: leave unknown.
    block = _security_block(text.splitlines())
    if block is not None:
        out.security = parse_security(block)
    features = set()
    for line in text.splitlines():
        stripped = line.strip().lstrip("*").strip()
        features.add(stripped)
    out.sanitize_supported = "SANITIZE feature set" in features
    modes: list[SanitizeMode] = []
    if "CRYPTO_SCRAMBLE_EXT command" in features:
        modes.append("crypto")
    if "BLOCK_ERASE_EXT command" in features:
        modes.append("block")
    if "OVERWRITE_EXT command" in features:
        modes.append("overwrite")
    out.sanitize_modes = modes if out.sanitize_supported else []
    out.sanitize_antifreeze = "SANITIZE_ANTIFREEZE_LOCK_EXT command" in features
    if "Commands/features:" in text:
        out.hpa_feature = "Host Protected Area feature set" in features
        out.dco_feature = "Device Configuration Overlay feature set" in features
    if "Data Set Management TRIM supported" in text:
        out.trim = True
    if "Integrity word not set" in text:
        out.checksum_ok = False
        out.garbled = True
    elif re.search(r"^Checksum:\s*correct", text, re.M):
        out.checksum_ok = True
    elif re.search(r"^Checksum:\s*(?!correct)", text, re.M):
        out.checksum_ok = False
        out.garbled = True
    # A garbled IDENTIFY keeps what it says, flagged: the planner must not trust it for firmware erasure.
    return out


@dataclass
class HpaStatus:
    visible_sectors: int | None = None
    native_sectors: int | None = None
    #: True/False as hdparm says; None when the answer is bogus (USB bridge: "0/1, HPA is enabled").
    enabled: bool | None = None
    #: ACS-3 drives report "ACCESSIBLE MAX ADDRESS" instead of HPA (same meaning).
    ama: bool = False
    bogus: bool = False
    sg_io_error: bool = False
    #: When the output shows `-N pNNN` being applied.
    set_to: int | None = None
    permanent: bool | None = None

    @property
    def hidden_sectors(self) -> int | None:
        if self.bogus or self.visible_sectors is None or self.native_sectors is None:
            return None
        return self.native_sectors - self.visible_sectors


_MAX = re.compile(
    r"max sectors\s*=\s*(\d+)/(\d+),\s*(?:HPA is (enabled|disabled)|ACCESSIBLE MAX ADDRESS (enabled|disabled))"
)
_SET = re.compile(r"setting max visible sectors to (\d+) \((permanent|temporary)\)")


def parse_hpa(text: str) -> HpaStatus:
    """`hdparm -N DEV` (the last `max sectors` line wins: a set shows before and after)."""
    text = normalise(text)
    out = HpaStatus(sg_io_error="SG_IO: bad/missing sense data" in text or "bad sense" in text)
    matches = _MAX.findall(text)
    if matches:
        visible, native, hpa, ama = matches[-1]
        out.visible_sectors, out.native_sectors = int(visible), int(native)
        out.ama = bool(ama)
        out.enabled = (hpa or ama) == "enabled"
        if out.visible_sectors <= 1 or out.native_sectors <= 1 or out.visible_sectors > out.native_sectors:
            # Verbatim USB stick: SG_IO fails and hdparm prints "0/1, HPA is enabled".
            out.bogus, out.enabled = True, None
    if (m := _SET.search(text)) is not None:
        out.set_to = int(m.group(1))
        out.permanent = m.group(2) == "permanent"
    return out


@dataclass
class DcoIdentify:
    revision: int | None = None
    real_max_sectors: int | None = None
    checksum_verified: bool | None = None
    #: The command failed (aborted, not supported, bridge without pass-through).
    failed: bool = False
    #: Features the DCO could hide ("HPA", "security", "48_bit", …).
    features: list[str] = field(default_factory=list)
    #: `hdparm -g` sectors when the same output carries it: fewer than real max means hidden space.
    geometry_sectors: int | None = None


_HEX_LINE = re.compile(r"incoming_data:\s*((?:[0-9a-fA-F]{2}\s*)+)")


def parse_dco(text: str) -> DcoIdentify:
    """`hdparm --dco-identify DEV`, plain or `--verbose` (raw bytes of the DCO IDENTIFY page)."""
    text = normalise(text)
    out = DcoIdentify()
    if "DCO Checksum verified" in text:
        out.checksum_verified = True
    elif re.search(r"DCO Checksum (?:failed|incorrect|bad)", text, re.I):
        out.checksum_verified = False
    if (m := re.search(r"DCO Revision:\s*0x([0-9a-fA-F]+)", text)) is not None:
        out.revision = int(m.group(1), 16)
    if (m := re.search(r"Real max sectors:\s*(\d+)", text)) is not None:
        out.real_max_sectors = int(m.group(1))
    if (m := re.search(r"geometry\s*=\s*[\d/]+,\s*sectors\s*=\s*(\d+)", text)) is not None:
        out.geometry_sectors = int(m.group(1))
    section = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.endswith("command/feature sets:"):
            section = True
            continue
        if section and stripped and not stripped.endswith(":") and not stripped.startswith(("/dev", "root@")):
            if line[:1].isspace():
                out.features += [
                    w for w in stripped.replace("(?):", "").split() if w and w not in out.features
                ]
                continue
            section = False
    raw = _HEX_LINE.search(text)
    if raw is not None and out.real_max_sectors is None:
        data = bytes(int(b, 16) for b in raw.group(1).split())
        ata_error = re.search(r"status=0x([0-9a-fA-F]+)", text)
        if not any(data) or (ata_error is not None and int(ata_error.group(1), 16) != 0):
            out.failed = True
        elif len(data) >= 14:
            # DCO IDENTIFY words 3-6: maximum LBA (little endian); hdparm prints it plus one.
            out.revision = data[0] | data[1] << 8
            out.real_max_sectors = int.from_bytes(data[6:14], "little") + 1
            if len(data) == 512:
                # Word 255: signature A5h in the low byte, and all 512 bytes sum to 0 (mod 256).
                out.checksum_verified = data[510] == 0xA5 and sum(data) % 256 == 0
    if out.real_max_sectors is None and out.revision is None:
        out.failed = True
    return out


@dataclass
class AtaSanitizeStatus:
    supported: bool = True
    #: "SD0" idle, "SD1" frozen, "SD2" in process, "SD3" failed (ACS-3 states).
    state: str | None = None
    state_text: str | None = None
    progress_percent: float | None = None
    last_completed_ok: bool | None = None


def parse_sanitize_status(text: str) -> AtaSanitizeStatus:
    """`hdparm --sanitize-status DEV`."""
    text = normalise(text)
    if "SANITIZE feature set is not supported" in text:
        return AtaSanitizeStatus(supported=False)
    out = AtaSanitizeStatus()
    if (m := re.search(r"State:\s*(SD\d)\s*(.*)", text)) is not None:
        out.state, out.state_text = m.group(1), m.group(2).strip() or None
    if (m := re.search(r"Progress:\s*0x([0-9a-fA-F]+)(?:\s*\((\d+(?:\.\d+)?)%\))?", text)) is not None:
        out.progress_percent = (
            float(m.group(2)) if m.group(2) else round(int(m.group(1), 16) * 100 / 65536, 2)
        )
    if re.search(r"Completed Without Error", text, re.I):
        out.last_completed_ok = True
    elif re.search(r"Completed With(?: an)? Error|Operation Failed", text, re.I):
        out.last_completed_ok = False
    return out


def parse_command_error(text: str) -> str | None:
    """The error line hdparm prints when the drive rejects a command ("SECURITY_UNLOCK: Input/output error")."""
    text = normalise(text)
    for line in text.splitlines():
        # hdparm names the ATA command: SECURITY_UNLOCK, SECURITY_ERASE, SANITIZE_STATUS…
        m = re.match(
            r"^\s*([A-Z]+_[A-Z_]+):\s*(.*(?:error|denied|failed|not supported|invalid).*)$", line, re.I
        )
        if m and not line.strip().startswith(("SG_IO", "sg_io")):
            return f"{m.group(1)}: {m.group(2).strip()}"
    for line in text.splitlines():
        if "bad/missing sense data" in line:
            return line.strip()
    return None


__all__ = [
    "AtaSanitizeStatus",
    "DcoIdentify",
    "HdparmIdentify",
    "HpaStatus",
    "SanitizeMode",
    "normalise",
    "parse_command_error",
    "parse_dco",
    "parse_hpa",
    "parse_identify",
    "parse_sanitize_status",
    "parse_security",
]
