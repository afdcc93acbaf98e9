"""Writing the demo database: batched inserts, timestamps as SQLAlchemy stores them."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from typing import Any

BATCH = 20_000
TS_FORMAT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores DateTime in SQLite


class Writer:
    """Batched ``executemany`` inserts into one SQLite connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.pending: dict[str, tuple[str, list[Sequence[Any]]]] = {}
        self.counts: dict[str, int] = {}

    def add(self, table: str, columns: str, row: Sequence[Any]) -> None:
        sql, rows = self.pending.get(table) or (self._sql(table, columns), [])
        rows.append(row)
        self.pending[table] = (sql, rows)
        if len(rows) >= BATCH:
            self.flush(table)

    def many(self, table: str, columns: str, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            self.add(table, columns, row)

    @staticmethod
    def _sql(table: str, columns: str) -> str:
        cols = columns.split()
        return f'INSERT INTO "{table}" ({", ".join(cols)}) VALUES ({", ".join("?" * len(cols))})'

    def flush(self, table: str | None = None) -> None:
        for name in [table] if table else list(self.pending):
            sql, rows = self.pending.pop(name, ("", []))
            if rows:
                self.conn.executemany(sql, rows)
                self.counts[name] = self.counts.get(name, 0) + len(rows)


def ts(value: datetime | date | None) -> str | None:
    """A datetime as SQLAlchemy writes it into SQLite."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    return value.strftime(TS_FORMAT)

