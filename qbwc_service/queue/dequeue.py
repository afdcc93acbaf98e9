"""Handing jobs out: which are ready, claiming a batch, counting progress.

A job is *ready* when it is ``pending``, its ``not_before`` has passed and
every job it depends on is ``done``. :func:`claim_batch` takes up to a batch
of ready jobs of one area and marks them ``sent`` in the caller's
transaction, so that two server processes sharing the queue never hand out
the same job:

* PostgreSQL: the candidate rows are read ``FOR UPDATE SKIP LOCKED``; a
  second process skips the rows the first holds and takes the next ones.
* SQLite: the database has a single writer. The claim is a conditional
  ``UPDATE .. WHERE status = 'pending' .. RETURNING id``; a second writer
  waits for the first to commit, then finds those rows no longer pending
  and gets only what is left.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache

from sqlalchemy import (
    Integer,
    Select,
    String,
    Update,
    and_,
    any_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from qbwc_service.queue import areas as areas_mod
from qbwc_service.queue import jobs as jobs_mod
from qbwc_service.queue.bulk import insert_rows
from qbwc_service.queue.models import AuditEvent, Job, JobDependency, utcnow
from qbwc_service.queue.states import JobStatus

#: Statuses still waiting for QuickBooks (progress counts them as left to do).
_LEFT_STATES = (JobStatus.PENDING.value, JobStatus.SENT.value, JobStatus.VERIFY.value)
#: Statuses that end a job's turn in a session (progress counts them as handled).
_HANDLED_STATES = (JobStatus.DONE.value, JobStatus.ERROR.value, JobStatus.SKIPPED.value,
                   JobStatus.CANCELLED.value)


#: SQL condition: the job waits for a dependency not yet done. Built once: an
#: alias of ``jobs`` costs more to make than the rest of a claim's statement.
_DEPENDENCY = aliased(Job)
_WAITS_FOR_DEPENDENCY = exists().where(
    JobDependency.job_id == Job.id,
    _DEPENDENCY.id == JobDependency.depends_on_id,
    _DEPENDENCY.status != JobStatus.DONE.value,
)


def ready_condition(now: datetime | BindParameter[datetime],
                    status: str | BindParameter[str] = JobStatus.PENDING.value) -> ColumnElement[bool]:
    """SQL condition: a job in ``status`` whose time has come and whose dependencies are done."""
    return and_(Job.status == status,
                or_(Job.not_before.is_(None), Job.not_before <= now),
                ~_WAITS_FOR_DEPENDENCY)


def claim_batch(db: Session, *, user_id: int, session_id: int | None, limit: int,
                areas: Sequence[str] | None = None, now: datetime | None = None,
                run_id: int | None = None, status: str = JobStatus.PENDING.value) -> list[Job]:
    """Claim up to ``limit`` ready jobs of one area and mark them ``sent``.

    The area is the first of ``areas`` (default: every area) that has ready
    work, in :data:`~qbwc_service.queue.areas.ORDER` (areas not listed there
    come after, alphabetically); jobs go by ``priority`` then ``id``. Each
    claimed job gets ``status='sent'``, ``request_id = str(id)``,
    ``session_id``, ``run_id`` (if given), ``attempts + 1``, ``sent_at`` and a
    ``sent`` audit event. Returns them in order; ``[]`` when nothing is ready. ``status='verify'`` claims jobs
    awaiting verification the same way. The caller commits.
    """
    if limit <= 0:
        return []
    now = now or utcnow()
    for area in _area_order(db, user_id, areas):
        claimed = _claim_in_area(db, user_id, area, session_id, limit, now, run_id, status)
        if claimed:
            return claimed
    return []


def _area_order(db: Session, user_id: int, areas: Sequence[str] | None) -> list[str]:
    if areas is not None:
        rank = {a: i for i, a in enumerate(areas_mod.ORDER)}
        return sorted(dict.fromkeys(areas), key=lambda a: (rank.get(a, len(rank)), a))
    return list(areas_mod.ORDER)


def _claim_in_area(db: Session, user_id: int, area: str, session_id: int | None, limit: int,
                   now: datetime, run_id: int | None, status: str) -> list[Job]:
    stmt = _claim_statement(db.get_bind().dialect.name == "postgresql", run_id is not None)
    params = dict(c_user=user_id, c_area=area, c_status=status, c_limit=limit, c_now=now,
                  c_session=session_id, c_run=run_id)
    claimed = sorted(db.scalars(stmt, params), key=lambda job: (job.priority, job.id))
    _audit_sent(db, claimed, user_id, session_id, now)
    return claimed


def _audit_sent(db: Session, claimed: list[Job], user_id: int, session_id: int | None,
                now: datetime) -> None:
    """The ``sent`` audit events of the jobs just claimed, in one INSERT."""
    if claimed:
        insert_rows(db, AuditEvent.__table__, [
            dict(created_at=now, user_id=user_id, job_id=job.id, run_id=job.run_id,
                 record_key=jobs_mod.record_key(job)[:200], event=jobs_mod.SENT,
                 detail=f"session {session_id}" if session_id is not None else "")
            for job in claimed])


def peek_batch(db: Session, *, user_id: int, limit: int, areas: Sequence[str] | None = None,
               now: datetime | None = None, status: str = JobStatus.PENDING.value) -> list[Job]:
    """The jobs :func:`claim_batch` would claim now, read but not claimed.

    So a caller can build their requests before its transaction writes (SQLite has
    one writer at a time, from its first write to its commit), then claim them with
    :func:`claim_jobs`. On PostgreSQL the rows are locked ``FOR UPDATE SKIP LOCKED``,
    as the claim would, so no other transaction claims them meanwhile.
    """
    if limit <= 0:
        return []
    now = now or utcnow()
    stmt = _peek_statement(db.get_bind().dialect.name == "postgresql")
    for area in _area_order(db, user_id, areas):
        found = list(db.scalars(stmt, dict(c_user=user_id, c_area=area, c_status=status,
                                           c_limit=limit, c_now=now)))
        if found:
            return found
    return []


def claim_jobs(db: Session, jobs: list[Job], *, user_id: int, session_id: int | None,
               now: datetime | None = None, run_id: int | None = None,
               status: str = JobStatus.PENDING.value, message_id: int | None = None,
               own: Mapping[int, Mapping[str, object]] | None = None) -> list[Job]:
    """Claim those of ``jobs`` (from :func:`peek_batch`) still in ``status``, as
    :func:`claim_batch` does; returns them in the order given. With ``message_id``
    the claimed jobs point at that message (stored before the claim) too, and ``own``
    gives some jobs values of their own (``request_id``, ``warnings``) in the same UPDATE.

    The status check makes it safe: a job another claimer took meanwhile is left out.
    The job objects get the claimed values without being read again.
    """
    if not jobs:
        return []
    now = now or utcnow()
    values = _sent_values(session_id, now, run_id)
    if message_id is not None:
        values["message_id"] = message_id
    own = own or {}
    own_names = {name for job_values in own.values() for name in job_values}
    columns = Job.__table__.c
    for name in sorted(own_names):
        whens = [(Job.id == job_id, literal(job_values[name], columns[name].type))
                 for job_id, job_values in own.items() if name in job_values]
        values[name] = case(*whens, else_=values.get(name, columns[name]))
    ids = [job.id for job in jobs]
    # On PostgreSQL the ids go as one array: a statement of a few parameters, which the
    # driver converts once, not one of a parameter per job.
    picked = (Job.id == any_(bindparam("ids", ids, type_=ARRAY(Integer)))
              if db.get_bind().dialect.name == "postgresql" else Job.id.in_(ids))
    attempts = dict(db.execute(
        update(Job).where(picked, Job.status == status)
        .values(**values).returning(Job.id, Job.attempts)
        .execution_options(synchronize_session=False)).all())
    claimed = [job for job in jobs if job.id in attempts]
    common = {name: value for name, value in values.items()
              if name != "request_id" and name not in own_names}
    for job in claimed:
        fields = dict(common, request_id=str(job.id), attempts=attempts[job.id])
        fields.update(own.get(job.id, {}))
        for name, value in fields.items():
            set_committed_value(job, name, value)
    _audit_sent(db, claimed, user_id, session_id, now)
    return claimed


@cache
def _peek_statement(for_update: bool) -> Select[tuple[Job]]:
    """The candidates of a claim as whole jobs (see :func:`peek_batch`), built once."""
    stmt = select(Job).where(*_candidate_conditions()).order_by(Job.priority, Job.id).limit(
        bindparam("c_limit", type_=Integer))
    return stmt.with_for_update(skip_locked=True, of=Job) if for_update else stmt


def _candidate_conditions() -> list[ColumnElement[bool]]:
    """Ready jobs of a user and area in a status, with the claim's bound parameters."""
    columns = Job.__table__.c
    return [Job.user_id == bindparam("c_user", type_=Integer),
            Job.area == bindparam("c_area", type_=columns.area.type),
            ready_condition(bindparam("c_now", type_=columns.sent_at.type),
                            bindparam("c_status", type_=columns.status.type))]


