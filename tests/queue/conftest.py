"""Fixtures of the queue tests: users and a small job factory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from qbwc_service.queue import jobs
from qbwc_service.queue.models import Job, User


@pytest.fixture
def make_user(sessions: sessionmaker[Session]) -> Callable[[str], int]:
    def make(name: str) -> int:
        with sessions.begin() as db:
            user = User(name=name, password_hash="x")
            db.add(user)
            db.flush()
            return user.id
    return make


@pytest.fixture
def user_id(make_user: Callable[[str], int]) -> int:
    return make_user("shop")


@pytest.fixture
def plan(user_id: int) -> Callable[..., Job]:
    """``plan(db, key, area="ar", **fields)``: add a job and return it."""
    def add(db: Session, key: str, area: str = "ar", **fields: Any) -> Job:
        values: dict[str, Any] = dict(user_id=user_id, area=area, kind=f"{area}.add",
                                      source_table="T", source_key=key, source_version="1",
                                      payload={"key": key}, priority=100)
        values.update(fields)
        job = jobs.add_job(db, **values)
        assert job is not None
        return job
    return add
