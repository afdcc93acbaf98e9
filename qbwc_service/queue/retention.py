"""Keeping the queue database from growing for ever: ``qbwc-service db prune``, run daily by ``serve``.

Removes the qbXML messages sent more than ``storage.keep_messages_days`` ago,
except those of jobs whose outcome is still open (``sent``, ``verify``), and
the admin logins that ended that long ago. Jobs, runs, their reports and the
audit trail stay: they are small and tell what happened to every record.
Messages go in batches of :data:`BATCH`, each in a short transaction of its
own, so a first prune of a large database never holds the write lock for long.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from qbwc_service.queue.db import transaction
from qbwc_service.queue.models import AdminSession, Job, Message, utcnow
from qbwc_service.queue.states import JobStatus

log = logging.getLogger(__name__)

#: Messages removed per transaction.
BATCH = 500
#: Jobs whose message is kept whatever its age: QuickBooks' answer to them is not known yet.
OPEN_STATES = (JobStatus.SENT.value, JobStatus.VERIFY.value)
#: How often ``serve`` prunes.
EVERY = timedelta(days=1)


@dataclass
class Pruned:
    """What one prune removed."""

    messages: int = 0
    admin_sessions: int = 0

    def line(self, keep_days: int) -> str:
        if keep_days <= 0:
            return "nothing pruned: storage.keep_messages_days is 0 (keep everything)"
        return (f"pruned {self.messages} message(s) sent and {self.admin_sessions} admin login(s) "
                f"ended more than {keep_days} days ago")


def prune(sessions: sessionmaker[Session], keep_days: int, now: datetime | None = None) -> Pruned:
    """Remove what is older than *keep_days* days (nothing when it is 0)."""
    pruned = Pruned()
    if keep_days <= 0:
        return pruned
    cutoff = (now or utcnow()) - timedelta(days=keep_days)
    still_open = exists().where(Job.message_id == Message.id, Job.status.in_(OPEN_STATES))
    while True:
        with transaction(sessions) as db:
            ids = list(db.scalars(select(Message.id).where(Message.sent_at < cutoff, ~still_open)
                                  .order_by(Message.id).limit(BATCH)))
            if not ids:
                break
            db.execute(update(Job).where(Job.message_id.in_(ids)).values(message_id=None)
                       .execution_options(synchronize_session=False))
            db.execute(delete(Message).where(Message.id.in_(ids))
                       .execution_options(synchronize_session=False))
            pruned.messages += len(ids)
    with transaction(sessions) as db:
        ended = db.execute(delete(AdminSession).where(
            or_(AdminSession.ended_at < cutoff, AdminSession.expires_at < cutoff))
            .execution_options(synchronize_session=False))
        pruned.admin_sessions = ended.rowcount or 0
    return pruned


def prune_daily(sessions: sessionmaker[Session], keep_days: int,
                every: timedelta = EVERY) -> threading.Event:
    """Prune now and then every *every* in a background thread; set the returned event to stop it."""
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                log.info(prune(sessions, keep_days).line(keep_days))
            except Exception:  # noqa: BLE001 - logged; the next day tries again, serving goes on
                log.exception("pruning the queue database failed")
            stop.wait(every.total_seconds())

    threading.Thread(target=run, name="qbwc-service-prune", daemon=True).start()
    return stop
