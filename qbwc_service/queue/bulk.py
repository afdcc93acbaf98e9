"""Many rows into one table, fast: what planning writes by the hundred thousand.

SQLAlchemy's executemany works out every row's parameters through the
compiled statement, which costs more than SQLite's own insert. On SQLite the
rows go straight to the driver instead (``executemany``, or one multi-row
``VALUES`` when the new rows' ids are wanted), each value through its
column type's bind processor, so what is stored is exactly what Core would
store. On PostgreSQL Core's executemany (multi-row ``VALUES``) is already
lean and is used as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class _Insert:
    """How rows with the same keys go into a SQLite table at the driver level."""

    head: str  # INSERT INTO t (columns) VALUES
    group: str  # (?, ?, ...): one row's placeholders
    pick: Callable[[dict[str, Any]], tuple[Any, ...]]  # a row's values, in column order
    defaults: tuple[Any, ...]  # then the scalar defaults of the columns not given
    processors: tuple[Callable[[Any], Any] | None, ...]

    def values(self, row: dict[str, Any]) -> tuple[Any, ...]:
        """One row's parameters, as the column types store them."""
        values = self.pick(row) + self.defaults
        if not any(self.processors):
            return values
        return tuple(value if process is None else process(value)
                     for value, process in zip(values, self.processors, strict=True))


_prepared: dict[tuple[str, tuple[str, ...]], _Insert | None] = {}


def insert_rows(db: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """``INSERT`` ``rows`` (dicts with the same keys) into ``table``, in the session's transaction."""
    if not rows:
        return
    conn = db.connection()
    prepared = _prepare(table, tuple(rows[0]), conn.dialect)
    if prepared is None:
        conn.execute(insert(table), list(rows))
        return
    conn.exec_driver_sql(prepared.head + prepared.group, list(map(prepared.values, rows)))


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
    prepared = _prepare(table, tuple(rows[0]), dialect)
    if prepared is None:
        stmt = (_dialect_insert(dialect.name)(table).on_conflict_do_nothing(index_elements=list(unique))
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
    for start in range(0, len(rows), per_page):
        page = rows[start:start + per_page]
        params = [value for row in page for value in prepared.values(row)]
        sql = prepared.head + ", ".join([prepared.group] * len(page)) + tail
        out.extend(tuple(row) for row in conn.exec_driver_sql(sql, tuple(params)))
    return out


def _prepare(table: Table, keys: tuple[str, ...], dialect: Dialect) -> _Insert | None:
    """The driver-level insert of rows with ``keys`` (kept); ``None``: leave it to Core.

    Core is left the dialects other than SQLite, and the tables with a column
    default other than a constant among the columns not given.
    """
    if dialect.name != "sqlite":
        return None
    ident = (table.name, keys)
    if ident not in _prepared:
        defaults: dict[str, Any] = {}
        for column in table.columns:
            if column.key in keys or column.default is None:
                continue
            if not column.default.is_scalar:
                _prepared[ident] = None
                return None
            defaults[column.key] = column.default.arg  # type: ignore[attr-defined]
        order = (*keys, *defaults)
        quote = dialect.identifier_preparer.quote
        _prepared[ident] = _Insert(
            head=f"INSERT INTO {quote(table.name)} ({', '.join(map(quote, order))}) VALUES ",
            group=f"({', '.join('?' * len(order))})",
            pick=itemgetter(*keys) if len(keys) > 1 else lambda row: (row[keys[0]],),
            defaults=tuple(defaults.values()),
            processors=tuple(table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
                             for key in order))
    return _prepared[ident]


def _dialect_insert(name: str) -> Any:
    """The ``insert`` with ``on_conflict_do_nothing`` of dialect ``name``."""
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert
