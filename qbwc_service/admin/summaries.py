"""Queue rows in the accountant's words: document, number, customer or vendor, date, amount.

Each transaction kind says how its record reads (``summary`` in its module of
:mod:`qbwc_service.sync.kinds`); list records read as their noun and name. The
customer, vendor or employee is shown by the name QuickBooks knows it by (the
ID map) when the service has synced it, else by the JobBOSS2 code.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from qbwc_service.queue.models import IdMapEntry, Job
from qbwc_service.queue.states import JobStatus
from qbwc_service.sync.kinds import registry
from qbwc_service.sync.kinds.base import Family, ListJobKind, TxnModKind
from qbwc_service.sync.kinds.summary import Summary

#: A job's status as the accountant reads it, and the colour class of its badge.
STATUS_WORDS: dict[str, str] = {
    JobStatus.PENDING: "Waiting to be sent",
    JobStatus.BLOCKED: "Waiting for another record",
    JobStatus.SENT: "Sent to QuickBooks",
    JobStatus.VERIFY: "Checking QuickBooks",
    JobStatus.DONE: "Done",
    JobStatus.ERROR: "Failed",
    JobStatus.SKIPPED: "Skipped",
    JobStatus.CANCELLED: "Cancelled",
}
#: What a list job does to its record, after the record's noun.
_LIST_ACTIONS: dict[Family, str] = {Family.ENSURE: "", Family.MOD: " (change)"}


@dataclass(frozen=True)
class Row:
    """What a queue or report row shows of one job."""

    document: str
    number: str
    party: str = ""
    day: date | None = None
    amount: Decimal | None = None
    quantity: str = ""


def summary_of(job: Job) -> Summary:
    """The job's record in the accountant's words; its key when the payload says no more."""
    kind = registry.JOB_KINDS.get(job.kind)
    if kind is None:
        return Summary(job.kind, job.source_key)
    try:
        payload = registry.payload_of(job)
        if isinstance(kind, ListJobKind):
            document = _list_label(kind)
            return Summary(document, payload.name or payload.key or job.source_key)
        record = registry.record_of(payload)
        if record is None or kind.summary is None:
            return Summary(kind.noun.capitalize(), job.source_key)
        return kind.summary(record, payload.index)
    except (KeyError, TypeError, ValueError):
        # A payload written by an older version: the key still identifies the record.
        return Summary(kind.noun.capitalize(), job.source_key)


def rows_for(db: Session, jobs: Sequence[Job]) -> dict[int, Row]:
    """``{job id: Row}`` for a page of jobs, the names looked up in one query."""
    summaries = {job.id: (job.user_id, summary_of(job)) for job in jobs}
    names = _known_names(db, ((user_id, s.party_entity, s.party)
                              for user_id, s in summaries.values() if s.party_entity and s.party))
    rows: dict[int, Row] = {}
    for job_id, (user_id, s) in summaries.items():
        party = names.get((user_id, s.party_entity, s.party)) or s.party_name or s.party
        rows[job_id] = Row(s.document, s.number, party, s.day, s.amount, s.quantity)
    return rows


def _known_names(db: Session, wanted: Iterable[tuple[int, str, str]]) -> dict[tuple[int, str, str], str]:
    keys = sorted(set(wanted))
    if not keys:
        return {}
    stmt = (select(IdMapEntry.user_id, IdMapEntry.entity, IdMapEntry.source_key, IdMapEntry.qb_name)
            .where(tuple_(IdMapEntry.user_id, IdMapEntry.entity, IdMapEntry.source_key).in_(keys)))
    return {(u, e, k): name for u, e, k, name in db.execute(stmt) if name}


#: The ID map entities a transaction names as its customer, vendor or employee, and the field
#: of the planned JobBOSS2 record that holds the code.
PARTY_FIELDS: dict[str, str] = {"customer": "cust_code", "vendor": "vend_code",
                                "employee": "empl_code"}


def named(db: Session, text: str, limit: int = 50) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """What the queue's search also finds for ``text``: customers, vendors and employees whose
    QuickBooks name contains it. Returns ``(fragments of planned records that name them,
    (table, key) of their own list records)``."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    stmt = (select(IdMapEntry.entity, IdMapEntry.source_key)
            .where(IdMapEntry.qb_name.ilike(pattern, escape="\\"),
                   IdMapEntry.entity.in_(sorted(PARTY_FIELDS)))
            .distinct().limit(limit))
    fragments: list[str] = []
    records: list[tuple[str, str]] = []
    for entity, key in db.execute(stmt):
        values: list[object] = [key, int(key)] if key.isdigit() else [key]
        # The payload is stored as json.dumps writes it, so a field reads the same way here.
        fragments += [json.dumps({PARTY_FIELDS[entity]: v})[1:-1] for v in values]
        records.append((registry.LIST_KINDS[entity].table, key))
    return tuple(fragments), tuple(records)


def document_types() -> dict[str, str]:
    """Job kind -> what the queue's document filter calls it, transactions first."""
    out: dict[str, str] = {}
    for name, kind in registry.TXN_KINDS.items():
        sources = "/".join(source.name.replace("_", " ") for source in kind.sources)
        out[name] = f"{kind.noun.capitalize()} ({sources})"
    for name, job_kind in registry.JOB_KINDS.items():
        if isinstance(job_kind, TxnModKind):
            out[name] = f"{job_kind.noun.capitalize()} (change after export)"
    for name, job_kind in registry.JOB_KINDS.items():
        if isinstance(job_kind, ListJobKind):
            out[name] = _list_label(job_kind)
    return out


def _list_label(kind: ListJobKind) -> str:
    """``Customer``, ``Item (change)``: the kind's noun, else its entity, and what the job does."""
    entity = kind.kind.entity
    noun = kind.noun if kind.noun != "list record" else entity.removeprefix("qb_").replace("_", " ")
    # qb_account, qb_item: records named in the settings, not read from JobBOSS2.
    named = " named in the settings" if entity.startswith("qb_") else ""
    return noun.capitalize() + named + _LIST_ACTIONS.get(kind.family, "")


def in_words(job: Job, row: Row) -> str:
    """The record for a sentence: ``Invoice 10234 for Acme Steel (JobBOSS2 Billing:10234)``."""
    party = f" for {row.party}" if row.party and row.party != row.number else ""
    key = f"{job.source_table}:{job.source_key}" if job.source_table else job.source_key
    return f"{row.document} {row.number}{party} (JobBOSS2 {key})"


def this(row: Row) -> str:
    """The record in a sentence beside its own row: ``This invoice``."""
    return f"This {row.document.split(' (', 1)[0].lower()}"


def name_to_fix(job: Job, row: Row) -> str:
    """What the name map is searched for when an error quotes no name: the record's own key
    for a list record, else its customer, vendor or employee."""
    if isinstance(registry.JOB_KINDS.get(job.kind), ListJobKind):
        return job.source_key
    return summary_of(job).party or row.party
