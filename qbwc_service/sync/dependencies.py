"""Dependencies: the list records a transaction needs, ensured before it is sent.

For every list record a transaction references (customer, parts, terms,
accounts, sales tax, vendor, employee, payroll item) that the ID map does not
know for this company, one *ensure* job is planned: shared by every
transaction that needs it, it looks the record up in QuickBooks by name and
adds it when missing (:mod:`.kinds`). The transaction depends on it, so it is
sent only once all its ensure jobs are done; if one fails, the transaction is
blocked with the reason instead of being sent to fail with 3140.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbwc_service.jobboss import records as jb
from qbwc_service.queue import jobs as jobs_mod
from qbwc_service.queue.models import Job
from qbwc_service.queue.states import JobStatus
from qbwc_service.sync import idmap, kinds
from qbwc_service.sync.mapping import ap, ar, lists
from qbwc_service.sync.mapping import time as time_map
from qbwc_service.sync.mapping.context import Need
from qbwc_service.sync.serialize import to_jsonable

#: Priority of ensure jobs: accounts before the items that use them, then the rest.
PRIORITY = {"qb_account": 10, "account": 10, "terms": 20, "sales_tax": 20, "payroll_item": 20}
DEFAULT_PRIORITY = 30
#: Open or failed states: an ensure job in one of them is reused, not planned again.
_REUSABLE = {JobStatus.PENDING.value, JobStatus.BLOCKED.value, JobStatus.SENT.value,
             JobStatus.VERIFY.value, JobStatus.ERROR.value}

#: Finds the JobBOSS2 records of a list: (entity, keys) -> {key: record}.
RecordLookup = Callable[[str, list[str]], dict[str, Any]]


def no_records(_entity: str, _keys: list[str]) -> dict[str, Any]:
    return {}


def transaction_needs(kind: str, record: Any, settings: Any, index: int = 1) -> list[Need]:
    """What a transaction of ``kind`` references."""
    if kind == "invoice.add":
        return ar.needs(record, settings)
    if kind == "bill.add":
        return ap.bill_needs(record, settings)
    if kind == "receiver_bill.add":
        return ap.receiver_needs(record, settings)
    if kind == "time.add":
        return time_map.needs(record, index, settings)
    raise ValueError(f"unknown transaction kind {kind!r}")


def needs_of_job(job: Job, settings: Any) -> list[Need]:
    """What a planned job references (transactions and list records alike)."""
    if kinds.kind_of(job) == "txn":
        return transaction_needs(job.kind, kinds.record_of(job), settings,
                                 int(job.payload.get("index", 1)))
    return lists.list_needs(job.payload["entity"], settings)


def _dedupe(needs: Iterable[Need]) -> list[Need]:
    seen: dict[tuple[str, str], Need] = {}
    for need in needs:
        seen.setdefault((need.entity, idmap.norm_key(need.key)), need)
    return list(seen.values())


class DependencyPlanner:
    """Plans (or finds) the ensure jobs a set of needs calls for, for one user."""

    def __init__(self, db: Session, user_id: int, settings: Any,
                 lookup: RecordLookup = no_records) -> None:
        self.db = db
        self.user_id = user_id
        self.settings = settings
        self.lookup = lookup
        self.planned = 0  # ensure jobs created

    def jobs_for(self, needs: Iterable[Need]) -> dict[tuple[str, str], Job | None]:
        """``(entity, key)`` -> the ensure job still to finish, or ``None`` when known already."""
        wanted = _dedupe(needs)
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

    def plan_changed(self, need: Need, record: Any) -> tuple[Job, bool]:
        """An ensure job for a new version of a JobBOSS2 list record: ``(job, created)``.

        For a record whose ensure job failed and that has since been fixed in
        JobBOSS2 (see :func:`qbwc_service.sync.replan.replan_fixed_lists`):
        one job per version (``source_version`` is ``changed-<fingerprint>``),
        which queries QuickBooks by the record's current name and adopts or
        adds it like any ensure job.
        """
        before = self.planned
        job = self._plan_one(need, record, version=f"changed-{record.fingerprint()}")
        return job, self.planned > before

    # -- internals

    def _existing(self, needs: list[Need]) -> dict[tuple[str, str], Job]:
        found: dict[tuple[str, str], Job] = {}
        by_kind: dict[str, list[str]] = {}
        for need in needs:
            by_kind.setdefault(f"{need.entity}.ensure", []).append(idmap.norm_key(need.key))
        for kind, keys in by_kind.items():
            for start in range(0, len(keys), 500):
                rows = self.db.scalars(select(Job).where(
                    Job.user_id == self.user_id, Job.kind == kind,
                    Job.source_key.in_(keys[start:start + 500]),
                    Job.status.in_(_REUSABLE)).order_by(Job.id))
                for job in rows:
                    found[(kind.removesuffix(".ensure"), job.source_key)] = job
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

    def _plan_one(self, need: Need, record: Any, force: bool = False, version: str = "") -> Job:
        need = _named(need, record)
        sub = lists.list_needs(need.entity, self.settings)
        sub_jobs = [j for j in self.jobs_for(sub).values() if j is not None] if sub else []
        spec = lists.LIST_ENTITIES[need.entity]
        payload: dict[str, Any] = {
            "entity": need.entity, "key": idmap.norm_key(need.key), "name": need.name,
            "phase": "query",
            "record_type": type(record).__name__ if record is not None else None,
            "record": to_jsonable(record) if record is not None else None,
            "fingerprint": record.fingerprint() if record is not None else "",
        }
        if need.entity == "qb_account":
            payload["account_type"] = _default_account_type(need.name, self.settings)
        if force:
            version = f"again-{_count_jobs(self.db, self.user_id, f'{need.entity}.ensure', need.key)}"
        job, created = jobs_mod.ensure_job(
            self.db, user_id=self.user_id, area="lists", kind=f"{need.entity}.ensure",
            source_table=spec.table, source_key=idmap.norm_key(need.key), source_version=version,
            payload=payload, priority=PRIORITY.get(need.entity, DEFAULT_PRIORITY),
            depends_on=sub_jobs)
        self.planned += int(created)
        return job


def _named(need: Need, record: Any) -> Need:
    """The need with the QuickBooks name its JobBOSS2 record gives."""
    if isinstance(record, jb.Customer):
        return lists.customer_need(need.key, record)
    if isinstance(record, jb.Vendor):
        return lists.vendor_need(need.key, record)
    if isinstance(record, jb.Employee):
        return lists.employee_need(need.key, record)
    if isinstance(record, jb.GlAccount):
        return lists.account_need(need.key, record)
    return need


def _default_account_type(name: str, settings: Any) -> str:
    for setting_key, account_type in lists.DEFAULT_ACCOUNTS.values():
        if settings[setting_key] == name:
            return account_type
    return "Expense"


def _count_jobs(db: Session, user_id: int, kind: str, key: str) -> int:
    return len(list(db.scalars(select(Job.id).where(Job.user_id == user_id, Job.kind == kind,
                                                    Job.source_key == key))))