@cache
def _claim_statement(for_update: bool, with_run: bool) -> Update:
    """The claim of :func:`_claim_in_area`, built once (its values are bound parameters).

    Building the statement costs more than running it on SQLite: every message claims.
    """
    columns = Job.__table__.c
    now = bindparam("c_now", type_=columns.sent_at.type)
    status = bindparam("c_status", type_=columns.status.type)
    candidates = (select(Job.id)
                  .where(*_candidate_conditions())
                  .order_by(Job.priority, Job.id)
                  .limit(bindparam("c_limit", type_=Integer)))
    if for_update:
        candidates = candidates.with_for_update(skip_locked=True, of=Job)
    # A WITH query is read once. As a plain IN subquery PostgreSQL may read it again
    # while updating, and SKIP LOCKED then hands over other rows: more than ``limit``.
    picked = candidates.cte("picked")
    values = _sent_values(bindparam("c_session", type_=Integer), now,
                          bindparam("c_run", type_=Integer) if with_run else None)
    # One statement picks and claims (a round trip counts on a database server). The
    # status check makes the claim safe on SQLite: a concurrent claimer that committed
    # first has already moved these rows on. The UPDATE returns the claimed rows whole,
    # so no second SELECT reads them back.
    return (update(Job).where(Job.id.in_(select(picked.c.id)), Job.status == status)
            .values(**values).returning(Job)
            .execution_options(synchronize_session=False, populate_existing=True))


