"""Core statements compiled once and run on the database driver's cursor (the ingest hot path).

Storing a report takes eight statements (savepoint, lookups, inserts, update, release). Through
SQLAlchemy's `Connection.execute` each cost 100–250 µs of Python (cache key, execution context,
events, result wrapping), a savepoint 240 µs, against 5–20 µs on the driver's cursor: the
statements' bookkeeping cost more than storing the report. Here a statement is compiled by
SQLAlchemy once per dialect — same SQL text, same parameter conversions (the column types' bind
and result processors: UUIDs, UTC datetimes, JSON, booleans) — and then run on the cursor of the
connection's own transaction. Driver errors are turned into SQLAlchemy's exceptions, so callers
and the API's error handlers see the same IntegrityError/DataError/OperationalError as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement

Processor = Callable[[Any], Any]


class DriverStatement:
    """One statement for one dialect: its SQL text and how to convert parameters and results.

    `keys` are the parameter names an INSERT or UPDATE receives (its compiled column list). Column
    defaults are NOT applied (the execution context does that, and it is bypassed): every column
    with a default must be given a value.
    """

    def __init__(self, statement: ClauseElement, dialect: Dialect, keys: Sequence[str] | None = None) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=list(keys) if keys is not None else None)
        assert isinstance(compiled, SQLCompiler)
        self.sql = compiled.string
        self._compiled = compiled
        self._order: list[str] | None = list(compiled.positiontup or []) if compiled.positional else None
        self._binds: list[tuple[str, Processor]] = []
        for name, bind in compiled.binds.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                self._binds.append((name, process))
        # What a SELECT, or an INSERT … RETURNING, gives back.
        self._results: list[Processor | None] = [
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in getattr(statement, "exported_columns", ())
        ]

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        params = dict(self._compiled.construct_params(dict(values)))
        for name, process in self._binds:
            if name in params:
                params[name] = process(params[name])
        if self._order is not None:
            return [params[name] for name in self._order]
        return params

    def row(self, raw: Sequence[Any] | None) -> tuple[Any, ...] | None:
        if raw is None:
            return None
        return tuple(
            value if process is None or value is None else process(value)
            for value, process in zip(raw, self._results, strict=True)
        )


class DriverCursor:
    """A cursor on a Core connection's own driver connection (so: inside its transaction)."""

    def __init__(self, connection: Connection) -> None:
        self.dialect = connection.dialect
        self._cursor = connection.connection.cursor()
        self._error = connection.dialect.loaded_dbapi.Error

    def _run(self, statement: DriverStatement, params: Any, many: bool = False) -> None:
        try:
            if many:
                self._cursor.executemany(statement.sql, params)
            else:
                self._cursor.execute(statement.sql, params)
        except self._error as err:
            raise DBAPIError.instance(statement.sql, params, err, self._error) from err

    def execute(self, statement: DriverStatement, values: Mapping[str, Any]) -> None:
        self._run(statement, statement.parameters(values))

    def executemany(self, statement: DriverStatement, rows: Sequence[Mapping[str, Any]]) -> None:
        self._run(statement, [statement.parameters(values) for values in rows], many=True)

    def first(self, statement: DriverStatement, values: Mapping[str, Any]) -> tuple[Any, ...] | None:
        self.execute(statement, values)
        return statement.row(self._cursor.fetchone())

    def scalar(self, statement: DriverStatement, values: Mapping[str, Any]) -> Any:
        row = self.first(statement, values)
        return None if row is None else row[0]

    @contextmanager
    def savepoint(self, name: str = "ingest_report") -> Iterator[None]:
        """`Connection.begin_nested()` in plain SQL: rolled back to on error, released always."""
        self._plain(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self._plain(f"ROLLBACK TO SAVEPOINT {name}")
            self._plain(f"RELEASE SAVEPOINT {name}")
            raise
        self._plain(f"RELEASE SAVEPOINT {name}")

    def _plain(self, sql: str) -> None:
        try:
            self._cursor.execute(sql)
        except self._error as err:
            raise DBAPIError.instance(sql, None, err, self._error) from err

    def close(self) -> None:
        self._cursor.close()


__all__ = ["DriverCursor", "DriverStatement"]
