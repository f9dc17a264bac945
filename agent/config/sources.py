"""Where configuration comes from, strongest first: CLI flags, environment, kernel command line,
`atelier.toml` on the stick's data partition, the station file written by `station register`,
built-in defaults.

The kernel command line is how the live image's boot menu chooses guided / unattended runs
(`atelier.mode=auto atelier.server=http://…`); it is read through the Host so tests replay it,
and `ATELIER_CMDLINE` points at another file for tests and demos.
"""

from __future__ import annotations

import os
import shlex
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agent.config.model import FIELDS, Effective, settings_from
from agent.errors import InputError, UsageError
from agent.host import Host, HostFileError
from agent.i18n import _

CONFIG_FILE = "atelier.toml"
STATION_FILE = "station.toml"
#: Where the live image mounts the stick's FAT partition labelled ATELIER.
STICK_DATA_DIR = Path("/run/atelier-data")
CMDLINE_PATH = "/proc/cmdline"

#: atelier.<key>= on the kernel command line → setting. Short names keep boot entries readable.
CMDLINE_KEYS = {
    "server": "server",
    "token": "token",
    "mode": "mode",
    "policy": "policy",
    "profile": "profile",
    "lang": "lang",
    "asset": "asset_code",
    "asset_code": "asset_code",
    "disks": "disks",
    "end": "end",
    "printer": "printer",
    "operator": "operator",
    "skip_checks": "skip_checks",
}
_LIST_FIELDS = frozenset({"disks", "skip_checks"})


def _split_list(value: Any) -> Any:
    if isinstance(value, str):
        return [item for item in value.replace(",", " ").split() if item]
    return value


def from_cmdline(text: str) -> dict[str, Any]:
    """`atelier.*` parameters of a kernel command line; anything else is the kernel's business."""
    try:
        words = shlex.split(text)
    except ValueError:  # an unbalanced quote: fall back to plain words rather than ignore everything
        words = text.split()
    values: dict[str, Any] = {}
    for word in words:
        if not word.startswith("atelier.") or "=" not in word:
            continue
        key, _sep, value = word[len("atelier.") :].partition("=")
        field = CMDLINE_KEYS.get(key.strip().lower())
        if field:
            values[field] = _split_list(value) if field in _LIST_FIELDS else value
    return values


def read_cmdline(host: Host | None, env: Mapping[str, str]) -> dict[str, Any]:
    path = env.get("ATELIER_CMDLINE") or CMDLINE_PATH
    if host is None:
        from agent.host import LiveHost

        host = LiveHost()
    try:
        return from_cmdline(host.read_text(path))
    except HostFileError:
        return {}


def from_env(env: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in FIELDS:
        raw = env.get(f"ATELIER_{field.upper()}")
        if raw is not None and raw != "":
            values[field] = _split_list(raw) if field in _LIST_FIELDS else raw
    return values


def read_toml(path: Path) -> dict[str, Any]:
    """Keys of the file's top level (or of an `[atelier]` table), unknown keys refused by name."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise InputError(
            _("The configuration file {path} cannot be read: {error}").format(path=path, error=err)
        ) from err
    table = data.get("atelier", data) if isinstance(data.get("atelier"), dict) else data
    unknown = sorted(set(table) - set(FIELDS))
    if unknown:
        raise InputError(
            _("The configuration file {path} has unknown settings: {names}").format(
                path=path, names=", ".join(unknown)
            )
        )
    return {k: (_split_list(v) if k in _LIST_FIELDS else v) for k, v in table.items()}


def read_station_file(path: Path) -> dict[str, Any]:
    """The token and server `atelier station register` stored; a broken file is ignored, not fatal."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    values: dict[str, Any] = {}
    for key, field in (("token", "token"), ("server", "server"), ("name", "station_name")):
        if isinstance(data.get(key), str) and data[key]:
            values[field] = data[key]
    return values


def resolve_data_dir(cli: str | os.PathLike[str] | None, env: Mapping[str, str]) -> tuple[Path, str]:
    """--data-dir, ATELIER_DATA_DIR, the stick's mounted data partition, else ~/.local/share/atelier."""
    if cli:
        return Path(cli), "cli"
    if env.get("ATELIER_DATA_DIR"):
        return Path(env["ATELIER_DATA_DIR"]), "env"
    if os.path.ismount(STICK_DATA_DIR):
        return STICK_DATA_DIR, "stick"
    home = Path(env.get("HOME") or Path.home())
    return home / ".local" / "share" / "atelier", "default"


def load_settings(
    cli: Mapping[str, Any] | None = None,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    host: Host | None = None,
) -> Effective:
    """Merge every source; `cli` holds only the flags the person actually gave (None = not given)."""
    env = os.environ if env is None else env
    directory, dir_origin = resolve_data_dir(data_dir, env)
    config_file = directory / CONFIG_FILE
    layers: list[tuple[str, dict[str, Any]]] = [
        ("station", read_station_file(directory / STATION_FILE)),
        ("file", read_toml(config_file)),
        ("cmdline", read_cmdline(host, env)),
        ("env", from_env(env)),
        ("cli", {k: v for k, v in (cli or {}).items() if v is not None and v != []}),
    ]
    merged: dict[str, Any] = {}
    origins = {field: "default" for field in FIELDS}
    for origin, values in layers:
        for key, value in values.items():
            if key in FIELDS:
                merged[key] = value
                origins[key] = origin
    if isinstance(merged.get("lang"), str):
        merged["lang"] = merged["lang"].split("_")[0].lower()
    try:
        settings = settings_from(merged)
    except ValueError as err:  # pydantic's ValidationError: pydantic is imported only when needed
        if not hasattr(err, "errors"):
            raise
        first = err.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "?"
        origin = origins.get(field, "?")
        message = _("Invalid setting {field} (from {origin}): {problem}").format(
            field=field, origin=origin_label(origin), problem=first["msg"]
        )
        raise (UsageError(message) if origin == "cli" else InputError(message)) from err
    return Effective(
        settings=settings,
        origins=origins,
        data_dir=directory,
        data_dir_origin=dir_origin,
        config_file=config_file if config_file.exists() else None,
    )


def origin_label(origin: str) -> str:
    labels = {
        "cli": _("command line option"),
        "env": _("environment"),
        "cmdline": _("kernel command line"),
        "file": _("configuration file"),
        "station": _("station registration"),
        "stick": _("USB stick data partition"),
        "default": _("default"),
    }
    return labels.get(origin, origin)


__all__ = [
    "CMDLINE_KEYS",
    "CONFIG_FILE",
    "STATION_FILE",
    "STICK_DATA_DIR",
    "from_cmdline",
    "from_env",
    "load_settings",
    "origin_label",
    "read_cmdline",
    "read_station_file",
    "read_toml",
    "resolve_data_dir",
]
