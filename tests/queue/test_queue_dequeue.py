"""Claiming batches of ready jobs, counts and progress."""

from __future__ import annotations

import os
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from qbwc_service.queue import dequeue, jobs
from qbwc_service.queue.db import make_engine, session_factory
from qbwc_service.queue.models import AuditEvent, Job, QbwcSession, utcnow


def open_session(db, user_id: int, ticket: str = "t") -> int:
    session = QbwcSession(ticket_hash=ticket.ljust(64, "0"), user_id=user_id)
    db.add(session)
    db.flush()
    return session.id


def finish(db, job: Job, status: str = "done") -> None:
    if job.status == "pending":
        jobs.transition(db, job, "sent")
    jobs.transition(db, job, status)


def test_claims_one_area_in_order_and_marks_sent(sessions, plan, user_id):
    with sessions.begin() as db:
        sid = open_session(db, user_id)
        bills = [plan(db, f"B{n}", area="ap") for n in range(3)]
        urgent = plan(db, "B-urgent", area="ap", priority=10)
        invoices = [plan(db, f"I{n}", area="ar") for n in range(2)]
    with sessions.begin() as db:
        batch = dequeue.claim_batch(db, user_id=user_id, session_id=sid, limit=10)
        assert [j.id for j in batch] == [j.id for j in invoices]  # ar before ap
        job = batch[0]
        assert (job.status, job.request_id, job.session_id, job.attempts) == (
            "sent", str(job.id), sid, 1)
        assert job.sent_at is not None
        batch = dequeue.claim_batch(db, user_id=user_id, session_id=sid, limit=3)
        assert [j.id for j in batch] == [urgent.id, bills[0].id, bills[1].id]
        sent_events = db.scalar(select(func.count()).select_from(AuditEvent)
                                .where(AuditEvent.event == "sent"))
        assert sent_events == 5
        assert dequeue.claim_batch(db, user_id=user_id, session_id=sid, limit=3,
                                   areas=["ar"]) == []
        assert [j.id for j in dequeue.claim_batch(db, user_id=user_id, session_id=sid,
                                                  limit=3)] == [bills[2].id]


def test_peeked_jobs_are_claimed_once_whoever_peeked_them(sessions, plan, user_id):
    """Two sessions read the same ready jobs; the first to claim gets them, the other none."""
    with sessions.begin() as db:
        first_sid, second_sid = open_session(db, user_id, "a"), open_session(db, user_id, "b")
        planned = [plan(db, f"I{n}", area="ar") for n in range(3)]
    with sessions() as first, sessions() as second:
        seen_first = dequeue.peek_batch(first, user_id=user_id, limit=2)
        seen_second = dequeue.peek_batch(second, user_id=user_id, limit=10)
        assert [j.id for j in seen_first] == [j.id for j in planned[:2]]
        assert all(j.status == "pending" for j in seen_first)  # reading claims nothing
        claimed = dequeue.claim_jobs(first, seen_first, user_id=user_id, session_id=first_sid)
        first.commit()
        assert [(j.status, j.request_id, j.session_id, j.attempts) for j in claimed] == [
            ("sent", str(j.id), first_sid, 1) for j in planned[:2]]
        late = dequeue.claim_jobs(second, seen_second, user_id=user_id, session_id=second_sid)
        second.commit()
        assert [j.id for j in late] == [planned[2].id]  # only the one the first left
    with sessions() as db:
        owners = dict(db.execute(select(Job.id, Job.session_id)).all())
        assert owners == {planned[0].id: first_sid, planned[1].id: first_sid,
                          planned[2].id: second_sid}
        sent = db.scalar(select(func.count()).select_from(AuditEvent)
                         .where(AuditEvent.event == "sent"))
        assert sent == 3


def test_lists_go_first_and_dependencies_hold_jobs_back(sessions, plan, user_id):
    with sessions.begin() as db:
        customer = plan(db, "C", area="lists", kind="customer.ensure")
        invoice = plan(db, "I", depends_on=[customer])
        loose = plan(db, "I2")
    with sessions.begin() as db:
        assert [j.id for j in dequeue.claim_batch(db, user_id=user_id, session_id=None,
                                                  limit=5)] == [customer.id]
        assert [j.id for j in dequeue.claim_batch(db, user_id=user_id, session_id=None,
                                                  limit=5)] == [loose.id]
        assert dequeue.claim_batch(db, user_id=user_id, session_id=None, limit=5) == []
        assert not dequeue.has_open_work(db, user_id)
        jobs.transition(db, db.get(Job, customer.id), "done")
        assert dequeue.has_open_work(db, user_id)
        assert [j.id for j in dequeue.claim_batch(db, user_id=user_id, session_id=None,
                                                  limit=5)] == [invoice.id]


