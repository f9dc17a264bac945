"""The station: its Ed25519 key (kept by agent.certs) and the token the server gave at enrollment."""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from pathlib import Path

from agent.config.sources import STATION_FILE, read_station_file
from agent.errors import EnvironmentProblem
from agent.i18n import _
from agent.storage import atomic_write


@dataclass(frozen=True)
class Registration:
    station_id: str
    name: str
    token: str
    server: str
    fingerprint: str


def _toml_string(value: str) -> str:
    # A JSON string is a valid TOML basic string for everything a token, URL or name holds.
    return json.dumps(value, ensure_ascii=False)


def save_registration(data_dir: Path, registration: Registration) -> Path:
    lines = [
        "# Written by `atelier station register`. Keep this file private: the token posts reports.",
        f"station_id = {_toml_string(registration.station_id)}",
        f"name = {_toml_string(registration.name)}",
        f"server = {_toml_string(registration.server)}",
        f"token = {_toml_string(registration.token)}",
        f"key_fingerprint = {_toml_string(registration.fingerprint)}",
        "",
    ]
    try:
        return atomic_write(Path(data_dir) / STATION_FILE, "\n".join(lines).encode("utf-8"), mode=0o600)
    except OSError as err:
        raise EnvironmentProblem(
            _("Cannot save the station registration in {path}: {error}").format(
                path=data_dir, error=err.strerror
            )
        ) from err


def register_station(server: str, code: str, data_dir: Path, name: str | None = None) -> Registration:
    """Create the key if needed, enroll it with the supervisor's one-time code, store the token."""
    from agent.certs.keys import StationKey
    from agent.upload import ServerClient

    key = StationKey.load_or_create(Path(data_dir))
    station_name = name or socket.gethostname()
    answer = ServerClient(server).enroll(code, station_name, key.public_key_b64)
    registration = Registration(
        station_id=str(answer.get("station_id", "")),
        name=str(answer.get("name") or station_name),
        token=str(answer["token"]),
        server=server,
        fingerprint=key.fingerprint,
    )
    save_registration(Path(data_dir), registration)
    return registration


def registered_name(data_dir: Path) -> str | None:
    value = read_station_file(Path(data_dir) / STATION_FILE).get("station_name")
    return value if isinstance(value, str) else None


__all__ = ["Registration", "register_station", "registered_name", "save_registration"]
