"""The reconciliation report: JobBOSS2's documents beside what QuickBooks holds.

Every invoice and bill JobBOSS2 has in the date range (exported or not, from
the sources the settings turn on) is paired with the QuickBooks document of
its type: by the TxnID the service recorded when it created it, else by
RefNumber (and customer or vendor when several share one). Each pair is
*equal* or *different* (which field, both values: number, date, customer or
vendor, total to the cent); a JobBOSS2 document without a pair is *only in
JobBOSS2*; a QuickBooks document the service created that pairs with nothing
is *only in QuickBooks*. QuickBooks documents entered by hand are counted,
not listed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbwc_service.jobboss.reader import JobBossReader, TxnFilter
from qbwc_service.queue import keyed
from qbwc_service.queue.models import IdMapEntry, ReconcileDoc, ReconcileQuery, Reconciliation, User
from qbwc_service.sync.kinds import registry
from qbwc_service.sync.kinds.base import TxnKind
from qbwc_service.sync.kinds.context import Need
from qbwc_service.sync.names.book import NameBook, policies_of
from qbwc_service.sync.planning import idmap
from qbwc_service.sync.reconcile.plan import ReconcileError, latest
from qbwc_service.sync.settings import SyncSettings

EQUAL, DIFFERENT = "equal", "different"
ONLY_JOBBOSS, ONLY_QUICKBOOKS = "only in JobBOSS2", "only in QuickBooks"
#: The order statuses are listed and counted in.
STATUSES = (DIFFERENT, ONLY_JOBBOSS, ONLY_QUICKBOOKS, EQUAL)


@dataclass(frozen=True)
class Document:
    """A JobBOSS2 transaction as reconciliation compares it with QuickBooks: its QuickBooks
    type, RefNumber as sent, customer or vendor, date, and the total QuickBooks should hold
    (``None``: not comparable, e.g. sent converted to another currency)."""

    qb_type: str
    number: str
    party: Need
    txn_date: date | None
    total: Decimal | None


@dataclass(frozen=True)
class Difference:
    """One field that differs: its name and both values, as text."""

    field: str
    jobboss: str
    quickbooks: str


@dataclass(frozen=True)
class DocumentResult:
    """One document of the report."""

    status: str
    qb_type: str
    number: str
    party: str
    txn_date: date | None
    jobboss_total: Decimal | None
    quickbooks_total: Decimal | None
    differences: tuple[Difference, ...] = ()
    jobboss_key: str = ""
    txn_id: str = ""

    def line(self) -> str:
        head = f"{self.status:<19} {self.qb_type:<8} {self.number:<12} {self.party[:30]:<30}"
        if self.differences:
            return head + "  " + "; ".join(f"{d.field}: JobBOSS2 {d.jobboss}, QuickBooks {d.quickbooks}"
                                           for d in self.differences)
        total = self.jobboss_total if self.jobboss_total is not None else self.quickbooks_total
        return head + f"  {total if total is not None else ''}"


@dataclass
class ReconcileReport:
    """What ``reconcile --report`` prints."""

    reconciliation_id: int
    date_from: date
    date_to: date
    finished: bool
    query_errors: list[str] = field(default_factory=list)
    documents: list[DocumentResult] = field(default_factory=list)
    #: QuickBooks documents in the range the service did not create and nothing matched.
    entered_in_quickbooks: int = 0

    def counts(self) -> dict[str, int]:
        return {status: sum(1 for d in self.documents if d.status == status) for status in STATUSES}

    def to_json(self) -> dict[str, Any]:
        def plain(value: object) -> object:
            return str(value) if isinstance(value, Decimal | date) else value
        return {"reconciliation": self.reconciliation_id, "from": str(self.date_from),
                "to": str(self.date_to), "finished": self.finished, "query_errors": self.query_errors,
                "counts": self.counts(), "entered_in_quickbooks": self.entered_in_quickbooks,
                "documents": [{k: (v if k == "differences" else plain(v))
                               for k, v in asdict(d).items()} for d in self.documents]}

    def lines(self) -> list[str]:
        out = [f"Reconciliation {self.reconciliation_id}: {self.date_from} to {self.date_to}"]
        if not self.finished:
            out.append("QuickBooks has not been read yet: run the Web Connector, then ask again.")
            return out
        out += [f"QuickBooks query failed: {e}" for e in self.query_errors]
        counts = self.counts()
        out.append(", ".join(f"{n} {status}" for status, n in counts.items())
                   + f"; {self.entered_in_quickbooks} entered in QuickBooks by hand (not listed)")
        out += [d.line() for d in sorted(self.documents, key=order)]
        return out


def build(db: Session, user: User, reader: JobBossReader, settings: SyncSettings,
          reconciliation: Reconciliation | None = None) -> ReconcileReport:
    """The report of ``reconciliation`` (default: the user's newest)."""
    rec = reconciliation or latest(db, user)
    if rec is None:
        raise ReconcileError(f"no reconciliation for user {user.name}: run "
                             f"'qbwc-service reconcile --user {user.name} --from D --to D' first")
    report = ReconcileReport(rec.id, rec.date_from, rec.date_to, finished=rec.finished_at is not None)
    if not report.finished:
        return report
    report.query_errors = [f"{q.txn_type}: {q.error}" for q in db.scalars(
        select(ReconcileQuery).where(ReconcileQuery.reconciliation_id == rec.id,
                                     ReconcileQuery.error != ""))]
    held = list(db.scalars(select(ReconcileDoc).where(ReconcileDoc.reconciliation_id == rec.id)))
    pairing = _Pairing(held)
    documents = list(_jobboss_documents(db, user, reader, settings, rec))
    known = idmap.lookup_many(db, user.id, [(kind.entity, key) for kind, key, _doc in documents])
    names = _party_names(db, user.id, [doc for _kind, _key, doc in documents])
    for kind, key, doc in documents:
        found = known.get((kind.entity, idmap.norm_key(key)))
        qb = pairing.take(doc, found.qb_id if found else "", names)
        report.documents.append(_compare(doc, key, qb, names))
    created = _created_by_service(db, user.id, [d.txn_id for d in pairing.left()])
    for qb in pairing.left():
        if qb.txn_id in created:
            report.documents.append(DocumentResult(ONLY_QUICKBOOKS, qb.txn_type, qb.ref_number, qb.party,
                                                   qb.txn_date, None, qb.total, txn_id=qb.txn_id))
        else:
            report.entered_in_quickbooks += 1
    return report


class _Pairing:
    """The QuickBooks documents not paired yet, found by TxnID or RefNumber."""

    def __init__(self, held: list[ReconcileDoc]) -> None:
        self.by_txn_id = {(d.txn_type, d.txn_id): d for d in held}
        self.by_number: dict[tuple[str, str], list[ReconcileDoc]] = {}
        for d in held:
            self.by_number.setdefault((d.txn_type, _fold(d.ref_number)), []).append(d)

    def take(self, doc: Document, txn_id: str, names: Mapping[tuple[str, str], str]
             ) -> ReconcileDoc | None:
        found = self.by_txn_id.get((doc.qb_type, txn_id)) if txn_id else None
        if found is None:
            same = self.by_number.get((doc.qb_type, _fold(doc.number)), [])
            party = _fold(_party_name(doc, names))
            found = next((d for d in same if _fold(d.party) == party), same[0] if same else None)
        if found is not None:
            del self.by_txn_id[(found.txn_type, found.txn_id)]
            self.by_number[(found.txn_type, _fold(found.ref_number))].remove(found)
        return found

    def left(self) -> list[ReconcileDoc]:
        return list(self.by_txn_id.values())


def _jobboss_documents(db: Session, user: User, reader: JobBossReader, settings: SyncSettings,
                       rec: Reconciliation) -> Iterator[tuple[TxnKind[Any], str, Document]]:
    """Every JobBOSS2 document of the range that a reconciled kind takes, exported or not."""
    flt = TxnFilter(date_from=rec.date_from, date_to=rec.date_to, only_unexported=False)
    known = _Known(db, user.id)
    book = NameBook(db, user.id, policies_of(settings.values))
    for source in registry.SOURCES:
        if not source.enabled(settings):
            continue
        for record in source.read(reader, flt, known):
            kind = registry.route(source, record)
            if kind is not None and kind.qb_type and kind.summary is not None:
                yield kind, record.key, _document(kind, record, settings, book)  # type: ignore[attr-defined]


def _document(kind: TxnKind[Any], record: object, settings: SyncSettings, book: NameBook) -> Document:
    """The record as QuickBooks should hold it: its number as sent (the name map's where it
    has one), its total as the kind expects it (currency, credits)."""
    assert kind.summary is not None
    seen = kind.summary(record, 1)
    number = seen.number
    if kind.names is not None and kind.ref_number is not None:
        number = book.mapped(kind.names.kind, kind.ref_number(record)) or number
    total = kind.total(record, settings) if kind.total is not None else seen.amount
    return Document(kind.qb_type, number, Need(seen.party_entity, seen.party, seen.party),
                    seen.day, total)


class _Known:
    """What sources may ask of planning (:class:`~qbwc_service.sync.kinds.base.KnownRecords`)."""

    def __init__(self, db: Session, user_id: int) -> None:
        self.db, self.user_id = db, user_id

    def known_keys(self, entity: str) -> Mapping[str, str]:
        return idmap.known_keys(self.db, self.user_id, entity)


def _party_names(db: Session, user_id: int, docs: list[Document]) -> dict[tuple[str, str], str]:
    """The QuickBooks name of each customer and vendor, as the ID map knows it."""
    found = idmap.lookup_many(db, user_id, [(d.party.entity, d.party.key) for d in docs])
    return {key: known.qb_name for key, known in found.items() if known.qb_name}


def _party_name(doc: Document, names: Mapping[tuple[str, str], str]) -> str:
    return names.get((doc.party.entity, idmap.norm_key(doc.party.key))) or doc.party.name


def _compare(doc: Document, key: str, qb: ReconcileDoc | None,
             names: Mapping[tuple[str, str], str]) -> DocumentResult:
    party = _party_name(doc, names)
    if qb is None:
        return DocumentResult(ONLY_JOBBOSS, doc.qb_type, doc.number, party, doc.txn_date, doc.total,
                              None, jobboss_key=key)
    fields = (("number", doc.number, qb.ref_number, _fold(doc.number) == _fold(qb.ref_number)),
              ("date", str(doc.txn_date or ""), str(qb.txn_date or ""), doc.txn_date == qb.txn_date),
              ("customer or vendor", party, qb.party, _fold(party) == _fold(qb.party)),
              ("total", str(doc.total), "" if qb.total is None else str(qb.total),
               doc.total is None or (qb.total is not None and doc.total == qb.total)))
    differences = tuple(Difference(name, ours, theirs) for name, ours, theirs, same in fields if not same)
    return DocumentResult(DIFFERENT if differences else EQUAL, doc.qb_type, doc.number, party,
                          doc.txn_date, doc.total, qb.total, differences, key, qb.txn_id)


def _created_by_service(db: Session, user_id: int, txn_ids: list[str]) -> set[str]:
    entities = sorted({k.entity for k in registry.TXN_KINDS.values() if k.qb_type})
    found: set[str] = set()
    for batch in keyed.batches(txn_ids):
        found.update(db.scalars(select(IdMapEntry.qb_id).where(
            IdMapEntry.user_id == user_id, IdMapEntry.entity.in_(entities),
            IdMapEntry.qb_id.in_(batch))))
    return found


def _fold(text: str) -> str:
    return text.strip().casefold()


def order(doc: DocumentResult) -> tuple[int, str, str]:
    return STATUSES.index(doc.status), doc.qb_type, doc.number
