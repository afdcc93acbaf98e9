"""AR invoices (Customer Billing or packing lists) -> ``InvoiceAdd``.

One JobBOSS2 invoice is one QuickBooks invoice: the customer, date,
RefNumber = the invoice (or packing list) number, terms, PO number, ship
address, one line per JobBOSS2 line (ItemRef = the part), then shipping and
freight as lines on the configured freight item. Sales tax follows the
country: in the US the JobBOSS2 tax code is the header tax item and each line
is ``Tax`` or ``Non``; in Canada and the UK each taxable line carries the tax
code itself.

A RefNumber longer than QuickBooks' 11 characters, or a total that does not
match the lines, fails the record (never truncated, never "fixed"). A lost
answer is looked for by customer and RefNumber. Once QuickBooks holds it,
JobBOSS2 marks it exported (and paid, with ``options.mark_ar_paid``).
"""

from __future__ import annotations

from decimal import Decimal

from qbwc_service.jobboss import records as jb
from qbwc_service.qbxml import requests as rq
from qbwc_service.qbxml.parse import RetInfo
from qbwc_service.queue.areas import AR
from qbwc_service.sync.kinds import charge_item, customer, default_account, item, sales_tax, terms
from qbwc_service.sync.kinds.base import EXPORTED, Source, TxnKind, WriteBack
from qbwc_service.sync.kinds.context import (
    BuildError,
    MapContext,
    Need,
    address,
    cents,
    check_ref_number,
    same_amount,
    text,
)
from qbwc_service.sync.kinds.summary import Summary
from qbwc_service.sync.settings import SyncSettings

#: QuickBooks' limit on an invoice RefNumber.
REF_NUMBER_MAX = 11


def needs(inv: jb.ArInvoice, settings: SyncSettings) -> list[Need]:
    """The list records the invoice references."""
    out = [customer.need(inv.cust_code)]
    out += [item.need(line.part_no) for line in inv.lines if line.part_no]
    if any(not line.part_no and line.amount for line in inv.lines):
        out.append(charge_item.misc_need())
    if inv.shipping_charges or inv.freight_charges:
        out.append(charge_item.freight_need(settings))
    if inv.terms_code:
        out.append(terms.need(inv.terms_code))
    if inv.tax_code:
        out.append(sales_tax.need(inv.tax_code))
    if settings["defaults.ar_account"]:
        out.append(default_account.need(settings, "ar"))
    return out


def check(inv: jb.ArInvoice) -> None:
    """Raise :class:`BuildError` if QuickBooks would refuse the invoice or get it wrong."""
    check_ref_number(inv.invoice_no, "invoice number", REF_NUMBER_MAX)
    lines = sum((cents(line.amount) for line in inv.lines), Decimal("0"))
    charges = inv.shipping_charges + inv.freight_charges
    if not any(same_amount(inv.total, lines + charges + tax) for tax in (inv.sales_tax, Decimal(0))):
        raise BuildError(f"invoice total {cents(inv.total)} does not match its lines "
                         f"({cents(lines)}) + charges ({cents(charges)}) + tax "
                         f"({cents(inv.sales_tax)})")
    if not inv.lines and not charges:
        raise BuildError("invoice has no lines")


def invoice_add(inv: jb.ArInvoice, ctx: MapContext, taxable_code: str = "Tax",
                non_taxable_code: str = "Non") -> rq.InvoiceAdd:
    """The ``InvoiceAdd`` of a JobBOSS2 invoice (raises :class:`BuildError`)."""
    check(inv)
    settings = ctx.settings
    tax_ref = ctx.optional_ref(sales_tax.need(inv.tax_code)) if inv.tax_code else None
    codes = _TaxCodes(ctx, tax_ref, taxable_code, non_taxable_code, bool(inv.tax_code))
    lines = [_line(line, ctx, codes) for line in inv.lines]
    freight = charge_item.freight_need(settings)
    for label, amount in (("Shipping", inv.shipping_charges), ("Freight", inv.freight_charges)):
        if amount:
            lines.append(rq.InvoiceLine(item=ctx.ref(freight), desc=label, amount=cents(amount)))
    return rq.InvoiceAdd(
        customer=ctx.ref(customer.need(inv.cust_code)),
        ar_account=ctx.ref(default_account.need(settings, "ar"))
        if settings["defaults.ar_account"] else None,
        txn_date=inv.txn_date,
        ref_number=inv.invoice_no,
        ship_address=address(inv.ship_address),
        po_number=text(inv.po_number),
        terms=ctx.optional_ref(terms.need(inv.terms_code)) if inv.terms_code else None,
        due_date=inv.due_date,
        item_sales_tax=tax_ref if ctx.is_us else None,
        memo=text(inv.notes),
        external_guid=ctx.guid(inv.key),
        lines=tuple(lines),
    )


