"""Many rows into one table, fast: what planning writes by the hundred thousand.

SQLAlchemy's executemany works out every row's parameters through the
compiled statement, which costs more than SQLite's own insert. On SQLite the
rows go straight to the driver instead (``executemany``, or one multi-row
``VALUES`` when the new rows' ids are wanted), each value through its
column type's bind processor, so what is stored is exactly what Core would
store. On PostgreSQL (psycopg) plain rows go in by ``COPY``, and new rows
whose ids are wanted by one ``INSERT .. SELECT FROM unnest(arrays)``.
Anything else (another dialect, a column default that is not a constant)
goes through Core's executemany.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Table, insert
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session

from qbwc_service.queue.keyed import batches


@dataclass(frozen=True)
class _Insert:
    """How rows with the same keys go into a SQLite table at the driver level."""

    head: str  # INSERT INTO t (columns) VALUES
    group: str  # (?, ?, ...): one row's placeholders
    pick: Callable[[dict[str, Any]], tuple[Any, ...]]  # a row's values, in column order
    defaults: tuple[Any, ...]  # then the scalar defaults of the columns not given
    processors: tuple[Callable[[Any], Any] | None, ...]

    @cached_property
    def processed(self) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
        """The columns with a bind processor, by position: the others pass as they are."""
        return tuple((i, process) for i, process in enumerate(self.processors) if process is not None)

    def values(self, row: dict[str, Any]) -> tuple[Any, ...]:
        """One row's parameters, as the column types store them."""
        return self.stored(self.pick(row) + self.defaults)

    def stored(self, values: tuple[Any, ...]) -> tuple[Any, ...]:
        """``values`` (every column, in order) as the column types store them."""
        if not self.processed:
            return values
        out = list(values)
        for i, process in self.processed:
            out[i] = process(out[i])
        return tuple(out)


_prepared: dict[tuple[str, tuple[str, ...]], _Insert | None] = {}


