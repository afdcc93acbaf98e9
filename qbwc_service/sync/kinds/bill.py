"""AP invoices (JobBOSS2 ``VendorInv``) -> ``BillAdd``.

A vendor invoice becomes a bill with one ``ExpenseLineAdd`` per account
distribution (AccountRef = the GL account). When the distributions do not
already add up to the invoice total, its shipping charges and sales tax are
added as expense lines on their accounts. RefNumber is the vendor's invoice
number; QuickBooks allows 20 characters, a longer one goes under the RefNumber
the name map gives it (``names.bill``), the full number in the Memo. A lost answer is looked for by
vendor and RefNumber. Once QuickBooks holds it, JobBOSS2 marks it exported
(and paid, with ``options.mark_ap_paid``). Changed in JobBOSS2 after export, it
is listed, and with ``options.update_exported`` sent as a ``BillMod``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from qbwc_service.jobboss import records as jb
from qbwc_service.qbxml import requests as rq
from qbwc_service.qbxml.parse import RetInfo
from qbwc_service.queue.areas import AP
from qbwc_service.sync.kinds import account, default_account, terms, vendor
from qbwc_service.sync.kinds.base import EXPORTED, Source, TxnKind, WriteBack
from qbwc_service.sync.kinds.context import (
    BuildError,
    MapContext,
    Need,
    cents,
    check_ref_number,
    noted,
    original_note,
    same_amount,
    text,
)
from qbwc_service.sync.kinds.invoice import same_number
from qbwc_service.sync.kinds.summary import Summary
from qbwc_service.sync.names.rule import NameRule
from qbwc_service.sync.settings import SyncSettings

#: QuickBooks' limit on a bill RefNumber.
REF_NUMBER_MAX = 20
#: The RefNumber of bills (vendor invoice or receiver number): the name map kind ``bill``.
NAMES = NameRule("bill", REF_NUMBER_MAX, "bill numbers", "bill number", list_name=False)


def ref_number(number: str, ctx: MapContext) -> str:
    """A bill's RefNumber: the name map's, else the JobBOSS2 number."""
    return ctx.name(NAMES, number, number)


def _account_need(number: str | None, settings: SyncSettings) -> Need:
    if number:
        return account.need(number)
    return default_account.need(settings, "expense")


def _extra_expenses(bill: jb.ApInvoice) -> list[tuple[str | None, Decimal, str]]:
    """Shipping and tax lines to add: only when the distributions lack them."""
    lines = sum((cents(line.amount) for line in bill.lines), Decimal("0"))
    if same_amount(lines, bill.total):
        return []
    extra = [(bill.freight_acct, bill.shipping_charges, "Shipping"),
             (bill.sales_tax_acct, bill.sales_tax, "Sales tax")]
    return [(acct, amount, memo) for acct, amount, memo in extra if amount]


def check_bill(bill: jb.ApInvoice, ref: str | None = None) -> None:
    check_ref_number(bill.invoice_no if ref is None else ref, "vendor invoice number",
                     REF_NUMBER_MAX)
    lines = sum((cents(line.amount) for line in bill.lines), Decimal("0"))
    extra = sum((amount for _acct, amount, _m in _extra_expenses(bill)), Decimal("0"))
    if not same_amount(bill.total, lines + extra):
        raise BuildError(f"bill total {cents(bill.total)} does not match its distribution lines "
                         f"({cents(lines)}) + shipping and tax ({cents(extra)})")
    if not bill.lines and not extra:
        raise BuildError("vendor invoice has no distribution lines")


def bill_needs(bill: jb.ApInvoice, settings: SyncSettings) -> list[Need]:
    out = [vendor.need(bill.vend_code)]
    out += [_account_need(line.gl_acct, settings) for line in bill.lines]
    out += [_account_need(acct, settings) for acct, _a, _m in _extra_expenses(bill)]
    if bill.terms_code:
        out.append(terms.need(bill.terms_code))
    if settings["defaults.ap_account"]:
        out.append(default_account.need(settings, "ap"))
    return out


def ap_account(ctx: MapContext) -> rq.Ref | None:
    """The bill's AP account: the default one when set."""
    settings = ctx.settings
    return ctx.ref(default_account.need(settings, "ap")) if settings["defaults.ap_account"] else None


def bill_add(bill: jb.ApInvoice, ctx: MapContext) -> rq.BillAdd:
    """The ``BillAdd`` of a JobBOSS2 vendor invoice (raises :class:`BuildError`)."""
    ref = ref_number(bill.invoice_no, ctx)
    check_bill(bill, ref)
    settings = ctx.settings
    expenses = [rq.ExpenseLine(account=ctx.ref(_account_need(line.gl_acct, settings)),
                               amount=cents(line.amount), memo=text(line.memo))
                for line in bill.lines]
    expenses += [rq.ExpenseLine(account=ctx.ref(_account_need(acct, settings)), amount=cents(amount),
                                memo=memo)
                 for acct, amount, memo in _extra_expenses(bill)]
    return rq.BillAdd(
        vendor=ctx.ref(vendor.need(bill.vend_code)), ap_account=ap_account(ctx),
        txn_date=bill.txn_date, due_date=bill.due_date, ref_number=ref,
        terms=ctx.optional_ref(terms.need(bill.terms_code)) if bill.terms_code else None,
        memo=noted(original_note(NAMES, bill.invoice_no, ref), text(bill.memo)),
        external_guid=ctx.guid(bill.key), expense_lines=tuple(expenses))


def verify_query(vendor_code: str, number: str, ctx: MapContext) -> rq.BillQuery:
    """Find a bill QuickBooks may already hold: same vendor, same RefNumber."""
    held_by = ctx.ref(vendor.need(vendor_code))
    sent_as = ref_number(number, ctx)
    return rq.BillQuery(entity=rq.EntityFilter.for_ref(held_by), ref_number_from=sent_as,
                        ref_number_to=sent_as)


def matches(number: str, txn_date: date, ret: RetInfo) -> bool:
    """Whether a returned bill is this one (RefNumber, or the full number in its Memo; date)."""
    return same_number(NAMES, number, ret) and (ret.txn_date is None
                                                    or ret.txn_date == txn_date)


#: Vendor invoices (``VendorInv`` / ``VendorInvDet``).
VENDOR_INVOICES: Source[jb.ApInvoice] = Source(
    "vendor_invoice", AP, switch="items.vendor_invoices", choice=("source.bills", "vendor_invoice"),
    read=lambda reader, flt, _known: reader.ap_invoices(flt))

KIND: TxnKind[jb.ApInvoice] = TxnKind(
    name="bill.add", area=AP, entity="bill", record_type=jb.ApInvoice, sources=(VENDOR_INVOICES,),
    needs=lambda bill, _index, settings: bill_needs(bill, settings),
    build=lambda bill, _index, ctx: bill_add(bill, ctx),
    verify=lambda bill, _index, ctx: verify_query(bill.vend_code, bill.invoice_no, ctx),
    matches=lambda bill, _index, ret: matches(bill.invoice_no, bill.txn_date, ret),
    noun="bill", plural="bills",
    writebacks=(EXPORTED, WriteBack("paid", "options.mark_ap_paid")),
    qb_type="Bill",
    total=lambda bill, _settings: cents(bill.total),
    names=NAMES, ref_number=lambda bill: bill.invoice_no,
    summary=lambda bill, _index: Summary("Bill", bill.invoice_no, "vendor", bill.vend_code,
                                         day=bill.txn_date, amount=cents(bill.total)),
    mod_request=rq.BillMod, read_request=rq.BillQuery,
)
