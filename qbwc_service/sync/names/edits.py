"""``names set`` and ``names unset``: a person chooses the QuickBooks name of a record.

A name is checked before it is stored: QuickBooks' limit for the kind, only
characters QuickBooks stores, no ``:`` in a list name, and free in its
namespace (no other mapping and no other record the company holds has it).
A name that already exists in QuickBooks for no record of ours is fine: the
record's ensure job looks it up, finds it and adopts it, so nothing is
added twice.

Then the jobs that failed or wait on the record are planned again
(:func:`replan_record`): an ensure job not yet in QuickBooks' hands is
replaced by one under the new name (what waited on it waits on the new one,
blocked transactions go back to ``pending``); a transaction that failed on its
document number goes back to ``pending``, to be sent under the new RefNumber.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from qbwc_service.queue import jobs as jobs_mod
from qbwc_service.queue.models import Job, NameMapEntry, User
from qbwc_service.queue.states import JobStatus
from qbwc_service.sync import settings as settings_mod
from qbwc_service.sync.kinds import registry
from qbwc_service.sync.kinds.base import SourceRecord, TxnKind
from qbwc_service.sync.kinds.context import Need
from qbwc_service.sync.names.book import MANUAL, NameBook, norm_key, policies_of, rule_for
from qbwc_service.sync.names.rule import NameProblem, NameRule, check_manual, fold

#: Ensure jobs a new name replaces: not yet in QuickBooks' hands.
_OPEN_ENSURE = (JobStatus.ERROR.value, JobStatus.PENDING.value, JobStatus.BLOCKED.value)


@dataclass(frozen=True)
class Edit:
    """What ``names set`` / ``names unset`` did."""

    kind: str
    key: str
    qb_name: str  # "" after unset
    replanned: int  # jobs planned again
    note: str = ""  # anything the person should know (a record QuickBooks already holds)

    def lines(self) -> list[str]:
        what = f"{self.kind} {self.key!r}"
        out = [f"{what} -> {self.qb_name!r}" if self.qb_name else f"{what}: mapping removed",
               f"{self.replanned} jobs planned again"]
        return out + ([self.note] if self.note else [])


def set_name(db: Session, user: User, kind: str, key: str, qb_name: str, *,
             actor: str) -> Edit:
    """Map ``kind`` + JobBOSS2 ``key`` to ``qb_name``; :class:`NameProblem` says why not."""
    rule = rule_for(kind)
    key = _key(rule, key)
    name = check_manual(rule, qb_name)
    book = _book(db, user)
    owner = book.owner_of(rule, name)
    if owner is not None and owner != (rule.kind, key):
        raise NameProblem(f"QuickBooks {rule.field} {name!r} is already used by {owner[0]} "
                          f"{owner[1]!r}; QuickBooks names are unique (ignoring case) among "
                          f"{rule.namespace}: choose another")
    before = book.entry(rule.kind, key)
    value = before.source_value if before else _planned_value(db, user, rule, key)
    book.store(rule, key, value, name, MANUAL, actor)
    jobs_mod.audit(db, user_id=user.id, event="name_set", record_key=f"{rule.kind}:{key}",
                   detail=f"QuickBooks {rule.field} set to {name!r} by {actor}")
    return Edit(rule.kind, key, name, replan_record(db, user, rule, key), _held_note(db, user, rule, key))


def unset_name(db: Session, user: User, kind: str, key: str, *, actor: str) -> Edit:
    """Drop the mapping of ``kind`` + ``key`` (the record goes back to the default policy)."""
    rule = rule_for(kind)
    key = _key(rule, key)
    gone = db.execute(delete(NameMapEntry).where(
        NameMapEntry.user_id == user.id, NameMapEntry.kind == rule.kind,
        NameMapEntry.source_key == key)).rowcount
    if not gone:
        raise NameProblem(f"no mapping for {rule.kind} {key!r}")
    jobs_mod.audit(db, user_id=user.id, event="name_unset", record_key=f"{rule.kind}:{key}",
                   detail=f"QuickBooks {rule.field} mapping removed by {actor}")
    db.flush()
    return Edit(rule.kind, key, "", replan_record(db, user, rule, key))


def entries(db: Session, *, user_id: int | None = None, kind: str | None = None,
            search: str = "", limit: int | None = None) -> list[NameMapEntry]:
    """Rows of the map, by user, kind and key; ``search`` matches key, value or name."""
    stmt = select(NameMapEntry)
    if user_id is not None:
        stmt = stmt.where(NameMapEntry.user_id == user_id)
    if kind:
        stmt = stmt.where(NameMapEntry.kind == kind)
    if search.strip():
        like = f"%{search.strip().casefold()}%"
        stmt = stmt.where(func.lower(NameMapEntry.source_key).like(like)
                          | func.lower(NameMapEntry.source_value).like(like)
                          | (NameMapEntry.qb_name_key.like(like)))
    stmt = stmt.order_by(NameMapEntry.user_id, NameMapEntry.kind, NameMapEntry.source_key)
    return list(db.scalars(stmt.limit(limit) if limit else stmt))


def as_dict(row: NameMapEntry, user_name: str) -> dict[str, Any]:
    """One row as ``names list --json`` prints it."""
    return {"user": user_name, "kind": row.kind, "jobboss_key": row.source_key,
            "jobboss_value": row.source_value, "qb_name": row.qb_name, "origin": row.origin,
            "set_by": row.set_by, "set_at": row.set_at.isoformat() if row.set_at else None}


# ---------------------------------------------------------------- planning again


def replan_record(db: Session, user: User, rule: NameRule, key: str) -> int:
    """Plan again the jobs that failed or wait on one record; how many."""
    if rule.kind in registry.LIST_KINDS:
        return _replan_ensure_jobs(db, user, rule, key)
    return _retry_documents(db, user, rule, key)


def _replan_ensure_jobs(db: Session, user: User, rule: NameRule, key: str) -> int:
    from qbwc_service.sync.planning.dependencies import DependencyPlanner
    from qbwc_service.sync.planning.replan import replace_job

    kind = registry.list_kind(rule.kind)
    open_jobs = list(db.scalars(select(Job).where(
        Job.user_id == user.id, Job.kind == kind.ensure_kind, Job.source_key == key,
        Job.status.in_(_OPEN_ENSURE)).order_by(Job.id)))
    if not open_jobs:
        return 0
    settings = settings_mod.get_settings(db, user.id)
    deps = DependencyPlanner(db, user.id, settings)
    count = 0
    for old in open_jobs:
        payload = registry.payload_of(old)
        record = cast(SourceRecord | None, registry.record_of(payload))
        need = Need(rule.kind, key, payload.name or key)
        version = f"named-{_count(db, user.id, kind.ensure_kind, key)}"
        new = deps.plan_version(need, record, version)
        name = registry.payload_of(new).name
        replace_job(db, old, new, f"{rule.kind} {key!r} is named {name!r} in QuickBooks now "
                                  f"(name map): planned again as job {new.id}")
        count += 1
    return count


def _retry_documents(db: Session, user: User, rule: NameRule, number: str) -> int:
    """Transactions that failed on this document number go back to ``pending``."""
    kinds = {k.name: k for k in registry.TXN_KINDS.values()
             if k.names is not None and k.names.kind == rule.kind and k.ref_number is not None}
    count = 0
    for job in db.scalars(select(Job).where(Job.user_id == user.id, Job.kind.in_(list(kinds)),
                                            Job.status == JobStatus.ERROR.value).order_by(Job.id)):
        kind: TxnKind[Any] = kinds[job.kind]
        record = registry.record_of(registry.payload_of(job))
        if kind.ref_number is None or norm_key(kind.ref_number(record)) != number:
            continue
        jobs_mod.transition(db, job, JobStatus.PENDING, event=jobs_mod.REPLANNED,
                            reason=f"{rule.field} {number!r} has a new RefNumber in the name map")
        count += 1
    return count


# ---------------------------------------------------------------- helpers


def _key(rule: NameRule, key: str) -> str:
    cleaned = norm_key(key)
    if not cleaned:
        raise NameProblem(f"{rule.field}: the JobBOSS2 key is empty")
    return cleaned


def _planned_value(db: Session, user: User, rule: NameRule, key: str) -> str:
    """The JobBOSS2 value of a record not in the map yet: as its latest ensure job names it."""
    if rule.kind not in registry.LIST_KINDS:
        return key  # a document number is its own value
    job = db.scalars(select(Job).where(
        Job.user_id == user.id, Job.kind == registry.list_kind(rule.kind).ensure_kind,
        Job.source_key == key).order_by(Job.id.desc()).limit(1)).first()
    return (registry.payload_of(job).name or key) if job is not None else key


def _book(db: Session, user: User) -> NameBook:
    return NameBook(db, user.id, policies_of(settings_mod.get_settings(db, user.id).values))


def _count(db: Session, user_id: int, kind: str, key: str) -> int:
    return db.scalar(select(func.count()).select_from(Job).where(
        Job.user_id == user_id, Job.kind == kind, Job.source_key == key)) or 0


def _held_note(db: Session, user: User, rule: NameRule, key: str) -> str:
    from qbwc_service.sync.planning import idmap

    held = idmap.lookup(db, user.id, rule.kind, key)
    if held is None or rule.kind not in registry.LIST_KINDS:
        return ""
    return (f"QuickBooks already holds {rule.kind} {key!r} as {held.qb_name or held.qb_id!r}: "
            "references use its ListID; rename it in QuickBooks to match")


__all__ = ["Edit", "entries", "fold", "set_name", "unset_name"]
