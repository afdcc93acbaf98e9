"""Moving jobs through their states, planning them, and the audit trail.

Every change of a job's status goes through :class:`Changes` (one change at
a time: :func:`transition`), which checks the edge against
:mod:`qbwc_service.queue.states`, keeps the timestamps and error fields
right, and writes one :class:`AuditEvent` per change; a failed job blocks
what depends on it and a fixed one releases it (:func:`block_dependents`,
:func:`unblock_dependents`). Nothing here commits: the caller owns the
transaction.

The event vocabulary
--------------------
Audit events are the record of what happened; run reports
(:mod:`qbwc_service.sync.reports`) are built from them, so every writer uses
these names (constants below):

=================  ===========================================================
``planned``        a planner queued the job (:func:`add_job`)
``sent``           handed to the Web Connector in a qbXML message (dequeue)
``created``        QuickBooks created the record (an ``...Add`` succeeded)
``updated``        QuickBooks changed the record (an ``...Mod`` succeeded)
``adopted``        QuickBooks already had it (3100 on a list, an ensure query
                   found it, a verify found the lost transaction): no new record
``skipped``        not sent, on purpose (by the engine, or an admin skip)
``warning``        done, but with something to read (a QuickBooks warning
                   status, a value shortened...); see :func:`add_warning`
``error``          QuickBooks refused it, or the engine could not build it;
                   ``detail`` holds QuickBooks' code and message
``retry_later``    a transient error (3175, 3176, 3180...): back to pending
``blocked``        a dependency failed; ``detail`` says which
``unblocked``      the failed dependency was fixed; back to pending
``verify``         sent, but the session ended without the response
``requeued``       back to pending for another reason (verify found nothing)
``retried``        an admin asked for another attempt
``cancelled``      an admin retired this version of the record
``replanned``      a failed list record was fixed in JobBOSS2: its new version
                   was planned and what waited on it moved there
                   (:mod:`qbwc_service.sync.planning.replan`); not an outcome
``exported``       JobBOSS2 marked exported (write-back done)
``paid``           JobBOSS2 marked paid (write-back done)
``writeback_failed`` a JobBOSS2 write-back failed; it will be retried
``area_stopped``   ``options.quit_area_on_error`` stopped an area for the run
``changed_after_export`` planning found a document QuickBooks holds changed in
                   JobBOSS2 since it was sent; ``detail`` says what changed
``deleted_after_export`` planning found a document QuickBooks holds deleted in
                   JobBOSS2 (never deleted in QuickBooks by the service)
=================  ===========================================================

Events that carry a run's *outcome* (:data:`OUTCOME_EVENTS`) must be written
with that run's ``run_id``; the report counts them per area.
The record key of an event is :func:`record_key` of its job, e.g.
``"Billing:10234"``: the JobBOSS2 table and key, searchable in the admin.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from qbwc_service.queue import keyed
from qbwc_service.queue.bulk import dialect_insert, insert_rows
from qbwc_service.queue.models import AuditEvent, Job, JobDependency, utcnow
from qbwc_service.queue.states import JobStatus, check_transition

# The event vocabulary (see the module docstring).
PLANNED = "planned"
SENT = "sent"
CREATED = "created"
UPDATED = "updated"
ADOPTED = "adopted"
SKIPPED = "skipped"
WARNING = "warning"
ERROR = "error"
RETRY_LATER = "retry_later"
BLOCKED = "blocked"
UNBLOCKED = "unblocked"
VERIFY = "verify"
REQUEUED = "requeued"
RETRIED = "retried"
CANCELLED = "cancelled"
REPLANNED = "replanned"
EXPORTED = "exported"
PAID = "paid"
WRITEBACK_FAILED = "writeback_failed"
AREA_STOPPED = "area_stopped"
CHANGED_AFTER_EXPORT = "changed_after_export"
DELETED_AFTER_EXPORT = "deleted_after_export"
#: What planning notices of documents QuickBooks already holds: written without a run,
#: listed in the report of the user's next run (:func:`qbwc_service.sync.running.runs.start`).
AFTER_EXPORT_EVENTS = (CHANGED_AFTER_EXPORT, DELETED_AFTER_EXPORT)

#: Events that are a job's outcome in a run; reports count these per area.
OUTCOME_EVENTS = frozenset({CREATED, UPDATED, ADOPTED, SKIPPED, WARNING, ERROR})

#: The event :func:`transition` writes when the caller names none.
DEFAULT_EVENTS: dict[JobStatus, str] = {
    JobStatus.PENDING: REQUEUED,
    JobStatus.BLOCKED: BLOCKED,
    JobStatus.SENT: SENT,
    JobStatus.VERIFY: VERIFY,
    JobStatus.DONE: CREATED,
    JobStatus.ERROR: ERROR,
    JobStatus.SKIPPED: SKIPPED,
    JobStatus.CANCELLED: CANCELLED,
}

#: States of a dependency that keep its dependents from ever being sent.
FAILED_STATES = frozenset({JobStatus.ERROR, JobStatus.BLOCKED, JobStatus.SKIPPED,
                           JobStatus.CANCELLED})

#: States that end a job's attempt (``done_at`` is set on entering them).
_FINAL_STATES = frozenset({JobStatus.DONE, JobStatus.ERROR, JobStatus.SKIPPED,
                           JobStatus.CANCELLED})

_FAILED_VALUES = [s.value for s in FAILED_STATES]

#: Columns of the planning identity (the ``uq_job_version`` constraint).
_VERSION_COLUMNS = ("user_id", "kind", "source_key", "source_version")


def record_key(job: Job) -> str:
    """The key audit events and reports show for a job: ``"Table:key"``."""
    return f"{job.source_table}:{job.source_key}" if job.source_table else job.source_key


_key_of = record_key  # :func:`audit` has a parameter of the same name


class Changes:
    """Job transitions and audit events of one unit of work; the audit rows wait for :meth:`flush`.

    The one implementation of the state changes: the module functions
    (:func:`transition`, :func:`block_dependents`...) make one change and
    flush at once, while the sync engine applies a whole qbXML message
    through one :class:`Changes` and writes its audit rows in one INSERT (one
    INSERT per row would first flush every pending change of the ORM session:
    hundreds of statements per message). The cascades read the dependency
    graph a level at a time rather than one query per job.

    Whatever writes audit rows by itself (:func:`add_job`,
    :func:`add_dependency`, the dequeue) must come after :meth:`flush`, so the
    trail keeps its order.
    """

    def __init__(self, db: Session) -> None:
        self.db = db
        self.events: list[dict[str, Any]] = []

    def transition(self, job: Job, new_status: str, *, reason: str = "", event: str | None = None,
                   run_id: int | None = None, at: datetime | None = None,
                   outside_run: bool = False) -> None:
        """Move ``job`` to ``new_status`` and keep its audit event (see :func:`transition`)."""
        dst, now = move(job, new_status, reason=reason, run_id=run_id, at=at)
        event_run = None if outside_run else run_id if run_id is not None else job.run_id
        self.audit(user_id=job.user_id, event=event or DEFAULT_EVENTS[dst], job=job,
                   run_id=event_run, detail=reason, at=now)

    def audit(self, *, user_id: int | None, event: str, record_key: str = "",
              job: Job | None = None, run_id: int | None = None, detail: str = "",
              at: datetime | None = None) -> None:
        """Keep one audit event; ``record_key`` defaults to the job's key."""
        key = record_key or (_key_of(job) if job is not None else "")
        self.events.append(dict(
            created_at=at or utcnow(), user_id=user_id, job_id=job.id if job is not None else None,
            run_id=run_id, record_key=key[:200], event=event, detail=detail))

    def add_warning(self, job: Job, message: str, *, run_id: int | None = None) -> None:
        """Note a warning on a job (kept in ``job.warnings``) and its audit event."""
        job.warnings = [*(job.warnings or []), message]
        self.audit(user_id=job.user_id, event=WARNING, job=job,
                   run_id=run_id if run_id is not None else job.run_id, detail=message)

    def flush(self) -> None:
        """Write the audit rows kept so far, in one INSERT, in the order they happened."""
        if self.events:
            rows, self.events = self.events, []
            insert_rows(self.db, AuditEvent.__table__, rows)

    # ------------------------------------------------------------ cascades

    def block_dependents(self, job: Job, reason: str, *, run_id: int | None = None) -> list[Job]:
        """``job`` failed: its pending dependents, and theirs, become blocked (see
        :func:`block_dependents`).

        Only pending jobs can be blocked and a cascade only ever blocks, so the
        jobs pending now are all it can reach: the graph is read once, and each
        job is checked again when its turn comes (depth first, dependents by id).
        """
        graph = self._dependents_graph([job], JobStatus.PENDING.value)
        blocked: list[Job] = []
        todo = [job]
        while todo:
            failed = todo.pop()
            why = blocked_reason(failed, reason if failed is job else "")
            for dep in graph.get(failed.id, ()):
                if dep.status != JobStatus.PENDING.value:
                    continue
                self.transition(dep, JobStatus.BLOCKED, reason=why, run_id=run_id)
                blocked.append(dep)
                todo.append(dep)
        return blocked

    def unblock_dependents(self, job: Job) -> list[Job]:
        """``job`` is done or back in the queue: release what it blocked (see
        :func:`unblock_dependents`).

        Works on ids: a cascade only ever releases blocked jobs, so the blocked
        dependents and the failed dependencies read up front stay right once
        the released ones are taken out; only the jobs released are loaded.
        """
        graph = self._id_graph([job.id], JobStatus.BLOCKED.value)
        reached = [dep for deps in graph.values() for dep in deps]
        if not reached:
            return []
        failed_deps = self._failed_dependency_ids(reached)
        released: list[Job] = []
        done: set[int] = set()
        todo = [job]
        while todo:
            fixed = todo.pop()
            for dep_id in graph.get(fixed.id, ()):
                if dep_id in done or any(other not in done for other in failed_deps.get(dep_id, ())):
                    continue
                dep = self.db.get(Job, dep_id)
                assert dep is not None
                self.transition(dep, JobStatus.PENDING, event=UNBLOCKED,
                                reason=f"{fixed.kind} {_key_of(fixed)} is {fixed.status}")
                done.add(dep_id)
                released.append(dep)
                todo.append(dep)
        return released

    def _id_graph(self, roots: list[int], status: str) -> dict[int, list[int]]:
        """``job id -> ids of its dependents in ``status`` (by id)``, for all reachable that way."""
        graph: dict[int, list[int]] = {}
        frontier = roots
        while frontier:
            found: list[int] = []
            for batch in keyed.batches(frontier):
                rows = self.db.execute(
                    select(JobDependency.depends_on_id, JobDependency.job_id)
                    .join(Job, Job.id == JobDependency.job_id)
                    .where(JobDependency.depends_on_id.in_(batch),
                           Job.status == status)
                    .order_by(Job.id))
                for parent, dep in rows:
                    graph.setdefault(parent, []).append(dep)
                    found.append(dep)
            frontier = [i for i in dict.fromkeys(found) if i not in graph]
            for i in frontier:
                graph[i] = []
        return graph

    def _failed_dependency_ids(self, job_ids: list[int]) -> dict[int, list[int]]:
        """``job id -> ids of its dependencies in a failed state``."""
        out: dict[int, list[int]] = {}
        ids = list(dict.fromkeys(job_ids))
        for batch in keyed.batches(ids):
            rows = self.db.execute(
                select(JobDependency.job_id, JobDependency.depends_on_id)
                .join(Job, Job.id == JobDependency.depends_on_id)
                .where(JobDependency.job_id.in_(batch),
                       Job.status.in_(_FAILED_VALUES)))
            for job_id, dep in rows:
                out.setdefault(job_id, []).append(dep)
        return out

    def _dependents_graph(self, roots: Iterable[Job], status: str) -> dict[int, list[Job]]:
        """``job id -> its dependents in ``status`` (by id)``, for everything reachable that way."""
        ids = self._id_graph([root.id for root in roots], status)
        reached = list(dict.fromkeys(i for deps in ids.values() for i in deps))
        loaded: dict[int, Job] = {}
        for batch in keyed.batches(reached):
            loaded.update((job.id, job) for job in self.db.scalars(
                select(Job).where(Job.id.in_(batch))))
        return {parent: [loaded[i] for i in deps] for parent, deps in ids.items()}


