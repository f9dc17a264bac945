"""run-date range lists from indexes alone: the run date in the activity index, the id in the
run-date index

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 22:40:00

A run-date range listed by activity (`device_list.list_devices`) is served, as the planner
chooses, by reading the range from `ix_devices_last_run_updated` and sorting it, or by walking
the activity order (`ix_devices_updated`) until it has a page. Each way was reading the table
for every machine it looked at: the activity walk for the run date it tests (an old month:
98,000 rows read, 110–160 ms on PostgreSQL, 160 ms on SQLite for every run before a date),
PostgreSQL's run-date index for the id (SQLite's indexes hold the row id anyway). With the
column added to each, both read the index only.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = {
    "ix_devices_updated": ["updated_at", "id"],
    "ix_devices_last_run_updated": ["last_run_at", "updated_at"],
}
AFTER = {
    "ix_devices_updated": ["updated_at", "id", "last_run_at"],
    "ix_devices_last_run_updated": ["last_run_at", "updated_at", "id"],
}


def _recreate(indexes: dict[str, list[str]]) -> None:
    bind = op.get_bind()
    for name, columns in indexes.items():
        op.drop_index(name, table_name="devices")
        op.create_index(name, "devices", columns, unique=False)
    if (
        bind.dialect.name == "sqlite"
        and bind.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first()
    ):
        # An analysed SQLite database loses a dropped index's statistics; without them SQLite
        # misjudges the new one (see 0005).
        for name in indexes:
            bind.exec_driver_sql(f"ANALYZE {name}")


def upgrade() -> None:
    _recreate(AFTER)


def downgrade() -> None:
    _recreate(BEFORE)
