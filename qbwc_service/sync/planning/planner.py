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
newer version of a record still waiting replaces the older one. A document
QuickBooks holds that changed or was deleted in JobBOSS2 since is listed, and
with ``options.update_exported`` changed in QuickBooks (:mod:`.exported`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from qbwc_service.jobboss.reader import JobBossReader, TxnFilter
from qbwc_service.queue import bulk, keyed
from qbwc_service.queue import jobs as jobs_mod
from qbwc_service.queue.models import (
    AuditEvent,
    IdMapEntry,
    Job,
    JobDependency,
    Setting,
    User,
    WriteBack,
    utcnow,
)
from qbwc_service.queue.states import JobStatus
from qbwc_service.sync import settings as settings_mod
from qbwc_service.sync.kinds import registry
from qbwc_service.sync.kinds.base import ListKind, Source, SourceRecord, TxnKind
from qbwc_service.sync.kinds.context import Need
from qbwc_service.sync.kinds.payload import JobPayload, Phase
from qbwc_service.sync.planning import idmap, replan
from qbwc_service.sync.planning.collector import older_objects_set_aside
from qbwc_service.sync.planning.dependencies import DependencyPlanner
from qbwc_service.sync.planning.exported import AfterExport, Held
from qbwc_service.sync.protocols import JobBossWrites
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
#: States of a dependency that make a new job blocked from the start.
_FAILED = frozenset(status.value for status in jobs_mod.FAILED_STATES)
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
    changed_after_export: int = 0  # documents QuickBooks holds changed since (newly listed)
    deleted_after_export: int = 0  # documents QuickBooks holds deleted since (newly listed)

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
                         ("fixed list records planned again", self.fixed_lists),
                         ("documents changed in JobBOSS2 after export (listed in the next "
                          "run's report)", self.changed_after_export),
                         ("documents deleted in JobBOSS2 after export (listed in the next "
                          "run's report)", self.deleted_after_export)):
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
    """Plan the unexported transactions dated ``date_from``..``date_to`` (inclusive); list
    those QuickBooks holds that changed or were deleted since (:mod:`.exported`)."""
    settings = settings or settings_mod.get_settings(db, user.id)
    planner = Planner(db, user, settings, reader or default_reader(user))
    planner.fixed_lists()
    flt = TxnFilter(date_from=date_from, date_to=date_to, only_unexported=True)
    planner.transactions(flt, exported_unheld=False)
    planner.deleted_after_export(flt)
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
    deps.jobs_for(registry.default_needs(settings))
    return PlanResult(ensure_jobs=deps.planned)


def set_begin(db: Session, user: User, begin: date,
              writer: JobBossWrites | None = None) -> dict[str, int]:
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


def lookup_records(reader: JobBossReader, entity: str,
                   keys: Sequence[str]) -> dict[str, SourceRecord]:
    """The JobBOSS2 records of one list by ID map key; unknown keys are left out."""
    kind = registry.LIST_KINDS.get(entity)
    if kind is None or kind.read is None or kind.key_of is None or not keys:
        return {}
    key_of = kind.key_of
    return {key_of(r): r for r in kind.read(reader, keys)}


