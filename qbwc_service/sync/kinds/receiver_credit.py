"""Vendor credits from receivers: PO receipts whose total is below zero (parts sent back) ->
``VendorCreditAdd``, when bills come from receivers.

Built as the receiver's bill is (:mod:`.receiver_bill`), with quantities and
shipping turned around so the credit is positive. The ID map (entity
``vendor_credit``) says which receivers QuickBooks holds, as for their bills.
"""

from __future__ import annotations

from dataclasses import replace

from qbwc_service.jobboss import records as jb
from qbwc_service.qbxml import requests as rq
from qbwc_service.queue.areas import AP
from qbwc_service.sync.kinds import bill, receiver_bill, vendor_credit
from qbwc_service.sync.kinds.base import TxnKind
from qbwc_service.sync.kinds.context import MapContext


def credited(rec: jb.ReceiverBill) -> jb.ReceiverBill:
    """The receiver as QuickBooks reads a credit: quantities and shipping the other way round."""
    lines = tuple(replace(line, quantity=-line.quantity) for line in rec.lines)
    return replace(rec, lines=lines, shipping_charges=-rec.shipping_charges)


def receiver_credit_add(rec: jb.ReceiverBill, ctx: MapContext) -> rq.VendorCreditAdd:
    """The ``VendorCreditAdd`` of a receiver below zero (raises ``BuildError``)."""
    built = receiver_bill.receiver_bill_add(credited(rec), ctx)
    return rq.VendorCreditAdd(vendor=built.vendor, ap_account=built.ap_account,
                              txn_date=built.txn_date, ref_number=built.ref_number, memo=built.memo,
                              external_guid=built.external_guid, expense_lines=built.expense_lines,
                              item_lines=built.item_lines)


KIND: TxnKind[jb.ReceiverBill] = TxnKind(
    name="receiver_credit.add", area=AP, entity="vendor_credit", record_type=jb.ReceiverBill,
    sources=(receiver_bill.RECEIVERS,),
    claims=lambda rec: rec.total < 0,
    needs=lambda rec, _index, settings: receiver_bill.receiver_needs(rec, settings),
    build=lambda rec, _index, ctx: receiver_credit_add(rec, ctx),
    verify=lambda rec, _index, ctx: vendor_credit.verify_query(rec.vend_code or "", rec.receiver_no,
                                                              ctx),
    matches=lambda rec, _index, ret: bill.matches(rec.receiver_no, rec.txn_date, ret),
    noun="vendor credit", plural="vendor credits",
    writebacks=(),
    total=lambda rec, _settings: -rec.total,
    qb_type="VendorCredit",
    summary=lambda rec, _index: replace(receiver_bill.summary(rec),
                                        document="Vendor credit from receiver", amount=-rec.total),
    names=bill.NAMES, ref_number=lambda rec: rec.receiver_no,
)