class _TaxCodes:
    """The line sales-tax code for the country (see the module docs)."""

    def __init__(self, ctx: MapContext, tax_ref: rq.Ref | None, taxable: str, non_taxable: str,
                 has_tax: bool) -> None:
        self.has_tax = has_tax
        # In Canada and the UK the code carries the tax: the JobBOSS2 code when QuickBooks
        # has it (a ListID from the ID map), else the company's default taxable code.
        usable = not ctx.is_us and tax_ref is not None and bool(tax_ref.list_id)
        self.taxable = tax_ref if usable and tax_ref is not None else rq.Ref.named(taxable)
        self.non_taxable = rq.Ref.named(non_taxable)

    def for_line(self, taxable: bool) -> rq.Ref | None:
        if not self.has_tax:
            return None
        return self.taxable if taxable else self.non_taxable


def _line(line: jb.ArLine, ctx: MapContext, codes: _TaxCodes) -> rq.InvoiceLine:
    if line.part_no:
        line_item = ctx.ref(item.need(line.part_no))
    elif line.amount:
        line_item = ctx.ref(charge_item.misc_need())
    else:  # a text line: description only
        return rq.InvoiceLine(desc=text(line.description) or "")
    amount = cents(line.amount)
    rate = line.unit_price
    # Send the rate only when quantity x rate gives the JobBOSS2 amount, so
    # QuickBooks never recomputes a different line total.
    if rate is None or not same_amount(line.quantity * rate, amount):
        rate = None
    return rq.InvoiceLine(item=line_item, desc=text(line.description), quantity=line.quantity,
                          rate=rate, amount=amount, sales_tax_code=codes.for_line(line.taxable))


def _build(inv: jb.ArInvoice, ctx: MapContext) -> rq.InvoiceAdd:
    codes = ctx.tax_codes
    return invoice_add(inv, ctx, codes.get("taxable", "Tax"), codes.get("non_taxable", "Non"))


def verify_query(inv: jb.ArInvoice, ctx: MapContext) -> rq.InvoiceQuery:
    """Find the invoice QuickBooks may already hold: same customer, same RefNumber."""
    held_by = ctx.ref(customer.need(inv.cust_code))
    return rq.InvoiceQuery(entity=rq.EntityFilter.for_ref(held_by), ref_number_from=inv.invoice_no,
                           ref_number_to=inv.invoice_no)


def matches(inv: jb.ArInvoice, ret: RetInfo) -> bool:
    """Whether a returned invoice is this one (RefNumber and date)."""
    same_ref = (ret.ref_number or "").casefold() == inv.invoice_no.casefold()
    return same_ref and (ret.txn_date is None or ret.txn_date == inv.txn_date)


def summary(inv: jb.ArInvoice) -> Summary:
    """The invoice as the admin lists it."""
    return Summary("Packing list invoice" if inv.source == PACKING_LIST.name else "Invoice",
                   inv.invoice_no, "customer", inv.cust_code, day=inv.txn_date, amount=cents(inv.total))


#: Customer Billing (``Billing`` / ``BillingDet``).
BILLING: Source[jb.ArInvoice] = Source(
    "billing", AR, switch="items.customer_billing", choice=("source.invoices", "billing"),
    read=lambda reader, flt, _known: reader.ar_invoices(flt))
#: Packing lists (``DelTicket`` / ``DelTicketDet``) priced from their orders.
PACKING_LIST: Source[jb.ArInvoice] = Source(
    "packing_list", AR, switch="items.customer_billing", choice=("source.invoices", "packing_list"),
    read=lambda reader, flt, _known: reader.packing_list_invoices(flt))

KIND: TxnKind[jb.ArInvoice] = TxnKind(
    name="invoice.add", area=AR, entity="invoice", record_type=jb.ArInvoice,
    sources=(BILLING, PACKING_LIST),
    needs=lambda inv, _index, settings: needs(inv, settings),
    build=lambda inv, _index, ctx: _build(inv, ctx),
    verify=lambda inv, _index, ctx: verify_query(inv, ctx),
    matches=lambda inv, _index, ret: matches(inv, ret),
    noun="invoice", plural="invoices",
    writebacks=(EXPORTED, WriteBack("paid", "options.mark_ar_paid")),
    summary=lambda inv, _index: summary(inv),
)
