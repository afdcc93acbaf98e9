"""Engines for JobBOSS2 databases.

Production is ``mssql+pyodbc://user:pass@DSN`` (or ``...?odbc_connect=...``)
through unixODBC with FreeTDS or Microsoft's ODBC driver; SQLAlchemy imports
pyodbc only when such an engine is created, so a machine without unixODBC can
still read a SQLite demo database. Nothing here imports pyodbc.

A user's JobBOSS2 URL may be written ``env:NAME``: the URL is then read from
the environment variable ``NAME`` each time an engine is made, so the SQL
Server password lives in the service's environment, not in the queue database.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url

ENV_PREFIX = "env:"
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class JobBossUrlError(ValueError):
    """A JobBOSS2 URL that names an environment variable that is unset or empty."""


def env_name(value: str) -> str | None:
    """``NAME`` of an ``env:NAME`` value (``None`` for a plain URL)."""
    return value[len(ENV_PREFIX):] if value.startswith(ENV_PREFIX) else None


def is_env_reference(value: str) -> bool:
    """Whether *value* is ``env:`` followed by a valid environment variable name."""
    name = env_name(value)
    return name is not None and ENV_NAME.fullmatch(name) is not None


def resolve_url(value: str, environ: Mapping[str, str] | None = None) -> str:
    """The URL itself, or the environment variable's value for ``env:NAME``."""
    name = env_name(value)
    if name is None:
        return value
    url = (os.environ if environ is None else environ).get(name, "")
    if not url:
        raise JobBossUrlError(f"the JobBOSS2 URL is read from environment variable {name}, which is "
                              "not set for this process")
    return url


def jobboss_engine(url_or_engine: str | os.PathLike[str] | Engine) -> Engine:
    """An engine for ``url_or_engine`` (returned as is when already an engine).

    A bare filesystem path is taken as a SQLite file (the demo database).
    """
    if isinstance(url_or_engine, Engine):
        return url_or_engine
    raw = resolve_url(os.fspath(url_or_engine))
    url = raw if "://" in raw else f"sqlite:///{raw}"
    kwargs: dict[str, object] = {"pool_pre_ping": True}
    if make_url(url).get_backend_name() == "mssql":
        # Reads only; keep SQL Server from escalating the sync's reads into blocking locks.
        kwargs["isolation_level"] = "READ COMMITTED"
    return create_engine(url, **kwargs)


def check_setting(url: str) -> None:
    """Refuse a user's JobBOSS2 URL SQLAlchemy cannot read now, not at the first sync.

    Empty (no JobBOSS2 for this user yet) and ``env:NAME`` with a valid name pass;
    :class:`JobBossUrlError` says what is wrong otherwise. Shared by ``user add``/``edit``
    and the admin's users page.
    """
    from qbwc_service.config import is_database_url

    if not url:
        return
    if env_name(url) is not None:
        if not is_env_reference(url):
            raise JobBossUrlError(f"{url!r}: after env: give an environment variable name "
                                  "(letters, digits, _)")
        return
    if not is_database_url(url):
        raise JobBossUrlError(f"not a database URL: {url!r} (for example "
                              "mssql+pyodbc://user:pass@host/JobBOSS2?driver=FreeTDS)")


def masked(url: str) -> str:
    """The URL to show a person: its password hidden (``env:NAME`` as is)."""
    from sqlalchemy.exc import ArgumentError

    if not url or env_name(url) is not None:
        return url
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparsable URL)"


def stores_password(url: str) -> bool:
    """Whether saving *url* puts a SQL password into the queue database."""
    from sqlalchemy.exc import ArgumentError

    if not url or env_name(url) is not None:
        return False
    try:
        return bool(make_url(url).password)
    except ArgumentError:
        return False
