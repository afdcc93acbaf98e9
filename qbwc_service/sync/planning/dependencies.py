"""Dependencies: the list records a transaction needs, ensured before it is sent.

For every list record a transaction references (customer, parts, terms,
accounts, sales tax, vendor, employee, payroll item) that the ID map does not
know for this company, one *ensure* job is planned: shared by every
transaction that needs it, it looks the record up in QuickBooks by name and
adds it when missing (as its kind in :mod:`qbwc_service.sync.kinds` says).
The transaction depends on it, so it is sent only once all its ensure jobs
are done; if one fails, the transaction is blocked with the reason instead of
being sent to fail with 3140.

An ensure job is planned under the name the name map gives the record
(:mod:`qbwc_service.sync.names`): a name too long for QuickBooks is
shortened there first, so the job looks up and adds the name QuickBooks can hold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbwc_service.queue import jobs as jobs_mod
from qbwc_service.queue import keyed
from qbwc_service.queue.models import Job
from qbwc_service.queue.states import JobStatus
from qbwc_service.sync.kinds import registry
from qbwc_service.sync.kinds.base import SourceRecord, TxnKind
from qbwc_service.sync.kinds.context import Need
from qbwc_service.sync.kinds.payload import JobPayload, Phase
from qbwc_service.sync.names.book import NameBook, policies_of
from qbwc_service.sync.planning import idmap
from qbwc_service.sync.serialize import to_jsonable
from qbwc_service.sync.settings import SyncSettings

#: Open or failed states: an ensure job in one of them is reused, not planned again.
_REUSABLE = {JobStatus.PENDING.value, JobStatus.BLOCKED.value, JobStatus.SENT.value,
             JobStatus.VERIFY.value, JobStatus.ERROR.value}

#: Finds the JobBOSS2 records of a list: (entity, keys) -> {key: record}.
RecordLookup = Callable[[str, list[str]], dict[str, SourceRecord]]


def no_records(_entity: str, _keys: list[str]) -> dict[str, SourceRecord]:
    return {}


def needs_of_job(job: Job, settings: SyncSettings) -> list[Need]:
    """What a planned job references (transactions and list records alike)."""
    kind = registry.job_kind(job.kind)
    payload = registry.payload_of(job)
    if isinstance(kind, TxnKind):
        return kind.needs(registry.record_of(payload), payload.index, settings)
    return registry.list_kind(payload.entity).needs(settings)


def _dedupe(needs: Iterable[Need]) -> list[Need]:
    seen: dict[tuple[str, str], Need] = {}
    for need in needs:
        seen.setdefault((need.entity, idmap.norm_key(need.key)), need)
    return list(seen.values())


class DependencyPlanner:
    """Plans (or finds) the ensure jobs a set of needs calls for, for one user."""

    def __init__(self, db: Session, user_id: int, settings: SyncSettings,
                 lookup: RecordLookup = no_records) -> None:
        self.db = db
        self.user_id = user_id
        self.settings = settings
        self.lookup = lookup
        self.planned = 0  # ensure jobs created
        #: What :meth:`jobs_for` answered, while :meth:`remembering`.
        self._answered: dict[tuple[str, str], Job | None] | None = None

    @contextmanager
    def remembering(self) -> Iterator[None]:
        """Within it, :meth:`jobs_for` looks each need up once and keeps the answer.

        For a planning pass over many transactions, where the same customers
        and parts come back chunk after chunk: the ID map does not change
        meanwhile, nor do the open ensure jobs but for those planned here
        (which are kept too), so the answer stays what a new lookup would give.
        """
        self._answered = {}
        try:
            yield
        finally:
            self._answered = None

    @cached_property
    def names(self) -> NameBook:
        """The user's name map, read on first use."""
        return NameBook(self.db, self.user_id, policies_of(self.settings.values))

    def jobs_for(self, needs: Iterable[Need]) -> dict[tuple[str, str], Job | None]:
        """``(entity, key)`` -> the ensure job still to finish, or ``None`` when known already."""
        answered = self._answered
        if answered is None:
            return self._jobs_for(_dedupe(needs))
        out: dict[tuple[str, str], Job | None] = {}
        rest: dict[tuple[str, str], Need] = {}
        for need in needs:
            ident = (need.entity, idmap.norm_key(need.key))
            if ident in answered:
                out[ident] = answered[ident]
            else:
                rest.setdefault(ident, need)
        if rest:
            found = self._jobs_for(list(rest.values()))
            answered.update(found)
            out.update(found)
        return out

    def _jobs_for(self, wanted: list[Need]) -> dict[tuple[str, str], Job | None]:
        known = idmap.lookup_many(self.db, self.user_id, [(n.entity, n.key) for n in wanted])
        out: dict[tuple[str, str], Job | None] = {}
        missing: list[Need] = []
        for need in wanted:
            ident = (need.entity, idmap.norm_key(need.key))
            if ident in known:
                out[ident] = None
            else:
                missing.append(need)
        existing = self._existing(missing)
        fresh = [n for n in missing if (n.entity, idmap.norm_key(n.key)) not in existing]
        out.update(existing)
        out.update(self._plan(fresh))
        return out

    def ensure(self, db: Session, user_id: int, need: Need) -> Job:
        """The ensure job of one need (planned if needed); for the 3140 policy."""
        job = self.jobs_for([need]).get((need.entity, idmap.norm_key(need.key)))
        if job is None:  # known after all: plan a fresh lookup
            job = self._plan([need], force=True)[(need.entity, idmap.norm_key(need.key))]
        assert job is not None
        return job

    def plan_changed(self, need: Need, record: SourceRecord) -> tuple[Job, bool]:
        """An ensure job for a new version of a JobBOSS2 list record: ``(job, created)``.

        For a record whose ensure job failed and that has since been fixed in
        JobBOSS2 (see :func:`qbwc_service.sync.planning.replan.replan_fixed_lists`):
        one job per version (``source_version`` is ``changed-<fingerprint>``),
        which queries QuickBooks by the record's current name and adopts or
        adds it like any ensure job.
        """
        before = self.planned
        job = self._plan_one(need, record, version=f"changed-{record.fingerprint()}")
        return job, self.planned > before

    def plan_version(self, need: Need, record: SourceRecord | None, version: str) -> Job:
        """An ensure job of ``need`` as version ``version`` (a new name: ``names set``)."""
        return self._plan_one(need, record, version=version)

    # -- internals

    def _existing(self, needs: list[Need]) -> dict[tuple[str, str], Job]:
        found: dict[tuple[str, str], Job] = {}
        by_entity: dict[str, list[str]] = {}
        for need in needs:
            by_entity.setdefault(need.entity, []).append(idmap.norm_key(need.key))
        for entity, keys in by_entity.items():
            kind = registry.list_kind(entity).ensure_kind
            for job in keyed.jobs_with_keys(self.db, keys, Job.user_id == self.user_id,
                                            Job.kind == kind, Job.status.in_(_REUSABLE)):
                found[(entity, job.source_key)] = job
        return found

    def _plan(self, needs: list[Need], force: bool = False) -> dict[tuple[str, str], Job]:
        out: dict[tuple[str, str], Job] = {}
        by_entity: dict[str, list[Need]] = {}
        for need in needs:
            by_entity.setdefault(need.entity, []).append(need)
        for entity, group in by_entity.items():
            records = self.lookup(entity, [idmap.norm_key(n.key) for n in group]) if group else {}
            for need in group:
                record = records.get(idmap.norm_key(need.key))
                out[(entity, idmap.norm_key(need.key))] = self._plan_one(need, record, force)
        return out

    def _plan_one(self, need: Need, record: SourceRecord | None, force: bool = False,
                  version: str = "") -> Job:
        kind = registry.list_kind(need.entity)
        if record is not None:  # the QuickBooks name its JobBOSS2 record gives
            need = kind.named(need.key, record)
        if kind.names is not None:  # ... or the name map, for one QuickBooks cannot hold
            need = replace(need, name=self.names.assign(kind.names, need.key, need.name) or need.name)
        sub = kind.needs(self.settings)
        sub_jobs = [j for j in self.jobs_for(sub).values() if j is not None] if sub else []
        key = idmap.norm_key(need.key)
        payload = JobPayload(
            phase=Phase.QUERY, entity=need.entity, key=key, name=need.name,
            record_type=type(record).__name__ if record is not None else None,
            record=to_jsonable(record) if record is not None else None,
            fingerprint=record.fingerprint() if record is not None else "")
        if kind.planned_with is not None:
            payload = payload.but(**kind.planned_with(need, self.settings))
        if force:
            version = f"again-{_count_jobs(self.db, self.user_id, kind.ensure_kind, need.key)}"
        job, created = jobs_mod.ensure_job(
            self.db, user_id=self.user_id, area=kind.area.name, kind=kind.ensure_kind,
            source_table=kind.table, source_key=key, source_version=version,
            payload=payload.to_json(), priority=kind.priority, depends_on=sub_jobs)
        self.planned += int(created)
        return job


def _count_jobs(db: Session, user_id: int, kind: str, key: str) -> int:
    return len(list(db.scalars(select(Job.id).where(Job.user_id == user_id, Job.kind == kind,
                                                    Job.source_key == key))))