def insert_rows(db: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """``INSERT`` ``rows`` (dicts with the same keys) into ``table``, in the session's transaction."""
    if not rows:
        return
    keys = tuple(rows[0])
    insert_values(db, table, keys, list(map(_picker(keys), rows)))


def _picker(keys: tuple[str, ...]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """A row's values of ``keys``, as a tuple in that order."""
    return itemgetter(*keys) if len(keys) > 1 else lambda row: (row[keys[0]],)


def insert_values(db: Session, table: Table, keys: Sequence[str],
                  rows: Sequence[tuple[Any, ...]]) -> None:
    """``INSERT`` ``rows`` (tuples of the columns ``keys``, in that order) into ``table``.

    What :func:`insert_rows` does, for rows already in column order: the
    hundreds of thousands of dependency rows of a planning pass need no dict each.
    """
    if not rows:
        return
    keys = tuple(keys)
    conn = db.connection()
    if _copies(table, keys, conn.dialect):
        _copy(conn, table, keys, rows)
        return
    prepared = _prepare(table, keys, conn.dialect)
    if prepared is None:
        conn.execute(insert(table), [dict(zip(keys, row, strict=True)) for row in rows])
        return
    if prepared.defaults:
        rows = [row + prepared.defaults for row in rows]
    if prepared.processed:
        rows = list(map(prepared.stored, rows))
    conn.exec_driver_sql(prepared.head + prepared.group, list(rows))


@cache  # asked at every insert: per message on the hot path
def _copies(table: Table, keys: tuple[str, ...], dialect: Dialect) -> bool:
    """Whether rows go in by ``COPY``: psycopg, and columns the driver takes as they are."""
    if dialect.name != "postgresql" or dialect.driver != "psycopg" or _scalar_defaults(table, keys) != {}:
        return False  # COPY leaves the columns not given to the server's defaults, not Core's
    columns = [table.c[key] for key in keys]
    return all(column.type.dialect_impl(dialect).bind_processor(dialect) is None for column in columns)


def _copy(conn: Connection, table: Table, keys: tuple[str, ...],
          rows: Sequence[tuple[Any, ...]]) -> None:
    """``COPY table FROM STDIN``, on the session's own driver connection (its transaction)."""
    preparer = conn.dialect.identifier_preparer
    columns = ", ".join(map(preparer.quote, keys))
    raw: Any = conn.connection.dbapi_connection
    with raw.cursor() as cursor, cursor.copy(
            f"COPY {preparer.format_table(table)} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def insert_new(db: Session, table: Table, rows: Sequence[dict[str, Any]], unique: Sequence[str],
               returning: Sequence[str]) -> list[tuple[Any, ...]]:
    """``INSERT .. ON CONFLICT (unique) DO NOTHING RETURNING returning`` for ``rows``.

    The returned tuples are those of the rows inserted (not in any set order);
    a row whose ``unique`` columns match a stored one (or an earlier row) is
    left out. SQLite and PostgreSQL only.
    """
    if not rows:
        return []
    conn = db.connection()
    dialect = conn.dialect
    arrays = _arrays(table, tuple(rows[0]), dialect)
    if arrays is not None:
        return _insert_arrays(conn, table, rows, arrays, unique, returning)
    prepared = _prepare(table, tuple(rows[0]), dialect)
    if prepared is None:
        stmt = (dialect_insert(dialect.name)(table).on_conflict_do_nothing(index_elements=list(unique))
                .returning(*(table.c[name] for name in returning)))
        # Many parameter sets with RETURNING: SQLAlchemy sends them as multi-row INSERTs.
        return [tuple(row) for row in conn.execute(stmt, list(rows))]
    quote = dialect.identifier_preparer.quote
    tail = (f" ON CONFLICT ({', '.join(map(quote, unique))}) DO NOTHING"
            f" RETURNING {', '.join(map(quote, returning))}")
    width = len(prepared.processors)
    per_page = max(1, min(dialect.insertmanyvalues_page_size,
                          dialect.insertmanyvalues_max_parameters // width))
    out: list[tuple[Any, ...]] = []
    for page in batches(rows, per_page):
        params = [value for row in page for value in prepared.values(row)]
        sql = prepared.head + ", ".join([prepared.group] * len(page)) + tail
        out.extend(tuple(row) for row in conn.exec_driver_sql(sql, tuple(params)))
    return out


def _arrays(table: Table, keys: tuple[str, ...], dialect: Dialect
            ) -> list[tuple[str, str, Callable[[Any], Any] | None]] | None:
    """psycopg: per column, its key, its SQL type and what serializes its values (JSON)."""
    if dialect.name != "postgresql" or dialect.driver != "psycopg":
        return None
    defaults = _scalar_defaults(table, keys)
    if defaults is None:
        return None
    out: list[tuple[str, str, Callable[[Any], Any] | None]] = []
    dumps = getattr(dialect, "_json_serializer", None) or json.dumps
    for key in (*keys, *defaults):
        column_type = table.c[key].type
        if isinstance(column_type, JSON):
            # As Core stores it: None too is JSON (``null``) unless the type says otherwise.
            serialize: Callable[[Any], Any] | None = (
                (lambda value: None if value is None else dumps(value)) if column_type.none_as_null
                else dumps)
        elif column_type.dialect_impl(dialect).bind_processor(dialect) is None:
            serialize = None
        else:
            return None
        out.append((key, column_type.compile(dialect=dialect), serialize))
    return out


def _insert_arrays(conn: Connection, table: Table, rows: Sequence[dict[str, Any]],
                   arrays: list[tuple[str, str, Callable[[Any], Any] | None]], unique: Sequence[str],
                   returning: Sequence[str]) -> list[tuple[Any, ...]]:
    """One ``INSERT .. SELECT FROM unnest(one array per column)``: a statement of a few
    parameters, whatever the number of rows (a multi-row ``VALUES`` of thousands of
    parameters costs psycopg more to prepare than PostgreSQL to run)."""
    preparer = conn.dialect.identifier_preparer
    quote = preparer.quote
    defaults = _scalar_defaults(table, tuple(rows[0])) or {}
    columns: list[list[Any]] = []
    casts: list[str] = []
    for key, sql_type, serialize in arrays:
        values = [defaults[key]] * len(rows) if key in defaults else [row[key] for row in rows]
        columns.append(values if serialize is None else [serialize(value) for value in values])
        casts.append(f"CAST({_placeholder(columns[-1])} AS {sql_type}[])")
    sql = (f"INSERT INTO {preparer.format_table(table)} ({', '.join(quote(key) for key, _t, _s in arrays)}) "
           f"SELECT * FROM unnest({', '.join(casts)})"
           f" ON CONFLICT ({', '.join(map(quote, unique))}) DO NOTHING"
           f" RETURNING {', '.join(map(quote, returning))}")
    return [tuple(row) for row in conn.exec_driver_sql(sql, tuple(columns))]


def _placeholder(values: list[Any]) -> str:
    """``%b`` (binary) for an array of strings: psycopg's text format escapes every
    quote of every string with a regular expression, most of the time of a page of
    JSON payloads. The other arrays stay text (binary cannot type a list of NULLs)."""
    strings = any(isinstance(value, str) for value in values)
    return "%b" if strings and all(value is None or isinstance(value, str) for value in values) else "%s"


def _prepare(table: Table, keys: tuple[str, ...], dialect: Dialect) -> _Insert | None:
    """The driver-level insert of rows with ``keys`` (kept); ``None``: leave it to Core.

    Core is left the dialects other than SQLite, and the tables with a column
    default other than a constant among the columns not given.
    """
    if dialect.name != "sqlite":
        return None
    ident = (table.name, keys)
    if ident not in _prepared:
        defaults = _scalar_defaults(table, keys)
        if defaults is None:
            _prepared[ident] = None
            return None
        order = (*keys, *defaults)
        quote = dialect.identifier_preparer.quote
        _prepared[ident] = _Insert(
            head=f"INSERT INTO {dialect.identifier_preparer.format_table(table)} "
                 f"({', '.join(map(quote, order))}) VALUES ",
            group=f"({', '.join('?' * len(order))})",
            pick=_picker(keys),
            defaults=tuple(defaults.values()),
            processors=tuple(table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
                             for key in order))
    return _prepared[ident]


def _scalar_defaults(table: Table, keys: tuple[str, ...]) -> dict[str, Any] | None:
    """The defaults of the columns not in ``keys``; ``None`` if one is not a constant."""
    defaults: dict[str, Any] = {}
    for column in table.columns:
        if column.key in keys or column.default is None:
            continue
        if not column.default.is_scalar:
            return None
        defaults[column.key] = column.default.arg  # type: ignore[attr-defined]
    return defaults


def dialect_insert(name: str) -> Any:
    """The ``insert`` with ``on_conflict_do_nothing`` of dialect ``name``."""
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert
