"""The effective configuration of a run: one pydantic model, every value with where it came from."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Mode = Literal["guided", "auto"]
EndAction = Literal["poweroff", "reboot", "wait"]
Profile = Literal["quick", "full"]
LabelFormat = Literal["tape62", "a4"]

#: A workshop's labels: letters and digits, dashes inside, 3–32 characters (input is upper-cased).
DEFAULT_ASSET_PATTERN = r"^[A-Z0-9][A-Z0-9-]{2,31}$"


class Settings(BaseModel):
    """What `atelier run`, `sync`, `station` and `label` need; defaults are the guided workshop run."""

    model_config = ConfigDict(extra="forbid")

    server: str | None = None
    token: str | None = None
    mode: Mode = "guided"
    policy: str | None = None
    grading_policy: str | None = None
    profile: Profile = "quick"
    lang: Literal["fr", "en"] = "fr"
    asset_code: str | None = None
    asset_pattern: str = DEFAULT_ASSET_PATTERN
    disks: list[str] = Field(default_factory=list)
    #: Checks left out by id ("memory", "cpu", "read-scan", "selftest", "interactive"…): a batch
    #: already tested elsewhere, or a demo on a developer's machine.
    skip_checks: list[str] = Field(default_factory=list)
    end: EndAction = "wait"
    organisation: str | None = None
    operator: str | None = None
    station_name: str | None = None
    printer: str | None = None
    label_format: LabelFormat = "tape62"
    #: Room the data partition must have before anything is erased (report, certificates, logs).
    min_free_mb: int = Field(default=8, ge=0)
    upload_attempts: int = Field(default=5, ge=1, le=20)
    upload_timeout_s: float = Field(default=20.0, gt=0)


#: Fields a config source may set, in the order `atelier config show` prints them.
FIELDS: tuple[str, ...] = tuple(Settings.model_fields)
SECRET_FIELDS = frozenset({"token"})


class Effective(BaseModel):
    """Settings plus, per field, the source that set it ("cli", "env", "cmdline", "file", "station", "default")."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    settings: Settings
    origins: dict[str, str]
    data_dir: Path
    data_dir_origin: str
    config_file: Path | None = None


__all__ = [
    "DEFAULT_ASSET_PATTERN",
    "FIELDS",
    "SECRET_FIELDS",
    "Effective",
    "EndAction",
    "LabelFormat",
    "Mode",
    "Profile",
    "Settings",
]
