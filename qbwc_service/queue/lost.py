"""Jobs stranded in ``sent``: their session will never apply QuickBooks' answer.

A job is ``sent`` from the moment its message leaves for the Web Connector
until the response is applied. When the session dies in between (the Web
Connector crashed, the ``serve`` process was killed, the ticket expired),
nobody knows whether QuickBooks processed the request, so the job becomes
``verify``: the next session looks the record up in QuickBooks before it
would ever send it again (see :mod:`qbwc_service.queue.states`).

:func:`release` does that for the sessions a caller knows are gone. It never
waits on a row another transaction holds (PostgreSQL ``SKIP LOCKED``): such a
job is in the middle of a claim or an answer, so it is not stranded.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbwc_service.queue.jobs import Changes
from qbwc_service.queue.models import Job
from qbwc_service.queue.states import JobStatus

#: Why a job left ``sent`` (its audit detail).
ENDED = "the session ended before QuickBooks' answer arrived"
EXPIRED = "the session expired before QuickBooks' answer arrived"
REPLACED = "a new session of the user started before QuickBooks' answer arrived"


def release(db: Session, user_id: int, *, session_ids: Collection[int] | None = None,
            except_session: int | None = None, reason: str = ENDED) -> int:
    """Move the user's ``sent`` jobs to ``verify``; return how many moved.

    ``session_ids`` limits it to the jobs of those sessions; ``except_session``
    spares the caller's own session. Jobs without a session (the session row
    was deleted) are always stranded. The caller commits.
    """
    if session_ids is not None and not session_ids:
        return 0
    stmt = select(Job).where(Job.user_id == user_id, Job.status == JobStatus.SENT.value)
    if session_ids is not None:
        stmt = stmt.where(Job.session_id.in_(list(session_ids)))
    if except_session is not None:
        stmt = stmt.where((Job.session_id != except_session) | Job.session_id.is_(None))
    if db.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    lost = list(db.scalars(stmt.order_by(Job.id)))
    changes = Changes(db)
    for job in lost:
        changes.transition(job, JobStatus.VERIFY, reason=reason)
    changes.flush()
    return len(lost)


__all__ = ["ENDED", "EXPIRED", "REPLACED", "release"]
