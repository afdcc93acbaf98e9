"""Jobs stranded in ``sent`` go to ``verify``, by session, never the caller's own."""

from __future__ import annotations

from sqlalchemy import select

from qbwc_service.queue import dequeue, lost
from qbwc_service.queue.models import AuditEvent, Job, QbwcSession


def _session(db, user_id: int, ticket: str) -> int:
    session = QbwcSession(ticket_hash=ticket.ljust(64, "0"), user_id=user_id)
    db.add(session)
    db.flush()
    return session.id


def _claim_one(db, user_id: int, session_id: int | None) -> Job:
    claimed = dequeue.claim_batch(db, user_id=user_id, session_id=session_id, limit=1)
    assert len(claimed) == 1
    return claimed[0]


def test_release_moves_the_sent_jobs_of_the_named_sessions_only(sessions, plan, user_id, make_user):
    other_user = make_user("other")
    with sessions.begin() as db:
        dead, alive = _session(db, user_id, "dead"), _session(db, user_id, "alive")
        for key in ("A", "B", "C", "D"):
            plan(db, key)
        plan(db, "X", user_id=other_user)
        a, b = _claim_one(db, user_id, dead), _claim_one(db, user_id, alive)
        orphan = _claim_one(db, user_id, None)
        others = dequeue.claim_batch(db, user_id=other_user, session_id=dead, limit=5)
        assert lost.release(db, user_id, session_ids=[]) == 0
        assert lost.release(db, user_id, session_ids=[dead], reason=lost.EXPIRED) == 1
        assert (a.status, b.status, orphan.status) == ("verify", "sent", "sent")
        assert [j.status for j in others] == ["sent"]  # another user's job is never touched
        detail = db.scalar(select(AuditEvent.detail).where(AuditEvent.job_id == a.id,
                                                           AuditEvent.event == "verify"))
        assert detail == lost.EXPIRED


def test_release_spares_the_callers_session_and_takes_jobs_without_one(sessions, plan, user_id):
    with sessions.begin() as db:
        mine, old = _session(db, user_id, "mine"), _session(db, user_id, "old")
        for key in ("A", "B", "C"):
            plan(db, key)
        own, theirs, orphan = (_claim_one(db, user_id, mine), _claim_one(db, user_id, old),
                               _claim_one(db, user_id, None))
        assert lost.release(db, user_id, except_session=mine, reason=lost.REPLACED) == 2
        assert (own.status, theirs.status, orphan.status) == ("sent", "verify", "verify")
        # What was released is work a session can do at once: verify is open work.
        assert dequeue.has_open_work(db, user_id)
        assert lost.release(db, user_id) == 1 and own.status == "verify"
        assert lost.release(db, user_id) == 0