def test_not_before_and_other_users_are_respected(sessions, plan, user_id, make_user):
    other = make_user("other")
    later = utcnow() + timedelta(minutes=5)
    with sessions.begin() as db:
        waiting = plan(db, "W", not_before=later)
        plan(db, "X", user_id=other)
    with sessions.begin() as db:
        assert dequeue.claim_batch(db, user_id=user_id, session_id=None, limit=5) == []
        assert not dequeue.has_open_work(db, user_id)
        claimed = dequeue.claim_batch(db, user_id=user_id, session_id=None, limit=5,
                                      now=later + timedelta(seconds=1))
        assert [j.id for j in claimed] == [waiting.id]
        assert dequeue.counts_by_status(db, user_id)["sent"] == 1
        assert dequeue.counts_by_status(db, other) == {**{s: 0 for s in dequeue.counts_by_status(
            db, other)}, "pending": 1}


def test_verify_jobs_are_open_work_and_claimable(sessions, plan, user_id):
    with sessions.begin() as db:
        job = plan(db, "LOST")
        jobs.transition(db, job, "sent")
        assert not dequeue.has_open_work(db, user_id)
        jobs.transition(db, job, "verify")
        assert dequeue.has_open_work(db, user_id)
        assert dequeue.claim_batch(db, user_id=user_id, session_id=None, limit=5) == []
        claimed = dequeue.claim_batch(db, user_id=user_id, session_id=None, limit=5,
                                      status="verify")
        assert [j.id for j in claimed] == [job.id]
        assert claimed[0].attempts == 2


def test_progress_counts_handled_against_left(sessions, plan, user_id):
    with sessions.begin() as db:
        sid = open_session(db, user_id)
        for n in range(4):
            plan(db, f"P{n}")
        assert dequeue.progress(db, user_id=user_id, session_id=sid) == 0
        batch = dequeue.claim_batch(db, user_id=user_id, session_id=sid, limit=3)
        assert dequeue.progress(db, user_id=user_id, session_id=sid) == 0
        finish(db, batch[0])
        finish(db, batch[1], "error")
        assert dequeue.progress(db, user_id=user_id, session_id=sid) == 50
        finish(db, batch[2])
        assert dequeue.progress(db, user_id=user_id, session_id=sid) == 75
        assert dequeue.progress(db, user_id=user_id, session_id=sid, areas=["ap"]) == 100
        rest = dequeue.claim_batch(db, user_id=user_id, session_id=sid, limit=3)
        finish(db, rest[0])
        assert dequeue.progress(db, user_id=user_id, session_id=sid) == 100


def _claim_concurrently(url: str, user_id: int, workers: int, batch: int) -> list[int]:
    engine = make_engine(url)
    factory = session_factory(engine)
    handed_out: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(workers)
    lock = threading.Lock()

    def worker() -> None:
        try:
            barrier.wait()
            while True:
                with factory.begin() as db:
                    claimed = dequeue.claim_batch(db, user_id=user_id, session_id=None,
                                                  limit=batch)
                    ids = [j.id for j in claimed]
                if not ids:
                    return
                with lock:
                    handed_out.extend(ids)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()
    assert errors == []
    return handed_out


