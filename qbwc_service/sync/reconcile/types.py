"""The QuickBooks transaction types reconciliation reads, as data."""

from __future__ import annotations

from dataclasses import dataclass

from qbwc_service.qbxml import requests as rq


@dataclass(frozen=True)
class QbType:
    """One QuickBooks transaction type: its query and the reference naming its party."""

    name: str
    query: type[rq.InvoiceQuery | rq.CreditMemoQuery | rq.BillQuery | rq.VendorCreditQuery]
    party_ref: str


#: Every type a reconciliation asks for, in the order it asks.
QB_TYPES: dict[str, QbType] = {t.name: t for t in (
    QbType("Invoice", rq.InvoiceQuery, "CustomerRef"),
    QbType("CreditMemo", rq.CreditMemoQuery, "CustomerRef"),
    QbType("Bill", rq.BillQuery, "VendorRef"),
    QbType("VendorCredit", rq.VendorCreditQuery, "VendorRef"),
)}
#: Documents per page of an iterator.
PAGE_SIZE = 100
