"""device list: indexes for 1–2 character searches (start of asset code, serial, manufacturer, model)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 19:00:00

A trigram index cannot serve a needle of 1 or 2 characters: it used to scan `search_text` of
every device (65 ms with 100,000). Such a needle now matches the start of the asset code,
serial, manufacturer or model, ASCII letters in any case (`device_list._prefix_match`): one
B-tree per column on its lower-cased value, the exact expression `device_list.ascii_lower`
writes — `lower(col)` on SQLite (its built-in lower() folds ASCII only), `lower(col COLLATE "C")`
on PostgreSQL (ASCII only too, and byte-order comparisons for the query's ranges).

Expression indexes are not in the models (`migrate.UNMODELLED_PREFIXES`): their SQL differs
between the two databases. Without them the query gives the same answers, by scanning.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: index name → column (names start with `ix_devices_prefix_`, skipped by the schema check).
COLUMNS = {
    "ix_devices_prefix_asset_code": "asset_code",
    "ix_devices_prefix_serial": "serial",
    "ix_devices_prefix_manufacturer": "manufacturer",
    "ix_devices_prefix_product": "product",
}
EXPRESSION = {"sqlite": "lower({column})", "postgresql": 'lower({column} COLLATE "C")'}


def upgrade() -> None:
    expression = EXPRESSION.get(op.get_bind().dialect.name, EXPRESSION["sqlite"])
    for name, column in COLUMNS.items():
        op.execute(f"CREATE INDEX {name} ON devices ({expression.format(column=column)})")


def downgrade() -> None:
    for name in COLUMNS:
        op.execute(f"DROP INDEX IF EXISTS {name}")
