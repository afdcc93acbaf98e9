"""Engines, sessions and migrations of the queue database."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

#: Seconds a SQLite writer waits for the database's write lock before giving up.
BUSY_TIMEOUT_SECONDS = 30
#: Seconds a thread waits for its process's write turn on SQLite before going on to SQLite's own
#: wait: only a thread that writes through two connections at once waits that long.
WRITE_TURN_TIMEOUT_SECONDS = 300
#: Statements before which the SQLite driver opens a write transaction.
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def make_engine(url: str) -> Engine:
    """An engine for the queue; SQLite gets WAL, a busy timeout and foreign keys."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_SECONDS,
                                                  "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        _one_writer_at_a_time(engine)
        return engine
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _postgresql_settings)
    return engine


def _one_writer_at_a_time(engine: Engine) -> None:
    """Make the threads of this process queue for SQLite's single write lock on a lock of their own.

    SQLite lets one transaction write at a time; the others wait in its busy
    handler, which polls with sleeps of up to 100 ms and serves no one in
    order, so under load some writers wait seconds for writes that take
    milliseconds, and a transaction writing longer than the busy timeout makes
    the others fail. Here a connection takes the process's write turn just
    before its transaction's first write, where the driver opens the
    transaction, and passes it on once the driver has committed or rolled back
    (not before: the next writer would meet SQLite's lock still held). Other
    processes on the same file still meet in SQLite's busy handler.
    """
    turn = _WriteTurn()
    dialect = engine.dialect
    event.listen(engine, "before_cursor_execute", turn.before_statement)
    dialect.do_commit = turn.ending(dialect.do_commit)  # type: ignore[method-assign]
    dialect.do_rollback = turn.ending(dialect.do_rollback)  # type: ignore[method-assign]
    for lost in ("invalidate", "close"):  # a connection thrown away mid-transaction
        event.listen(engine, lost, turn.release_for)


class _WriteTurn:
    """A lock held by one driver connection at a time, from its first write to its transaction's end."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holder: object | None = None

    def before_statement(self, conn: Connection, _cursor: object, statement: str, *_args: object) -> None:
        raw = conn.connection.dbapi_connection
        if self._holder is raw or not statement.lstrip()[:7].upper().startswith(_WRITES):
            return
        if self._lock.acquire(timeout=WRITE_TURN_TIMEOUT_SECONDS):
            self._holder = raw

    def ending(self, finish: Callable[[Any], None]) -> Callable[[Any], None]:
        """*finish* (the dialect's commit or rollback), then the turn goes to the next writer."""
        def end(pooled: Any) -> None:
            try:
                finish(pooled)
            finally:
                self.release_for(getattr(pooled, "dbapi_connection", pooled))
        return end

    def release_for(self, raw: object, *_args: object) -> None:
        """Give the turn back if the driver connection *raw* holds it."""
        if self._holder is not None and self._holder is raw:
            self._holder = None
            self._lock.release()


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _postgresql_settings(dbapi_conn: Any, _record: object) -> None:
    """Compress the kept qbXML messages (hundreds of KB each) with lz4, several times
    cheaper in the database server than the default pglz; a server without lz4 keeps pglz."""
    try:
        with dbapi_conn.cursor() as cur:
            cur.execute("SET default_toast_compression = 'lz4'")
        dbapi_conn.commit()
    except Exception:  # noqa: BLE001 - an older server or one built without lz4
        dbapi_conn.rollback()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls back on any exception."""
    with factory() as db, db.begin():
        yield db


def ping(engine: Engine) -> bool:
    """Whether the database answers a trivial query."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - health check reports, never raises
        return False


def alembic_config(url: str) -> AlembicConfig:
    """Alembic configured for the migrations shipped in the package."""
    cfg = AlembicConfig()
    script_dir = Path(str(resources.files("qbwc_service.migrations")))
    cfg.set_main_option("script_location", str(script_dir))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Create or upgrade the queue schema."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)
