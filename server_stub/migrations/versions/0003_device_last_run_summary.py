"""devices keep their newest run's duration and erasure techniques (for the dashboard)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 16:05:00

The dashboard used to join every machine of the period to its newest report (for the run's
duration) and that report's certificates (for the techniques): 100,000 random reads into a
multi-gigabyte table, 5.7 s of CPU. Ingest now writes both on the device row; this fills them
for the devices already there. Plain `ADD COLUMN` (no SQLite batch copy of `devices`, which
would drop the text search's triggers of 0002).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SECONDS = {
    "sqlite": "(julianday(r.finished_at) - julianday(r.started_at)) * 86400.0",
    "postgresql": "EXTRACT(EPOCH FROM r.finished_at - r.started_at)",
}
TECHNIQUES = {
    "sqlite": "group_concat(c.technique, char(10))",
    "postgresql": "string_agg(c.technique, E'\\n' ORDER BY c.position)",
}


def upgrade() -> None:
    op.add_column("devices", sa.Column("last_run_seconds", sa.Float(), nullable=True))
    op.add_column("devices", sa.Column("last_run_techniques", sa.Text(), nullable=True))
    dialect = op.get_bind().dialect.name
    if dialect not in SECONDS:
        return
    op.execute(
        "UPDATE devices SET "
        f"last_run_seconds = (SELECT {SECONDS[dialect]} FROM reports r "
        "WHERE r.id = devices.latest_report_id AND r.finished_at >= r.started_at), "
        f"last_run_techniques = (SELECT {TECHNIQUES[dialect]} FROM certificates c "
        "WHERE c.report_id = devices.latest_report_id) "
        "WHERE latest_report_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_column("devices", "last_run_techniques")
    op.drop_column("devices", "last_run_seconds")
