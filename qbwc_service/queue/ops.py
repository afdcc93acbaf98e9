"""What an admin does to the queue: look, retry, skip, cancel, search.

Shared by the command line (``qbwc-service queue ...``) and the admin web
page, so both behave the same. Each action goes through
:func:`qbwc_service.queue.jobs.transition` (state machine + audit event) and
raises :class:`OpsError` with a plain message when the job cannot make that
move. Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, Text, and_, cast, func, or_, select
from sqlalchemy.orm import Session

from qbwc_service.queue import areas, jobs, messages
from qbwc_service.queue.models import AuditEvent, Job, QbwcSession, Run, User
from qbwc_service.queue.states import RETRYABLE_STATES, IllegalTransition, JobStatus

#: The areas an admin filters by (declared in :mod:`qbwc_service.queue.areas`).
AREAS: tuple[str, ...] = areas.ORDER
STATUSES: tuple[str, ...] = tuple(s.value for s in JobStatus)


class OpsError(ValueError):
    """An admin action that cannot be done; the message says why."""


def user_by_name(db: Session, name: str) -> User:
    """The user called ``name``; :class:`OpsError` if there is none."""
    user = db.scalars(select(User).where(User.name == name)).first()
    if user is None:
        raise OpsError(f"no user {name!r} (see `qbwc-service user list`)")
    return user


def get_job(db: Session, job_id: int) -> Job:
    job = db.get(Job, job_id)
    if job is None:
        raise OpsError(f"no job {job_id}")
    return job


@dataclass(frozen=True)
class JobFilter:
    """What the queue list shows; every field optional."""

    user_id: int | None = None
    status: str | None = None
    area: str | None = None
    text: str | None = None  # in the record key (table or key) or the record planned
    #: Also matching ``text``: records whose planned payload holds one of these fragments
    #: (``"cust_code": "ACME"``), and list records by ``(table, key)``; both from names.
    fragments: tuple[str, ...] = ()
    records: tuple[tuple[str, str], ...] = ()
    kind: str | None = None  # the job kind (``invoice.add``): the document type
    day_from: date | None = None  # created on or after
    day_to: date | None = None  # created on or before
    run_id: int | None = None

    def apply(self, stmt: Select[Any]) -> Select[Any]:
        conditions = {
            "user_id": lambda v: Job.user_id == v,
            "status": lambda v: Job.status == v,
            "area": lambda v: Job.area == v,
            "run_id": lambda v: Job.run_id == v,
            "kind": lambda v: Job.kind == v,
            "text": self._text,
            "day_from": lambda v: Job.created_at >= _start_of(v),
            "day_to": lambda v: Job.created_at < _start_of(v + timedelta(days=1)),
        }
        for name, condition in conditions.items():
            value = getattr(self, name)
            if value not in (None, ""):
                stmt = stmt.where(condition(value))
        return stmt


    def _text(self, value: str) -> ColumnElement[bool]:
        """The key, or anything in the record planned (a customer code, a name, a PO number)."""
        pattern = f"%{_escape_like(value)}%"
        planned = cast(Job.payload, Text)
        return or_(Job.source_key.ilike(pattern, escape="\\"),
                   (Job.source_table + ":" + Job.source_key).ilike(pattern, escape="\\"),
                   planned.ilike(pattern, escape="\\"),
                   *(planned.like(f"%{_escape_like(f)}%", escape="\\") for f in self.fragments),
                   *(and_(Job.source_table == table, Job.source_key == key)
                     for table, key in self.records))


def list_jobs(db: Session, where: JobFilter = JobFilter(), *, offset: int = 0,
              limit: int = 50) -> tuple[list[Job], int]:
    """Jobs matching ``where``, newest first: ``(page, total matching)``."""
    total = db.scalar(where.apply(select(func.count()).select_from(Job))) or 0
    page = db.scalars(where.apply(select(Job)).order_by(Job.id.desc())
                      .offset(offset).limit(limit))
    return list(page), total


def retry_job(db: Session, job: Job, *, actor: str = "") -> list[Job]:
    """Send a failed, skipped or blocked job again; returns the jobs re-queued.

    A failed or skipped job goes back to ``pending`` with its attempts reset
    and its error cleared (the audit trail keeps it); so do the failed jobs it
    depends on (a job whose dependency was cancelled waits ``blocked``). A
    blocked job is retried through the failed dependencies that block it.
    Whatever waited on a re-queued job is released from ``blocked``.

    A retry re-sends the job as planned. A list record fixed in JobBOSS2
    after its ensure job failed (a shorter ``QBCustCode``, say) is picked up
    by the next planning pass instead (``sync start``, the admin's Start,
    auto planning): it plans the new version and moves the blocked
    dependents onto it (:mod:`qbwc_service.sync.planning.replan`).
    """
    if job.status not in RETRYABLE_STATES:
        raise OpsError(f"job {job.id} is {job.status}: it cannot be retried"
                       + _HINTS.get(job.status, ""))
    if job.status == JobStatus.BLOCKED:
        roots = _failed_roots(db, job)
        if not roots:
            raise OpsError(f"job {job.id} is blocked by a cancelled job: plan it again instead")
        requeued = [r for root in roots for r in retry_job(db, root, actor=actor)]
        if job.status == JobStatus.BLOCKED:  # released unless another dependency still fails
            raise OpsError(f"job {job.id} is still blocked: {job.blocked_reason}")
        return requeued
    _move(db, job, JobStatus.PENDING, "retried", event=jobs.RETRIED, actor=actor)
    job.attempts = 0
    job.not_before = None
    job.error_code = ""
    job.error_message = ""
    # It cannot go before what it needs: retry that too, or wait blocked if it was cancelled.
    requeued = [job, *(r for root in _failed_roots(db, job) for r in retry_job(db, root, actor=actor))]
    still_failed = [d for d in jobs.dependencies(db, job) if JobStatus(d.status) in jobs.FAILED_STATES]
    if still_failed:
        jobs.transition(db, job, JobStatus.BLOCKED, reason=jobs.blocked_reason(still_failed[0]))
        return requeued[1:]
    jobs.unblock_dependents(db, job)
    return requeued


def retry_errors(db: Session, *, user_id: int | None = None, area: str | None = None,
                 actor: str = "") -> list[Job]:
    """Retry every job in ``error`` (of one user / area if given); returns them."""
    stmt = select(Job).where(Job.status == JobStatus.ERROR.value).order_by(Job.id)
    if user_id is not None:
        stmt = stmt.where(Job.user_id == user_id)
    if area:
        stmt = stmt.where(Job.area == area)
    failed = list(db.scalars(stmt))
    for job in failed:
        if job.status == JobStatus.ERROR:  # a retry above may not touch it, but be sure
            retry_job(db, job, actor=actor)
    return failed


def skip_job(db: Session, job: Job, *, actor: str = "") -> None:
    """Do not send this job (it may be planned again later); its dependents wait, blocked."""
    _move(db, job, JobStatus.SKIPPED, "skipped", event=jobs.SKIPPED, actor=actor)
    jobs.block_dependents(db, job, f"skipped{_by(actor)}")


def cancel_job(db: Session, job: Job, *, actor: str = "") -> None:
    """Retire this version of the record for good; its dependents wait, blocked."""
    _move(db, job, JobStatus.CANCELLED, "cancelled", event=jobs.CANCELLED, actor=actor)
    jobs.block_dependents(db, job, f"cancelled{_by(actor)}")


#: Admin action name -> the function doing it (retry returns the re-queued jobs).
ACTIONS = {"retry": retry_job, "skip": skip_job, "cancel": cancel_job}


def _move(db: Session, job: Job, status: JobStatus, verb: str, *, event: str, actor: str) -> None:
    try:
        jobs.transition(db, job, status, event=event, reason=f"{verb}{_by(actor)}".strip(),
                        outside_run=True)
    except IllegalTransition:
        raise OpsError(f"job {job.id} is {job.status}: it cannot be {verb}"
                       + _HINTS.get(job.status, "")) from None


_HINTS = {
    "sent": " while QuickBooks has it (wait for the session to end)",
    "verify": ": its response was lost, so the next session first asks QuickBooks "
              "whether it already holds the record",
    "done": " (QuickBooks already has the record)",
    "pending": " (it is waiting to be sent)",
}


def _by(actor: str) -> str:
    return f" by {actor}" if actor else ""


def _failed_roots(db: Session, job: Job) -> list[Job]:
    """The error/skipped jobs at the bottom of a blocked job's dependency chain."""
    roots: dict[int, Job] = {}
    todo, seen = [job], {job.id}
    while todo:
        for dep in jobs.dependencies(db, todo.pop()):
            if dep.id in seen:
                continue
            seen.add(dep.id)
            if dep.status in (JobStatus.ERROR, JobStatus.SKIPPED):
                roots[dep.id] = dep
            elif dep.status == JobStatus.BLOCKED:
                todo.append(dep)
    return list(roots.values())