@pytest.mark.parametrize("workers", [2, 4])
def test_concurrent_workers_never_hand_out_a_job_twice(db_url, sessions, plan, user_id, workers):
    with sessions.begin() as db:
        planned = [plan(db, f"J{n}", area=("ar", "ap", "time")[n % 3]).id for n in range(300)]
    handed_out = _claim_concurrently(db_url, user_id, workers, batch=7)
    assert len(handed_out) == len(set(handed_out))
    assert sorted(handed_out) == sorted(planned)
    with sessions() as db:
        assert db.scalar(select(func.max(Job.attempts))) == 1


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("QBWC_TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="needs QBWC_TEST_DATABASE_URL pointing at PostgreSQL")
def test_postgres_workers_skip_locked_rows(db_url, sessions, plan, user_id):
    """A claimer holding rows does not stop another from taking the next ones."""
    with sessions.begin() as db:
        ids = [plan(db, f"L{n}").id for n in range(6)]
    first = sessions()
    try:
        first.begin()
        held = [j.id for j in dequeue.claim_batch(first, user_id=user_id, session_id=None, limit=3)]
        with sessions.begin() as second:  # without SKIP LOCKED: blocked, then a lock timeout
            second.execute(text("SET LOCAL lock_timeout = '5s'"))
            taken = [j.id for j in dequeue.claim_batch(second, user_id=user_id, session_id=None,
                                                       limit=10)]
        assert held == ids[:3]
        assert taken == ids[3:]
    finally:
        first.rollback()
        first.close()


def test_each_claimed_job_gets_its_own_sent_event(sessions, plan, user_id):
    from qbwc_service.queue.models import Run

    long_key = "K" * 200  # the longest key a job holds: with its table it exceeds the column
    with sessions.begin() as db:
        sid = open_session(db, user_id)
        run = Run(user_id=user_id, started_at=utcnow(), status="running", counts={})
        db.add(run)
        db.flush()
        first, second = plan(db, "E1"), plan(db, long_key)
        claimed = dequeue.claim_batch(db, user_id=user_id, session_id=sid, limit=5, run_id=run.id)
        assert [j.id for j in claimed] == [first.id, second.id]
        assert {j.run_id for j in claimed} == {run.id}
        events = db.execute(select(AuditEvent.job_id, AuditEvent.run_id, AuditEvent.record_key,
                                   AuditEvent.detail, AuditEvent.user_id)
                            .where(AuditEvent.event == "sent").order_by(AuditEvent.id)).all()
        assert [tuple(e) for e in events] == [
            (first.id, run.id, "T:E1", f"session {sid}", user_id),
            (second.id, run.id, ("T:" + long_key)[:200], f"session {sid}", user_id)]
        third = plan(db, "E3")
        dequeue.claim_batch(db, user_id=user_id, session_id=None, limit=5)
        assert third.run_id is None
        assert db.execute(select(AuditEvent.detail, AuditEvent.run_id).where(
            AuditEvent.event == "sent", AuditEvent.job_id == third.id)).one() == ("", None)


def test_open_work_can_be_asked_for_some_areas(sessions, plan, user_id):
    with sessions.begin() as db:
        plan(db, "I1", area="ar")
        assert dequeue.has_open_work(db, user_id, areas=["ar"])
        assert dequeue.has_open_work(db, user_id, areas=["lists", "ar"])
        assert not dequeue.has_open_work(db, user_id, areas=["ap"])
        assert not dequeue.has_open_work(db, user_id, areas=[])


def test_progress_counts_only_the_users_own_work_left(sessions, plan, user_id, make_user):
    other = make_user("other")
    with sessions.begin() as db:
        sid = open_session(db, user_id)
        mine = plan(db, "M1")
        plan(db, "O1", user_id=other)
        plan(db, "O2", user_id=other)
        dequeue.claim_batch(db, user_id=user_id, session_id=sid, limit=5)
        assert dequeue.progress(db, user_id=user_id, session_id=sid) == 0
        finish(db, mine)
        assert dequeue.progress(db, user_id=user_id, session_id=sid) == 100


def test_a_claim_writes_the_message_and_values_of_single_jobs_in_its_one_update(
        sessions, plan, user_id):
    from qbwc_service.queue import messages

    with sessions.begin() as db:
        sid = open_session(db, user_id)
        planned = [plan(db, f"I{n}", area="ar") for n in range(3)]
    with sessions.begin() as db:
        seen = dequeue.peek_batch(db, user_id=user_id, limit=10)
        message_id = messages.add_request(db, "<QBXML/>", user_id=user_id, session_id=sid)
        first, second, third = (j.id for j in planned)
        claimed = dequeue.claim_jobs(db, seen, user_id=user_id, session_id=sid,
                                     message_id=message_id,
                                     own={first: {"request_id": f"L{first}"},
                                          second: {"request_id": f"L{first}",
                                                   "warnings": ["Memo: truncated"]}})
        assert not db.dirty  # the objects hold what was written, nothing is left to flush
        assert [(j.request_id, j.warnings, j.message_id) for j in claimed] == [
            (f"L{first}", [], message_id), (f"L{first}", ["Memo: truncated"], message_id),
            (str(third), [], message_id)]
    with sessions() as db:
        stored = {j.id: (j.status, j.request_id, j.warnings, j.message_id)
                  for j in db.scalars(select(Job))}
        assert stored == {first: ("sent", f"L{first}", [], message_id),
                          second: ("sent", f"L{first}", ["Memo: truncated"], message_id),
                          third: ("sent", str(third), [], message_id)}


def test_postgresql_connections_compress_kept_messages_with_lz4(engine):
    """The queue engine's PostgreSQL settings (a server without lz4 keeps its default)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    with engine.connect() as conn:
        available = conn.execute(text(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )).scalar()
        expected = "lz4" if available else "pglz"
        assert conn.execute(text("SHOW default_toast_compression")).scalar() == expected
