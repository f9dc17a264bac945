"""Alembic: empty → head on SQLite and PostgreSQL, and the result matches the models exactly."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.engine import make_url

from server_stub.migrate import alembic_config, include_name, upgrade
from server_stub.models import Base

from .conftest import PG_URL, make_settings


def _index_names(conn: Connection) -> set[str]:
    # (SQLAlchemy's inspector skips expression indexes.)
    if conn.dialect.name == "sqlite":
        return set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'")).scalars())
    return set(conn.execute(text("SELECT indexname FROM pg_indexes WHERE tablename = 'devices'")).scalars())


def _check(url: str, settings_dir: Path) -> None:
    settings = make_settings(settings_dir, url)
    upgrade(settings)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            assert {"devices", "reports", "certificates", "stations", "outcomes", "alembic_version"} <= tables
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": include_name}
            )
            assert compare_metadata(context, Base.metadata) == []
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0008"
            # The text search's trigram index (migration 0002) and the short searches' prefix
            # indexes (0004), outside the models.
            prefix = {f"ix_devices_prefix_{c}" for c in ("asset_code", "serial", "manufacturer", "product")}
            if conn.dialect.name == "sqlite":
                assert "devices_fts" in tables
            else:
                assert "ix_devices_search_trgm" in _index_names(conn)
            assert prefix <= _index_names(conn)
        command.downgrade(alembic_config(settings), "0003")  # through 0008 … 0004
        with engine.connect() as conn:
            assert not prefix & _index_names(conn)
        command.downgrade(alembic_config(settings), "base")
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
        upgrade(settings)  # and back up again
    finally:
        engine.dispose()


def test_sqlite_empty_to_head(tmp_path: Path) -> None:
    _check(f"sqlite:///{tmp_path / 'fresh.db'}", tmp_path)


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="ATELIER_TEST_PG_URL not set")
def test_postgresql_empty_to_head(tmp_path: Path) -> None:
    name = f"atelier_mig_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        _check(make_url(PG_URL).set(database=name).render_as_string(hide_password=False), tmp_path)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_alembic_command_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "ATELIER_SERVER_DATA_DIR": str(tmp_path), "ATELIER_SERVER_DATABASE_URL": ""}
    alembic = Path(sys.executable).with_name("alembic")
    result = subprocess.run(
        [str(alembic), "-c", str(root / "server_stub" / "migrations" / "alembic.ini"), "upgrade", "head"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=root,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "atelier.db").exists()


def test_sqlite_batch_counts_index_gets_statistics(tmp_path: Path) -> None:
    """On an analysed database, 0005, 0006 and 0007 analyse their indexes too: without statistics SQLite
    took 0005's for the most selective and listed a batch from it, sorting every machine of the
    batch."""
    settings = make_settings(tmp_path)
    upgrade(settings, revision="0004")
    engine = create_engine(f"sqlite:///{tmp_path / 'atelier.db'}")
    try:
        with engine.begin() as conn:
            for i in range(3):
                conn.execute(
                    text(
                        "INSERT INTO devices (asset_code, erasure_status, signature_status, report_count, "
                        "search_text, created_at, updated_at) VALUES (:code, 'none', 'none', 0, '', "
                        "'2026-11-29', '2026-11-29')"
                    ),
                    {"code": f"AT-{i}"},
                )
            conn.exec_driver_sql("ANALYZE")
        upgrade(settings)
        with engine.connect() as conn:
            stats = conn.exec_driver_sql("SELECT idx FROM sqlite_stat1").scalars().all()
            assert {"ix_devices_batch_counts", "ix_devices_last_run_updated", "ix_devices_updated"} <= set(
                stats
            )
    finally:
        engine.dispose()
