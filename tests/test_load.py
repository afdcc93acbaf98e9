"""Many Web Connectors at once: writers on SQLite queue for their turn, and the server keeps a
long listen queue.

Latency figures (p50 / p99 / max of sendRequestXML with 20 sessions) are
``bench/load_bench.py``'s; these tests check the mechanisms, without timing them.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import text

from qbwc_service import accounts, server
from qbwc_service.queue import db
from qbwc_service.queue.db import transaction
from qbwc_service.wsgi import health_app


def test_the_server_queues_at_least_128_connections():
    srv = server.make_server(health_app(db.session_factory(db.make_engine("sqlite://"))),
                             "127.0.0.1", 0)
    assert srv.request_queue_size >= 128


def test_sqlite_writers_of_one_process_wait_their_turn_instead_of_failing(tmp_path: Path, monkeypatch):
    """A write transaction longer than SQLite's busy timeout no longer makes the next writer fail."""
    monkeypatch.setattr(db, "BUSY_TIMEOUT_SECONDS", 0.2)
    url = f"sqlite:///{tmp_path / 'q.sqlite3'}"
    db.upgrade(url)
    engine = db.make_engine(url)
    sessions = db.session_factory(engine)
    first_wrote, errors = threading.Event(), []

    def long_writer() -> None:
        with transaction(sessions) as s:
            accounts.create_user(s, "first", "pw")
            first_wrote.set()
            threading.Event().wait(0.8)  # holds SQLite's write lock four busy timeouts long

    def second_writer() -> None:
        try:
            with transaction(sessions) as s:
                accounts.create_user(s, "second", "pw")
        except Exception as exc:  # noqa: BLE001 - what the assertion below reports
            errors.append(exc)

    first = threading.Thread(target=long_writer)
    first.start()
    assert first_wrote.wait(timeout=30)
    second = threading.Thread(target=second_writer)
    second.start()
    first.join(timeout=30)
    second.join(timeout=30)
    assert errors == []
    with sessions() as s:
        assert sorted(s.scalars(text("SELECT name FROM users"))) == ["first", "second"]
    engine.dispose()


def test_a_connection_thrown_away_mid_write_gives_its_turn_back(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(db, "WRITE_TURN_TIMEOUT_SECONDS", 5)
    url = f"sqlite:///{tmp_path / 'q.sqlite3'}"
    db.upgrade(url)
    engine = db.make_engine(url)
    with engine.connect() as conn:
        conn.execute(text("INSERT INTO auth_failures (key, count, window_start) "
                          "VALUES ('x', 1, '2026-01-01')"))
        conn.invalidate()  # as after a driver error: no commit, no rollback
    started = time.monotonic()
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO auth_failures (key, count, window_start) "
                          "VALUES ('y', 1, '2026-01-01')"))
    assert time.monotonic() - started < 4  # not the five seconds of waiting for a lost turn
    engine.dispose()
