"""A SQLAlchemy engine over the SQLite ODBC driver through pyodbc (for tests).

SQLAlchemy has no ``sqlite+pyodbc`` dialect; the plain SQLite dialect with
pyodbc as its DB-API (both use ``qmark`` parameters) runs the reader's
queries through unixODBC for real, the way production runs them against SQL
Server.
"""

from __future__ import annotations

import importlib.util
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine, create_engine
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.base import SQLiteDialect

DRIVER = "SQLite3"


class _PyodbcForSQLite:
    """pyodbc, plus the SQLite version attributes the SQLite dialect reads from its DB-API."""

    sqlite_version_info = sqlite3.sqlite_version_info

    def __getattr__(self, name: str) -> object:
        import pyodbc

        return getattr(pyodbc, name)


class SQLiteODBCDialect(SQLiteDialect):
    driver = "pyodbc"
    supports_statement_cache = True

    @classmethod
    def import_dbapi(cls):  # noqa: ANN206 - SQLAlchemy hook
        return _PyodbcForSQLite()

    def _get_server_version_info(self, connection: object) -> tuple[int, ...]:
        return sqlite3.sqlite_version_info


def odbc_missing_reason() -> str | None:
    """Why the ODBC test cannot run here, or None when it can."""
    if importlib.util.find_spec("pyodbc") is None:
        return "pyodbc is not installed"
    try:
        import pyodbc
    except ImportError as exc:  # unixODBC's libodbc.so.2 missing
        return f"pyodbc cannot load unixODBC: {exc}"
    if DRIVER not in pyodbc.drivers():
        try:
            listed = subprocess.run(["odbcinst", "-q", "-d"], capture_output=True, text=True).stdout
        except OSError:
            listed = ""
        return f"ODBC driver {DRIVER!r} missing (apt-get install libsqliteodbc); drivers: {listed.split()}"
    return None


def sqlite_odbc_engine(path: Path) -> Engine:
    """An engine whose every query goes through pyodbc, unixODBC and the SQLite ODBC driver."""
    import pyodbc

    def connect() -> object:
        return pyodbc.connect(f"DRIVER={{{DRIVER}}};Database={path}", autocommit=False)

    registry.register("sqlite.odbctest", __name__, SQLiteODBCDialect.__name__)
    return create_engine("sqlite+odbctest://", creator=connect)
