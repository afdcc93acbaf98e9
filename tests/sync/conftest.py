"""A small world for sync tests: a demo JobBOSS2 database, a user, the served app,
the QuickBooks stand-in and the Web Connector emulator."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from qbwc_service import accounts
from qbwc_service import config as config_mod
from qbwc_service.jobboss.reader import JobBossReader
from qbwc_service.queue import db as queue_db
from qbwc_service.queue.db import transaction
from qbwc_service.queue.models import User
from qbwc_service.server import RunningServer, run_in_thread
from qbwc_service.simulator.demo_db import create_demo_database
from qbwc_service.simulator.quickbooks import QuickBooksCompany
from qbwc_service.simulator.webconnector import EmulatorOptions, SessionResult, WebConnector
from qbwc_service.sync import settings as settings_mod
from qbwc_service.sync.planning import planner
from qbwc_service.wsgi import create_app

ANCHOR = date(2026, 1, 31)
#: A short window keeps the tests fast: a few dozen invoices.
WINDOW = (date(2026, 1, 24), date(2026, 1, 31))
PASSWORD = "sync-test-password-1"
#: The variable naming a PostgreSQL queue for the tests (see tests/conftest.py).
TEST_DB_ENV = "QBWC_TEST_DATABASE_URL"


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "jobboss.sqlite3"
    return create_demo_database(path, seed=7, scale=1, anchor=ANCHOR)


@dataclass
class World:
    """Everything one sync test touches."""

    sessions: sessionmaker[Session]
    server: RunningServer
    jobboss: Path
    user_name: str = "shop"
    quickbooks: QuickBooksCompany | None = None

    @property
    def reader(self) -> JobBossReader:
        return JobBossReader(str(self.jobboss))

    def qb(self, country: str = "US") -> QuickBooksCompany:
        if self.quickbooks is None:
            self.quickbooks = QuickBooksCompany.fresh(country)
        return self.quickbooks

    def user(self, db: Session) -> User:
        return accounts.require_user(db, self.user_name)

    def set(self, **values: Any) -> None:
        with transaction(self.sessions) as db:
            settings_mod.set_settings(db, self.user(db).id,
                                      {k.replace("__", "."): v for k, v in values.items()})

    def plan(self, date_from: date | None = WINDOW[0], date_to: date | None = WINDOW[1]) -> Any:
        with transaction(self.sessions) as db:
            return planner.plan_manual(db, self.user(db), date_from, date_to)

    def session(self, **options: Any) -> SessionResult:
        opts = EmulatorOptions(noop_pause=0.01, **options)
        connector = WebConnector(self.server.url + "/qbwc", self.qb(opts.country), opts)
        return connector.run_session(self.user_name, PASSWORD)

    def sync_until_idle(self, limit: int = 10, **options: Any) -> list[SessionResult]:
        results = []
        for _ in range(limit):
            result = self.session(**options)
            results.append(result)
            if result.outcome in ("none", "error", "nvu"):
                break
        return results


@pytest.fixture
def world(tmp_path: Path, db_url: str, sessions: sessionmaker[Session],
          demo_template: Path) -> Iterator[World]:
    jobboss = tmp_path / "jobboss.sqlite3"
    shutil.copy(demo_template, jobboss)
    with transaction(sessions) as db:
        accounts.create_user(db, "shop", PASSWORD, jobboss_url=str(jobboss))
    config = config_mod.from_mapping({"database": {"url": db_url}, "logging": {"level": "WARNING"}},
                                     tmp_path / "qbwc-service.toml")
    server = run_in_thread(create_app(config, sessions=sessions), threads=2)
    try:
        yield World(sessions=sessions, server=server, jobboss=jobboss)
    finally:
        server.stop()


def _plan(sessions: sessionmaker[Session], jobboss: Path) -> None:
    with transaction(sessions) as db:
        user = accounts.create_user(db, "shop", PASSWORD, jobboss_url=str(jobboss))
        # The demo's names too long for QuickBooks are refused, as before the name map, so
        # the window keeps failures for these tests to apply and report.
        settings_mod.set_settings(db, user.id, {"names.customer": "error", "names.item": "error"})
    with transaction(sessions) as db:
        planner.plan_manual(db, accounts.require_user(db, "shop"), *WINDOW)


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> Path:
    """A SQLite queue with the demo window planned once; each test works on a copy."""
    folder = tmp_path_factory.mktemp("planned")
    jobboss = folder / "jobboss.sqlite3"
    shutil.copy(demo_template, jobboss)  # read only: the planner's source, never written
    url = f"sqlite:///{folder / 'queue.sqlite3'}"
    queue_db.upgrade(url)
    engine = queue_db.make_engine(url)
    try:
        _plan(queue_db.session_factory(engine), jobboss)
    finally:
        engine.dispose()
    return folder


@pytest.fixture
def shop(request: pytest.FixtureRequest, tmp_path: Path, planned: Path) -> Iterator[sessionmaker[Session]]:
    """The demo window planned for user ``shop`` (ensure jobs, invoices and bills, all pending),
    without a server: for tests that drive the engine or apply answers themselves. The user's
    JobBOSS2 database is this test's own copy."""
    jobboss = tmp_path / "jobboss.sqlite3"
    shutil.copy(planned / "jobboss.sqlite3", jobboss)
    if os.environ.get(TEST_DB_ENV):  # another database: plan into this test's own schema
        sessions = request.getfixturevalue("sessions")
        _plan(sessions, jobboss)
        yield sessions
        return
    shutil.copy(planned / "queue.sqlite3", tmp_path / "queue.sqlite3")
    engine = queue_db.make_engine(f"sqlite:///{tmp_path / 'queue.sqlite3'}")
    try:
        sessions = queue_db.session_factory(engine)
        with transaction(sessions) as db:
            accounts.require_user(db, "shop").jobboss_url = str(jobboss)
        yield sessions
    finally:
        engine.dispose()
