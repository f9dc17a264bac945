"""The grading policy: a TOML file the workshop may copy and edit (thresholds, grade per rule)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.errors import InputError
from agent.i18n import _

GradeLetter = Literal["A", "B", "C", "D"]
RuleSetting = Literal["A", "B", "C", "D", "off"]

POLICY_DIR = Path(__file__).parent / "policies"
DEFAULT_POLICY = "default"

#: Every rule the grader knows; a policy may not name others (a typo must not silently disable one).
KNOWN_RULES = (
    "disk-failing",
    "disk-warning",
    "disk-read-errors",
    "no-disk",
    "hdd-system-disk",
    "ram-low",
    "ram-soldered-low",
    "battery-replace",
    "battery-worn",
    "cpu-32bit",
    "cpu-old-isa",
    "cpu-errors",
    "memory-errors",
    "overheating",
    "keyboard-fault",
    "screen-fault",
    "speaker-fault",
    "webcam-fault",
    "pointer-fault",
    "usb-port-fault",
    "appearance-poor",
    "network-fault",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Thresholds(_Strict):
    ram_min_gb: float = 4
    ram_module_gb: int = 4
    ram_soldered_parts_below_gb: float = 2
    battery_replace_below_percent: float = 60
    battery_disclose_below_percent: float = 80
    ssd_min_gb: int = 240
    storage_min_gb: float = 20


class NextStep(_Strict):
    fr: str
    en: str


class GradingPolicy(_Strict):
    name: str = DEFAULT_POLICY
    description: str | None = None
    thresholds: Thresholds = Field(default_factory=Thresholds)
    rules: dict[str, RuleSetting] = Field(default_factory=dict)
    next_step: dict[GradeLetter, NextStep] = Field(default_factory=dict)

    def rule_grade(self, rule: str) -> GradeLetter | None:
        """The grade a rule gives, or None when the policy turns it off."""
        setting = self.rules.get(rule, "off")
        return None if setting == "off" else setting


def _policy_path(path_or_name: str | None) -> Path:
    if not path_or_name:
        return POLICY_DIR / f"{DEFAULT_POLICY}.toml"
    candidate = Path(path_or_name)
    if candidate.suffix == ".toml" or candidate.exists() or "/" in path_or_name:
        return candidate
    return POLICY_DIR / f"{path_or_name}.toml"


def parse_policy(text: str, *, source: str = "policy") -> GradingPolicy:
    """A policy from TOML text; InputError (exit 3) tells what is wrong and where."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InputError(_("{0}: not valid TOML ({1})").format(source, err)) from err
    unknown = sorted(set(data.get("rules", {}) or {}) - set(KNOWN_RULES))
    if unknown:
        raise InputError(
            _("{0}: unknown rule(s) {1}; known rules: {2}").format(
                source, ", ".join(unknown), ", ".join(KNOWN_RULES)
            )
        )
    try:
        return GradingPolicy.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise InputError(
            _("{0}: invalid value at {1} ({2})").format(source, where, first.get("msg"))
        ) from err


def load_policy(path_or_name: str | None = None) -> GradingPolicy:
    """The shipped default policy, a shipped policy by name, or a workshop's TOML file."""
    path = _policy_path(path_or_name)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise InputError(_("cannot read the grading policy {0}: {1}").format(path, err.strerror)) from err
    return parse_policy(text, source=str(path))


__all__ = [
    "DEFAULT_POLICY",
    "KNOWN_RULES",
    "GradeLetter",
    "GradingPolicy",
    "NextStep",
    "Thresholds",
    "load_policy",
    "parse_policy",
]
