"""AP invoices and receivers -> ``BillAdd``.

A vendor invoice becomes a bill with one ``ExpenseLineAdd`` per account
distribution (AccountRef = the GL account). When the distributions do not
already add up to the invoice total, its shipping charges and sales tax are
added as expense lines on their accounts. A receiver becomes a bill with one
``ItemLineAdd`` per received part, priced from its PO line; its shipping goes
on an expense line. RefNumber is the vendor's invoice number (receivers: the
receiver number); QuickBooks allows 20 characters.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from qbwc_service.jobboss import records as jb
from qbwc_service.qbxml import requests as rq
from qbwc_service.sync.mapping import lists
from qbwc_service.sync.mapping.context import (
    MapContext,
    MappingError,
    Need,
    cents,
    same_amount,
    text,
)

REF_NUMBER_MAX = 20


def _account_need(number: str | None, settings: Any) -> Need:
    if number:
        return lists.account_need(number, None)
    return lists.default_account_need(settings, "expense")


def _extra_expenses(bill: jb.ApInvoice) -> list[tuple[str | None, Decimal, str]]:
    """Shipping and tax lines to add: only when the distributions lack them."""
    lines = sum((cents(line.amount) for line in bill.lines), Decimal("0"))
    if same_amount(lines, bill.total):
        return []
    extra = [(bill.freight_acct, bill.shipping_charges, "Shipping"),
             (bill.sales_tax_acct, bill.sales_tax, "Sales tax")]
    return [(acct, amount, memo) for acct, amount, memo in extra if amount]


def bill_needs(bill: jb.ApInvoice, settings: Any) -> list[Need]:
    out = [lists.vendor_need(bill.vend_code, None)]
    out += [_account_need(line.gl_acct, settings) for line in bill.lines]
    out += [_account_need(acct, settings) for acct, _a, _m in _extra_expenses(bill)]
    if bill.terms_code:
        out.append(lists.terms_need(bill.terms_code))
    if settings["defaults.ap_account"]:
        out.append(lists.default_account_need(settings, "ap"))
    return out


def check_bill(bill: jb.ApInvoice) -> None:
    if len(bill.invoice_no) > REF_NUMBER_MAX:
        raise MappingError(f"vendor invoice number {bill.invoice_no!r} is longer than the "
                           f"{REF_NUMBER_MAX} characters QuickBooks allows")
    lines = sum((cents(line.amount) for line in bill.lines), Decimal("0"))
    extra = sum((amount for _acct, amount, _m in _extra_expenses(bill)), Decimal("0"))
    if not same_amount(bill.total, lines + extra):
        raise MappingError(f"bill total {cents(bill.total)} does not match its distribution lines "
                           f"({cents(lines)}) + shipping and tax ({cents(extra)})")
    if not bill.lines and not extra:
        raise MappingError("vendor invoice has no distribution lines")


def bill_add(bill: jb.ApInvoice, ctx: MapContext) -> rq.BillAdd:
    """The ``BillAdd`` of a JobBOSS2 vendor invoice (raises :class:`MappingError`)."""
    check_bill(bill)
    settings = ctx.settings
    expenses = [rq.ExpenseLine(account=ctx.ref(_account_need(line.gl_acct, settings)),
                               amount=cents(line.amount), memo=text(line.memo))
                for line in bill.lines]
    expenses += [rq.ExpenseLine(account=ctx.ref(_account_need(acct, settings)), amount=cents(amount),
                                memo=memo)
                 for acct, amount, memo in _extra_expenses(bill)]
    return rq.BillAdd(
        vendor=ctx.ref(lists.vendor_need(bill.vend_code, None)),
        ap_account=ctx.ref(lists.default_account_need(ctx, "ap"))
        if settings["defaults.ap_account"] else None,
        txn_date=bill.txn_date, due_date=bill.due_date, ref_number=bill.invoice_no,
        terms=ctx.optional_ref(lists.terms_need(bill.terms_code)) if bill.terms_code else None,
        memo=text(bill.memo), external_guid=ctx.guid(bill.key), expense_lines=tuple(expenses))


# ---------------------------------------------------------------- receivers


def receiver_needs(rec: jb.ReceiverBill, settings: Any) -> list[Need]:
    out = [lists.vendor_need(rec.vend_code or "", None)]
    out += [lists.item_need(line.part_no) for line in rec.lines if line.part_no]
    if any(not line.part_no for line in rec.lines) or rec.shipping_charges:
        out.append(lists.default_account_need(settings, "expense"))
    if settings["defaults.ap_account"]:
        out.append(lists.default_account_need(settings, "ap"))
    return out


def check_receiver(rec: jb.ReceiverBill) -> None:
    if not rec.vend_code:
        raise MappingError("receiver has no vendor")
    if len(rec.receiver_no) > REF_NUMBER_MAX:
        raise MappingError(f"receiver number {rec.receiver_no!r} is longer than the "
                           f"{REF_NUMBER_MAX} characters QuickBooks allows")
    missing = [line.part_no or "(no part)" for line in rec.lines if line.unit_cost is None]
    if missing:
        raise MappingError(f"no PO cost for {', '.join(missing)} (PO {rec.po_num or '?'})")
    if not rec.lines:
        raise MappingError("receiver has no lines")


def receiver_bill_add(rec: jb.ReceiverBill, ctx: MapContext) -> rq.BillAdd:
    """The ``BillAdd`` of a receiver: item lines priced from the PO."""
    check_receiver(rec)
    expense = lists.default_account_need(ctx, "expense")
    items = [rq.ItemLine(item=ctx.ref(lists.item_need(line.part_no)), desc=text(line.description),
                         quantity=line.quantity, cost=line.unit_cost, amount=line.amount)
             for line in rec.lines if line.part_no]
    expenses = [rq.ExpenseLine(account=ctx.ref(expense), amount=line.amount,
                               memo=text(line.description))
                for line in rec.lines if not line.part_no]
    if rec.shipping_charges:
        expenses.append(rq.ExpenseLine(account=ctx.ref(expense), amount=cents(rec.shipping_charges),
                                       memo="Shipping"))
    memo = f"Receiver {rec.receiver_no}" + (f", PO {rec.po_num}" if rec.po_num else "")
    return rq.BillAdd(
        vendor=ctx.ref(lists.vendor_need(rec.vend_code or "", None)),
        ap_account=ctx.ref(lists.default_account_need(ctx, "ap"))
        if ctx.settings["defaults.ap_account"] else None,
        txn_date=rec.txn_date, ref_number=rec.receiver_no, memo=memo,
        external_guid=ctx.guid(rec.key), expense_lines=tuple(expenses), item_lines=tuple(items))


# ---------------------------------------------------------------- verification


def verify_query(vendor: rq.Ref, ref_number: str) -> rq.BillQuery:
    """Find a bill QuickBooks may already hold: same vendor, same RefNumber."""
    return rq.BillQuery(entity=rq.EntityFilter.for_ref(vendor), ref_number_from=ref_number,
                        ref_number_to=ref_number)


def matches(ref_number: str, txn_date: Any, ret: Any) -> bool:
    same_ref = (ret.ref_number or "").casefold() == ref_number.casefold()
    return same_ref and (ret.txn_date is None or ret.txn_date == txn_date)