def job_events(db: Session, job: Job) -> list[AuditEvent]:
    """A job's audit events, oldest first."""
    return list(db.scalars(select(AuditEvent).where(AuditEvent.job_id == job.id)
                           .order_by(AuditEvent.id)))


def search_audit(db: Session, text: str = "", *, user_id: int | None = None, offset: int = 0,
                 limit: int = 100, event: str = "") -> tuple[list[AuditEvent], int]:
    """Audit events whose record key contains ``text`` (and of ``event``, when given), newest
    first: ``(page, total)``."""
    stmt = select(AuditEvent)
    count = select(func.count()).select_from(AuditEvent)
    if text:
        cond = AuditEvent.record_key.ilike(f"%{_escape_like(text)}%", escape="\\")
        stmt, count = stmt.where(cond), count.where(cond)
    if event:
        stmt, count = stmt.where(AuditEvent.event == event), count.where(AuditEvent.event == event)
    if user_id is not None:
        stmt = stmt.where(AuditEvent.user_id == user_id)
        count = count.where(AuditEvent.user_id == user_id)
    page = db.scalars(stmt.order_by(AuditEvent.id.desc()).offset(offset).limit(limit))
    return list(page), db.scalar(count) or 0


def list_runs(db: Session, *, user_id: int | None = None, offset: int = 0,
              limit: int = 50) -> tuple[list[Run], int]:
    """Runs, newest first: ``(page, total)``."""
    stmt, count = select(Run), select(func.count()).select_from(Run)
    if user_id is not None:
        stmt, count = stmt.where(Run.user_id == user_id), count.where(Run.user_id == user_id)
    page = db.scalars(stmt.order_by(Run.id.desc()).offset(offset).limit(limit))
    return list(page), db.scalar(count) or 0


