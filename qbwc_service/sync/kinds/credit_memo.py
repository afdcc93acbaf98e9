"""Credit memos: Customer Billing invoices or packing lists whose total is below zero -> ``CreditMemoAdd``.

QuickBooks keeps no invoice below zero (it answers 3180, "Transaction amount
must be positive"): a JobBOSS2 credit is a credit memo, with the amounts of
the record turned around (a line of -2 x 50.00 is a credit of 2 x 50.00; a
positive line among the credited ones, a restocking fee, stays a charge). It
is built as the invoice is (:mod:`.invoice`): same customer, RefNumber,
references, lines, charges and tax, the same checks; found again by customer
and RefNumber; marked exported (and paid, with ``options.mark_ar_paid``).
"""

from __future__ import annotations

from dataclasses import fields, replace
from decimal import Decimal

from qbwc_service.jobboss import records as jb
from qbwc_service.qbxml import requests as rq
from qbwc_service.queue.areas import AR
from qbwc_service.sync.kinds import customer, invoice
from qbwc_service.sync.kinds.base import EXPORTED, TxnKind, WriteBack
from qbwc_service.sync.kinds.context import MapContext, cents
from qbwc_service.sync.settings import SyncSettings


def credited(inv: jb.ArInvoice) -> jb.ArInvoice:
    """The record as QuickBooks reads a credit: every amount the other way round."""
    lines = tuple(replace(line, quantity=-line.quantity, amount=-line.amount) for line in inv.lines)
    return replace(inv, lines=lines, shipping_charges=-inv.shipping_charges,
                   freight_charges=-inv.freight_charges, sales_tax=-inv.sales_tax, total=-inv.total)


def credit_memo_add(inv: jb.ArInvoice, ctx: MapContext) -> rq.CreditMemoAdd:
    """The ``CreditMemoAdd`` of a JobBOSS2 invoice below zero (raises ``BuildError``)."""
    built = invoice.build(credited(inv), ctx)
    return rq.CreditMemoAdd(**{f.name: getattr(built, f.name) for f in fields(built)})


def verify_query(inv: jb.ArInvoice, ctx: MapContext) -> rq.CreditMemoQuery:
    """Find the credit memo QuickBooks may already hold: same customer, same RefNumber."""
    held_by = ctx.ref(customer.need(inv.cust_code))
    ref = invoice.ref_number(inv, ctx)
    return rq.CreditMemoQuery(entity=rq.EntityFilter.for_ref(held_by), ref_number_from=ref,
                              ref_number_to=ref)


def credited_total(inv: jb.ArInvoice, settings: SyncSettings) -> Decimal | None:
    """The credit QuickBooks should hold: JobBOSS2's total the other way round."""
    total = invoice.expected_total(inv, settings)
    return None if total is None else -total


KIND: TxnKind[jb.ArInvoice] = TxnKind(
    name="credit_memo.add", area=AR, entity="credit_memo", record_type=jb.ArInvoice,
    sources=(invoice.BILLING, invoice.PACKING_LIST),
    claims=lambda inv: inv.total < 0,
    needs=lambda inv, _index, settings: invoice.needs(inv, settings),
    build=lambda inv, _index, ctx: credit_memo_add(inv, ctx),
    verify=lambda inv, _index, ctx: verify_query(inv, ctx),
    matches=lambda inv, _index, ret: invoice.matches(inv, ret),
    noun="credit memo", plural="credit memos",
    writebacks=(EXPORTED, WriteBack("paid", "options.mark_ar_paid")),
    total=lambda inv, settings: credited_total(inv, settings),
    qb_type="CreditMemo",
    summary=lambda inv, _index: replace(invoice.summary(inv), document="Credit memo",
                                        amount=-cents(inv.total)),
    names=invoice.NAMES, ref_number=lambda inv: inv.invoice_no,
    mod_request=rq.CreditMemoMod, read_request=rq.CreditMemoQuery,
)
