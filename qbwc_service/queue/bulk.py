"""Many rows into one table, fast: what planning writes by the hundred thousand.

SQLAlchemy's executemany works out every row's parameters through the
compiled statement, which costs more than SQLite's own insert. On SQLite the
rows go straight to the driver's ``executemany`` instead, each value through
its column type's bind processor, so what is stored is exactly what Core
would store. Elsewhere Core's executemany (multi-row ``VALUES`` on
PostgreSQL) is already lean and is used as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

#: A statement and its columns' bind processors, per (table, columns, dialect).
_Prepared = tuple[str, tuple[str, ...], tuple[Callable[[Any], Any] | None, ...]]
_prepared: dict[tuple[str, tuple[str, ...], str], _Prepared | None] = {}


def insert_rows(db: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """``INSERT`` ``rows`` (dicts with the same keys) into ``table``, in the session's transaction."""
    if not rows:
        return
    conn = db.connection()
    dialect = conn.dialect
    prepared = _prepare(table, tuple(rows[0]), dialect) if dialect.name == "sqlite" else None
    if prepared is None:
        conn.execute(insert(table), list(rows))
        return
    sql, order, processors = prepared
    pick = itemgetter(*order) if len(order) > 1 else lambda row: (row[order[0]],)
    params = list(map(pick, rows))
    if any(processors):
        params = [tuple(value if process is None else process(value)
                        for value, process in zip(values, processors, strict=True))
                  for values in params]
    conn.exec_driver_sql(sql, params)


def _prepare(table: Table, keys: tuple[str, ...], dialect: Dialect) -> _Prepared | None:
    """The positional ``INSERT`` of ``keys`` and the bind processors in its order (kept).

    ``None`` when the statement needs more than ``keys`` (a column default left
    to Core): Core inserts those rows.
    """
    ident = (table.name, keys, dialect.name)
    if ident not in _prepared:
        compiled = insert(table).compile(dialect=dialect, column_keys=list(keys))
        order = tuple(compiled.positiontup or ())
        _prepared[ident] = None if sorted(order) != sorted(keys) else (
            str(compiled), order,
            tuple(table.c[key].type.dialect_impl(dialect).bind_processor(dialect) for key in order))
    return _prepared[ident]