#: A job to plan: (job key "Table:key", the record, the unit index, its dependencies).
_Row = tuple[str, SourceRecord, int, list[Job]]


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
        self.after_export = AfterExport(db, user.id, settings, self.deps)

    def known_keys(self, entity: str) -> Mapping[str, str]:
        """What the ID map holds of ``entity`` for this user (sources ask: receivers)."""
        return idmap.known_keys(self.db, self.user.id, entity)

    # -- sources

    def sources(self) -> list[Source[Any]]:
        """The JobBOSS2 sources the settings turn on, in planning order."""
        return [source for source in registry.SOURCES if source.enabled(self.settings)]

    def transactions(self, flt: TxnFilter, *, exported_unheld: bool = True) -> None:
        """Plan the transactions of ``flt``'s range.

        Where a kind looks for its documents changed after export, the exported
        documents are read too: those QuickBooks holds are compared. Without
        ``exported_unheld``, a source none of whose documents QuickBooks holds
        is not read for them (nothing to compare, and ``sync start`` over years
        of documents exported before the service would read them all for
        nothing); :func:`plan_auto` reads them still, for its high-water mark.
        """
        # Chunk after chunk needs the same customers and parts: each is looked up once.
        with self.deps.remembering(), older_objects_set_aside():
            for source in self.sources():
                watched = registry.watched(source) and (exported_unheld or self._holds(source))
                # Exported documents too where a kind looks for changes after export.
                read = replace(flt, only_unexported=False) if watched else flt
                for chunk in _chunks(source.read(self.reader, read, self), CHUNK):
                    if watched:
                        self.after_export.seen.update(record.key for record in chunk)
                    for kind, records in _routed(source, chunk):
                        self._plan_chunk(kind, records)
        self._after_export_done()

    def _holds(self, source: Source[Any]) -> bool:
        """Whether the ID map holds any document of the watched kinds reading ``source``."""
        return self.db.scalar(select(IdMapEntry.id).where(
            IdMapEntry.user_id == self.user.id,
            IdMapEntry.entity.in_(sorted(registry.watched_entities(source)))).limit(1)) is not None

    def deleted_after_export(self, flt: TxnFilter) -> None:
        """Documents of the range QuickBooks holds and JobBOSS2 no longer has (:mod:`.exported`)."""
        if flt.changed_since is not None:
            return  # the keys read are not every document of the range
        self.after_export.look_for_deleted(self.reader, flt)
        self._after_export_done()

    def _after_export_done(self) -> None:
        after = self.after_export
        self.result.changed_after_export += after.changed
        self.result.deleted_after_export += after.deleted
        for kind, n in after.mods.items():
            self.result.add(kind, n)
        after.changed = after.deleted = 0
        after.mods.clear()
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

    def _plan_chunk(self, kind: TxnKind[Any], records: list[SourceRecord]) -> None:
        items = list(_units(kind, records))
        if not items:
            return
        known = idmap.lookup_many(self.db, self.user.id,
                                  [(kind.entity, key) for key, _r, _i in items])
        # Only records new to QuickBooks may need a job: their earlier versions, if any.
        existing = self._existing_jobs(kind.name, [
            key for key, record, _i in items
            if (kind.entity, key) not in known and not getattr(record, "exported", False)])
        todo: list[tuple[str, SourceRecord, int, list[Need]]] = []
        held: list[Held] = []
        owed: list[str] = []  # in QuickBooks already, JobBOSS2 not flagged yet
        changes = jobs_mod.Changes(self.db)  # the older versions cancelled, audited in one INSERT
        for key, record, index in items:
            self._note_time(record)
            found = known.get((kind.entity, key))
            exported = bool(getattr(record, "exported", False))
            if found is not None:
                if kind.watched:
                    held.append((key, record, index, found))
                if not exported:
                    self.result.already_in_quickbooks += 1
                    owed.append(key)
                continue
            if exported:  # flagged in JobBOSS2 before this service (Set Begin, another tool)
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
                    changes.transition(old, JobStatus.CANCELLED, reason=f"replaced by version {version}")
                    self.result.replaced += 1
            self._map_number(kind, record)
            todo.append((key, record, index, kind.needs(record, index, self.settings)))
        changes.flush()
        self._owe_writebacks(kind, owed)
        self.after_export.check(kind, held)
        ensure = self.deps.jobs_for(n for *_x, needs in todo for n in needs)
        rows = []
        for key, record, index, needs in todo:
            deps = [ensure[(n.entity, idmap.norm_key(n.key))] for n in needs]
            rows.append((key, record, index, [d for d in deps if d is not None]))
        self._add_many(kind, rows)

    def _map_number(self, kind: TxnKind[Any], record: SourceRecord) -> None:
        """A document number QuickBooks cannot hold gets its RefNumber in the name map now."""
        if kind.names is not None and kind.ref_number is not None:
            number = kind.ref_number(record)
            self.deps.names.assign(kind.names, number, number)

    def _note_time(self, record: SourceRecord) -> None:
        stamp = getattr(record, "last_mod", None)
        if stamp is not None and (self.latest is None or stamp > self.latest):
            self.latest = stamp

    def _existing_jobs(self, kind: str, keys: list[str]) -> dict[str, list[Job]]:
        out: dict[str, list[Job]] = {}
        source_keys = [k.split(":", 1)[1] for k in keys]
        # Not the payloads: a pass over records planned before reads thousands of these.
        for job in keyed.jobs_with_keys(self.db, source_keys, Job.user_id == self.user.id,
                                        Job.kind == kind, Job.status != JobStatus.CANCELLED.value,
                                        payload=False):
            out.setdefault(f"{job.source_table}:{job.source_key}", []).append(job)
        return out

    def _add_many(self, kind: TxnKind[Any], rows: list[_Row]) -> None:
        """Plan the jobs of ``rows`` (key, record, unit index, dependencies) in bulk.

        What :func:`qbwc_service.queue.jobs.add_job` does for each, in a few
        statements: one multi-row ``INSERT .. ON CONFLICT DO NOTHING`` (a
        version already planned is skipped, even by a concurrent planner),
        the ``planned`` audit rows and the dependency rows. A record whose
        dependency has already failed is born blocked: it goes through
        ``add_job`` alone, so the trail keeps its order.
        """
        if self.db.get_bind().dialect.name not in ("sqlite", "postgresql"):
            for row in rows:
                self._add(kind, *row)
            return
        # Each dependency once (an ensure job serves hundreds of rows), not once per row.
        failed = {dep for dep in set().union(*(deps for *_x, deps in rows)) if dep.status in _FAILED}
        segment: list[_Row] = []
        for row in rows:
            if failed and not failed.isdisjoint(row[3]):
                self._insert(kind, segment)
                segment = []
                self._add(kind, *row)
            else:
                segment.append(row)
        self._insert(kind, segment)

    def _insert(self, kind: TxnKind[Any], rows: list[_Row]) -> None:
        if not rows:
            return
        self.db.flush()
        now = utcnow()
        values = []
        for key, record, index, _deps in rows:
            table, source_key = key.split(":", 1)
            values.append(dict(
                user_id=self.user.id, area=kind.area.name, kind=kind.name, source_table=table,
                source_key=source_key, source_version=record.fingerprint(),
                payload=_payload(kind, record, index), priority=TXN_PRIORITY, not_before=None,
                status=JobStatus.PENDING.value, created_at=now, updated_at=now, warnings=[]))
        new_ids = {(key, version): job_id for job_id, key, version in bulk.insert_new(
            self.db, Job.__table__, values, unique=jobs_mod._VERSION_COLUMNS,
            returning=("id", "source_key", "source_version"))}
        events: list[dict[str, Any]] = []
        links: list[tuple[int, int]] = []
        dep_ids = {dep: dep.id for dep in set().union(*(deps for *_x, deps in rows))}
        for (_key, _record, _index, deps), row in zip(rows, values, strict=True):
            job_id = new_ids.pop((row["source_key"], row["source_version"]), None)
            if job_id is None:  # planned before (or twice in this chunk)
                self.result.unchanged += 1
                continue
            self.result.add(kind.name)
            events.append(dict(created_at=now, user_id=self.user.id, job_id=job_id, run_id=None,
                               record_key=f"{row['source_table']}:{row['source_key']}"[:200],
                               event=jobs_mod.PLANNED, detail=""))
            links.extend((job_id, dep_id) for dep_id in dict.fromkeys(map(dep_ids.__getitem__, deps)))
        bulk.insert_rows(self.db, AuditEvent.__table__, events)
        bulk.insert_values(self.db, JobDependency.__table__, ("job_id", "depends_on_id"), links)

    def _add(self, kind: TxnKind[Any], key: str, record: SourceRecord, index: int,
             deps: list[Job]) -> None:
        table, source_key = key.split(":", 1)
        job = jobs_mod.add_job(self.db, user_id=self.user.id, area=kind.area.name, kind=kind.name,
                               source_table=table, source_key=source_key,
                               source_version=record.fingerprint(),
                               payload=_payload(kind, record, index), priority=TXN_PRIORITY,
                               depends_on=deps)
        if job is None:
            self.result.unchanged += 1
        else:
            self.result.add(kind.name)

    def _owe_writebacks(self, kind: TxnKind[Any], keys: list[str]) -> None:
        """QuickBooks holds them but JobBOSS2 still says unexported: owe the flag again.

        One query per 500 records for the write-backs still open; one owed per record.
        """
        if not keys or not any(rule.action == "exported" for rule in kind.writebacks):
            return
        wanted: dict[tuple[str, str], None] = {}
        for key in keys:
            table, source_key = key.split(":", 1)
            if kind.units is not None:  # the flag is the whole record's
                source_key = source_key.split("#", 1)[0]
            wanted.setdefault((table, source_key))
        idents = list(wanted)
        open_rows: set[tuple[str, str]] = set()
        for batch in keyed.batches(idents):
            rows = self.db.execute(select(WriteBack.source_table, WriteBack.source_key).where(
                WriteBack.user_id == self.user.id, WriteBack.action == "exported",
                WriteBack.source_table.in_({table for table, _key in batch}),
                WriteBack.source_key.in_([key for _table, key in batch]),
                WriteBack.done_at.is_(None)))
            open_rows.update((table, key) for table, key in rows)
        for table, source_key in idents:
            if (table, source_key) not in open_rows:
                self.db.add(WriteBack(user_id=self.user.id, action="exported", source_table=table,
                                      source_key=source_key))
                self.result.writebacks += 1

    # -- lists

    def lookup(self, entity: str, keys: list[str]) -> dict[str, SourceRecord]:
        """The JobBOSS2 records of a list by key (for ensure jobs)."""
        return lookup_records(self.reader, entity, keys)

    def sync_tables(self) -> None:
        """``validate_sync_tables``: every record of every shared list."""
        for kind in registry.LIST_KINDS.values():
            if kind.read is None or kind.key_of is None:
                continue
            key_of = kind.key_of
            needs = [kind.named(key_of(r), r) for r in kind.read(self.reader)]
            if needs:
                self.deps.jobs_for(needs)

    def updates(self, changed_since: datetime | None) -> None:
        """``update_after_edit``: Mod jobs for synced list records changed in JobBOSS2."""
        for kind in registry.LIST_KINDS.values():
            if kind.mod is None or kind.read is None or kind.key_of is None:
                continue
            known = idmap.known_keys(self.db, self.user.id, kind.entity)
            if not known:
                continue
            for record in kind.read(self.reader, changed_since=changed_since):
                key = kind.key_of(record)
                sent_as = known.get(key)
                version = record.fingerprint()
                if not sent_as or sent_as == version:
                    continue
                self._plan_mod(kind, key, record, version)

    def _plan_mod(self, kind: ListKind[Any], key: str, record: SourceRecord, version: str) -> None:
        payload = JobPayload(
            phase=Phase.READ if kind.mod_reads_first else Phase.MOD, entity=kind.entity, key=key,
            name=kind.named(key, record).name, record_type=type(record).__name__,
            record=to_jsonable(record), fingerprint=version)
        known = idmap.lookup(self.db, self.user.id, kind.entity, key)
        if known is not None:
            payload = payload.but(edit_sequence=known.edit_sequence)
        job = jobs_mod.add_job(self.db, user_id=self.user.id, area=kind.area.name,
                               kind=kind.mod_kind, source_table=kind.table, source_key=key,
                               source_version=version, payload=payload.to_json(), priority=40)
        if job is not None:
            self.result.add(kind.mod_kind)


