"""Documents QuickBooks already holds, as JobBOSS2 has them now: changed or deleted after export.

Planning reads the exported invoices and bills of its range too (the kinds that
declare a Mod, :attr:`~qbwc_service.sync.kinds.base.TxnKind.watched`). One the
ID map holds under another version than JobBOSS2's today is compared with the
record as it was sent (kept in the payload of the job that sent it): when its
amounts, lines, customer or anything else but the payments JobBOSS2 records
afterwards differ, it is *changed after export*. A document the ID map holds
whose JobBOSS2 record is gone (looked for by ``sync start`` over its range) is
*deleted after export*; the service never deletes anything in QuickBooks.

Both are audit events (:data:`~qbwc_service.queue.jobs.AFTER_EXPORT_EVENTS`) on
the job that sent the document, written once per version, and listed in the
user's next run report and its admin page. With ``options.update_exported`` a
changed document is planned as a Mod job (``invoice.mod``...): it reads the
document by TxnID for its current EditSequence, then sends the ``...Mod``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbwc_service.jobboss.reader import JobBossReader, TxnFilter
from qbwc_service.queue import jobs as jobs_mod
from qbwc_service.queue import keyed
from qbwc_service.queue.models import AuditEvent, Job
from qbwc_service.queue.states import JobStatus
from qbwc_service.sync.kinds import registry
from qbwc_service.sync.kinds.base import SourceRecord, TxnKind
from qbwc_service.sync.kinds.payload import JobPayload, Phase
from qbwc_service.sync.planning import idmap
from qbwc_service.sync.planning.dependencies import DependencyPlanner
from qbwc_service.sync.serialize import to_jsonable
from qbwc_service.sync.settings import SyncSettings

#: Fields JobBOSS2 changes by itself after export (payments, the paid write-back): no change
#: of the document QuickBooks holds.
BOOKKEEPING = ("paid",)
#: Fields never compared (not content: see :mod:`qbwc_service.jobboss.records`).
_NOT_COMPARED = frozenset({"last_mod", "exported", *BOOKKEEPING})
#: Jobs of an older Mod a newer version replaces, and those QuickBooks may be holding.
_REPLACEABLE = {JobStatus.PENDING.value, JobStatus.BLOCKED.value, JobStatus.ERROR.value,
                JobStatus.SKIPPED.value}
_IN_FLIGHT = {JobStatus.SENT.value, JobStatus.VERIFY.value}
#: Priority of a Mod job (with the transactions, after every list record).
MOD_PRIORITY = 100

#: A document read that QuickBooks holds: (record key, the record, its unit, what the ID map holds).
Held = tuple[str, SourceRecord, int, idmap.Known]


def substance(record: Any) -> str:
    """The fingerprint of what QuickBooks holds of a record: without its payments."""
    present = {name: _blank(getattr(record, name)) for name in BOOKKEEPING if hasattr(record, name)}
    return dataclasses.replace(record, **present).fingerprint()  # type: ignore[no-any-return]


def _blank(value: object) -> object:
    return type(value)() if value is not None else None


def changes(kind: TxnKind[Any], sent: Any, now: Any) -> str:
    """What changed, in words: the total, customer or vendor, date and number (both values),
    then the other fields that differ."""
    said: list[str] = []
    covered: set[str] = set()
    if kind.summary is not None:
        before, after = kind.summary(sent, 1), kind.summary(now, 1)
        for label, old, new in (("total", before.amount, after.amount),
                                (before.party_entity or "customer or vendor", before.party,
                                 after.party),
                                ("date", before.day, after.day), ("number", before.number,
                                                                  after.number)):
            if old != new:
                said.append(f"{label} {old} -> {new}")
        covered = {"total", "cust_code", "vend_code", "txn_date", "invoice_no"}
    others = [f.name for f in dataclasses.fields(now)
              if f.name not in _NOT_COMPARED | covered and getattr(sent, f.name) != getattr(now, f.name)]
    if others:
        said.append("also " + ", ".join(name.replace("_", " ") for name in others))
    return "; ".join(said)


class AfterExport:
    """Looks for documents changed or deleted after export, for one planning pass of one user."""

    def __init__(self, db: Session, user_id: int, settings: SyncSettings,
                 deps: DependencyPlanner) -> None:
        self.db = db
        self.user_id = user_id
        self.settings = settings
        self.deps = deps
        self.changed = 0
        self.deleted = 0
        self.mods: dict[str, int] = {}
        #: Keys of every record read from a source a watched kind reads (``sync start``
        #: looks for the deleted ones among the rest).
        self.seen: set[str] = set()

    # -- changed

    def check(self, kind: TxnKind[Any], held: list[Held]) -> None:
        """Of ``held`` (documents of ``kind`` the ID map holds), note the changed ones."""
        differing = [row for row in held if row[3].source_version
                     and row[3].source_version != row[1].fingerprint()]
        if not differing:
            return
        sent_by = self._sent_jobs([kind.name, kind.mod_kind], [key for key, *_r in differing])
        found: list[tuple[str, Job | None, str, Held]] = []
        for row in differing:
            key, record, _index, known = row
            job = sent_by.get((key, known.source_version))
            sent = registry.record_of(registry.payload_of(job)) if job is not None else None
            if sent is not None and substance(sent) == substance(record):
                continue  # only paid: QuickBooks records payments of its own
            said = changes(kind, sent, record) if sent is not None else ""
            found.append((key, job, said, row))
        if not found:
            return
        update = bool(self.settings["options.update_exported"])
        then = ("sent to QuickBooks as a change (options.update_exported)" if update
                else "QuickBooks keeps the version sent (options.update_exported is off)")
        events = []
        for key, job, said, (_k, record, _i, _known) in found:
            detail = (f"{kind.noun} changed in JobBOSS2 after export"
                      + (f": {said}" if said else "") + f"; {then} [version {record.fingerprint()}]")
            events.append((key, job, detail))
        self.changed += self._note(jobs_mod.CHANGED_AFTER_EXPORT, events)
        if update:
            for _key, _job, _said, row in found:
                self._plan_mod(kind, row)

    def _plan_mod(self, kind: TxnKind[Any], row: Held) -> None:
        key, record, index, known = row
        version = record.fingerprint()
        table, source_key = key.split(":", 1)
        older = list(self.db.scalars(select(Job).where(
            Job.user_id == self.user_id, Job.kind == kind.mod_kind, Job.source_table == table,
            Job.source_key == source_key, Job.status != JobStatus.CANCELLED.value)))
        if any(j.source_version == version for j in older):
            return
        if any(j.status in _IN_FLIGHT for j in older):
            return  # planned again once QuickBooks answered the older one
        for job in older:
            if job.status in _REPLACEABLE:
                jobs_mod.transition(self.db, job, JobStatus.CANCELLED,
                                    reason=f"replaced by version {version}")
        needs = kind.needs(record, index, self.settings)
        ensure = self.deps.jobs_for(needs)
        deps = [ensure[(n.entity, idmap.norm_key(n.key))] for n in needs]
        payload = JobPayload(phase=Phase.READ, record_type=type(record).__name__,
                             record=to_jsonable(record), txn_id=known.qb_id,
                             edit_sequence=known.edit_sequence)
        job = jobs_mod.add_job(self.db, user_id=self.user_id, area=kind.area.name,
                               kind=kind.mod_kind, source_table=table, source_key=source_key,
                               source_version=version, payload=payload.to_json(),
                               priority=MOD_PRIORITY, depends_on=[d for d in deps if d is not None])
        if job is not None:
            self.mods[kind.mod_kind] = self.mods.get(kind.mod_kind, 0) + 1

    # -- deleted

    def look_for_deleted(self, reader: JobBossReader, flt: TxnFilter) -> None:
        """Documents of the range the ID map holds that JobBOSS2 no longer has (of the kinds
        the settings sync: the others' documents were not read)."""
        kinds = [k for k in registry.TXN_KINDS.values()
                 if k.watched and any(source.enabled(self.settings) for source in k.sources)]
        by_name = {name: k for k in kinds for name in (k.name, k.mod_kind)}
        for entity in sorted({k.entity for k in kinds}):
            held = idmap.known_keys(self.db, self.user_id, entity)
            unseen = sorted(key for key in held if key not in self.seen)
            events = []
            for key, job in self._sent_jobs(list(by_name), unseen, latest=True).items():
                kind = by_name[job.kind]
                record = registry.record_of(registry.payload_of(job))
                if not flt.covers(getattr(record, "txn_date", None)) or reader.get(key[0]) is not None:
                    continue
                events.append((key[0], job, f"{kind.noun} deleted in JobBOSS2 after export; "
                               f"QuickBooks still holds it (TxnID {job.qb_txn_id}): void or "
                               "delete it there if it should go"))
            self.deleted += self._note(jobs_mod.DELETED_AFTER_EXPORT, events)

    # -- helpers

    def _sent_jobs(self, kinds: list[str], keys: Iterable[str], *, latest: bool = False
                   ) -> dict[tuple[str, str], Job]:
        """The done jobs of ``kinds`` that sent ``keys``: by (record key, version), or with
        ``latest`` by (record key, "") the newest of each."""
        asked = set(keys)
        found: dict[tuple[str, str], Job] = {}
        # In id order for each key (its jobs come in one chunk): the newest is written last.
        for job in keyed.jobs_with_keys(
                self.db, sorted({key.split(":", 1)[1] for key in asked}),
                Job.user_id == self.user_id, Job.kind.in_(kinds), Job.status == JobStatus.DONE.value):
            key = jobs_mod.record_key(job)
            if key in asked:
                found[(key, "" if latest else job.source_version)] = job
        return found

    def _note(self, event: str, events: list[tuple[str, Job | None, str]]) -> int:
        """Write the events not written before (same record, same words); how many are new."""
        if not events:
            return 0
        keys = sorted({key for key, _job, _detail in events})
        before: set[tuple[str, str]] = set()
        for batch in keyed.batches(keys):
            before.update((key, detail) for key, detail in self.db.execute(
                select(AuditEvent.record_key, AuditEvent.detail).where(
                    AuditEvent.user_id == self.user_id, AuditEvent.event == event,
                    AuditEvent.record_key.in_(batch))))
        new = 0
        for key, job, detail in events:
            if (key, detail) in before:
                continue
            jobs_mod.audit(self.db, user_id=self.user_id, event=event, record_key=key, job=job,
                           detail=detail)
            new += 1
        return new

