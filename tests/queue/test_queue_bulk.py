"""Bulk inserts store what Core's inserts store, and skip the versions already planned."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from qbwc_service.queue import bulk
from qbwc_service.queue.models import AuditEvent, Job, JobDependency

WHEN = datetime(2026, 1, 31, 17, 30, tzinfo=UTC)


def _job(user_id: int, key: str, version: str = "v1", **more: Any) -> dict[str, Any]:
    """A job's row as planning writes it: the columns with a default left out."""
    return dict(user_id=user_id, area="ar", kind="invoice.add", source_table="Billing",
                source_key=key, source_version=version,
                payload={"phase": "add", "record": {"total": "12.50", "note": "Ça & \"co\""}},
                priority=100, not_before=None, status="pending", created_at=WHEN,
                updated_at=WHEN, warnings=[], **more)


def _stored(db: Session, key: str) -> dict[str, Any]:
    """Every column of the job of ``key`` but its id, as read back."""
    job = db.scalars(select(Job).where(Job.source_key == key)).one()
    return {c.key: getattr(job, c.key) for c in Job.__table__.columns if c.key != "id"}


def test_new_jobs_are_stored_as_core_stores_them(sessions: sessionmaker[Session], user_id: int) -> None:
    with sessions.begin() as db:
        db.execute(insert(Job), [_job(user_id, "BY-CORE")])
        new = bulk.insert_new(db, Job.__table__, [_job(user_id, "BY-BULK"), _job(user_id, "ALSO")],
                              unique=("user_id", "kind", "source_key", "source_version"),
                              returning=("id", "source_key", "source_version"))
    assert sorted((key, version) for _id, key, version in new) == [("ALSO", "v1"), ("BY-BULK", "v1")]
    with sessions() as db:
        by_core, by_bulk = _stored(db, "BY-CORE"), _stored(db, "BY-BULK")
        ids = {key: job_id for job_id, key, _version in new}
        assert db.get(Job, ids["ALSO"]).source_key == "ALSO"  # the ids returned are the rows'
    assert by_bulk == {**by_core, "source_key": "BY-BULK"}
    assert by_bulk["attempts"] == 0 and by_bulk["request_id"] == "" and by_bulk["payload"] == \
        _job(user_id, "X")["payload"]


def test_versions_planned_before_or_twice_are_left_out(sessions: sessionmaker[Session],
                                                       user_id: int) -> None:
    unique = ("user_id", "kind", "source_key", "source_version")
    returning = ("id", "source_key", "source_version")
    with sessions.begin() as db:
        bulk.insert_new(db, Job.__table__, [_job(user_id, "A")], unique=unique, returning=returning)
    with sessions.begin() as db:
        new = bulk.insert_new(db, Job.__table__, [_job(user_id, "A"), _job(user_id, "A", "v2"),
                                                  _job(user_id, "B"), _job(user_id, "B")],
                              unique=unique, returning=returning)
    assert sorted((key, version) for _id, key, version in new) == [("A", "v2"), ("B", "v1")]
    with sessions() as db:
        assert sorted(tuple(row) for row in db.execute(select(Job.source_key, Job.source_version))) == [
            ("A", "v1"), ("A", "v2"), ("B", "v1")]


def test_plain_rows_are_stored_as_core_stores_them(sessions: sessionmaker[Session], user_id: int) -> None:
    with sessions.begin() as db:
        ids = [job_id for job_id, *_rest in bulk.insert_new(
            db, Job.__table__, [_job(user_id, key) for key in ("A", "B", "C")],
            unique=("user_id", "kind", "source_key", "source_version"), returning=("id",))]
        event = dict(created_at=WHEN, user_id=user_id, run_id=None, event="planned", detail="")
        db.execute(insert(AuditEvent), [dict(event, job_id=ids[0], record_key="Billing:A")])
        bulk.insert_rows(db, AuditEvent.__table__, [dict(event, job_id=job_id, record_key=f"Billing:{key}")
                                                     for job_id, key in zip(ids[1:], "BC", strict=True)])
        bulk.insert_rows(db, JobDependency.__table__, [
            {"job_id": ids[2], "depends_on_id": ids[0]}, {"job_id": ids[2], "depends_on_id": ids[1]}])
        bulk.insert_rows(db, JobDependency.__table__, [])
    with sessions() as db:
        events = db.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        deps = [tuple(row) for row in db.execute(select(JobDependency.job_id, JobDependency.depends_on_id))]
    assert [(e.job_id, e.record_key, e.created_at.replace(tzinfo=UTC), e.detail) for e in events] == [
        (ids[0], "Billing:A", WHEN, ""), (ids[1], "Billing:B", WHEN, ""), (ids[2], "Billing:C", WHEN, "")]
    assert sorted(deps) == [(ids[2], ids[0]), (ids[2], ids[1])]


def test_rows_given_as_tuples_are_stored_as_core_stores_them(sessions: sessionmaker[Session],
                                                             user_id: int) -> None:
    keys = ("created_at", "user_id", "job_id", "event")  # record_key, detail: their defaults
    with sessions.begin() as db:
        ids = [job_id for job_id, *_rest in bulk.insert_new(
            db, Job.__table__, [_job(user_id, key) for key in ("A", "B")],
            unique=("user_id", "kind", "source_key", "source_version"), returning=("id",))]
        db.execute(insert(AuditEvent), [dict(zip(keys, (WHEN, user_id, ids[0], "by core"), strict=True))])
        bulk.insert_values(db, AuditEvent.__table__, keys, [(WHEN, user_id, ids[1], "by tuple")])
        bulk.insert_values(db, JobDependency.__table__, ("job_id", "depends_on_id"), [(ids[1], ids[0])])
        bulk.insert_values(db, JobDependency.__table__, ("job_id", "depends_on_id"), [])
    with sessions() as db:
        events = db.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        deps = [tuple(row) for row in db.execute(select(JobDependency.job_id, JobDependency.depends_on_id))]
    by_core, by_tuple = ({c.key: getattr(e, c.key) for c in AuditEvent.__table__.columns
                          if c.key not in ("id", "job_id", "event")} for e in events)
    assert by_tuple == by_core and by_core["detail"] == "" and by_core["record_key"] == ""
    assert [(e.job_id, e.event) for e in events] == [(ids[0], "by core"), (ids[1], "by tuple")]
    assert deps == [(ids[1], ids[0])]
