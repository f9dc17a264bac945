"""Settings of the central inventory, from `ATELIER_SERVER_*` environment variables or arguments.

The secret that signs session cookies is generated into the data directory on first start; a
hand-set secret that is a known default (or too short) is refused outside development, because a
forged cookie is an admin login.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from agent.storage import atomic_write

DEFAULT_DATA_DIR = Path("atelier-data")
#: Secrets copied from examples: never acceptable outside development.
KNOWN_DEFAULT_SECRETS = frozenset({"changethis", "change-me", "secret", "development", "dev"})
MIN_SECRET_LENGTH = 32
SECRET_FILE = "secret_key"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ATELIER_SERVER_", extra="ignore")

    environment: Literal["production", "development", "test"] = "production"
    data_dir: Path = DEFAULT_DATA_DIR
    #: Empty means SQLite in the data directory.
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=1, le=65535)
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    #: Empty means: read (or create) `<data_dir>/secret_key`.
    secret_key: SecretStr = SecretStr("")
    session_hours: int = Field(default=12, ge=1)
    #: Set when the UI is served over HTTPS (a reverse proxy); the cookie is then never sent in clear.
    cookie_secure: bool = False
    #: scrypt cost (N = 2**log2_n). 17 is OWASP's minimum for scrypt; tests lower it for speed.
    scrypt_log2_n: int = Field(default=17, ge=10, le=20)
    #: WAL + synchronous=FULL: a report the server acknowledged survives a power cut (the agent then
    #: deletes its spooled copy). NORMAL is faster but may lose the last commits on power loss.
    sqlite_synchronous: Literal["FULL", "NORMAL"] = "FULL"
    #: Reports arriving together are stored in one transaction (one fsync), each answered only
    #: after that commit (server_stub.ingest). Off: one transaction per report (benchmarks compare).
    ingest_group_commit: bool = True
    #: Server processes (uvicorn workers). One Python process uses one core at most: a server
    #: that receives many reports at once wants one per core (SQLite is shared through its WAL).
    workers: int = Field(default=1, ge=1, le=64)
    enrollment_code_hours: int = Field(default=24, ge=1)
    #: Serve the web UI (server_stub.web) beside the API; off for an API-only service.
    web_ui: bool = True
    #: Run `alembic upgrade head` when the app is created.
    migrate_on_start: bool = True
    #: Password of the first admin when the database has no user (else one is generated and printed).
    admin_password: SecretStr = SecretStr("")

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        value = self.secret_key.get_secret_value()
        if (
            value
            and self.environment != "development"
            and (value.lower() in KNOWN_DEFAULT_SECRETS or len(value) < MIN_SECRET_LENGTH)
        ):
            raise ValueError(
                "ATELIER_SERVER_SECRET_KEY is a default or shorter than 32 characters: "
                "unset it (a random one is kept in the data directory) or set a long random value"
            )
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'atelier.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self.data_dir

    def signing_key(self) -> bytes:
        """The session-signing secret: the configured one, else the data directory's (created once)."""
        value = self.secret_key.get_secret_value()
        if value:
            return value.encode("utf-8")
        path = self.ensure_data_dir() / SECRET_FILE
        try:
            stored = path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            stored = ""
        if len(stored) < MIN_SECRET_LENGTH:
            stored = secrets.token_urlsafe(48)
            atomic_write(path, stored.encode("ascii"), mode=0o600)
        return stored.encode("ascii")


def data_dir_from_env() -> Path:
    return Path(os.environ.get("ATELIER_SERVER_DATA_DIR") or DEFAULT_DATA_DIR)


__all__ = ["DEFAULT_DATA_DIR", "Settings", "data_dir_from_env"]
