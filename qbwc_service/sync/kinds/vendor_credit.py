"""Vendor credits: JobBOSS2 vendor invoices whose total is below zero -> ``VendorCreditAdd``.

QuickBooks keeps no bill below zero (3180, "Transaction amount must be
positive"): a credit from a vendor is a vendor credit, with the amounts of
the record turned around. It is built as the bill is (:mod:`.bill`): same
vendor, RefNumber, accounts, distribution lines, shipping and tax, the same
checks; found again by vendor and RefNumber; marked exported (and paid, with
``options.mark_ap_paid``).
"""

from __future__ import annotations

from dataclasses import replace

from qbwc_service.jobboss import records as jb
from qbwc_service.qbxml import requests as rq
from qbwc_service.queue.areas import AP
from qbwc_service.sync.kinds import bill, vendor
from qbwc_service.sync.kinds.base import EXPORTED, TxnKind, WriteBack
from qbwc_service.sync.kinds.context import MapContext, cents
from qbwc_service.sync.kinds.summary import Summary


def credited(inv: jb.ApInvoice) -> jb.ApInvoice:
    """The record as QuickBooks reads a credit: every amount the other way round."""
    lines = tuple(replace(line, amount=-line.amount) for line in inv.lines)
    return replace(inv, lines=lines, shipping_charges=-inv.shipping_charges,
                   sales_tax=-inv.sales_tax, total=-inv.total)


def vendor_credit_add(inv: jb.ApInvoice, ctx: MapContext) -> rq.VendorCreditAdd:
    """The ``VendorCreditAdd`` of a JobBOSS2 vendor invoice below zero (raises ``BuildError``)."""
    built = bill.bill_add(credited(inv), ctx)
    return rq.VendorCreditAdd(vendor=built.vendor, ap_account=built.ap_account,
                              txn_date=built.txn_date, ref_number=built.ref_number, memo=built.memo,
                              external_guid=built.external_guid, expense_lines=built.expense_lines,
                              item_lines=built.item_lines)


def verify_query(vendor_code: str, number: str, ctx: MapContext) -> rq.VendorCreditQuery:
    """Find the vendor credit QuickBooks may already hold: same vendor, same RefNumber."""
    held_by = ctx.ref(vendor.need(vendor_code))
    sent_as = bill.ref_number(number, ctx)
    return rq.VendorCreditQuery(entity=rq.EntityFilter.for_ref(held_by), ref_number_from=sent_as,
                                ref_number_to=sent_as)


KIND: TxnKind[jb.ApInvoice] = TxnKind(
    name="vendor_credit.add", area=AP, entity="vendor_credit", record_type=jb.ApInvoice,
    sources=(bill.VENDOR_INVOICES,),
    claims=lambda inv: inv.total < 0,
    needs=lambda inv, _index, settings: bill.bill_needs(inv, settings),
    build=lambda inv, _index, ctx: vendor_credit_add(inv, ctx),
    verify=lambda inv, _index, ctx: verify_query(inv.vend_code, inv.invoice_no, ctx),
    matches=lambda inv, _index, ret: bill.matches(inv.invoice_no, inv.txn_date, ret),
    noun="vendor credit", plural="vendor credits",
    writebacks=(EXPORTED, WriteBack("paid", "options.mark_ap_paid")),
    total=lambda inv, _settings: -cents(inv.total),
    qb_type="VendorCredit",
    summary=lambda inv, _index: Summary("Vendor credit", inv.invoice_no, "vendor", inv.vend_code,
                                        day=inv.txn_date, amount=-cents(inv.total)),
    names=bill.NAMES, ref_number=lambda inv: inv.invoice_no,
    mod_request=rq.VendorCreditMod, read_request=rq.VendorCreditQuery,
)
