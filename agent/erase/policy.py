"""Erasure policies: named TOML files (shipped in `policies/`) or a path given by the station.

A policy decides *how* — technique preference, overwrite passes, verification level, HPA/DCO
restoration, Purge for hard disks, whether unattended erasure is allowed, time limits — never
*which* disks: that is the plan, guarded by `safety`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from agent.erase.patterns import Pattern
from agent.errors import InputError
from agent.i18n import _

POLICY_DIR = Path(__file__).parent / "policies"
Mode = Literal["auto", "overwrite-only", "firmware-only"]
VerifyLevel = Literal["full", "sampled", "none"]
_MODES: tuple[Mode, ...] = ("auto", "overwrite-only", "firmware-only")
_LEVELS: tuple[VerifyLevel, ...] = ("full", "sampled", "none")


@dataclass(frozen=True)
class Policy:
    name: str
    description: str = ""
    mode: Mode = "auto"
    #: Hard disks: use a firmware Purge (ATA SANITIZE OVERWRITE / SECURITY ERASE) instead of a Clear.
    hdd_purge: bool = False
    #: When a firmware erase fails or its verification does, overwrite instead of failing.
    fallback_to_overwrite: bool = True
    allow_hpa_dco_restore: bool = True
    passes: tuple[Pattern, ...] = (Pattern("zeros"),)
    verification: VerifyLevel = "full"
    sample_percent: float = 10.0
    sample_sections: int = 1000
    #: Erasing without a person confirming each disk (scripted runs over the whole plan).
    unattended: bool = False
    #: 0 = the drive's own estimate × 2 + 30 min (some NVMe sanitize operations never end).
    firmware_timeout_s: float = 0.0
    #: 0 = no limit; otherwise a pass slower than this is stopped and the result is INCOMPLETE.
    overwrite_timeout_s: float = 0.0
    source: str = ""

    @property
    def can_certify(self) -> bool:
        """A policy without verification can erase but never produce an "erased" certificate."""
        return self.verification != "none"


def _get(table: dict[str, Any], key: str, kind: type, default: Any, where: str) -> Any:
    if key not in table:
        return default
    value = table[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise InputError(
            _("Policy {where}: {key} must be a {kind}.").format(where=where, key=key, kind=kind.__name__)
        )
    return value


def parse_policy(text: str, *, source: str) -> Policy:
    """Build a Policy from TOML text; every mistake is an InputError naming the file and key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InputError(
            _("Policy {where} is not valid TOML: {error}").format(where=source, error=err)
        ) from err
    known = {"name", "description", "technique", "overwrite", "verification", "run"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise InputError(
            _("Policy {where}: unknown setting {key}.").format(where=source, key=", ".join(unknown))
        )
    technique = data.get("technique", {})
    overwrite = data.get("overwrite", {})
    verification = data.get("verification", {})
    run = data.get("run", {})
    for name, table in (
        ("technique", technique),
        ("overwrite", overwrite),
        ("verification", verification),
        ("run", run),
    ):
        if not isinstance(table, dict):
            raise InputError(_("Policy {where}: [{key}] must be a table.").format(where=source, key=name))
    mode = _get(technique, "mode", str, "auto", source)
    if mode not in _MODES:
        raise InputError(
            _("Policy {where}: {key} must be one of {choices}.").format(
                where=source, key="technique.mode", choices=", ".join(_MODES)
            )
        )
    level = _get(verification, "level", str, "full", source)
    if level not in _LEVELS:
        raise InputError(
            _("Policy {where}: {key} must be one of {choices}.").format(
                where=source, key="verification.level", choices=", ".join(_LEVELS)
            )
        )
    raw_passes = overwrite.get("passes", ["zeros"])
    if not isinstance(raw_passes, list) or not raw_passes or not all(isinstance(p, str) for p in raw_passes):
        raise InputError(
            _("Policy {where}: overwrite.passes must be a non-empty list of patterns.").format(where=source)
        )
    try:
        passes = tuple(Pattern.parse(p) for p in raw_passes)
    except ValueError as err:
        raise InputError(_("Policy {where}: {error}").format(where=source, error=err)) from err
    percent = _get(verification, "sample_percent", float, 10.0, source)
    sections = _get(verification, "sample_sections", int, 1000, source)
    if percent < 10.0 or percent > 100.0 or sections < 1000:
        raise InputError(
            _(
                "Policy {where}: sampling must cover at least 10 % of the disk over at least 1,000 sections (NIST SP 800-88)."
            ).format(where=source)
        )
    return Policy(
        name=_get(data, "name", str, Path(source).stem, source),
        description=_get(data, "description", str, "", source),
        mode=mode,
        hdd_purge=_get(technique, "hdd_purge", bool, False, source),
        fallback_to_overwrite=_get(technique, "fallback_to_overwrite", bool, True, source),
        allow_hpa_dco_restore=_get(technique, "allow_hpa_dco_restore", bool, True, source),
        passes=passes,
        verification=level,
        sample_percent=percent,
        sample_sections=sections,
        unattended=_get(run, "unattended", bool, False, source),
        firmware_timeout_s=60.0 * _get(run, "firmware_timeout_minutes", float, 0.0, source),
        overwrite_timeout_s=3600.0 * _get(run, "overwrite_timeout_hours", float, 0.0, source),
        source=source,
    )


def shipped_policies() -> list[str]:
    return sorted(p.stem for p in POLICY_DIR.glob("*.toml"))


def load_policy(name_or_path: str | None) -> Policy:
    """`None` → the shipped default; a shipped name ('dod-short'); or a path to a TOML file."""
    name = name_or_path or "default"
    path = Path(name)
    if path.suffix != ".toml" and "/" not in name:
        path = POLICY_DIR / f"{name}.toml"
        if not path.is_file():
            raise InputError(
                _(
                    "Unknown policy {name}. Shipped policies: {names}; or give the path of a .toml file."
                ).format(name=name, names=", ".join(shipped_policies()))
            )
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise InputError(
            _("Policy {where} cannot be read: {error}").format(where=path, error=err.strerror)
        ) from err
    return parse_policy(text, source=str(path))


__all__ = ["POLICY_DIR", "Mode", "Policy", "VerifyLevel", "load_policy", "parse_policy", "shipped_policies"]