def transition(db: Session, job: Job, new_status: str, *, reason: str = "",
               event: str | None = None, run_id: int | None = None,
               at: datetime | None = None, outside_run: bool = False) -> None:
    """Move ``job`` to ``new_status`` and write the audit event.

    Raises :class:`~qbwc_service.queue.states.IllegalTransition` when the
    state machine has no such edge (the job is left untouched).

    * ``reason``: for ``error`` it becomes ``error_message``, for ``blocked``
      ``blocked_reason``; it is always the event's ``detail``.
    * ``event``: the audit event name, default per status
      (:data:`DEFAULT_EVENTS`; ``done`` defaults to ``created``, so pass
      ``updated`` or ``adopted`` when that is what happened).
    * ``run_id``: the run this happened in; also stored on the job.
    * ``outside_run``: an admin's action between sessions; its event belongs to
      no run, so a past run's report never changes.

    Leaving ``blocked`` clears ``blocked_reason``; entering ``pending``
    clears ``done_at``; entering ``sent`` sets ``sent_at``; entering
    ``done``/``error``/``skipped``/``cancelled`` sets ``done_at``; entering
    ``sent`` also counts an attempt (as :func:`~.dequeue.claim_batch` does).
    """
    changes = Changes(db)
    changes.transition(job, new_status, reason=reason, event=event, run_id=run_id, at=at,
                       outside_run=outside_run)
    changes.flush()


