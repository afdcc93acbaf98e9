"""PO receipts (JobBOSS2 ``Receiver``) -> ``BillAdd``, when bills come from receivers.

A receiver becomes a bill with one ``ItemLineAdd`` per received part, priced
from its PO line; lines without a part and its shipping go on expense lines
(the default expense account). RefNumber is the receiver number. JobBOSS2
has no exported flag for receivers: the ID map says which were billed, so
nothing is written back.
"""

from __future__ import annotations

from collections.abc import Iterable

from qbwc_service.jobboss import records as jb
from qbwc_service.jobboss.reader import JobBossReader, TxnFilter
from qbwc_service.qbxml import requests as rq
from qbwc_service.queue.areas import AP
from qbwc_service.sync.kinds import bill, default_account, item, vendor
from qbwc_service.sync.kinds.base import KnownRecords, Source, TxnKind
from qbwc_service.sync.kinds.context import (
    BuildError,
    MapContext,
    Need,
    cents,
    check_ref_number,
    noted,
    original_note,
    text,
)
from qbwc_service.sync.kinds.summary import Summary
from qbwc_service.sync.settings import SyncSettings


def receiver_needs(rec: jb.ReceiverBill, settings: SyncSettings) -> list[Need]:
    out = [vendor.need(rec.vend_code or "")]
    out += [item.need(line.part_no) for line in rec.lines if line.part_no]
    if any(not line.part_no for line in rec.lines) or rec.shipping_charges:
        out.append(default_account.need(settings, "expense"))
    if settings["defaults.ap_account"]:
        out.append(default_account.need(settings, "ap"))
    return out


def check_receiver(rec: jb.ReceiverBill, ref: str | None = None) -> None:
    if not rec.vend_code:
        raise BuildError("receiver has no vendor")
    check_ref_number(rec.receiver_no if ref is None else ref, "receiver number",
                     bill.REF_NUMBER_MAX)
    missing = [line.part_no or "(no part)" for line in rec.lines if line.unit_cost is None]
    if missing:
        raise BuildError(f"no PO cost for {', '.join(missing)} (PO {rec.po_num or '?'})")
    if not rec.lines:
        raise BuildError("receiver has no lines")


def receiver_bill_add(rec: jb.ReceiverBill, ctx: MapContext) -> rq.BillAdd:
    """The ``BillAdd`` of a receiver: item lines priced from the PO."""
    ref = bill.ref_number(rec.receiver_no, ctx)
    check_receiver(rec, ref)
    expense = default_account.need(ctx.settings, "expense")
    items = [rq.ItemLine(item=ctx.ref(item.need(line.part_no)), desc=text(line.description),
                         quantity=line.quantity, cost=line.unit_cost, amount=line.amount)
             for line in rec.lines if line.part_no]
    expenses = [rq.ExpenseLine(account=ctx.ref(expense), amount=line.amount,
                               memo=text(line.description))
                for line in rec.lines if not line.part_no]
    if rec.shipping_charges:
        expenses.append(rq.ExpenseLine(account=ctx.ref(expense), amount=cents(rec.shipping_charges),
                                       memo="Shipping"))
    # The memo names the full receiver number, whatever RefNumber it goes under.
    memo = f"Receiver {rec.receiver_no}" + (f", PO {rec.po_num}" if rec.po_num else "")
    memo = noted(original_note(bill.NAMES, rec.receiver_no, ref), memo) or memo
    return rq.BillAdd(
        vendor=ctx.ref(vendor.need(rec.vend_code or "")), ap_account=bill.ap_account(ctx),
        txn_date=rec.txn_date, ref_number=ref, memo=memo,
        external_guid=ctx.guid(rec.key), expense_lines=tuple(expenses), item_lines=tuple(items))


def _read(reader: JobBossReader, flt: TxnFilter, known: KnownRecords) -> Iterable[jb.ReceiverBill]:
    """Receivers not billed yet: JobBOSS2 cannot say, the ID map can."""
    # A receiver below zero is held as a vendor credit (:mod:`.receiver_credit`).
    billed = {k for entity in ("bill", "vendor_credit") for k in known.known_keys(entity)
              if k.startswith("Receiver:")}
    return reader.receiver_bills(flt, exported=billed)


def summary(rec: jb.ReceiverBill) -> Summary:
    """The receiver as the admin lists it; lines without a PO cost are left out of the amount."""
    return Summary("Bill from receiver", rec.receiver_no, "vendor", rec.vend_code or "",
                   day=rec.txn_date, amount=cents(rec.total))


#: PO receipts (``Receiver`` / ``ReceiverDet``) priced from ``PODet``.
RECEIVERS: Source[jb.ReceiverBill] = Source(
    "receiver", AP, switch="items.vendor_invoices", choice=("source.bills", "receiver"), read=_read)

KIND: TxnKind[jb.ReceiverBill] = TxnKind(
    name="receiver_bill.add", area=AP, entity="bill", record_type=jb.ReceiverBill,
    sources=(RECEIVERS,),
    needs=lambda rec, _index, settings: receiver_needs(rec, settings),
    build=lambda rec, _index, ctx: receiver_bill_add(rec, ctx),
    verify=lambda rec, _index, ctx: bill.verify_query(rec.vend_code or "", rec.receiver_no, ctx),
    matches=lambda rec, _index, ret: bill.matches(rec.receiver_no, rec.txn_date, ret),
    noun="bill", plural="bills",
    writebacks=(),
    qb_type="Bill",
    names=bill.NAMES, ref_number=lambda rec: rec.receiver_no,
    summary=lambda rec, _index: summary(rec),
)
