"""Shared fixtures.

The queue database is SQLite in a temporary folder unless
``QBWC_TEST_DATABASE_URL`` names another (CI runs the suite again with
PostgreSQL); on PostgreSQL each test gets a schema of its own.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from qbwc_service.queue import db

TEST_DB_ENV = "QBWC_TEST_DATABASE_URL"
#: Variables the service reads: whatever the caller's shell has must not reach a test.
SERVICE_ENV = ("QBWC_SERVICE_CONFIG", "QBWC_SERVICE_DATABASE_URL", "QBWC_SERVICE_SECRET_KEY", "QBWC_PASSWORD")


@pytest.fixture(autouse=True)
def _no_service_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SERVICE_ENV:
        monkeypatch.delenv(name, raising=False)


def _server_url() -> str | None:
    return os.environ.get(TEST_DB_ENV) or None


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """A migrated, empty queue database of its own for this test."""
    server = _server_url()
    if server is None:
        url = f"sqlite:///{tmp_path / 'queue.sqlite3'}"
        db.upgrade(url)
        yield url
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
    rendered = url.render_as_string(hide_password=False)
    db.upgrade(rendered)
    try:
        yield rendered
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = db.make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return db.session_factory(engine)


@pytest.fixture
def config_file(tmp_path: Path, db_url: str) -> Path:
    """A configuration file whose queue is this test's database."""
    path = tmp_path / "qbwc-service.toml"
    path.write_text(f'[database]\nurl = "{db_url}"\n\n[logging]\nlevel = "WARNING"\n',
                    encoding="utf-8")
    return path
