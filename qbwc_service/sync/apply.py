"""Applying QuickBooks' answer to one job, by the error policy of :mod:`.errors`.

:func:`apply_result` moves a ``sent`` job on: done (the ID map learns the
ListID / TxnID, JobBOSS2 write-backs are queued), back to pending for its next
phase or a later retry, or error (its dependents are blocked). Every step
writes an audit event with the run's id; the caller counts the outcomes.

Write-backs (:func:`queue_writebacks`, :func:`run_writebacks`) are rows of
their own, so a JobBOSS2 failure is retried later without QuickBooks ever
seeing the record twice.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, exists, func, insert, select, update
from sqlalchemy.orm import Session, aliased

from qbwc_service.qbxml.parse import RequestResult, RetInfo
from qbwc_service.queue import jobs as jobs_mod
from qbwc_service.queue.models import AuditEvent, Job, JobDependency, WriteBack, utcnow
from qbwc_service.queue.states import JobStatus
from qbwc_service.sync import errors, idmap, kinds
from qbwc_service.sync.changes import Changes
from qbwc_service.sync.errors import Action
from qbwc_service.sync.mapping import lists
from qbwc_service.sync.mapping.context import Need

log = logging.getLogger(__name__)

#: How many times a 3140 may send a job back to re-create its references.
MAX_REPLANS = 2


@dataclass
class Outcome:
    """What happened to a job: the audit outcome (created, adopted, error...) or ``None`` if it
    simply goes on to another phase."""

    event: str | None
    area: str
    noun: str


@dataclass
class ApplyContext:
    """What applying needs besides the job and the result.

    State changes and audit rows go through :attr:`changes`; the caller
    writes the audit rows and write-backs with :meth:`flush` when the message is done.
    """

    db: Session
    run_id: int | None
    settings: Any
    now: datetime
    #: Plans an ensure job for a need and returns it (from :mod:`.dependencies`).
    ensure: Callable[[Session, int, Need], Job]
    changes: Changes = field(init=False)
    #: ID map rows loaded once for the message (see :func:`preload`), per user.
    idmaps: dict[int, idmap.IdMapCache] = field(default_factory=dict)
    #: Jobs of the message that could release a blocked job (``None``: not worked out, any may).
    blocking: set[int] | None = None
    #: ``writebacks`` rows owed, kept for :meth:`flush` (see :func:`queue_writebacks`).
    writebacks: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.changes = Changes(self.db)

    def flush(self) -> None:
        """Write what was kept: the ID map rows, the audit rows, the write-backs owed, an INSERT each."""
        for cache in self.idmaps.values():
            cache.flush()
        self.changes.flush()
        if self.writebacks:
            rows, self.writebacks = self.writebacks, []
            self.db.execute(insert(WriteBack), rows)

    def idmap(self, user_id: int) -> idmap.IdMapCache:
        if user_id not in self.idmaps:
            self.idmaps[user_id] = idmap.IdMapCache(self.db, user_id)
        return self.idmaps[user_id]


def preload(ac: ApplyContext, jobs: list[Job]) -> None:
    """Read up front what applying the results of ``jobs`` needs, in a few queries.

    The ID map rows they may touch, and which of them could release a
    blocked job when done: those with a blocked dependent that waits for no
    job in error, skipped or cancelled (nothing in applying a message moves a
    job out of those states). A job blocked while the message is applied
    waits for one that failed in it, so it cannot be released by the message
    either.
    """
    ac.blocking = set()
    # Only list records have dependents (transactions never release anything).
    ids = [job.id for job in jobs if kinds.kind_of(job) != "txn"]
    for user_id in {job.user_id for job in jobs if job.id in ids}:
        if ac.db.scalar(select(Job.id).where(Job.user_id == user_id,
                                             Job.status == JobStatus.BLOCKED.value).limit(1)) is None:
            continue  # the usual case: nothing blocked at all
        for start in range(0, len(ids), 500):
            ac.blocking.update(ac.db.scalars(_releasers(user_id, ids[start:start + 500])))
    by_user: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for job in jobs:
        if kinds.kind_of(job) == "txn":
            by_user[job.user_id].append((kinds.TXN_KINDS[job.kind].entity, jobs_mod.record_key(job)))
        else:
            by_user[job.user_id].append((job.payload["entity"], job.payload["key"]))
    for user_id, keys in by_user.items():
        ac.idmap(user_id).preload(keys)


def noun_of(job: Job) -> str:
    spec = kinds.TXN_KINDS.get(job.kind)
    return spec.noun if spec is not None else "list record"


def apply_result(ac: ApplyContext, job: Job, result: RequestResult) -> Outcome:
    """Apply ``result`` (the response to the job's request) to ``job``."""
    operation = kinds.operation(job)
    action = errors.decide(result.status_code, operation)
    # A query naming several records answers 500 when only some exist, with the Rets of
    # those found: each job looks for its own record in them, whatever the status.
    if action in (Action.SUCCESS, Action.NOT_FOUND) and operation == "query":
        ret = _find_ret(job, result.rets)
        action = Action.SUCCESS if ret is not None else Action.NOT_FOUND
        return _HANDLERS[action](ac, job, result, ret)
    ret = result.ret
    if action is Action.SUCCESS and ret is None:
        return fail(ac, job, f"QuickBooks answered {result.status_code} without a record")
    return _HANDLERS[action](ac, job, result, ret)


def _find_ret(job: Job, rets: list[RetInfo]) -> RetInfo | None:
    """The returned record that is this job's (several jobs may share one query)."""
    family = kinds.kind_of(job)
    if family == "txn":
        spec = kinds.TXN_KINDS[job.kind]
        record = kinds.record_of(job)
        return next((r for r in rets if spec.matches(record, job, r)), None)
    need = kinds.need_of(job)
    if kinds.phase(job) == "read":
        return rets[0] if rets else None
    wanted = need.name.casefold()
    return next((r for r in rets if (r.full_name or r.name or "").casefold() == wanted), None)


# ---------------------------------------------------------------- the actions


def _success(ac: ApplyContext, job: Job, result: RequestResult, ret: RetInfo | None) -> Outcome:
    assert ret is not None
    family, current = kinds.kind_of(job), kinds.phase(job)
    # Without its ID a record cannot be referenced, found again or written back: never done.
    id_field, qb_id = ("TxnID", ret.txn_id) if family == "txn" else ("ListID", ret.list_id)
    if not (qb_id or "").strip():
        return fail(ac, job, f"QuickBooks answered {result.status_code} with a {ret.ret_name} "
                             f"without its {id_field}")
    if family == "mod" and current == "read":
        _set_payload(job, phase="mod", edit_sequence=ret.edit_sequence or "",
                     ret_type=ret.ret_name)
        return _requeue(ac, job, "read the current EditSequence")
    event = _success_event(family, current)
    _remember(ac, job, ret)
    if family == "txn":
        queue_writebacks(ac, job)
    if result.status_code not in _NOT_A_WARNING and result.status_message:
        ac.changes.add_warning(job, f"{result.status_code}: {result.status_message}",
                               run_id=ac.run_id)
    ac.changes.transition(job, JobStatus.DONE, event=event, run_id=ac.run_id, at=ac.now,
                          reason=_qb_id_text(ret))
    if family != "txn":  # only list records have dependents
        _unblock_dependents(ac, job)
    return Outcome(event, job.area, noun_of(job))


#: Status codes that say nothing about a record that was found: 500 on a name query
#: speaks of the *other* names it asked for (each of their jobs hears it as not found).
_NOT_A_WARNING = frozenset({0, 500})


def _success_event(family: str, current: str) -> str:
    if current in ("query", "verify"):
        return jobs_mod.ADOPTED
    if family == "mod":
        return jobs_mod.UPDATED
    return jobs_mod.CREATED


def _qb_id_text(ret: RetInfo) -> str:
    ident = ret.txn_id or ret.list_id or ""
    name = ret.ref_number or ret.full_name or ret.name or ""
    return " ".join(p for p in (ident, name) if p)


def _remember(ac: ApplyContext, job: Job, ret: RetInfo) -> None:
    family = kinds.kind_of(job)
    if family == "txn":
        spec = kinds.TXN_KINDS[job.kind]
        job.qb_txn_id = ret.txn_id or ""
        job.qb_edit_sequence = ret.edit_sequence or ""
        ac.idmap(job.user_id).remember(job.user_id, spec.entity, jobs_mod.record_key(job),
                                       ret.txn_id or "", name=ret.ref_number or "",
                                       edit_sequence=ret.edit_sequence or "",
                                       source_version=job.source_version)
        return
    need = kinds.need_of(job)
    job.qb_list_id = ret.list_id or ""
    job.qb_edit_sequence = ret.edit_sequence or ""
    ac.idmap(job.user_id).remember(job.user_id, need.entity, need.key, ret.list_id or "",
                                   name=ret.full_name or ret.name or need.name,
                                   edit_sequence=ret.edit_sequence or "",
                                   source_version=str(job.payload.get("fingerprint") or ""))


def _not_found(ac: ApplyContext, job: Job, result: RequestResult, ret: RetInfo | None) -> Outcome:
    family, current = kinds.kind_of(job), kinds.phase(job)
    if current == "verify":
        _set_payload(job, phase=_after_verify(family))
        return _requeue(ac, job, "not found in QuickBooks: it will be sent again")
    if family == "mod":  # the record is gone from QuickBooks
        need = kinds.need_of(job)
        ac.idmap(job.user_id).forget(job.user_id, need.entity, need.key)
        return fail(ac, job, f"{need.entity} {need.name!r} is no longer in QuickBooks")
    need = kinds.need_of(job)
    spec = lists.LIST_ENTITIES[need.entity]
    if spec.can_add:
        _set_payload(job, phase="add")
        return _requeue(ac, job, f"{need.name!r} is not in QuickBooks: adding it")
    if spec.absent_ok:
        return mark_absent(ac, job, "is not in QuickBooks")
    hint = f"; {spec.missing_hint}" if spec.missing_hint else ""
    return fail(ac, job, f"{need.entity.replace('_', ' ')} {need.name!r} is not in QuickBooks{hint}")


def mark_absent(ac: ApplyContext, job: Job, why: str) -> Outcome:
    """A list record transactions can do without: remembered as absent, dependents go on."""
    need = kinds.need_of(job)
    ac.idmap(job.user_id).remember(job.user_id, need.entity, need.key, "", name=need.name)
    ac.changes.add_warning(job, f"{need.entity.replace('_', ' ')} {need.name!r} {why}; "
                           "transactions are sent without it", run_id=ac.run_id)
    ac.changes.transition(job, JobStatus.DONE, event=jobs_mod.SKIPPED, run_id=ac.run_id,
                          at=ac.now, reason="absent from QuickBooks")
    _unblock_dependents(ac, job)
    return Outcome(jobs_mod.SKIPPED, job.area, noun_of(job))


_BLOCKED_DEP = aliased(Job)
_OTHER_DEP = aliased(JobDependency)
_STUCK = aliased(Job)
#: Failed states no part of applying a message leaves.
_FOR_GOOD = [JobStatus.ERROR.value, JobStatus.SKIPPED.value, JobStatus.CANCELLED.value]


def _releasers(user_id: int, ids: list[int]) -> Select[tuple[int]]:
    """Which of ``ids`` have a blocked dependent that could be released (see :func:`preload`).

    Read from the user's blocked jobs (``ix_jobs_dequeue``), usually few, rather
    than from every dependent of the list records, often thousands.
    """
    stuck = exists().where(_OTHER_DEP.job_id == _BLOCKED_DEP.id,
                           _STUCK.id == _OTHER_DEP.depends_on_id, _STUCK.status.in_(_FOR_GOOD))
    return (select(JobDependency.depends_on_id).distinct()
            .join(_BLOCKED_DEP, _BLOCKED_DEP.id == JobDependency.job_id)
            .where(_BLOCKED_DEP.user_id == user_id, _BLOCKED_DEP.status == JobStatus.BLOCKED.value,
                   JobDependency.depends_on_id.in_(ids), ~stuck))


def _unblock_dependents(ac: ApplyContext, job: Job) -> None:
    if ac.blocking is None or job.id in ac.blocking:
        ac.changes.unblock_dependents(job)


def _after_verify(family: str) -> str:
    return {"ensure": "add", "mod": "read", "txn": "add"}[family]


def _retry(ac: ApplyContext, job: Job, result: RequestResult, ret: RetInfo | None) -> Outcome:
    retries = int(job.payload.get("retries", 0)) + 1
    when = errors.retry_after(retries, ac.now)
    message = f"{result.status_code}: {result.status_message}"
    if when is None:
        return fail(ac, job, f"{message} (gave up after {retries - 1} retries)")
    _set_payload(job, retries=retries)
    job.not_before = when
    ac.changes.transition(job, JobStatus.PENDING, event=jobs_mod.RETRY_LATER, run_id=ac.run_id,
                          at=ac.now, reason=f"{message}; retry after {when:%H:%M:%S}")
    return Outcome(None, job.area, noun_of(job))


def _requery_mod(ac: ApplyContext, job: Job, result: RequestResult, ret: RetInfo | None) -> Outcome:
    if kinds.kind_of(job) != "mod":
        return fail(ac, job, f"{result.status_code}: {result.status_message}")
    _set_payload(job, phase="read")
    return _requeue(ac, job, "EditSequence out of date: reading it again")


def _adopt(ac: ApplyContext, job: Job, result: RequestResult, ret: RetInfo | None) -> Outcome:
    if kinds.kind_of(job) != "ensure" or int(job.payload.get("adopt_tries", 0)) >= 1:
        return fail(ac, job, f"{result.status_code}: {result.status_message} (QuickBooks holds that "
                             "name on a record this one does not match: another list, or a name "
                             "differing only in case or spaces; give it a distinct QuickBooks name)")
    _set_payload(job, phase="query", adopt_tries=int(job.payload.get("adopt_tries", 0)) + 1)
    return _requeue(ac, job, "the name is in use: looking it up to adopt it")


_REF_NAME = re.compile(r'"([^"]*)"')


def _plan_dependency(ac: ApplyContext, job: Job, result: RequestResult,
                     ret: RetInfo | None) -> Outcome:
    """3140: a reference QuickBooks does not know. Re-ensure it, then send the job again."""
    message = f"{result.status_code}: {result.status_message}"
    replans = int(job.payload.get("replans", 0))
    quoted = {m.casefold() for m in _REF_NAME.findall(result.status_message or "")}
    from qbwc_service.sync import dependencies  # planning imports this module

    candidates = [n for n in dependencies.needs_of_job(job, ac.settings)
                  if n.name.casefold() in quoted or n.key.casefold() in quoted]
    if replans >= MAX_REPLANS or not candidates:
        return fail(ac, job, message)
    ac.flush()  # planning reads the ID map; it and add_dependency write audit rows of their own
    for need in candidates:
        ac.idmap(job.user_id).forget(job.user_id, need.entity, need.key)
        dep = ac.ensure(ac.db, job.user_id, need)
        if dep.status != JobStatus.DONE.value:
            jobs_mod.add_dependency(ac.db, job, dep)
    _set_payload(job, replans=replans + 1)
    if job.status == JobStatus.SENT.value:
        return _requeue(ac, job, f"{message}; re-creating {candidates[0].name!r} first")
    return Outcome(None, job.area, noun_of(job))


def fail(ac: ApplyContext, job: Job, reason: str, code: str = "") -> Outcome:
    """The job fails alone; what waits for it is blocked."""
    job.error_code = code or _code_of(reason)
    ac.changes.transition(job, JobStatus.ERROR, reason=reason, run_id=ac.run_id, at=ac.now)
    ac.changes.block_dependents(job, reason, run_id=ac.run_id)
    return Outcome(jobs_mod.ERROR, job.area, noun_of(job))


def _fail_action(ac: ApplyContext, job: Job, result: RequestResult, ret: RetInfo | None) -> Outcome:
    return fail(ac, job, f"{result.status_code}: {result.status_message}", str(result.status_code))


def _code_of(reason: str) -> str:
    head = reason.split(":", 1)[0]
    return head if head.isdigit() else ""


def _requeue(ac: ApplyContext, job: Job, reason: str) -> Outcome:
    ac.changes.transition(job, JobStatus.PENDING, run_id=ac.run_id, at=ac.now, reason=reason)
    return Outcome(None, job.area, noun_of(job))


def _set_payload(job: Job, **changes: Any) -> None:
    job.payload = {**job.payload, **changes}  # a new dict, so the JSON column is saved


_HANDLERS: dict[Action, Callable[[ApplyContext, Job, RequestResult, RetInfo | None], Outcome]] = {
    Action.SUCCESS: _success,
    Action.NOT_FOUND: _not_found,
    Action.RETRY: _retry,
    Action.REQUERY_MOD: _requery_mod,
    Action.ADOPT: _adopt,
    Action.PLAN_DEPENDENCY: _plan_dependency,
    Action.FAIL: _fail_action,
}


# ---------------------------------------------------------------- JobBOSS2 write-backs


def queue_writebacks(ac: ApplyContext, job: Job) -> None:
    """Owe JobBOSS2 the flags of a transaction QuickBooks now holds."""
    spec = kinds.TXN_KINDS[job.kind]
    table, key = job.source_table, job.source_key
    if job.kind == "time.add":  # the day is exported once every punch of it is in QuickBooks
        key = str(job.payload.get("day_key") or key.split("#", 1)[0])
        if _open_siblings(ac.db, job, key):
            return
    for action, setting in spec.writebacks:
        if setting and not ac.settings[setting]:
            continue
        ac.writebacks.append(dict(user_id=job.user_id, job_id=job.id, action=action,
                                  source_table=table, source_key=key, attempts=0, last_error="",
                                  created_at=ac.now))


def _open_siblings(db: Session, job: Job, day_key: str) -> bool:
    """Whether other punches of the same day are not in QuickBooks yet."""
    return bool(db.scalar(select(func.count()).select_from(Job).where(
        Job.user_id == job.user_id, Job.kind == job.kind, Job.id != job.id,
        Job.source_table == job.source_table, Job.source_key.like(f"{day_key}#%"),
        Job.status != JobStatus.DONE.value,
        Job.status.not_in([JobStatus.CANCELLED.value, JobStatus.SKIPPED.value]))))


#: Audit event per write-back action.
WRITEBACK_EVENTS: dict[str, str] = {"exported": jobs_mod.EXPORTED, "paid": jobs_mod.PAID}


class JobBossTarget:
    """Performs write-backs through a JobBOSS2 writer (``jobboss.writeback.JobBossWriter``).

    Called with one record (``target(action, table, key)``) or, through
    :meth:`many`, with a batch of one table in one short JobBOSS2 transaction.
    """

    def __init__(self, writer: Any, paid_status_code: str = "P") -> None:
        self.writer = writer
        self.paid_status_code = paid_status_code

    def __call__(self, action: str, table: str, key: str) -> None:
        record_key = f"{table}:{key}"
        if action == "exported":
            self.writer.mark_exported(table, record_key)
        elif action == "paid":
            self.writer.mark_paid(table, record_key, utcnow().date(), self.paid_status_code)
        else:
            raise ValueError(f"unknown write-back {action!r}")

    def many(self, action: str, table: str, keys: list[str]) -> dict[str, str]:
        """Write back ``keys`` of one table; returns ``{key: why it failed}`` for the failures.

        Raises when the batch as a whole failed (nothing is known written).
        """
        record_keys = [f"{table}:{key}" for key in keys]
        if action == "exported":
            result = self.writer.mark_exported_many(table, record_keys)
        elif action == "paid":
            result = self.writer.mark_paid_many(table, record_keys, utcnow().date(),
                                                self.paid_status_code)
        else:
            raise ValueError(f"unknown write-back {action!r}")
        missing = set(result.missing)
        # The words of the one-record writer's RecordNotFound.
        return {key: f"{table}: no row for {record_key!r}"
                for key, record_key in zip(keys, record_keys, strict=True) if record_key in missing}


def run_writebacks(db: Session, user_id: int, target: Callable[[str, str, str], None],
                   run_id: int | None = None, limit: int = 100_000) -> int:
    """Perform the write-backs a user is owed; returns how many succeeded.

    Rows of one action and table go together when ``target`` has a ``many``
    method (:class:`JobBossTarget`); if such a batch fails as a whole, its
    rows are tried one by one. A failure leaves its row open (``attempts`` + 1,
    ``last_error``) for the next session or plan; the others go on.
    """
    db.flush()
    rows = db.execute(select(WriteBack.id, WriteBack.job_id, WriteBack.action,
                             WriteBack.source_table, WriteBack.source_key, WriteBack.attempts)
                      .where(WriteBack.user_id == user_id, WriteBack.done_at.is_(None))
                      .order_by(WriteBack.id).limit(limit)).all()
    if not rows:
        return 0
    failures = _perform(rows, target)
    now = utcnow()
    changes: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for row in rows:
        record_key = f"{row.source_table}:{row.source_key}"
        error = failures.get(row.id)
        if error is not None:
            log.warning("JobBOSS2 write-back %s of %s failed: %s", row.action, record_key, error)
        changes.append(dict(id=row.id, attempts=row.attempts + 1,
                            done_at=None if error is not None else now,
                            last_error="" if error is None else error[:2000]))
        events.append(dict(created_at=now, user_id=user_id, job_id=row.job_id, run_id=run_id,
                           record_key=record_key[:200],
                           event=WRITEBACK_EVENTS[row.action] if error is None
                           else jobs_mod.WRITEBACK_FAILED,
                           detail="" if error is None else f"{row.action}: {error}"[:2000]))
    db.execute(update(WriteBack), changes)  # by primary key, one executemany
    db.execute(insert(AuditEvent), events)
    return len(rows) - len(failures)


def _perform(rows: Sequence[Row[Any]], target: Callable[[str, str, str], None]) -> dict[int, str]:
    """Do the write-backs of ``rows``; ``{row id: error}`` for those that failed."""
    many = getattr(target, "many", None)
    groups: dict[tuple[str, str], list[Row[Any]]] = defaultdict(list)
    for row in rows:
        groups[(row.action, row.source_table)].append(row)
    failures: dict[int, str] = {}
    for (action, table), group in groups.items():
        if many is not None and len(group) > 1:
            try:
                failed = many(action, table, [row.source_key for row in group])
            except Exception as exc:  # noqa: BLE001 - the batch failed: find the culprits one by one
                log.info("JobBOSS2 write-back batch of %d failed (%s); trying one by one",
                         len(group), exc)
            else:
                failures.update({row.id: failed[row.source_key] for row in group
                                 if row.source_key in failed})
                continue
        for row in group:
            try:
                target(row.action, row.source_table, row.source_key)
            except Exception as exc:  # noqa: BLE001 - any JobBOSS2 failure is retried later
                failures[row.id] = str(exc)
    return failures
