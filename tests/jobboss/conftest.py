"""Fixtures: one small demo JobBOSS2 database per session, copies for tests that write."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from qbwc_service.jobboss.reader import JobBossReader
from qbwc_service.simulator.demo_db import create_demo_database

ANCHOR = date(2026, 1, 31)


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scale-1 demo database (seed 0, anchored on 2026-01-31). Read only: copy before writing."""
    return create_demo_database(tmp_path_factory.mktemp("jobboss") / "demo.sqlite3", seed=0, anchor=ANCHOR)


@pytest.fixture(scope="session")
def reader(demo_path: Path) -> JobBossReader:
    return JobBossReader(demo_path)


@pytest.fixture
def demo_copy(demo_path: Path, tmp_path: Path) -> Path:
    """A private copy of the demo database, free to change."""
    target = tmp_path / "demo-copy.sqlite3"
    shutil.copyfile(demo_path, target)
    return target


@pytest.fixture
def raw(demo_path: Path) -> Iterator[sqlite3.Connection]:
    """Plain sqlite3 on the demo database: the oracle the reader is checked against."""
    conn = sqlite3.connect(demo_path)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()