def _sent_values(session_id: object, now: object, run_id: object) -> dict[str, object]:
    """The columns a claim sets: values, or bound parameters for a statement built once."""
    values: dict[str, object] = dict(
        status=JobStatus.SENT.value, request_id=cast(Job.id, String), session_id=session_id,
        attempts=Job.attempts + 1, sent_at=now, updated_at=now, done_at=None)
    if run_id is not None:
        values["run_id"] = run_id
    return values


def has_status(user_id: int | BindParameter[int], status: str,
               area: str | None = None) -> ColumnElement[bool]:
    """SQL condition: the user has a job in ``status`` (of ``area``), one probe of
    ``ix_jobs_dequeue`` that stops at the first row."""
    stmt = select(Job.id).where(Job.user_id == user_id, Job.status == status)
    if area is not None:
        stmt = stmt.where(Job.area == area)
    return exists(stmt)


def has_open_work(db: Session, user_id: int, *, areas: Sequence[str] | None = None,
                  now: datetime | None = None) -> bool:
    """Whether a session would have something to do: a ready job or one to verify.

    One indexed ``EXISTS`` query; blocked jobs and jobs whose ``not_before``
    lies ahead do not count.
    """
    now = now or utcnow()
    cond = or_(ready_condition(now), Job.status == JobStatus.VERIFY.value)
    stmt = select(Job.id).where(Job.user_id == user_id, cond)
    if areas is not None:
        stmt = stmt.where(Job.area.in_(list(areas)))
    return db.scalar(select(exists(stmt))) is True


def counts_by_status(db: Session, user_id: int | None = None) -> dict[str, int]:
    """``{status: number of jobs}`` for one user (every user when ``None``); zeros included."""
    stmt = select(Job.status, func.count()).group_by(Job.status)
    if user_id is not None:
        stmt = stmt.where(Job.user_id == user_id)
    counts = {s.value: 0 for s in JobStatus}
    counts.update({status: n for status, n in db.execute(stmt)})
    return counts


@cache
def _progress_statement(by_area: bool) -> Select[tuple[int, int]]:
    """:func:`progress`'s two counts in one statement (a round trip counts on a database
    server), built once: its values are bound parameters."""
    handled = select(func.count()).select_from(Job).where(
        Job.session_id == bindparam("p_session", type_=Integer), Job.status.in_(_HANDLED_STATES))
    left = select(func.count()).select_from(Job).where(
        Job.user_id == bindparam("p_user", type_=Integer), Job.status.in_(_LEFT_STATES))
    if by_area:
        left = left.where(Job.area.in_(bindparam("p_areas", expanding=True)))
    return select(handled.scalar_subquery(), left.scalar_subquery())


def progress(db: Session, *, user_id: int, session_id: int,
             areas: Sequence[str] | None = None) -> int:
    """Percent of the session's work done: 100 when nothing is left.

    Handled = jobs this session finished (done, error, skipped, cancelled);
    left = the user's jobs still pending, sent or to verify (in ``areas`` if
    given, e.g. without an area stopped on error). Blocked jobs wait for an
    admin and do not hold progress back. Never 100 while something is left.
    """
    handled, left = db.execute(_progress_statement(areas is not None), dict(
        p_session=session_id, p_user=user_id, p_areas=list(areas or ()))).one()
    handled, left = handled or 0, left or 0
    if left == 0:
        return 100
    return min(99, (100 * handled) // (handled + left))
