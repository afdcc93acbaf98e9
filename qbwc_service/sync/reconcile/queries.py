"""Reading QuickBooks for a reconciliation, page by page, inside Web Connector sessions.

The engine sends these queries once no job is ready (they only read). Each
query walks its documents with an iterator, :data:`~.types.PAGE_SIZE` at a
time; QuickBooks forgets an iterator when its session ends, so a query whose
answer was lost, or that a dead session left half read, starts again from the
first page. Documents are kept by TxnID, so reading a page twice changes
nothing.
"""

from __future__ import annotations

from datetime import datetime

from lxml import etree
from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from qbwc_service.qbxml import build as qb_build
from qbwc_service.qbxml import message as qb_message
from qbwc_service.qbxml import requests as rq
from qbwc_service.qbxml.parse import RequestResult, RetInfo
from qbwc_service.queue.models import (
    QbwcSession,
    ReconcileDoc,
    ReconcileQuery,
    Reconciliation,
)
from qbwc_service.sync.reconcile import types

#: qbXML status "no records matched the query": an empty page, not an error.
NO_MATCH = 1
PENDING, SENT, DONE, ERROR = "pending", "sent", "done", "error"


def _of_user(user_id: int, *statuses: str) -> Select[tuple[ReconcileQuery]]:
    return (select(ReconcileQuery).join(Reconciliation)
            .where(Reconciliation.user_id == user_id, ReconcileQuery.status.in_(statuses))
            .order_by(ReconcileQuery.id))


def has_pending(db: Session, user_id: int) -> bool:
    """Whether a reconciliation of the user still has a page to read (a page a dead session
    asked for included: the next session reads it again)."""
    return db.scalars(_of_user(user_id, PENDING, SENT).limit(1)).first() is not None


def sent_in(db: Session, session: QbwcSession) -> list[ReconcileQuery]:
    """The queries out in ``session``'s current message."""
    return list(db.scalars(_of_user(session.user_id, SENT)
                           .where(ReconcileQuery.session_id == session.id)))


def next_message(db: Session, session: QbwcSession, version: str, country: str) -> str:
    """The next page of every pending query of the user, as one message ("" if none)."""
    pending = list(db.scalars(_of_user(session.user_id, PENDING)))
    if not pending:
        return ""
    root = etree.Element("QBXML")
    msgs = etree.SubElement(root, "QBXMLMsgsRq", onError="continueOnError")
    for query in pending:
        msgs.append(qb_build.build_request_element(_request(db, query, session), version, country,
                                                   _request_id(query)))
        query.status, query.session_id = SENT, session.id
    return qb_message.serialize(root, version)


def apply(db: Session, session: QbwcSession, results: dict[str, RequestResult], now: datetime) -> None:
    """Keep the documents each query's page returned; move each query on."""
    for query in sent_in(db, session):
        result = results.get(_request_id(query))
        if result is None:  # not processed: read again from the start
            _restart(query)
            continue
        if result.is_error and result.status_code != NO_MATCH:
            query.status = ERROR
            query.error = f"{result.status_code}: {result.status_message}"
        else:
            _keep(db, query, result.rets)
            query.pages += 1
            more = bool(result.iterator_remaining_count) and bool(result.iterator_id)
            query.status, query.iterator_id = (PENDING, result.iterator_id or "") if more else (DONE, "")
        _finish_if_read(db, query.reconciliation_id, now)


def release(db: Session, user_id: int, *, session_id: int | None = None,
            except_session: int | None = None) -> None:
    """Queries left ``sent`` by a session that ended are read again, from the first page."""
    for query in db.scalars(_of_user(user_id, SENT)):
        if session_id is not None and query.session_id != session_id:
            continue
        if except_session is not None and query.session_id == except_session:
            continue
        _restart(query)


def _request(db: Session, query: ReconcileQuery, session: QbwcSession
             ) -> rq.InvoiceQuery | rq.CreditMemoQuery | rq.BillQuery | rq.VendorCreditQuery:
    rec = db.get(Reconciliation, query.reconciliation_id)
    assert rec is not None
    query_type = types.QB_TYPES[query.txn_type].query
    common = dict(max_returned=types.PAGE_SIZE, from_txn_date=rec.date_from, to_txn_date=rec.date_to)
    if query.iterator_id and query.session_id == session.id:
        return query_type(iterator="Continue", iterator_id=query.iterator_id, **common)
    query.iterator_id, query.pages = "", 0  # another session's iterator is gone: from the start
    return query_type(iterator="Start", **common)


def _request_id(query: ReconcileQuery) -> str:
    return f"R{query.id}"


def _restart(query: ReconcileQuery) -> None:
    query.status, query.iterator_id, query.session_id = PENDING, "", None


def _keep(db: Session, query: ReconcileQuery, rets: list[RetInfo]) -> None:
    party_ref = types.QB_TYPES[query.txn_type].party_ref
    held = {row.txn_id: row for row in db.scalars(select(ReconcileDoc).where(
        ReconcileDoc.reconciliation_id == query.reconciliation_id,
        ReconcileDoc.txn_type == query.txn_type,
        ReconcileDoc.txn_id.in_([r.txn_id for r in rets if r.txn_id])))}
    for ret in rets:
        if not ret.txn_id:
            continue
        row = held.get(ret.txn_id)
        if row is None:
            row = ReconcileDoc(reconciliation_id=query.reconciliation_id, txn_type=query.txn_type,
                               txn_id=ret.txn_id)
            db.add(row)
            held[ret.txn_id] = row
        row.ref_number = ret.ref_number or ""
        row.txn_date = ret.txn_date
        row.party = ret.refs.get(party_ref, "")
        row.total = ret.total_amount


def _finish_if_read(db: Session, reconciliation_id: int, now: datetime) -> None:
    db.flush()
    open_left = db.scalars(select(ReconcileQuery.id).where(
        ReconcileQuery.reconciliation_id == reconciliation_id,
        ReconcileQuery.status.in_((PENDING, SENT))).limit(1)).first()
    if open_left is None:
        db.execute(update(Reconciliation).where(Reconciliation.id == reconciliation_id)
                   .values(finished_at=now))
