"""Windows 11 processor support, from model strings (and CPUID where the string is ambiguous)."""

from __future__ import annotations

import pytest

from agent.grading.cpu_support import windows11_cpu_support

# Microsoft's lists: Intel 8th gen+, Gemini/Jasper Lake Pentium & Celeron, Xeon E-21xx/W/Scalable 2nd
# gen+, AMD Ryzen 2000+ (incl. Raven Ridge APUs), Athlon 200GE/3000 series, EPYC 2nd gen+.
TABLE = [
    ("Intel(R) Core(TM) i5-7200U CPU @ 2.50GHz", False),
    ("Intel(R) Core(TM) i5-8250U CPU @ 1.60GHz", True),
    ("AMD Ryzen 5 2600 Six-Core Processor", True),
    ("AMD Ryzen 5 1600 Six-Core Processor", False),
    ("Intel(R) Core(TM)2 Duo CPU     P8600  @ 2.40GHz", False),
    ("Intel(R) Celeron(R) N4000 CPU @ 1.10GHz", True),  # Gemini Lake
    ("Intel(R) Celeron(R) N3350 CPU @ 1.10GHz", False),  # Apollo Lake
    ("Intel(R) Pentium(R) Silver N5000 CPU @ 1.10GHz", True),
    ("Intel(R) Core(TM) i5-1035G1 CPU @ 1.00GHz", True),
    ("11th Gen Intel(R) Core(TM) i7-1165G7 @ 2.80GHz", True),
    ("12th Gen Intel(R) Core(TM) i5-1235U", True),
    ("Intel(R) Core(TM) i7-10510U CPU @ 1.80GHz", True),
    ("Intel(R) Core(TM) i5 CPU       M 520  @ 2.40GHz", False),
    ("Intel(R) Core(TM) i7 CPU         930  @ 2.80GHz", False),
    ("Intel(R) Core(TM) i3-2310M CPU @ 2.10GHz", False),
    ("Intel(R) Core(TM) i7-4980HQ CPU @ 2.80GHz", False),
    ("Intel(R) Core(TM) i7-8750H CPU @ 2.20GHz", True),
    ("Intel(R) Core(TM) m3-6Y30 CPU @ 0.90GHz", False),
    ("Intel(R) Core(TM) m3-8100Y CPU @ 1.10GHz", True),
    ("Intel(R) Pentium(R) 4 CPU 3.00GHz", False),
    ("Intel(R) Pentium(R) D  CPU 2.66GHz", False),
    ("Intel(R) Xeon(R) E-2176G CPU @ 3.70GHz", True),
    ("Intel(R) Xeon(R) CPU E3-1230 v6 @ 3.50GHz", False),
    ("Intel(R) Xeon(R) CPU            5160  @ 3.00GHz", False),
    ("Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz", True),
    ("Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz", False),
    ("AMD Ryzen 7 3700X 8-Core Processor", True),
    ("AMD Ryzen 5 2500U with Radeon Vega Mobile Gfx", True),
    ("AMD Ryzen 5 PRO 4650U with Radeon Graphics", True),
    ("AMD Ryzen Threadripper 1950X 16-Core Processor", False),
    ("AMD Ryzen Threadripper 2950X 16-Core Processor", True),
    ("AMD Athlon Silver 3050U with Radeon Graphics", True),
    ("AMD Athlon(tm) II X2 250 Processor", False),
    ("AMD FX-8370E Eight-Core Processor", False),
    ("AMD A6-9225 RADEON R4, 5 COMPUTE CORES 2C+2G", False),
    ("Intel(R) Core(TM) Ultra 7 155H", True),
    ("Intel(R) N100", True),
    ("Intel(R) Atom(TM) CPU N270   @ 1.60GHz", False),
    ("AMD EPYC 7601 32-Core Processor", False),
    ("AMD EPYC 7742 64-Core Processor", True),
]


@pytest.mark.parametrize(("model", "supported"), TABLE)
def test_windows11_cpu_table(model: str, supported: bool) -> None:
    assert windows11_cpu_support(model).supported is supported


def test_table_is_large_enough() -> None:
    assert len(TABLE) >= 15


@pytest.mark.parametrize(
    ("name", "model", "stepping", "supported"),
    [
        # Pentium Gold 4415U (Kaby Lake) and Celeron 4205U (Whiskey Lake) share model 0x8E: stepping decides.
        ("Intel(R) Pentium(R) CPU 4415U @ 2.30GHz", 0x8E, 9, False),
        ("Intel(R) Celeron(R) CPU 4205U @ 1.80GHz", 0x8E, 11, True),
        ("Intel(R) Pentium(R) CPU G5400 @ 3.70GHz", 0x9E, 10, True),
        ("Intel(R) Pentium(R) CPU G4560 @ 3.50GHz", 0x9E, 9, False),
        ("Intel(R) Pentium(R) CPU G630 @ 2.70GHz", 42, 7, False),
    ],
)
def test_cpuid_decides_ambiguous_intel(name: str, model: int, stepping: int, supported: bool) -> None:
    got = windows11_cpu_support(name, vendor="GenuineIntel", family=6, model=model, stepping=stepping)
    assert got.supported is supported
    assert got.basis == "cpuid"


def test_amd_by_family_when_the_string_says_nothing() -> None:
    assert windows11_cpu_support("AMD EPYC", family=23, model=1).supported is False  # Zen 1
    assert windows11_cpu_support("AMD Eng Sample", family=25, model=33).supported is True
    assert windows11_cpu_support("Some CPU").supported is None
