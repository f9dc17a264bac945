"""The effective configuration of a run: one model, every value with where it came from.

`Settings` is a plain class on the report schema's base (`agent.report._base.Model`), not a
pydantic model: importing pydantic and building a model cost seconds of `atelier run`'s start in
the emulated PCs of the test VMs (BENCHMARKS.md, issue 7), before the first screen. Values that
are already what the field holds (TOML numbers, CLI strings, defaults) are taken as they are;
anything else — text to convert from the environment or the kernel command line, a wrong type,
a value out of range — goes through pydantic, exactly as before, and its error names the field.
"""

from __future__ import annotations

import operator
import types
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

from agent._record import Record, field
from agent.report._base import Model

Mode = Literal["guided", "auto"]
EndAction = Literal["poweroff", "reboot", "wait"]
Profile = Literal["quick", "full"]
LabelFormat = Literal["tape62", "a4"]

#: A workshop's labels: letters and digits, dashes inside, 3–32 characters (input is upper-cased).
DEFAULT_ASSET_PATTERN = r"^[A-Z0-9][A-Z0-9-]{2,31}$"


class Bounds:
    """Limits of a number setting (`Annotated` metadata): checked here on the quick path, handed to
    pydantic as `Field(ge=…, gt=…, le=…)` when pydantic validates, so its messages are unchanged."""

    __slots__ = ("limits",)

    def __init__(self, **limits: float) -> None:
        self.limits = limits

    def accepts(self, value: float) -> bool:
        checks = {"ge": operator.ge, "gt": operator.gt, "le": operator.le}
        return all(checks[name](value, limit) for name, limit in self.limits.items())

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from pydantic import Field

        return handler(Annotated[source, Field(**self.limits)])  # type: ignore[call-overload]


class Settings(Model):
    """What `atelier run`, `sync`, `station` and `label` need; defaults are the guided workshop run."""

    server: str | None = None
    token: str | None = None
    mode: Mode = "guided"
    policy: str | None = None
    grading_policy: str | None = None
    profile: Profile = "quick"
    lang: Literal["fr", "en"] = "fr"
    asset_code: str | None = None
    asset_pattern: str = DEFAULT_ASSET_PATTERN
    disks: list[str] = field(default_factory=list)
    #: Checks left out by id ("memory", "cpu", "read-scan", "selftest", "interactive"…): a batch
    #: already tested elsewhere, or a demo on a developer's machine.
    skip_checks: list[str] = field(default_factory=list)
    end: EndAction = "wait"
    organisation: str | None = None
    operator: str | None = None
    station_name: str | None = None
    printer: str | None = None
    label_format: LabelFormat = "tape62"
    #: Room the data partition must have before anything is erased (report, certificates, logs).
    min_free_mb: Annotated[int, Bounds(ge=0)] = 8
    upload_attempts: Annotated[int, Bounds(ge=1, le=20)] = 5
    upload_timeout_s: Annotated[float, Bounds(gt=0)] = 20.0


#: Fields a config source may set, in the order `atelier config show` prints them.
FIELDS: tuple[str, ...] = tuple(name for name, _default, _factory, _repr in Settings.__fields_spec__)
SECRET_FIELDS = frozenset({"token"})

_HINTS: dict[str, Any] = {}
_REFUSED = object()


def _as_is(hint: Any, value: Any) -> Any:
    """`value` as the field holds it when no conversion is needed, else `_REFUSED`.

    Exact types only (a bool is not taken for an int, a str subclass is not a str): anything else
    is pydantic's to judge.
    """
    origin = get_origin(hint)
    if origin is Annotated:
        base, *metadata = get_args(hint)
        value = _as_is(base, value)
        if value is _REFUSED:
            return _REFUSED
        return value if all(m.accepts(value) for m in metadata if isinstance(m, Bounds)) else _REFUSED
    if origin is Literal:
        return value if type(value) is str and value in get_args(hint) else _REFUSED
    if origin is Union or origin is types.UnionType:
        if value is None and type(None) in get_args(hint):
            return None
        for option in get_args(hint):
            if option is not type(None):
                taken = _as_is(option, value)
                if taken is not _REFUSED:
                    return taken
        return _REFUSED
    if origin is list:
        (item,) = get_args(hint)
        if type(value) is list and all(_as_is(item, v) is v for v in value):
            return list(value)
        return _REFUSED
    if hint is str or hint is int:
        return value if type(value) is hint else _REFUSED
    if hint is float:
        return float(value) if type(value) is float or type(value) is int else _REFUSED
    return _REFUSED


def settings_from(values: dict[str, Any]) -> Settings:
    """Settings from merged configuration values; raises pydantic's ValidationError if one is wrong."""
    if not _HINTS:
        _HINTS.update(get_type_hints(Settings, include_extras=True))
    taken: dict[str, Any] = {}
    for name, value in values.items():
        hint = _HINTS.get(name)
        if hint is None or name not in FIELDS:
            return Settings.model_validate(values)
        taken[name] = _as_is(hint, value)
        if taken[name] is _REFUSED:
            return Settings.model_validate(values)
    return Settings(**taken)


class Effective(Record):
    """Settings plus, per field, the source that set it ("cli", "env", "cmdline", "file", "station", "default")."""

    settings: Settings
    origins: dict[str, str]
    data_dir: Path
    data_dir_origin: str
    config_file: Path | None = None


__all__ = [
    "DEFAULT_ASSET_PATTERN",
    "FIELDS",
    "SECRET_FIELDS",
    "Bounds",
    "Effective",
    "EndAction",
    "LabelFormat",
    "Mode",
    "Profile",
    "Settings",
    "settings_from",
]