def move(job: Job, new_status: str, *, reason: str = "", run_id: int | None = None,
         at: datetime | None = None) -> tuple[JobStatus, datetime]:
    """The field changes of a transition, without its audit event: ``(status, when)``."""
    dst = check_transition(job.status, new_status)
    now = at or utcnow()
    job.status = dst.value
    job.updated_at = now
    if run_id is not None:
        job.run_id = run_id
    if dst is JobStatus.SENT:
        job.sent_at = now
        job.attempts = (job.attempts or 0) + 1
    if dst in _FINAL_STATES:
        job.done_at = now
    if dst is JobStatus.PENDING:
        job.done_at = None
    job.blocked_reason = reason if dst is JobStatus.BLOCKED else ""
    if dst is JobStatus.ERROR:
        job.error_message = reason or job.error_message
    return dst, now


def audit(db: Session, *, user_id: int | None, event: str, record_key: str = "",
          job: Job | None = None, run_id: int | None = None, detail: str = "",
          at: datetime | None = None) -> None:
    """Write one audit event; ``record_key`` defaults to the job's key."""
    changes = Changes(db)
    changes.audit(user_id=user_id, event=event, record_key=record_key, job=job, run_id=run_id,
                  detail=detail, at=at)
    changes.flush()


def add_warning(db: Session, job: Job, message: str, *, run_id: int | None = None) -> None:
    """Note a warning on a job (kept in ``job.warnings``) and audit it."""
    changes = Changes(db)
    changes.add_warning(job, message, run_id=run_id)
    changes.flush()


