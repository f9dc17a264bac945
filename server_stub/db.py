"""Engine and session factories, one pair per app (never created at import).

SQLite runs in WAL mode (readers never block the writer), with a busy timeout and foreign keys on.
Write transactions on SQLite start with `BEGIN IMMEDIATE`: a deferred transaction that reads then
writes fails at once with "database is locked" when another writer committed in between, and the
busy timeout does not help in that case.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from server_stub.config import Settings

BUSY_TIMEOUT_MS = 30_000


@dataclass(frozen=True)
class Database:
    engine: Engine
    #: Sessions for reads (deferred transactions).
    read: sessionmaker[Session]
    #: Sessions for writes (`BEGIN IMMEDIATE` on SQLite; the same as `read` elsewhere).
    write: sessionmaker[Session]
    #: SQLite has one writer at a time: hot write paths (report ingest) queue on this lock in the
    #: process instead of in SQLite's busy handler, which sleeps up to 100 ms between retries.
    write_lock: AbstractContextManager[Any] = field(default_factory=nullcontext)

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        """A session committed on success, rolled back on error, always closed."""
        factory = self.write if write else self.read
        with factory() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(synchronous: str) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's implicit BEGIN is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()

    return on_connect


def _sqlite_begin(conn: Any) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(settings: Settings) -> Engine:
    url = settings.resolved_database_url
    if url.startswith("sqlite"):
        if ":memory:" not in url and url.startswith("sqlite:///"):
            settings.ensure_data_dir()
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
            pool_size=20,
            max_overflow=20,
        )
        event.listen(engine, "connect", _sqlite_pragmas(settings.sqlite_synchronous))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def make_database(settings: Settings) -> Database:
    engine = make_engine(settings)
    read = sessionmaker(bind=engine, expire_on_commit=False)
    if engine.dialect.name == "sqlite":
        write = sessionmaker(bind=engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False)
        return Database(engine=engine, read=read, write=write, write_lock=threading.Lock())
    return Database(engine=engine, read=read, write=read)


__all__ = ["Database", "make_database", "make_engine"]
