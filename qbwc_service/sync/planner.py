"""Planning: which JobBOSS2 records become jobs.

* :func:`plan_manual` (``sync start``): the unexported transactions of a date
  range.
* :func:`plan_auto` (each authenticate when ``sync.type = auto``): what is new
  or changed since the last look (``LastModDate`` high-water mark kept in the
  queue database), from ``sync.begin`` on; cheap when nothing changed.
* :func:`plan_defaults` (``sync defaults``): the default accounts and items.
* :func:`set_begin` (``sync set-begin``): mark everything older exported in
  JobBOSS2 and switch to auto sync from that date.

Planning is idempotent: one job per version of a record (its fingerprint),
never a second add for a record QuickBooks already holds (the ID map), and a
newer version of a record still waiting replaces the older one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from qbwc_service.jobboss import records as jb
from qbwc_service.jobboss.reader import JobBossReader, TxnFilter
from qbwc_service.queue import jobs as jobs_mod
from qbwc_service.queue.models import (
    AuditEvent,
    Job,
    JobDependency,
    Setting,
    User,
    WriteBack,
    utcnow,
)
from qbwc_service.queue.states import JobStatus
from qbwc_service.sync import idmap, replan
from qbwc_service.sync import settings as settings_mod
from qbwc_service.sync.dependencies import DependencyPlanner, transaction_needs
from qbwc_service.sync.mapping import lists
from qbwc_service.sync.mapping import time as time_map
from qbwc_service.sync.mapping.context import Need
from qbwc_service.sync.serialize import to_jsonable

#: The settings-table key of the auto-sync high-water mark (not a user setting).
HIGH_WATER_KEY = settings_mod.HIGH_WATER_KEY
#: Re-read this much before the mark: rows committed late with an older LastModDate.
HIGH_WATER_OVERLAP = timedelta(minutes=5)
#: Records planned per database round.
CHUNK = 500
#: Transaction priority (after every list record).
TXN_PRIORITY = 100

#: Jobs of an older version that a newer one replaces (never one QuickBooks may be holding).
_REPLACEABLE = {JobStatus.PENDING.value, JobStatus.BLOCKED.value, JobStatus.ERROR.value,
                JobStatus.SKIPPED.value}
#: Jobs whose record must not be planned again now.
_IN_FLIGHT = {JobStatus.SENT.value, JobStatus.VERIFY.value, JobStatus.DONE.value}

ReaderFactory = Callable[[User], JobBossReader]


@dataclass
class PlanResult:
    """What one planning pass did, per kind of job."""

    planned: dict[str, int] = field(default_factory=dict)  # new jobs per kind
    unchanged: int = 0  # already planned in this version
    already_in_quickbooks: int = 0
    waiting: int = 0  # not planned: an older version is in QuickBooks' hands
    replaced: int = 0  # older versions cancelled
    ensure_jobs: int = 0
    writebacks: int = 0  # write-backs queued again for records QuickBooks holds
    fixed_lists: int = 0  # failed list records changed in JobBOSS2, planned again

    @property
    def total(self) -> int:
        return sum(self.planned.values()) + self.ensure_jobs

    def add(self, kind: str, n: int = 1) -> None:
        self.planned[kind] = self.planned.get(kind, 0) + n

    def lines(self) -> list[str]:
        """A human summary, one line per fact."""
        out = [f"{n} {kind} jobs planned" for kind, n in sorted(self.planned.items())]
        out.append(f"{self.ensure_jobs} list records to ensure in QuickBooks")
        for label, n in (("already planned", self.unchanged),
                         ("already in QuickBooks", self.already_in_quickbooks),
                         ("waiting for QuickBooks' answer on an older version", self.waiting),
                         ("older versions replaced", self.replaced),
                         ("JobBOSS2 write-backs queued again", self.writebacks),
                         ("fixed list records planned again", self.fixed_lists)):
            if n:
                out.append(f"{n} {label}")
        return out


def default_reader(user: User) -> JobBossReader:
    if not user.jobboss_url:
        raise ValueError(f"user {user.name!r} has no JobBOSS2 database configured")
    return JobBossReader(user.jobboss_url)


# ---------------------------------------------------------------- entry points


def plan_manual(db: Session, user: User, date_from: date | None, date_to: date | None, *,
                reader: JobBossReader | None = None,
                settings: settings_mod.SyncSettings | None = None) -> PlanResult:
    """Plan the unexported transactions dated ``date_from``..``date_to`` (inclusive)."""
    settings = settings or settings_mod.get_settings(db, user.id)
    planner = Planner(db, user, settings, reader or default_reader(user))
    planner.fixed_lists()
    planner.transactions(TxnFilter(date_from=date_from, date_to=date_to, only_unexported=True))
    planner.options()
    return planner.result


def plan_auto(db: Session, user: User, *, reader: JobBossReader | None = None,
              settings: settings_mod.SyncSettings | None = None,
              now: datetime | None = None) -> PlanResult:
    """Plan what is new or changed since the last look, from ``sync.begin`` on."""
    settings = settings or settings_mod.get_settings(db, user.id)
    planner = Planner(db, user, settings, reader or default_reader(user))
    since = high_water(db, user.id)
    flt = TxnFilter(date_from=settings["sync.begin"], only_unexported=True,
                    changed_since=since - HIGH_WATER_OVERLAP if since else None)
    planner.fixed_lists()
    planner.transactions(flt)
    planner.options(changed_since=flt.changed_since)
    if planner.latest is not None:
        set_high_water(db, user.id, max(planner.latest, since) if since else planner.latest)
    return planner.result


def plan_defaults(db: Session, user: User, *,
                  settings: settings_mod.SyncSettings | None = None) -> PlanResult:
    """Sync Defaults: ensure the default accounts and the freight item exist in QuickBooks."""
    settings = settings or settings_mod.get_settings(db, user.id)
    deps = DependencyPlanner(db, user.id, settings)
    needs = [lists.default_account_need(settings, p) for p in lists.DEFAULT_ACCOUNTS
             if settings[lists.DEFAULT_ACCOUNTS[p][0]]]
    needs.append(lists.freight_need(settings))
    deps.jobs_for(needs)
    return PlanResult(ensure_jobs=deps.planned)


def set_begin(db: Session, user: User, begin: date, writer: Any = None) -> dict[str, int]:
    """Set Begin: mark every transaction before ``begin`` exported; auto sync from ``begin``."""
    if writer is None:
        from qbwc_service.jobboss.writeback import JobBossWriter

        writer = JobBossWriter(user.jobboss_url)
    changed = writer.set_begin(begin)
    settings_mod.set_settings(db, user.id, {"sync.type": "auto", "sync.begin": begin.isoformat()})
    db.execute(delete(Setting).where(Setting.user_id == user.id, Setting.key == HIGH_WATER_KEY))
    return changed


def high_water(db: Session, user_id: int) -> datetime | None:
    raw = db.scalar(select(Setting.value).where(Setting.user_id == user_id,
                                                Setting.key == HIGH_WATER_KEY))
    return datetime.fromisoformat(raw) if raw else None


def set_high_water(db: Session, user_id: int, value: datetime) -> None:
    row = db.scalars(select(Setting).where(Setting.user_id == user_id,
                                           Setting.key == HIGH_WATER_KEY)).first()
    if row is None:
        db.add(Setting(user_id=user_id, key=HIGH_WATER_KEY, value=value.isoformat()))
    else:
        row.value = value.isoformat()


# ---------------------------------------------------------------- the planner


@dataclass(frozen=True)
class _Source:
    kind: str
    area: str
    read: Callable[[JobBossReader, TxnFilter, Planner], Iterable[Any]]


def _receivers(reader: JobBossReader, flt: TxnFilter, planner: Planner) -> Iterable[Any]:
    done = {k for k in idmap.known_keys(planner.db, planner.user.id, "bill") if k.startswith("Receiver:")}
    return reader.receiver_bills(flt, exported=done)


#: (setting that enables it, setting value or "") -> where the records come from.
SOURCES: dict[tuple[str, str], _Source] = {
    ("source.invoices", "billing"): _Source("invoice.add", "ar", lambda r, f, p: r.ar_invoices(f)),
    ("source.invoices", "packing_list"): _Source("invoice.add", "ar",
                                                 lambda r, f, p: r.packing_list_invoices(f)),
    ("source.bills", "vendor_invoice"): _Source("bill.add", "ap", lambda r, f, p: r.ap_invoices(f)),
    ("source.bills", "receiver"): _Source("receiver_bill.add", "ap", _receivers),
    ("time", ""): _Source("time.add", "time", lambda r, f, p: r.attendance(f)),
}
#: Item switch -> the source key chosen by settings.
ITEM_SWITCHES: tuple[tuple[str, str], ...] = (
    ("items.customer_billing", "source.invoices"),
    ("items.vendor_invoices", "source.bills"),
    ("items.time_and_attendance", "time"),
)

#: Lists ``validate_sync_tables`` and ``update_after_edit`` walk: entity -> reader method.
LIST_READERS: dict[str, str] = {"customer": "customers", "vendor": "vendors",
                                "employee": "employees", "item": "parts", "terms": "terms",
                                "account": "gl_accounts", "sales_tax": "tax_codes"}
#: Lists ``update_after_edit`` sends changes of.
EDITABLE = ("customer", "vendor", "employee", "item")


def list_key(entity: str, record: Any) -> str:
    """The ID map key of a JobBOSS2 list record."""
    return {
        "customer": lambda r: r.cust_code, "vendor": lambda r: r.vend_code,
        "employee": lambda r: str(r.empl_code), "item": lambda r: r.part_no,
        "terms": lambda r: r.code, "account": lambda r: r.number, "sales_tax": lambda r: r.code,
    }[entity](record)


def lookup_records(reader: Any, entity: str, keys: list[str]) -> dict[str, Any]:
    """The JobBOSS2 records of one list by ID map key; unknown keys are left out."""
    method = LIST_READERS.get(entity)
    if method is None or not keys:
        return {}
    codes: list[Any] = [int(k) for k in keys if k.isdigit()] if entity == "employee" else keys
    if not codes:
        return {}
    return {list_key(entity, r): r for r in getattr(reader, method)(codes)}


class Planner:
    """One planning pass for one user."""

    def __init__(self, db: Session, user: User, settings: settings_mod.SyncSettings,
                 reader: JobBossReader) -> None:
        self.db = db
        self.user = user
        self.settings = settings
        self.reader = reader
        self.result = PlanResult()
        self.latest: datetime | None = None
        self.deps = DependencyPlanner(db, user.id, settings, self.lookup)

    # -- sources

    def sources(self) -> list[_Source]:
        out = []
        for switch, choice in ITEM_SWITCHES:
            if self.settings[switch]:
                value = self.settings[choice] if choice != "time" else ""
                out.append(SOURCES[(choice, value)])
        return out

    def transactions(self, flt: TxnFilter) -> None:
        for source in self.sources():
            for chunk in _chunks(source.read(self.reader, flt, self), CHUNK):
                self._plan_chunk(source, chunk)
        self.result.ensure_jobs += self.deps.planned
        self.deps.planned = 0

    def fixed_lists(self) -> None:
        """Failed list records fixed in JobBOSS2 since: plan them again (:mod:`.replan`)."""
        self.result.fixed_lists += replan.replan_fixed_lists(self.db, self.user.id, self.deps,
                                                             self.lookup)
        self.result.ensure_jobs += self.deps.planned
        self.deps.planned = 0

    def options(self, changed_since: datetime | None = None) -> None:
        if self.settings["options.validate_sync_tables"]:
            self.sync_tables()
        if self.settings["options.update_after_edit"]:
            self.updates(changed_since)
        self.result.ensure_jobs += self.deps.planned
        self.deps.planned = 0

    # -- transactions

    def _plan_chunk(self, source: _Source, records: list[Any]) -> None:
        items = list(self._units(source, records))
        if not items:
            return
        known = idmap.lookup_many(self.db, self.user.id,
                                  [(_entity_of(source.kind), key) for key, _r, _i in items])
        existing = self._existing_jobs(source.kind, [key for key, _r, _i in items])
        todo: list[tuple[str, Any, int, list[Need]]] = []
        for key, record, index in items:
            self._note_time(record)
            if (_entity_of(source.kind), key) in known:
                self.result.already_in_quickbooks += 1
                self._owe_writebacks(source, key)
                continue
            version = record.fingerprint()
            jobs = existing.get(key, [])
            if any(j.source_version == version for j in jobs):
                self.result.unchanged += 1
                continue
            if any(j.status in _IN_FLIGHT for j in jobs):
                self.result.waiting += 1
                continue
            for old in jobs:
                if old.status in _REPLACEABLE:
                    jobs_mod.transition(self.db, old, JobStatus.CANCELLED,
                                        reason=f"replaced by version {version}")
                    self.result.replaced += 1
            todo.append((key, record, index, transaction_needs(source.kind, record, self.settings,
                                                              index)))
        ensure = self.deps.jobs_for(n for *_x, needs in todo for n in needs)
        rows = []
        for key, record, index, needs in todo:
            deps = [ensure[(n.entity, idmap.norm_key(n.key))] for n in needs]
            rows.append((key, record, index, [d for d in deps if d is not None]))
        self._add_many(source, rows)

    def _units(self, source: _Source, records: list[Any]) -> Iterator[tuple[str, Any, int]]:
        """``(job key, record, punch index)``: one per record, one per punch for time."""
        for record in records:
            if source.kind != "time.add":
                yield record.key, record, 1
                continue
            if not record.complete:
                continue  # a day still open waits for its clock-out
            for index, _punch in time_map.punches_to_send(record):
                yield f"{record.key}#{index}", record, index

    def _note_time(self, record: Any) -> None:
        stamp = getattr(record, "last_mod", None)
        if stamp is not None and (self.latest is None or stamp > self.latest):
            self.latest = stamp

    def _existing_jobs(self, kind: str, keys: list[str]) -> dict[str, list[Job]]:
        out: dict[str, list[Job]] = {}
        source_keys = [k.split(":", 1)[1] for k in keys]
        for start in range(0, len(source_keys), 500):
            for job in self.db.scalars(select(Job).where(
                    Job.user_id == self.user.id, Job.kind == kind,
                    Job.source_key.in_(source_keys[start:start + 500]),
                    Job.status != JobStatus.CANCELLED.value)):
                out.setdefault(f"{job.source_table}:{job.source_key}", []).append(job)
        return out

    def _add_many(self, source: _Source, rows: list[tuple[str, Any, int, list[Job]]]) -> None:
        """Plan the jobs of ``rows`` (key, record, punch index, dependencies) in bulk.

        What :func:`qbwc_service.queue.jobs.add_job` does for each, in a few
        statements: one multi-row ``INSERT .. ON CONFLICT DO NOTHING`` (a
        version already planned is skipped, even by a concurrent planner),
        the ``planned`` audit rows and the dependency rows. A record whose
        dependency has already failed is born blocked: it goes through
        ``add_job`` alone, so the trail keeps its order.
        """
        if self.db.get_bind().dialect.name not in ("sqlite", "postgresql"):
            for row in rows:
                self._add(source, *row)
            return
        segment: list[tuple[str, Any, int, list[Job]]] = []
        for row in rows:
            if any(JobStatus(dep.status) in jobs_mod.FAILED_STATES for dep in row[3]):
                self._insert(source, segment)
                segment = []
                self._add(source, *row)
            else:
                segment.append(row)
        self._insert(source, segment)

    def _insert(self, source: _Source, rows: list[tuple[str, Any, int, list[Job]]]) -> None:
        if not rows:
            return
        self.db.flush()
        now = utcnow()
        values = []
        for key, record, index, _deps in rows:
            table, source_key = key.split(":", 1)
            values.append(dict(
                user_id=self.user.id, area=source.area, kind=source.kind, source_table=table,
                source_key=source_key, source_version=record.fingerprint(),
                payload=_payload(source, record, index), priority=TXN_PRIORITY, not_before=None,
                status=JobStatus.PENDING.value, created_at=now, updated_at=now, warnings=[]))
        insert_ = _dialect_insert(self.db)
        jobs = Job.__table__
        stmt = (insert_(jobs).on_conflict_do_nothing(index_elements=list(jobs_mod._VERSION_COLUMNS))
                .returning(jobs.c.id, jobs.c.source_key, jobs.c.source_version))
        # Many parameter sets with RETURNING: SQLAlchemy sends them as multi-row INSERTs.
        new_ids = {(key, version): job_id for job_id, key, version in self.db.execute(stmt, values)}
        events: list[dict[str, Any]] = []
        links: list[dict[str, int]] = []
        for (_key, _record, _index, deps), row in zip(rows, values, strict=True):
            job_id = new_ids.pop((row["source_key"], row["source_version"]), None)
            if job_id is None:  # planned before (or twice in this chunk)
                self.result.unchanged += 1
                continue
            self.result.add(source.kind)
            events.append(dict(created_at=now, user_id=self.user.id, job_id=job_id, run_id=None,
                               record_key=f"{row['source_table']}:{row['source_key']}"[:200],
                               event=jobs_mod.PLANNED, detail=""))
            links.extend({"job_id": job_id, "depends_on_id": dep_id}
                         for dep_id in dict.fromkeys(dep.id for dep in deps))
        if events:
            self.db.execute(insert(AuditEvent), events)
        if links:
            self.db.execute(insert(JobDependency), links)

    def _add(self, source: _Source, key: str, record: Any, index: int, deps: list[Job]) -> None:
        table, source_key = key.split(":", 1)
        payload = _payload(source, record, index)
        job = jobs_mod.add_job(self.db, user_id=self.user.id, area=source.area, kind=source.kind,
                               source_table=table, source_key=source_key,
                               source_version=record.fingerprint(), payload=payload,
                               priority=TXN_PRIORITY, depends_on=deps)
        if job is None:
            self.result.unchanged += 1
        else:
            self.result.add(source.kind)

    def _owe_writebacks(self, source: _Source, key: str) -> None:
        """QuickBooks holds it but JobBOSS2 still says unexported: owe the flag again."""
        if source.kind == "receiver_bill.add":
            return
        table, source_key = key.split(":", 1)
        if source.kind == "time.add":
            source_key = source_key.split("#", 1)[0]
        open_row = self.db.scalar(select(WriteBack.id).where(
            WriteBack.user_id == self.user.id, WriteBack.action == "exported",
            WriteBack.source_table == table, WriteBack.source_key == source_key,
            WriteBack.done_at.is_(None)))
        if open_row is None:
            self.db.add(WriteBack(user_id=self.user.id, action="exported", source_table=table,
                                  source_key=source_key))
            self.result.writebacks += 1

    # -- lists

    def lookup(self, entity: str, keys: list[str]) -> dict[str, Any]:
        """The JobBOSS2 records of a list by key (for ensure jobs)."""
        return lookup_records(self.reader, entity, keys)

    def sync_tables(self) -> None:
        """``validate_sync_tables``: every record of every shared list."""
        for entity, method in LIST_READERS.items():
            needs = [self._need(entity, r) for r in getattr(self.reader, method)()]
            if needs:
                self.deps.jobs_for(needs)

    def _need(self, entity: str, record: Any) -> Need:
        key = list_key(entity, record)
        named = {"customer": lambda: lists.customer_need(key, record),
                 "vendor": lambda: lists.vendor_need(key, record),
                 "employee": lambda: lists.employee_need(key, record),
                 "account": lambda: lists.account_need(key, record)}
        return named.get(entity, lambda: Need(entity, key, key))()

    def updates(self, changed_since: datetime | None) -> None:
        """``update_after_edit``: Mod jobs for synced list records changed in JobBOSS2."""
        for entity in EDITABLE:
            known = idmap.known_keys(self.db, self.user.id, entity)
            if not known:
                continue
            method = getattr(self.reader, LIST_READERS[entity])
            for record in method(changed_since=changed_since) if changed_since else method():
                key = list_key(entity, record)
                sent_as = known.get(key)
                version = record.fingerprint()
                if not sent_as or sent_as == version:
                    continue
                self._plan_mod(entity, key, record, version)

    def _plan_mod(self, entity: str, key: str, record: Any, version: str) -> None:
        need = self._need(entity, record)
        payload = {"entity": entity, "key": key, "name": need.name,
                   "record_type": type(record).__name__, "record": to_jsonable(record),
                   "fingerprint": version, "phase": "read" if entity == "item" else "mod"}
        known = idmap.lookup(self.db, self.user.id, entity, key)
        if known is not None:
            payload["edit_sequence"] = known.edit_sequence
        job = jobs_mod.add_job(self.db, user_id=self.user.id, area="lists", kind=f"{entity}.mod",
                               source_table=lists.LIST_ENTITIES[entity].table, source_key=key,
                               source_version=version, payload=payload, priority=40)
        if job is not None:
            self.result.add(f"{entity}.mod")


def _payload(source: _Source, record: Any, index: int) -> dict[str, Any]:
    """What a transaction job keeps: the record as planned, and its punch for time."""
    payload: dict[str, Any] = {"record_type": type(record).__name__,
                               "record": to_jsonable(record), "phase": "add"}
    if source.kind == "time.add":
        payload.update(index=index, day_key=record.key.split(":", 1)[1])
    return payload


def _dialect_insert(db: Session) -> Any:
    if db.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def _entity_of(kind: str) -> str:
    from qbwc_service.sync.kinds import TXN_KINDS

    return TXN_KINDS[kind].entity


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


__all__ = ["PlanResult", "plan_auto", "plan_defaults", "plan_manual", "set_begin", "jb"]