def add_job(db: Session, *, user_id: int, area: str, kind: str, source_table: str,
            source_key: str, source_version: str, payload: dict[str, Any], priority: int = 100,
            depends_on: Iterable[Job] = (), not_before: datetime | None = None) -> Job | None:
    """Plan a job; ``None`` when this version of the record is already planned.

    Idempotent and safe when two planners run at once: the insert relies on
    the ``uq_job_version`` constraint (``INSERT .. ON CONFLICT DO NOTHING`` on
    SQLite and PostgreSQL, a SAVEPOINT elsewhere), never on a prior SELECT.
    The new job is ``pending`` (``blocked`` if a dependency already failed),
    has its dependencies recorded and a ``planned`` audit event.
    Use :func:`ensure_job` to get the existing job instead of ``None``.
    """
    values = dict(user_id=user_id, area=area, kind=kind, source_table=source_table,
                  source_key=source_key, source_version=source_version, payload=payload,
                  priority=priority, not_before=not_before, status=JobStatus.PENDING.value,
                  created_at=utcnow(), updated_at=utcnow(), warnings=[])
    job = _insert_job(db, values)
    if job is None:
        return None
    audit(db, user_id=user_id, event=PLANNED, job=job)
    for dep in depends_on:
        add_dependency(db, job, dep)
    return job


def ensure_job(db: Session, **fields: Any) -> tuple[Job, bool]:
    """Like :func:`add_job` but returns ``(job, created)``: the existing job if planned before."""
    job = add_job(db, **fields)
    if job is not None:
        return job, True
    existing = find_job(db, user_id=fields["user_id"], kind=fields["kind"],
                        source_key=fields["source_key"], source_version=fields["source_version"])
    assert existing is not None  # the conflict that refused the insert is this row
    for dep in fields.get("depends_on", ()):
        add_dependency(db, existing, dep)
    return existing, False


