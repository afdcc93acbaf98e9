"""Many rows into one table in one statement: :func:`insert_rows`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache

from sqlalchemy import Insert, Table, bindparam, func, insert, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session


def insert_rows(db: Session, table: Table, rows: Sequence[Mapping[str, object]]) -> None:
    """INSERT ``rows`` (each with the same columns) into ``table``.

    On PostgreSQL one short statement with an array per column (``INSERT .. SELECT
    FROM unnest(..)``), the same whatever the number of rows: the driver converts it
    once and the server executes it once, where an ``executemany`` costs the server an
    execution per row and a multi-row ``VALUES`` costs the driver a conversion of
    hundreds of placeholders per message. Elsewhere (SQLite, in process) an ``executemany``.
    """
    if not rows:
        return
    if db.get_bind().dialect.name != "postgresql":
        db.execute(insert(table), list(rows))
        return
    names = tuple(rows[0])
    db.execute(_unnest_insert(table, names),
               {f"a_{name}": [row[name] for row in rows] for name in names})


@cache
def _unnest_insert(table: Table, names: tuple[str, ...]) -> Insert:
    """:func:`insert_rows`'s statement for PostgreSQL, built once per table and columns."""
    arrays = [bindparam(f"a_{name}", type_=ARRAY(table.c[name].type)) for name in names]
    source = func.unnest(*arrays).table_valued(*names).render_derived()
    return insert(table).from_select(list(names), select(*(source.c[name] for name in names)))
