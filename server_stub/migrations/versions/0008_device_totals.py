"""device totals kept by triggers: the unfiltered device list's exact total without a count

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 23:20:00

The device list's first page says how many devices there are. Counting them read an index of
100,000 entries on every page: 10 ms on SQLite, 11–14 ms on PostgreSQL (a quarter of the page).
`device_totals` holds the number, and triggers on `devices` keep it, whatever inserts or deletes
rows (the API, the web UI, a bulk load, a script): it is exact inside every transaction, and a
rolled-back insert takes its +1 back with it. On PostgreSQL the triggers run once per statement
(transition tables), so a bulk insert adds its count once; transactions that create devices
take turns on the row until they commit (ingest writes one batch at a time per process anyway).

The triggers are not in the models. A later SQLite batch migration that recreates `devices`
drops them: it must run `create_triggers()` again (as 0002's `create_sqlite_search()`).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE = (
    "CREATE TRIGGER device_totals_insert AFTER INSERT ON devices BEGIN "
    "UPDATE device_totals SET devices = devices + 1 WHERE id = 1; END",
    "CREATE TRIGGER device_totals_delete AFTER DELETE ON devices BEGIN "
    "UPDATE device_totals SET devices = devices - 1 WHERE id = 1; END",
)
POSTGRESQL = (
    "CREATE FUNCTION device_totals_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP = 'INSERT' THEN "
    "UPDATE device_totals SET devices = devices + (SELECT count(*) FROM added) WHERE id = 1; "
    "ELSE UPDATE device_totals SET devices = devices - (SELECT count(*) FROM removed) WHERE id = 1; "
    "END IF; RETURN NULL; END $$",
    "CREATE TRIGGER device_totals_insert AFTER INSERT ON devices REFERENCING NEW TABLE AS added "
    "FOR EACH STATEMENT EXECUTE FUNCTION device_totals_count()",
    "CREATE TRIGGER device_totals_delete AFTER DELETE ON devices REFERENCING OLD TABLE AS removed "
    "FOR EACH STATEMENT EXECUTE FUNCTION device_totals_count()",
)
DROP = {
    "sqlite": ("DROP TRIGGER IF EXISTS device_totals_insert", "DROP TRIGGER IF EXISTS device_totals_delete"),
    "postgresql": (
        "DROP TRIGGER IF EXISTS device_totals_insert ON devices",
        "DROP TRIGGER IF EXISTS device_totals_delete ON devices",
        "DROP FUNCTION IF EXISTS device_totals_count()",
    ),
}


def create_triggers() -> None:
    bind = op.get_bind()
    for statement in SQLITE if bind.dialect.name == "sqlite" else POSTGRESQL:
        bind.exec_driver_sql(statement)


def upgrade() -> None:
    op.create_table(
        "device_totals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("devices", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_totals")),
    )
    # Counted and kept in the same transaction: no device is added between the two.
    op.execute("INSERT INTO device_totals (id, devices) SELECT 1, count(*) FROM devices")
    create_triggers()


def downgrade() -> None:
    for statement in DROP.get(op.get_bind().dialect.name, ()):
        op.execute(statement)
    op.drop_table("device_totals")
