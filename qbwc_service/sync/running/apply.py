"""Applying QuickBooks' answer to one job, by the error policy of :mod:`.errors`.

:func:`apply_result` moves a ``sent`` job on: done (the ID map learns the
ListID / TxnID, JobBOSS2 write-backs are queued), back to pending for its next
phase or a later retry, or error (its dependents are blocked). Every step
writes an audit event with the run's id; the caller counts the outcomes.

The JobBOSS2 write-backs a transaction's kind declares are owed here
(:func:`queue_writebacks`) and done by :mod:`.writebacks`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session, aliased

from qbwc_service.qbxml.parse import RequestResult, RetInfo
from qbwc_service.qbxml.text import clean
from qbwc_service.queue import jobs as jobs_mod
from qbwc_service.queue import keyed
from qbwc_service.queue.bulk import insert_rows
from qbwc_service.queue.jobs import Changes
from qbwc_service.queue.models import Job, JobDependency, WriteBack
from qbwc_service.queue.states import JobStatus
from qbwc_service.sync.kinds import registry
from qbwc_service.sync.kinds.base import Family, JobKind, TxnKind, TxnModKind
from qbwc_service.sync.kinds.context import Need
from qbwc_service.sync.kinds.payload import JobPayload, Phase
from qbwc_service.sync.planning import dependencies, idmap
from qbwc_service.sync.running import errors
from qbwc_service.sync.running.errors import Action
from qbwc_service.sync.running.requests import operation
from qbwc_service.sync.settings import SyncSettings

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
    settings: SyncSettings
    now: datetime
    #: Plans an ensure job for a need and returns it (see :mod:`qbwc_service.sync.planning.dependencies`).
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
            insert_rows(self.db, WriteBack.__table__, rows)

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
    ids = [job.id for job in jobs if not isinstance(registry.job_kind(job.kind), TxnKind)]
    for user_id in {job.user_id for job in jobs if job.id in ids}:
        if ac.db.scalar(select(Job.id).where(Job.user_id == user_id,
                                             Job.status == JobStatus.BLOCKED.value).limit(1)) is None:
            continue  # the usual case: nothing blocked at all
        for batch in keyed.batches(ids):
            ac.blocking.update(ac.db.scalars(_releasers(user_id, batch)))
    by_user: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for job in jobs:
        kind = registry.job_kind(job.kind)
        if isinstance(kind, TxnKind):
            by_user[job.user_id].append((kind.entity, jobs_mod.record_key(job)))
        else:
            payload = registry.payload_of(job)
            by_user[job.user_id].append((payload.entity, payload.key))
    for user_id, keys in by_user.items():
        ac.idmap(user_id).preload(keys)


def noun_of(job: Job) -> str:
    return registry.job_kind(job.kind).noun


def apply_result(ac: ApplyContext, job: Job, result: RequestResult) -> Outcome:
    """Apply ``result`` (the response to the job's request) to ``job``."""
    payload = registry.payload_of(job)
    asked = operation(payload)
    action = errors.decide(result.status_code, asked, result.status_message or "")
    # A query naming several records answers 500 when only some exist, with the Rets of
    # those found: each job looks for its own record in them, whatever the status.
    if action in (Action.SUCCESS, Action.NOT_FOUND) and asked == "query":
        ret = _find_ret(job, payload, result.rets)
        action = Action.SUCCESS if ret is not None else Action.NOT_FOUND
        return _HANDLERS[action](ac, job, payload, result, ret)
    ret = result.ret
    if action is Action.SUCCESS and ret is None:
        return fail(ac, job, f"QuickBooks answered {result.status_code} without a record")
    return _HANDLERS[action](ac, job, payload, result, ret)


def _find_ret(job: Job, payload: JobPayload, rets: list[RetInfo]) -> RetInfo | None:
    """The returned record that is this job's (several jobs may share one query)."""
    kind = registry.job_kind(job.kind)
    if payload.phase is Phase.READ or isinstance(kind, TxnModKind):  # asked by ID: the one
        return rets[0] if rets else None
    if isinstance(kind, TxnKind):
        record = registry.record_of(payload)
        return next((r for r in rets if kind.matches(record, payload.index, r)), None)
    # The query asked for the name as QuickBooks stores it (characters outside Latin-1
    # folded): "Škoda" comes back as "Skoda", and is still this job's record.
    wanted = {payload.name.casefold(), clean(payload.name.strip(), "FullName").strip().casefold()}
    return next((r for r in rets if (r.full_name or r.name or "").casefold() in wanted), None)


# ---------------------------------------------------------------- the actions


def _success(ac: ApplyContext, job: Job, payload: JobPayload, result: RequestResult,
             ret: RetInfo | None) -> Outcome:
    assert ret is not None
    kind = registry.job_kind(job.kind)
    # Without its ID a record cannot be referenced, found again or written back: never done.
    id_field, qb_id = ("TxnID", ret.txn_id) if isinstance(kind, TxnKind) else ("ListID", ret.list_id)
    if not (qb_id or "").strip():
        return fail(ac, job, f"QuickBooks answered {result.status_code} with a {ret.ret_name} "
                             f"without its {id_field}")
    if kind.family is Family.MOD and _reads(kind, payload):
        _set_payload(job, payload.but(phase=Phase.MOD, edit_sequence=ret.edit_sequence or "",
                                      ret_type=ret.ret_name))
        return _requeue(ac, job, "read the current EditSequence")
    event = _success_event(kind.family, payload.phase)
    _remember(ac, job, payload, ret)
    if isinstance(kind, TxnKind):
        if kind.family is Family.TXN:  # a Mod changes a record JobBOSS2 already flagged
            queue_writebacks(ac, job, kind, payload)
        _compare_total(ac, job, kind, payload, ret)
    if result.status_code not in _NOT_A_WARNING and result.status_message:
        ac.changes.add_warning(job, f"{result.status_code}: {result.status_message}",
                               run_id=ac.run_id)
    ac.changes.transition(job, JobStatus.DONE, event=event, run_id=ac.run_id, at=ac.now,
                          reason=_qb_id_text(ret))
    if not isinstance(kind, TxnKind):  # only list records have dependents
        _unblock_dependents(ac, job)
    return Outcome(event, job.area, kind.noun)


def _compare_total(ac: ApplyContext, job: Job, kind: TxnKind[Any], payload: JobPayload,
                   ret: RetInfo) -> None:
    """QuickBooks' own total against JobBOSS2's: a difference is said on the record."""
    if kind.total is None or ret.total_amount is None:
        return
    expected = kind.total(registry.record_of(payload), ac.settings)
    if expected is not None and abs(ret.total_amount - expected) >= Decimal("0.005"):
        ac.changes.add_warning(job, f"QuickBooks' total {ret.total_amount} differs from "
                                    f"JobBOSS2's {expected}", run_id=ac.run_id)


#: Status codes that say nothing about a record that was found: 500 on a name query
#: speaks of the *other* names it asked for (each of their jobs hears it as not found).
_NOT_A_WARNING = frozenset({0, 500})


def _reads(kind: JobKind, payload: JobPayload) -> bool:
    """Whether a Mod job's request read the record (its EditSequence) rather than changed it;
    a transaction's Mod reads again after a lost answer too."""
    return payload.phase is Phase.READ or (isinstance(kind, TxnModKind)
                                           and payload.phase is Phase.VERIFY)


def _success_event(family: Family, current: Phase) -> str:
    if current in (Phase.QUERY, Phase.VERIFY):
        return jobs_mod.ADOPTED
    if family is Family.MOD:
        return jobs_mod.UPDATED
    return jobs_mod.CREATED


def _qb_id_text(ret: RetInfo) -> str:
    ident = ret.txn_id or ret.list_id or ""
    name = ret.ref_number or ret.full_name or ret.name or ""
    return " ".join(p for p in (ident, name) if p)


def _remember(ac: ApplyContext, job: Job, payload: JobPayload, ret: RetInfo) -> None:
    kind = registry.job_kind(job.kind)
    if isinstance(kind, TxnKind):
        job.qb_txn_id = ret.txn_id or ""
        job.qb_edit_sequence = ret.edit_sequence or ""
        ac.idmap(job.user_id).remember(job.user_id, kind.entity, jobs_mod.record_key(job),
                                       ret.txn_id or "", name=ret.ref_number or "",
                                       edit_sequence=ret.edit_sequence or "",
                                       source_version=job.source_version)
        return
    need = registry.need_of(payload)
    job.qb_list_id = ret.list_id or ""
    job.qb_edit_sequence = ret.edit_sequence or ""
    ac.idmap(job.user_id).remember(job.user_id, need.entity, need.key, ret.list_id or "",
                                   name=ret.full_name or ret.name or need.name,
                                   edit_sequence=ret.edit_sequence or "",
                                   source_version=payload.fingerprint)


def _not_found(ac: ApplyContext, job: Job, payload: JobPayload, result: RequestResult,
               ret: RetInfo | None) -> Outcome:
    kind = registry.job_kind(job.kind)
    if isinstance(kind, TxnModKind):  # read by TxnID: someone deleted it in QuickBooks
        return fail(ac, job, f"the {kind.noun} (TxnID {payload.txn_id}) is no longer in "
                             "QuickBooks: nothing was changed; enter it again in QuickBooks or "
                             "cancel this change")
    if payload.phase is Phase.VERIFY:
        _set_payload(job, payload.but(phase=_AFTER_VERIFY[kind.family]))
        return _requeue(ac, job, "not found in QuickBooks: it will be sent again")
    need = registry.need_of(payload)
    if kind.family is Family.MOD:  # the record is gone from QuickBooks
        ac.idmap(job.user_id).forget(job.user_id, need.entity, need.key)
        return fail(ac, job, f"{need.entity} {need.name!r} is no longer in QuickBooks")
    spec = registry.list_kind(need.entity)
    if spec.can_add:
        _set_payload(job, payload.but(phase=Phase.ADD))
        return _requeue(ac, job, f"{need.name!r} is not in QuickBooks: adding it")
    if spec.absent_ok:
        return mark_absent(ac, job, "is not in QuickBooks")
    hint = f"; {spec.missing_hint}" if spec.missing_hint else ""
    return fail(ac, job, f"{need.entity.replace('_', ' ')} {need.name!r} is not in QuickBooks{hint}")


def mark_absent(ac: ApplyContext, job: Job, why: str) -> Outcome:
    """A list record transactions can do without: remembered as absent, dependents go on."""
    need = registry.need_of(registry.payload_of(job))
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


def _releasers(user_id: int, ids: Sequence[int]) -> Select[tuple[int]]:
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


#: The phase a job goes back to when its verify query found nothing.
_AFTER_VERIFY = {Family.ENSURE: Phase.ADD, Family.MOD: Phase.READ, Family.TXN: Phase.ADD}


def _retry(ac: ApplyContext, job: Job, payload: JobPayload, result: RequestResult,
           ret: RetInfo | None) -> Outcome:
    retries = payload.retries + 1
    when = errors.retry_after(retries, ac.now)
    message = f"{result.status_code}: {result.status_message}"
    if when is None:
        return fail(ac, job, f"{message} (gave up after {retries - 1} retries)")
    _set_payload(job, payload.but(retries=retries))
    job.not_before = when
    ac.changes.transition(job, JobStatus.PENDING, event=jobs_mod.RETRY_LATER, run_id=ac.run_id,
                          at=ac.now, reason=f"{message}; retry after {when:%H:%M:%S}")
    return Outcome(None, job.area, noun_of(job))


def _requery_mod(ac: ApplyContext, job: Job, payload: JobPayload, result: RequestResult,
                 ret: RetInfo | None) -> Outcome:
    message = f"{result.status_code}: {result.status_message}"
    if registry.job_kind(job.kind).family is not Family.MOD:
        return fail(ac, job, message)
    if payload.stale_edit_sequence:  # read again once already: someone keeps changing it
        return fail(ac, job, f"{message} (EditSequence {payload.stale_edit_sequence} was out of "
                             f"date, and so was {payload.edit_sequence}, read again just before: "
                             "the record is being changed in QuickBooks; retry when it is not)",
                    str(result.status_code))
    _set_payload(job, payload.but(phase=Phase.READ, stale_edit_sequence=payload.edit_sequence))
    return _requeue(ac, job, "EditSequence out of date: reading it again")


def _adopt(ac: ApplyContext, job: Job, payload: JobPayload, result: RequestResult,
           ret: RetInfo | None) -> Outcome:
    if registry.job_kind(job.kind).family is not Family.ENSURE or payload.adopt_tries >= 1:
        return fail(ac, job, f"{result.status_code}: {result.status_message} (QuickBooks holds that "
                             "name on a record this one does not match: another list, or a name "
                             "differing only in case or spaces; give it a distinct QuickBooks name)")
    _set_payload(job, payload.but(phase=Phase.QUERY, adopt_tries=payload.adopt_tries + 1))
    return _requeue(ac, job, "the name is in use: looking it up to adopt it")


_REF_NAME = re.compile(r'"([^"]*)"')


def _plan_dependency(ac: ApplyContext, job: Job, payload: JobPayload, result: RequestResult,
                     ret: RetInfo | None) -> Outcome:
    """3140: a reference QuickBooks does not know. Re-ensure it, then send the job again."""
    message = f"{result.status_code}: {result.status_message}"
    replans = payload.replans
    quoted = {m.casefold() for m in _REF_NAME.findall(result.status_message or "")}
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
    _set_payload(job, payload.but(replans=replans + 1))
    if job.status == JobStatus.SENT.value:
        return _requeue(ac, job, f"{message}; re-creating {candidates[0].name!r} first")
    return Outcome(None, job.area, noun_of(job))


def fail(ac: ApplyContext, job: Job, reason: str, code: str = "") -> Outcome:
    """The job fails alone; what waits for it is blocked."""
    job.error_code = code or _code_of(reason)
    ac.changes.transition(job, JobStatus.ERROR, reason=reason, run_id=ac.run_id, at=ac.now)
    ac.changes.block_dependents(job, reason, run_id=ac.run_id)
    return Outcome(jobs_mod.ERROR, job.area, noun_of(job))


def _fail_action(ac: ApplyContext, job: Job, payload: JobPayload, result: RequestResult,
                 ret: RetInfo | None) -> Outcome:
    return fail(ac, job, f"{result.status_code}: {result.status_message}", str(result.status_code))


def _code_of(reason: str) -> str:
    head = reason.split(":", 1)[0]
    return head if head.isdigit() else ""


def _requeue(ac: ApplyContext, job: Job, reason: str) -> Outcome:
    ac.changes.transition(job, JobStatus.PENDING, run_id=ac.run_id, at=ac.now, reason=reason)
    return Outcome(None, job.area, noun_of(job))


_set_payload = registry.set_payload

#: What each action does to the job: (context, job, its payload, the result, its Ret).
Handler = Callable[[ApplyContext, Job, JobPayload, RequestResult, RetInfo | None], Outcome]
_HANDLERS: dict[Action, Handler] = {
    Action.SUCCESS: _success,
    Action.NOT_FOUND: _not_found,
    Action.RETRY: _retry,
    Action.REQUERY_MOD: _requery_mod,
    Action.ADOPT: _adopt,
    Action.PLAN_DEPENDENCY: _plan_dependency,
    Action.FAIL: _fail_action,
}


# ---------------------------------------------------------------- JobBOSS2 write-backs owed


def queue_writebacks(ac: ApplyContext, job: Job, kind: TxnKind[Any], payload: JobPayload) -> None:
    """Owe JobBOSS2 the flags of a transaction QuickBooks now holds (its kind's write-backs)."""
    table, key = job.source_table, job.source_key
    if kind.units is not None:  # the record is flagged once every unit of it is in QuickBooks
        key = payload.parent_key or key.split("#", 1)[0]
        if _open_siblings(ac.db, job, key):
            return
    for rule in kind.writebacks:
        if rule.setting and not ac.settings[rule.setting]:
            continue
        ac.writebacks.append(dict(user_id=job.user_id, job_id=job.id, action=rule.action,
                                  source_table=table, source_key=key, attempts=0, last_error="",
                                  created_at=ac.now))


def _open_siblings(db: Session, job: Job, parent_key: str) -> bool:
    """Whether other units of the same record are not in QuickBooks yet."""
    return bool(db.scalar(select(func.count()).select_from(Job).where(
        Job.user_id == job.user_id, Job.kind == job.kind, Job.id != job.id,
        Job.source_table == job.source_table, Job.source_key.like(f"{parent_key}#%"),
        Job.status != JobStatus.DONE.value,
        Job.status.not_in([JobStatus.CANCELLED.value, JobStatus.SKIPPED.value]))))
