"""Is this processor on Microsoft's Windows 11 supported list?

Microsoft publishes the lists (learn.microsoft.com, "Windows 11 supported Intel processors" and
"... AMD processors"): Intel 8th generation Core and later (Coffee Lake, Whiskey Lake, Amber
Lake, Cannon Lake onwards), Gemini Lake / Jasper Lake / Alder Lake-N Pentium and Celeron, Xeon
E-21xx, W-2xxx and Scalable 2nd gen and later; AMD Ryzen 2000 and later (Zen+; the Zen-based
Raven Ridge APUs — Ryzen 2200G/2400G/2500U… and Athlon 200GE/300U — are on the list too),
EPYC 2nd gen and later.

The model string decides for the usual families (it names the generation); the CPUID family /
model / stepping decide where the brand string is ambiguous (Kaby Lake and Coffee Lake share
models 0x8E/0x9E and differ only by stepping; Celeron and Pentium numbers overlap generations).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Intel family 6 models on the list. For 0x8E / 0x9E only steppings >= 10 (9 is Kaby Lake).
_INTEL_SUPPORTED_MODELS = frozenset(
    {
        0x66,  # Cannon Lake
        0x7D, 0x7E,  # Ice Lake client
        0xA5, 0xA6,  # Comet Lake
        0xA7,  # Rocket Lake
        0x8C, 0x8D,  # Tiger Lake
        0x97, 0x9A,  # Alder Lake
        0xB7, 0xBA, 0xBF,  # Raptor Lake
        0xAA, 0xAC,  # Meteor Lake
        0xBD,  # Lunar Lake
        0xC5, 0xC6,  # Arrow Lake
        0x7A,  # Gemini Lake (Pentium Silver, Celeron N4000/J4005…)
        0x9C,  # Jasper Lake
        0xBE,  # Alder Lake-N (Intel N100/N200, Core i3-N305)
        0x6A, 0x6C,  # Ice Lake server
        0x8F, 0xCF,  # Sapphire / Emerald Rapids
    }
)  # fmt: skip
_INTEL_SHARED_KABY_COFFEE = frozenset({0x8E, 0x9E})
#: Skylake-SP: Xeon Scalable 1st gen (stepping < 5) is not on the list; Cascade Lake (>= 5) is.
_INTEL_SKYLAKE_SP = 0x55


@dataclass(frozen=True)
class CpuSupport:
    supported: bool | None
    #: How it was decided: "model string", "cpuid", or why it is unknown.
    basis: str
    generation: str | None = None


_CORE_I = re.compile(r"\bcore(?:\(tm\))?\s*i([3579])[\s-]+(\d{3,5})([a-z]*)", re.IGNORECASE)
_CORE_M = re.compile(r"\bcore(?:\(tm\))?\s*m([357])[\s-]+(\d{4,5}|\d[a-z]\d{2})", re.IGNORECASE)
_CORE_ULTRA = re.compile(r"\bcore(?:\(tm\))?\s*ultra\b", re.IGNORECASE)
_CORE_N = re.compile(
    r"\bcore(?:\(tm\))?\s*i3[\s-]+n\d{3}\b|\bintel(?:\(r\))?\s*(?:processor\s*)?n\d{2,3}\b", re.IGNORECASE
)
_OLD_INTEL = re.compile(
    r"core(?:\(tm\))?\s*i[3579]\s+cpu\s|core(?:\(tm\))?\s*2|core(?:\(tm\))?\s*(?:duo|solo)|pentium(?:\(r\))?\s*(?:4|d|m|dual|iii|ii)\b|atom|celeron(?:\(r\))?\s*(?:m|d)\b"
    r"|(?:pentium|celeron)(?:\(r\))?\s*(?:cpu\s*)?[nj][1-3]\d{3}\b",
    re.IGNORECASE,
)
_GEMINI_JASPER = re.compile(
    r"\b(?:pentium|celeron)(?:\(r\))?\s*(?:silver\s*)?(?:[nj][45]\d{3}|n6\d{3})\b", re.IGNORECASE
)
_XEON = re.compile(
    r"xeon(?:\(r\))?\s*(?:cpu\s*)?(e-2\d{3}|w-[123]\d{3}|(?:bronze|silver|gold|platinum)\s+\d{4})",
    re.IGNORECASE,
)
_XEON_OLD = re.compile(r"xeon(?:\(r\))?\s*(?:cpu\s*)?(?:e[357]-|x\d{4}|[ewxl]\d{4}|\d{4})", re.IGNORECASE)
_RYZEN = re.compile(
    r"ryzen\s*(?:threadripper\s*(?:pro\s*)?)?(?:[3579]\s+)?(?:pro\s+)?(\d)(\d{2,3})", re.IGNORECASE
)
_RYZEN_AI = re.compile(r"ryzen\s*ai\b", re.IGNORECASE)
_ATHLON_NEW = re.compile(
    r"athlon\s*(?:silver|gold|pro)?\s*(?:[23]\d{2}(?:ge|g|u)|3\d{3}(?:ge|g|u|c)?|7\d{3}u)\b", re.IGNORECASE
)
_OLD_AMD = re.compile(
    r"athlon\s*(?:64|ii|x2|neo|\(tm\))|phenom|sempron|turion|opteron|\ba\d{1,2}-\d{4}|\be[12]-\d{4}|fx-\d{4}",
    re.IGNORECASE,
)
_EPYC = re.compile(r"epyc\s*(\d{4})", re.IGNORECASE)


def _intel_core_generation(number: str) -> int:
    # 3 digits = 1st gen (i5-520M); 4 digits = generation in the first digit (i5-8250U), except
    # 10th gen and later written 1035G1 / 1135G7 / 1235U (first two digits); 5 digits = i5-10210U.
    if len(number) == 3:
        return 1
    if len(number) == 5 or number.startswith("1"):
        return int(number[:2])
    return int(number[0])


def _intel_by_cpuid(model: int | None, stepping: int | None) -> CpuSupport | None:
    if model is None:
        return None
    if model in _INTEL_SUPPORTED_MODELS:
        return CpuSupport(True, "cpuid")
    if model in _INTEL_SHARED_KABY_COFFEE:
        if stepping is None:
            return None
        return CpuSupport(stepping >= 10, "cpuid", "Coffee Lake or later" if stepping >= 10 else "Kaby Lake")
    if model == _INTEL_SKYLAKE_SP:
        if stepping is None:
            return None
        return CpuSupport(stepping >= 5, "cpuid")
    # Every other family-6 model is older than the list (Skylake, Broadwell, Apollo Lake…).
    return CpuSupport(False, "cpuid")


def windows11_cpu_support(
    model_name: str | None,
    *,
    vendor: str | None = None,
    family: int | None = None,
    model: int | None = None,
    stepping: int | None = None,
) -> CpuSupport:
    """Whether Microsoft lists this processor for Windows 11 (None when it cannot be told)."""
    name = model_name or ""
    vendor_l = (vendor or "").lower()
    is_intel = "intel" in vendor_l or "intel" in name.lower()
    is_amd = "amd" in vendor_l or "amd" in name.lower() or "ryzen" in name.lower()

    if is_intel:
        match = _CORE_I.search(name)
        if match:
            gen = _intel_core_generation(match.group(2))
            return CpuSupport(gen >= 8, "model string", f"Intel Core {gen}th gen")
        match = _CORE_M.search(name)
        if match:
            number = match.group(2)
            # m3-8100Y is 8th gen; m3-7Y30 / m5-6Y57 (digit, Y, two digits) are 6th/7th gen.
            gen = int(number[0])
            return CpuSupport(gen >= 8, "model string", f"Intel Core m {gen}th gen")
        if _CORE_ULTRA.search(name) or _CORE_N.search(name):
            return CpuSupport(True, "model string")
        if _OLD_INTEL.search(name):
            return CpuSupport(False, "model string")
        if _GEMINI_JASPER.search(name):
            return CpuSupport(True, "model string", "Gemini Lake / Jasper Lake")
        match = _XEON.search(name)
        if match:
            series = match.group(1).lower()
            if series.startswith(("bronze", "silver", "gold", "platinum")):
                digits = re.sub(r"\D", "", series)
                return CpuSupport(digits[1] != "1", "model string")
            return CpuSupport(True, "model string")
        if family == 6:
            by_id = _intel_by_cpuid(model, stepping)
            if by_id is not None:
                return by_id
        if _XEON_OLD.search(name):
            return CpuSupport(False, "model string")
        if family is not None and family != 6:
            return CpuSupport(False, "cpuid")  # Pentium 4 (family 15) and older
        return CpuSupport(None, "unknown Intel model")

    if is_amd:
        match = _RYZEN.search(name)
        if match:
            series = int(match.group(1))
            return CpuSupport(series >= 2, "model string", f"Ryzen {series}000 series")
        if _RYZEN_AI.search(name) or _ATHLON_NEW.search(name):
            return CpuSupport(True, "model string")
        match = _EPYC.search(name)
        if match:
            return CpuSupport(match.group(1)[-1] != "1", "model string")
        if _OLD_AMD.search(name):
            return CpuSupport(False, "model string")
        if family is not None:
            if family >= 0x19:
                return CpuSupport(True, "cpuid")
            if family == 0x17 and model is not None:
                # Model 0x01 is Zen 1 (Summit Ridge, Naples); 0x08 Zen+ and later are listed.
                return CpuSupport(model >= 0x08, "cpuid")
            if family < 0x17:
                return CpuSupport(False, "cpuid")
        return CpuSupport(None, "unknown AMD model")
    return CpuSupport(None, "unknown vendor")


__all__ = ["CpuSupport", "windows11_cpu_support"]
