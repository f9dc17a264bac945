"""device list indexes: trigram text search, run date with activity

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 15:50:00

- Text search (`devices.search_text` contains the needle): SQLite gets an FTS5 table with the
  trigram tokenizer (SQLite >= 3.34) over `search_text`, kept by triggers — case-sensitive, as
  both the text and the needle are lower-cased by Python: no Unicode folding of its own, so a
  phrase match is exactly `LIKE '%needle%'`; PostgreSQL a pg_trgm
  GIN index, which its planner uses for `LIKE '%needle%'` by itself. Either is skipped when the
  database cannot have it (FTS5 or trigram missing from the SQLite build, pg_trgm not installed
  or not allowed): the search then scans, with the same answers (`device_list` checks at run time).
- `(last_run_at, updated_at)`: a run-date range listed by latest activity picks its page from
  the index alone instead of reading and sorting every run of the period.

The FTS table and its triggers are not in the models (`migrate.include_name` hides them from
autogenerate). A later SQLite batch migration that recreates `devices` drops the triggers: it
must run `create_sqlite_search()` again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from alembic import op
from sqlalchemy import exc

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("atelier.server")

SQLITE_SEARCH = (
    "CREATE VIRTUAL TABLE devices_fts USING fts5("
    "search_text, content='devices', content_rowid='id', tokenize='trigram case_sensitive 1')",
    # External content: the index holds trigrams only; every change of `search_text` is told to it.
    "CREATE TRIGGER devices_fts_insert AFTER INSERT ON devices BEGIN "
    "INSERT INTO devices_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER devices_fts_delete AFTER DELETE ON devices BEGIN "
    "INSERT INTO devices_fts(devices_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "END",
    # Every report rewrites the device row; its search text rarely changes (same machine).
    "CREATE TRIGGER devices_fts_update AFTER UPDATE OF search_text ON devices "
    "WHEN old.search_text IS NOT new.search_text BEGIN "
    "INSERT INTO devices_fts(devices_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO devices_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO devices_fts(devices_fts) VALUES ('rebuild')",
)
SQLITE_SEARCH_DROP = (
    "DROP TRIGGER IF EXISTS devices_fts_insert",
    "DROP TRIGGER IF EXISTS devices_fts_delete",
    "DROP TRIGGER IF EXISTS devices_fts_update",
    "DROP TABLE IF EXISTS devices_fts",
)


def create_sqlite_search() -> None:
    bind = op.get_bind()
    try:
        with bind.begin_nested():
            for statement in SQLITE_SEARCH:
                bind.exec_driver_sql(statement)
    except exc.OperationalError as err:  # "no such module: fts5", "no such tokenizer: trigram"
        log.warning("text search without an index (SQLite FTS5 trigram unavailable: %s)", err.orig)


def create_postgresql_search() -> None:
    bind = op.get_bind()
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            bind.exec_driver_sql(
                "CREATE INDEX ix_devices_search_trgm ON devices USING gin (search_text gin_trgm_ops)"
            )
    except exc.DBAPIError as err:  # extension not installed, or not allowed for this role
        log.warning("text search without an index (pg_trgm unavailable: %s)", err.orig)


def upgrade() -> None:
    op.create_index("ix_devices_last_run_updated", "devices", ["last_run_at", "updated_at"], unique=False)
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        create_sqlite_search()
    elif dialect == "postgresql":
        create_postgresql_search()


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_SEARCH_DROP:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_devices_search_trgm")
    op.drop_index("ix_devices_last_run_updated", table_name="devices")