def find_job(db: Session, *, user_id: int, kind: str, source_key: str,
             source_version: str) -> Job | None:
    """The job planned for this version of a record, if any."""
    return db.scalars(select(Job).where(
        Job.user_id == user_id, Job.kind == kind, Job.source_key == source_key,
        Job.source_version == source_version)).first()


def _insert_job(db: Session, values: dict[str, Any]) -> Job | None:
    dialect = db.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        stmt = (dialect_insert(dialect)(Job).values(**values)
                .on_conflict_do_nothing(index_elements=list(_VERSION_COLUMNS))
                .returning(Job.id))
        new_id = db.execute(stmt).scalar()
        return db.get(Job, new_id) if new_id is not None else None
    job = Job(**values)
    try:
        with db.begin_nested():
            db.add(job)
    except IntegrityError:
        return None
    return job


def add_dependency(db: Session, job: Job, depends_on: Job) -> None:
    """Record that ``job`` waits for ``depends_on``.

    Recording it twice is harmless. If ``depends_on`` has already failed
    (error, blocked, skipped, cancelled) a pending ``job`` becomes blocked.
    """
    if job.id == depends_on.id:
        raise ValueError(f"job {job.id} cannot depend on itself")
    already = db.execute(select(JobDependency.job_id).where(
        JobDependency.job_id == job.id, JobDependency.depends_on_id == depends_on.id)).first()
    if already is None:
        db.execute(insert(JobDependency).values(job_id=job.id, depends_on_id=depends_on.id))
    if JobStatus(depends_on.status) in FAILED_STATES and job.status == JobStatus.PENDING:
        transition(db, job, JobStatus.BLOCKED, reason=blocked_reason(depends_on))
        block_dependents(db, job, job.blocked_reason)


def dependencies(db: Session, job: Job) -> list[Job]:
    """The jobs ``job`` waits for, oldest first."""
    return list(db.scalars(select(Job).join(JobDependency, JobDependency.depends_on_id == Job.id)
                           .where(JobDependency.job_id == job.id).order_by(Job.id)))


def dependents(db: Session, job: Job, statuses: Sequence[str] | None = None) -> list[Job]:
    """The jobs that wait for ``job`` (optionally only those in ``statuses``)."""
    stmt = (select(Job).join(JobDependency, JobDependency.job_id == Job.id)
            .where(JobDependency.depends_on_id == job.id).order_by(Job.id))
    if statuses is not None:
        stmt = stmt.where(Job.status.in_([str(s) for s in statuses]))
    return list(db.scalars(stmt))


def block_dependents(db: Session, job: Job, reason: str, *, run_id: int | None = None) -> list[Job]:
    """``job`` failed: its pending dependents, and theirs, become blocked.

    Each gets ``blocked_reason`` naming the failed job and ``reason``, and
    ``run_id``: the run ``job`` failed in (``None`` outside a sync run, e.g.
    an admin's skip), which the run's report counts them in.
    Returns the jobs blocked.
    """
    changes = Changes(db)
    blocked = changes.block_dependents(job, reason, run_id=run_id)
    changes.flush()
    return blocked


def unblock_dependents(db: Session, job: Job) -> list[Job]:
    """``job`` is done or back in the queue: release what it blocked.

    Each blocked dependent returns to ``pending`` once none of its
    dependencies has failed (pending ones simply wait for theirs), and so on
    down the chain. Returns the jobs released.
    """
    changes = Changes(db)
    released = changes.unblock_dependents(job)
    changes.flush()
    return released


def has_failed_dependency(db: Session, job: Job) -> bool:
    """Whether a job waits for one that failed (error, blocked, skipped, cancelled)."""
    other = aliased(Job)
    return bool(db.scalar(select(exists().where(and_(
        JobDependency.job_id == job.id, other.id == JobDependency.depends_on_id,
        other.status.in_(_FAILED_VALUES))))))


def blocked_reason(failed: Job, reason: str = "") -> str:
    """What a job blocked by ``failed`` says it waits for."""
    text = f"waiting for {failed.kind} {record_key(failed)} (job {failed.id}, {failed.status})"
    detail = reason or failed.error_message or failed.blocked_reason
    return f"{text}: {detail}" if detail else text
