"""Migrations up and down, on SQLite and (when QBWC_TEST_DATABASE_URL is set) PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from qbwc_service.queue import db
from qbwc_service.queue.models import Base

QUEUE_TABLES = set(Base.metadata.tables)


def _tables(url: str) -> set[str]:
    engine = db.make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def _revision(url: str) -> str | None:
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def _head() -> str:
    return ScriptDirectory.from_config(db.alembic_config("sqlite://")).get_current_head()


def _up_down_up(url: str) -> None:
    db.upgrade(url)
    assert _tables(url) == QUEUE_TABLES
    assert _revision(url) == _head()
    db.upgrade(url)  # idempotent
    db.downgrade(url, "base")
    assert _tables(url) == set()
    assert _revision(url) is None
    db.upgrade(url)
    assert _tables(url) == QUEUE_TABLES


def test_sqlite_up_down_up(tmp_path):
    _up_down_up(f"sqlite:///{tmp_path / 'm.sqlite3'}")


def test_configured_database_up_down_up(db_url):
    """db_url is PostgreSQL (a schema of its own) when QBWC_TEST_DATABASE_URL is set, else SQLite."""
    db.downgrade(db_url, "base")
    assert _tables(db_url) == set()
    _up_down_up(db_url)


def test_migrated_schema_matches_the_models(db_url):
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    assert diff == []