def run_session(db: Session, run_id: int) -> QbwcSession | None:
    """The Web Connector session of a run, if still recorded."""
    return db.scalars(select(QbwcSession).where(QbwcSession.run_id == run_id)).first()


def job_as_dict(job: Job, *, full: bool = False) -> dict[str, Any]:
    """JSON-ready view of a job; ``full`` adds the payload."""
    data: dict[str, Any] = {
        "id": job.id, "user_id": job.user_id, "area": job.area, "kind": job.kind,
        "record_key": jobs.record_key(job), "source_version": job.source_version,
        "status": job.status, "priority": job.priority, "attempts": job.attempts,
        "run_id": job.run_id, "session_id": job.session_id,
        "qb_id": job.qb_txn_id or job.qb_list_id, "error_code": job.error_code,
        "error_message": job.error_message, "blocked_reason": job.blocked_reason,
        "warnings": list(job.warnings or []),
        "created_at": _iso(job.created_at), "sent_at": _iso(job.sent_at),
        "done_at": _iso(job.done_at),
    }
    if full:
        data.update(payload=job.payload, message_id=job.message_id)
    return data


def event_as_dict(event: AuditEvent) -> dict[str, Any]:
    return {"id": event.id, "at": _iso(event.created_at), "event": event.event,
            "record_key": event.record_key, "job_id": event.job_id, "run_id": event.run_id,
            "detail": event.detail}


def job_detail(db: Session, job: Job) -> dict[str, Any]:
    """Everything about one job: itself, what it waits for, what waits for it, its events."""
    request_xml, response_xml = messages.exchanged_xml(db, job)
    return {
        **job_as_dict(job, full=True),
        "request_xml": request_xml,
        "response_xml": response_xml,
        "depends_on": [job_as_dict(d) for d in jobs.dependencies(db, job)],
        "dependents": [job_as_dict(d) for d in jobs.dependents(db, job)],
        "events": [event_as_dict(e) for e in job_events(db, job)],
    }


def parse_day(text: str | None) -> date | None:
    """``YYYY-MM-DD`` -> date; ``None`` for empty; :class:`OpsError` otherwise."""
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise OpsError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def check_choice(value: str | None, allowed: Sequence[str], what: str) -> str | None:
    if value and value not in allowed:
        raise OpsError(f"unknown {what} {value!r}; choose from: {', '.join(allowed)}")
    return value or None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
