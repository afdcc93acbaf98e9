"""Many rows into one table in one statement (an array per column on PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import event, select

from qbwc_service.queue.models import AuditEvent, WriteBack
from qbwc_service.queue.rows import insert_rows

AT = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


def test_rows_are_inserted_in_order_with_their_values_in_one_statement(sessions, user_id):
    rows = [dict(created_at=AT, user_id=user_id, job_id=None, run_id=None,
                 record_key=f"Billing:{n}", event="sent", detail="" if n % 2 else "Zoë <&>")
            for n in range(120)]
    statements: list[str] = []
    with sessions.begin() as db:
        engine = db.get_bind()
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            insert_rows(db, AuditEvent.__table__, rows)
            insert_rows(db, AuditEvent.__table__, [])  # nothing: no statement
        finally:
            event.remove(engine, "before_cursor_execute", listener)
    assert len(statements) == 1
    with sessions() as db:
        stored = db.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [(a.record_key, a.detail, a.user_id, a.job_id, a.event) for a in stored] == [
            (r["record_key"], r["detail"], user_id, None, "sent") for r in rows]
        assert all(a.created_at.replace(tzinfo=UTC) == AT for a in stored)


def test_nulls_and_numbers_go_through_the_arrays(sessions, user_id):
    with sessions.begin() as db:
        insert_rows(db, WriteBack.__table__, [
            dict(user_id=user_id, job_id=None, action="exported", source_table="Billing",
                 source_key=str(n), attempts=n, last_error="", created_at=AT, done_at=None)
            for n in range(3)])
    with sessions() as db:
        stored = db.scalars(select(WriteBack).order_by(WriteBack.id)).all()
        assert [(w.source_key, w.attempts, w.done_at) for w in stored] == [
            ("0", 0, None), ("1", 1, None), ("2", 2, None)]