def _routed(source: Source[Any], records: list[SourceRecord]
            ) -> list[tuple[TxnKind[Any], list[SourceRecord]]]:
    """The records of a chunk grouped by the kind each becomes, in order."""
    groups: dict[str, tuple[TxnKind[Any], list[SourceRecord]]] = {}
    for record in records:
        kind = registry.route(source, record)
        if kind is not None:
            groups.setdefault(kind.name, (kind, []))[1].append(record)
    return list(groups.values())


def _units(kind: TxnKind[Any], records: list[SourceRecord]) -> Iterator[tuple[str, SourceRecord, int]]:
    """``(job key, record, unit index)``: one per record, or one per unit (time: per punch)."""
    for record in records:
        if kind.units is None:
            yield record.key, record, 1
            continue
        for index in kind.units(record):
            yield f"{record.key}#{index}", record, index


def _payload(kind: TxnKind[Any], record: SourceRecord, index: int) -> dict[str, Any]:
    """What a transaction job keeps: the record as planned, and its unit."""
    payload = JobPayload(phase=Phase.ADD, record_type=type(record).__name__,
                         record=to_jsonable(record))
    if kind.units is not None:
        payload = payload.but(index=index, parent_key=record.key.split(":", 1)[1])
    return payload.to_json()


def _chunks(items: Iterable[SourceRecord], size: int) -> Iterator[list[SourceRecord]]:
    chunk: list[SourceRecord] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


__all__ = ["PlanResult", "plan_auto", "plan_defaults", "plan_manual", "set_begin"]
