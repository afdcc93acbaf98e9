"""The end of one Web Connector session, as facts, and its one log line."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qbwc_service.queue.models import Job, Message, QbwcSession, Run

log = logging.getLogger("qbwc_service.sessions")

#: Outcome of a session that ran no sync (the Web Connector was told "none").
IDLE = "idle"
#: Outcomes that mean something needs a person.
FAILED_OUTCOMES = frozenset({"errors", "failed"})


@dataclass(frozen=True)
class SessionEnd:
    """What one closed session did."""

    session_id: int
    user: str
    remote_addr: str
    started_at: datetime
    ended_at: datetime
    #: The run's status (``ok``, ``errors``, ``failed``), or :data:`IDLE` without a run.
    outcome: str
    run_id: int | None = None
    summary: str = ""
    #: Jobs this session touched, by status (``done``, ``error``, ...).
    jobs: dict[str, int] = field(default_factory=dict)
    #: Seconds from each qbXML request to its answer.
    round_trips: tuple[float, ...] = ()

    @property
    def duration(self) -> float:
        return (self.ended_at - self.started_at).total_seconds()

    @property
    def failed(self) -> bool:
        return self.outcome in FAILED_OUTCOMES

    def line(self) -> str:
        counts = " ".join(f"{status}={n}" for status, n in sorted(self.jobs.items())) or "jobs=0"
        return (f"session {self.session_id} user={self.user} from={self.remote_addr or '?'} "
                f"outcome={self.outcome} {counts} round_trips={len(self.round_trips)} "
                f"duration={self.duration:.1f}s")

    def fields(self) -> dict[str, object]:
        """The same facts as separate fields (JSON log lines, webhooks)."""
        return {"session_id": self.session_id, "user": self.user, "remote_addr": self.remote_addr,
                "outcome": self.outcome, "run_id": self.run_id, "jobs": dict(self.jobs),
                "round_trips": len(self.round_trips), "duration_s": round(self.duration, 3),
                "started_at": self.started_at.isoformat(), "ended_at": self.ended_at.isoformat()}


SessionObserver = Callable[[SessionEnd], object]


def describe(db: Session, session: QbwcSession, now: datetime) -> SessionEnd:
    """The :class:`SessionEnd` of *session*, read inside the transaction that closes it."""
    db.flush()
    jobs: dict[str, int] = dict(db.execute(select(Job.status, func.count())
                                           .where(Job.session_id == session.id).group_by(Job.status)).all())
    run = db.get(Run, session.run_id) if session.run_id is not None else None
    # A session has one run; messages are indexed by run.
    answered = db.execute(select(Message.sent_at, Message.answered_at).where(
        Message.run_id == session.run_id, Message.answered_at.is_not(None))).all() if run is not None else []
    return SessionEnd(
        session_id=session.id, user=session.user.name, remote_addr=session.remote_addr,
        started_at=aware(session.created_at), ended_at=now,
        outcome=run.status if run is not None else IDLE, run_id=session.run_id,
        summary=run.summary if run is not None else "", jobs=jobs,
        round_trips=tuple(max(0.0, (aware(done) - aware(sent)).total_seconds())
                          for sent, done in answered if sent is not None and done is not None))


def log_line(end: SessionEnd) -> None:
    """One INFO line per session (WARNING when it ended with errors)."""
    log.log(logging.WARNING if end.failed else logging.INFO, "%s", end.line(), extra=end.fields())


def aware(value: datetime) -> datetime:
    """*value* as an aware UTC time (SQLite hands back naive ones)."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
