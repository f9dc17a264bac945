"""Property tests: real outputs, truncated and mutated, never make a hardware parser raise.

Inputs start from the real fixture texts (peracotta lscpu/dmidecode/decode-dimms) and the real
samples of _hw_samples (dmidecode with memory, EDID blobs, battery uevents); hypothesis then
cuts, flips, deletes, duplicates and inserts hostile tokens (huge numbers, NULs, stray record
headers). Every parser must return a value (a model that validates), not an exception.
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.parsers import dmi
from agent.parsers.cpuinfo import parse_cpuinfo
from agent.parsers.decode_dimms import parse_decode_dimms
from agent.parsers.dmidecode import machine_from_dmidecode, memory_from_dmidecode
from agent.parsers.edid import parse_edid
from agent.parsers.lscpu import parse_lscpu
from agent.parsers.pciids import PciIds
from agent.parsers.power_supply import battery_from_uevent, parse_uevent
from agent.report import Display

from ._hw_samples import (
    CPUINFO_XEON_2_SOCKETS,
    DMIDECODE_SODIMM_NO_TABS,
    DMIDECODE_ZENBOOK,
    EDID_AUO_PANEL,
    EDID_DELL_D1918H,
    EDID_LGD_PANEL,
    UEVENT_CHARGE,
    UEVENT_THINKPAD_ENERGY,
    UEVENT_WORN,
)

# Same rule as tests/conftest.py (which cannot be imported by name once several conftests exist).
_SHARED = Path(os.environ.get("ATELIER_SHARED", Path(__file__).resolve().parents[3] / "shared"))


def _fixture_texts(pattern: str) -> list[str]:
    root = _SHARED / "fixtures" / "machines" / "peracotta"
    texts = [p.read_text(errors="replace") for p in sorted(root.rglob(pattern))]
    assert texts, f"no {pattern} under {root}"
    return texts


LSCPU = _fixture_texts("lscpu.txt")
DMIDECODE = [
    *_fixture_texts("baseboard.txt"),
    *_fixture_texts("chassis.txt"),
    DMIDECODE_ZENBOOK,
    DMIDECODE_SODIMM_NO_TABS,
]
DECODE_DIMMS = [t for t in _fixture_texts("*.txt") if "Decoding EEPROM" in t or "decode-dimms" in t]
UEVENTS = [UEVENT_THINKPAD_ENERGY, UEVENT_CHARGE, UEVENT_WORN]
EDIDS = [EDID_LGD_PANEL, EDID_DELL_D1918H, EDID_AUO_PANEL]
# No /proc/cpuinfo in the corpus: a public two-socket one, and this machine's own.
CPUINFO = [
    CPUINFO_XEON_2_SOCKETS,
    *([Path("/proc/cpuinfo").read_text()] if Path("/proc/cpuinfo").is_file() else []),
]

HOSTILE = [
    ":",
    "\t",
    "\n",
    "\x00",
    "  ",
    "Handle 0x0042, DMI type 17, 40 bytes\nMemory Device\n",
    "Handle 0x0043, DMI type 16, 23 bytes\n",
    "\tSize: 99999999999999999999999 GB\n",
    "\tSize: 1e999 MB\n",
    "\tNumber Of Devices: 1e999\n",
    "\tTotal Width: -5 bits\n",
    "Decoding EEPROM: /x\n",
    "Size                  99999999999999999999 MB\n",
    "Maximum module speed  1e999 MHz\n",
    "CPU max MHz: inf\n",
    "CPU(s): 0\n",
    "Socket(s): 0\n",
    "Socket(s): -\n",
    "physical id\t: 7\n",
    "cpu cores\t: 0\n",
    "POWER_SUPPLY_ENERGY_FULL_DESIGN=1e999\n",
    "POWER_SUPPLY_CHARGE_FULL=-1\n",
    "nan",
    "Type: 999\n",
    "Release Date: 13/45/99999\n",
    "é€\ufffd",
]

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def mutated(draw: st.DrawFn, sources: list[str]) -> str:
    text = draw(st.sampled_from(sources))
    for op in draw(st.lists(st.sampled_from(["cut", "delete", "insert", "dup", "flip"]), max_size=6)):
        n = len(text)
        at = draw(st.integers(0, n))
        if op == "cut":
            text = text[:at]
        elif op == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 200)) :]
        elif op == "insert":
            token = draw(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=30)))
            text = text[:at] + token + text[at:]
        elif op == "dup":
            lines = text.splitlines(keepends=True)
            if lines:
                i = draw(st.integers(0, len(lines) - 1))
                lines.insert(i, lines[i] * draw(st.integers(1, 3)))
                text = "".join(lines)
        elif op == "flip" and n:
            i = min(at, n - 1)
            text = text[:i] + chr((ord(text[i]) + draw(st.integers(1, 60))) % 0x250) + text[i + 1 :]
    return text


@st.composite
def mutated_bytes(draw: st.DrawFn, sources: list[bytes]) -> bytes:
    data = bytearray(draw(st.sampled_from(sources)))
    for op in draw(st.lists(st.sampled_from(["cut", "flip", "insert", "zero"]), max_size=8)):
        at = draw(st.integers(0, len(data)))
        if op == "cut":
            del data[at:]
        elif op == "flip" and data:
            data[min(at, len(data) - 1)] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(max_size=20))
        elif op == "zero":
            data[at : at + 18] = bytes(min(18, len(data) - at))
    return bytes(data)


@FAST
@given(mutated(LSCPU))
def test_lscpu_never_raises(text: str) -> None:
    info = parse_lscpu(text)
    assert info.max_mhz is None or info.max_mhz == info.max_mhz  # no NaN


@FAST
@given(mutated(DMIDECODE))
def test_dmidecode_never_raises(text: str) -> None:
    machine_from_dmidecode(text)
    memory = memory_from_dmidecode(text)
    assert memory.slots_used is None or memory.slots_used >= 0


@FAST
@given(mutated(DECODE_DIMMS))
def test_decode_dimms_never_raises(text: str) -> None:
    for module in parse_decode_dimms(text):
        assert module.size_bytes is None or module.size_bytes >= 0


@FAST
@given(mutated(CPUINFO))
def test_cpuinfo_never_raises(text: str) -> None:
    parse_cpuinfo(text)


@FAST
@given(mutated(UEVENTS))
def test_uevent_never_raises(text: str) -> None:
    battery = battery_from_uevent("BAT0", parse_uevent(text))
    assert battery.health_percent is None or battery.health_percent >= 0


@settings(max_examples=150, deadline=None)
@given(mutated_bytes(EDIDS))
def test_edid_never_raises(data: bytes) -> None:
    info = parse_edid(data)
    # What the display probe builds from it must validate too.
    Display(
        manufacturer_id=info.manufacturer_id,
        model=info.model,
        product_code=info.product_code,
        serial=info.serial,
        width_cm=info.width_cm,
        diagonal_inches=info.diagonal_inches,
        native_width=info.native_width,
        year=info.year,
    )


@FAST
@given(st.text(max_size=40), st.text(max_size=12), st.text(max_size=12))
def test_small_helpers_never_raise(text: str, vendor: str, device: str) -> None:
    dmi.bios_date_iso(text)
    dmi.form_factor(dmi.chassis_code(text))
    ids = PciIds("# header\n8086  Intel Corporation\n\t0166  3rd Gen\n" + text)
    ids.vendor(vendor)
    ids.device(vendor, device)
