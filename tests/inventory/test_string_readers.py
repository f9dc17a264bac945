"""The parsers' string readers match what the regular expressions they replaced matched (they were
replaced for start-up time under emulated CPUs, issue 2): compared on generated and real values."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from agent.parsers import dmi, dmidecode, pciids
from agent.probes.commands import is_emmc_hw_partition
from agent.probes.cpu import _nominal_mhz

# The patterns as they were.
HANDLE = re.compile(r"^Handle (0x[0-9A-Fa-f]+), DMI type (\d+)")
SIZE = re.compile(r"^\s*(\d{1,12}(?:\.\d{1,6})?)\s*(bytes|[kKMGT]B)\b")
NUMBER = re.compile(r"(\d{1,12}(?:[.,]\d{1,6})?)")
MEM_PLACEHOLDER = re.compile(
    r"^(?:dimm\d*_?)?(?:array\d*_?)?(?:manufacturer|sernum|serial ?number|partnum|part ?number|"
    r"assettagnum|asset ?tag)\s*\d*$",
    re.IGNORECASE,
)
HEX_ID = re.compile(r"^[0-9A-Fa-f]{4,16}$")
ONBOARD = re.compile(r"on.?board|soldered|memory down|row of chips", re.IGNORECASE)
EMMC = re.compile(r"^mmcblk\d+(boot\d+|rpmb)$")
DATE_MDY = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{2,4})\s*$")
DATE_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})")
GHZ = re.compile(r"@\s*(\d+(?:\.\d+)?)\s*GHz", re.IGNORECASE)
BLOCK_END = re.compile(r"^[^\t#\n]", re.MULTILINE)

# ASCII text built from the pieces the patterns look for, so that matches are frequent.
PIECES = st.sampled_from(
    [
        "Handle ",
        "0x",
        "00",
        "1A",
        "zz",
        ", DMI type ",
        "17",
        ", 40 bytes",
        " ",
        "\t",
        ".",
        ",",
        "8",
        "1024",
        "0000000000000",
        "123456",
        "1234567",
        "GB",
        "MB",
        "kB",
        "KB",
        "TB",
        "bytes",
        "B",
        "s",
        "_",
        "dimm",
        "DIMM0",
        "array",
        "Array1_",
        "manufacturer",
        "SerNum",
        "serial number",
        "serialnumber",
        "PartNum",
        "part number",
        "AssetTagNum",
        "asset tag",
        "on",
        "board",
        "-",
        "\n",
        "Soldered",
        "memory down",
        "row of chips",
        "mmcblk",
        "boot",
        "rpmb",
        "p1",
        "x",
        "/",
        "2019",
        "05",
        "3",
        "99",
        "@",
        "2.80",
        "ghz",
        "GHz",
        "#",
        "8086  Intel",
    ]
)
TEXT = st.lists(PIECES, max_size=8).map("".join)


def _date_regex(value: str) -> tuple[int, int, int] | None:
    if match := DATE_MDY.match(value):
        month, day, year = (int(g) for g in match.groups())
        return year, month, day
    if match := DATE_ISO.match(value):
        year, month, day = (int(g) for g in match.groups())
        return year, month, day
    return None


def _number_regex(value: str) -> float | None:
    match = NUMBER.search(value)
    return float(match.group(1).replace(",", ".")) if match else None


def _check_dmidecode(line: str, value: str) -> None:
    """dmidecode's readers on one line and on one field value, against the old patterns."""
    match = HANDLE.match(line)
    assert dmidecode._handle(line) == ((match.group(1), int(match.group(2))) if match else None)
    match = SIZE.match(value)
    assert dmidecode._size(value) == ((match.group(1), match.group(2)) if match else None)
    assert dmidecode._number(value) == _number_regex(value)
    cleaned = value.strip()
    if cleaned:
        assert dmidecode._is_mem_placeholder(cleaned) == bool(MEM_PLACEHOLDER.match(cleaned))
    assert dmidecode._on_board(value) == bool(ONBOARD.search(value))


@settings(max_examples=3000, deadline=None)
@given(TEXT)
def test_readers_match_the_patterns(text: str) -> None:
    line = text.strip()
    _check_dmidecode(line, text)
    assert is_emmc_hw_partition(line) == bool(EMMC.match(line))
    assert (4 <= len(line) <= 16 and dmidecode._HEX.issuperset(line)) == bool(HEX_ID.match(line))
    assert dmi._date_fields(text) == _date_regex(text)
    match = GHZ.search(text)
    assert _nominal_mhz(text) == (round(float(match.group(1)) * 1000.0, 1) if match else None)
    for start in range(len(text) + 2):
        if start == 0 or text[start - 1 : start] == "\n":
            found = BLOCK_END.search(text, start)
            assert pciids._block_end(text, start) == (found.start() if found else len(text))


def test_readers_on_real_dmidecode_outputs(fixtures: Path) -> None:
    """Every line and value of the 22 machines' dmidecode outputs reads as the patterns read."""
    seen = 0
    names = ("baseboard.txt", "chassis.txt", "connector.txt", "dimms.txt")
    for path in sorted(p for p in (fixtures / "machines").rglob("*.txt") if p.name in names):
        for raw in path.read_text(errors="replace").splitlines():
            line = raw.strip()
            _check_dmidecode(line, line.partition(":")[2])
            seen += 1
    assert seen > 1000
