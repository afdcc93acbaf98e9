"""The queue database session of the current admin request: opened on first use, closed after."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session, sessionmaker

EXTENSION = "qbwc_sessions"


def init_app(app: Flask, sessions: sessionmaker[Session]) -> None:
    """Give *app* the session factory; every request's session is rolled back and closed at its end."""
    app.extensions[EXTENSION] = sessions

    @app.teardown_appcontext
    def close(_exc: BaseException | None) -> None:
        session = g.pop("db", None)
        if session is not None:
            session.rollback()
            session.close()


def db() -> Session:
    """The database session of the current request (opened on first use)."""
    if "db" not in g:
        g.db = current_app.extensions[EXTENSION]()
    return g.db
