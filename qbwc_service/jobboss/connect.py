"""Engines for JobBOSS2 databases.

Production is ``mssql+pyodbc://user:pass@DSN`` (or ``...?odbc_connect=...``)
through unixODBC with FreeTDS or Microsoft's ODBC driver; SQLAlchemy imports
pyodbc only when such an engine is created, so a machine without unixODBC can
still read a SQLite demo database. Nothing here imports pyodbc.
"""

from __future__ import annotations

import os

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url


def jobboss_engine(url_or_engine: str | os.PathLike[str] | Engine) -> Engine:
    """An engine for ``url_or_engine`` (returned as is when already an engine).

    A bare filesystem path is taken as a SQLite file (the demo database).
    """
    if isinstance(url_or_engine, Engine):
        return url_or_engine
    raw = os.fspath(url_or_engine)
    url = raw if "://" in raw else f"sqlite:///{raw}"
    kwargs: dict[str, object] = {"pool_pre_ping": True}
    if make_url(url).get_backend_name() == "mssql":
        # Reads only; keep SQL Server from escalating the sync's reads into blocking locks.
        kwargs["isolation_level"] = "READ COMMITTED"
    return create_engine(url, **kwargs)
