"""Bring a database to the newest schema (`alembic upgrade head`), from the app or the CLI."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from server_stub.config import Settings

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(settings: Settings) -> Config:
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["settings"] = settings
    config.attributes["configure_logger"] = False
    return config


#: Search structures the migrations create outside the models (0002): the SQLite FTS5 table with
#: its shadow tables, and PostgreSQL's pg_trgm index; (0004) the expression indexes of short
#: searches. Autogenerate and the schema check skip them.
UNMODELLED_PREFIXES = ("devices_fts", "ix_devices_search_trgm", "ix_devices_prefix_")


def include_name(name: str | None, type_: str, parent_names: Mapping[Any, str | None]) -> bool:
    """Alembic's `include_name` hook: everything but the unmodelled search structures."""
    return not (name or "").startswith(UNMODELLED_PREFIXES)


def upgrade(settings: Settings, engine: Engine | None = None, revision: str = "head") -> None:
    config = alembic_config(settings)
    if engine is None:
        command.upgrade(config, revision)
        return
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


__all__ = ["MIGRATIONS", "UNMODELLED_PREFIXES", "alembic_config", "include_name", "upgrade"]
