"""AR invoices (Customer Billing or packing lists) -> ``InvoiceAdd``.

One JobBOSS2 invoice is one QuickBooks invoice: the customer, date,
RefNumber = the invoice (or packing list) number, terms, PO number, ship
address, one line per JobBOSS2 line (ItemRef = the part), then shipping and
freight as lines on the configured freight item.

Sales tax, to the cent (US). QuickBooks would compute the tax itself, rate x
taxable lines, which is not always what JobBOSS2 charged (freight taxed,
rounding per line, tax typed by hand). So the header tax item is the 0 %
item of ``tax.zero_item`` and JobBOSS2's ``SalesTaxChgs`` is a line of its
own, on the sales tax item of the invoice's tax code (see :mod:`.sales_tax`):
QuickBooks' total is then exactly ``InvoiceTotal``, and the tax still posts
to the agency's sales tax liability. Each line is ``Tax`` or ``Non`` after
JobBOSS2's ``IsTaxable``/``TaxStatus``, so QuickBooks' taxable-sales figures
hold. A company without sales tax (no SalesTaxPreferences) refuses a document
with tax, as do Canadian and UK files (their codes carry QuickBooks' own
rates): the record fails with the reason, never sent without its tax.

An invoice number longer than QuickBooks' 11 characters goes under the
RefNumber the name map gives it (shortened by ``names.invoice = shorten``, or
set by hand), the full number in the Memo; with ``names.invoice = error`` it
fails the record. A total that is not lines + shipping and freight + tax fails
the record (never "fixed"); so does a request whose total as QuickBooks will
compute it is not the JobBOSS2 total. A lost answer is looked for by customer and RefNumber.
Once QuickBooks holds it, JobBOSS2 marks it exported (and paid, with
``options.mark_ar_paid``). Changed in JobBOSS2 after export, it is listed, and
with ``options.update_exported`` sent as an ``InvoiceMod`` (see
:mod:`qbwc_service.sync.planning.exported`).
"""

from __future__ import annotations

from decimal import Decimal

from qbwc_service.jobboss import records as jb
from qbwc_service.qbxml import requests as rq
from qbwc_service.qbxml.parse import RetInfo
from qbwc_service.queue.areas import AR
from qbwc_service.sync.kinds import (
    charge_item,
    currency,
    customer,
    default_account,
    item,
    sales_tax,
    terms,
)
from qbwc_service.sync.kinds.base import EXPORTED, Source, TxnKind, WriteBack
from qbwc_service.sync.kinds.context import (
    BuildError,
    MapContext,
    Need,
    address,
    cents,
    check_ref_number,
    noted,
    original_note,
    same_amount,
    text,
)
from qbwc_service.sync.kinds.summary import Summary
from qbwc_service.sync.names.rule import NameRule
from qbwc_service.sync.settings import SyncSettings

#: QuickBooks' limit on an invoice RefNumber.
REF_NUMBER_MAX = 11
#: The RefNumber of invoices (and credit memos): the name map kind ``invoice``.
NAMES = NameRule("invoice", REF_NUMBER_MAX, "invoice numbers", "invoice number", list_name=False)


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
        out.append(sales_tax.need(inv.tax_code, settings))
    if inv.tax_code or inv.sales_tax:
        out.append(sales_tax.zero_need(settings))
    if settings["defaults.ar_account"]:
        out.append(default_account.need(settings, "ar"))
    return out


def ref_number(inv: jb.ArInvoice, ctx: MapContext) -> str:
    """The invoice's RefNumber: the name map's, else the JobBOSS2 invoice number."""
    return ctx.name(NAMES, inv.invoice_no, inv.invoice_no)


def check(inv: jb.ArInvoice, ref: str | None = None) -> None:
    """Raise :class:`BuildError` if QuickBooks would refuse the invoice or get it wrong."""
    check_ref_number(inv.invoice_no if ref is None else ref, "invoice number", REF_NUMBER_MAX)
    lines = sum((cents(line.amount) for line in inv.lines), Decimal("0"))
    charges = inv.shipping_charges + inv.freight_charges
    if not same_amount(inv.total, lines + charges + inv.sales_tax):
        raise BuildError(f"invoice total {cents(inv.total)} does not match its lines "
                         f"({cents(lines)}) + charges ({cents(charges)}) + tax "
                         f"({cents(inv.sales_tax)}) = {cents(lines + charges + inv.sales_tax)}")
    if not inv.lines and not charges:
        raise BuildError("invoice has no lines")
    if inv.sales_tax and not inv.tax_code:
        raise BuildError(f"sales tax {cents(inv.sales_tax)} (SalesTaxChgs) without a TaxCode")


def check_tax(inv: jb.ArInvoice, ctx: MapContext) -> None:
    """A document with tax goes only where QuickBooks can carry that tax to the cent."""
    if not inv.sales_tax:
        return
    if ctx.sales_tax_on is False:
        raise BuildError(f"sales tax {cents(inv.sales_tax)} (TaxCode {inv.tax_code}) but the "
                         "QuickBooks company does not charge sales tax (no SalesTaxPreferences): "
                         "turn sales tax on in QuickBooks")
    if not ctx.is_us:
        raise BuildError(f"sales tax {cents(inv.sales_tax)} (TaxCode {inv.tax_code}): JobBOSS2 tax "
                         f"is sent to US QuickBooks files only; in a {ctx.country} file "
                         "QuickBooks computes its own tax codes, enter this invoice by hand")


def request_total(request: rq.InvoiceAdd) -> Decimal:
    """The total QuickBooks will compute for a request of ours: its line amounts (the header
    tax item is the 0 % one, or none)."""
    return sum((line.amount for line in request.lines if line.amount is not None), Decimal("0"))


def invoice_add(inv: jb.ArInvoice, ctx: MapContext, taxable_code: str = "Tax",
                non_taxable_code: str = "Non") -> rq.InvoiceAdd:
    """The ``InvoiceAdd`` of a JobBOSS2 invoice (raises :class:`BuildError`)."""
    ref = ref_number(inv, ctx)
    check(inv, ref)
    inv, exchange_rate, currency_note = currency.prepare(inv, ctx)
    check_tax(inv, ctx)
    settings = ctx.settings
    tax_ref = ctx.optional_ref(sales_tax.need(inv.tax_code, settings)) if inv.tax_code else None
    taxed = bool(inv.tax_code) and ctx.sales_tax_on is not False
    codes = _TaxCodes(ctx, tax_ref, taxable_code, non_taxable_code, taxed)
    lines = [_line(line, ctx, codes) for line in inv.lines]
    freight = charge_item.freight_need(settings)
    for label, amount in (("Shipping", inv.shipping_charges), ("Freight", inv.freight_charges)):
        if amount:
            lines.append(rq.InvoiceLine(item=ctx.ref(freight), desc=label, amount=cents(amount)))
    if inv.sales_tax:
        if tax_ref is None:
            raise BuildError(f"TaxCode {inv.tax_code!r} has no QuickBooks sales tax item "
                             "(see that sales tax item's warning)")
        lines.append(rq.InvoiceLine(item=tax_ref, desc=f"Sales tax {inv.tax_code}",
                                    amount=cents(inv.sales_tax)))
    request = rq.InvoiceAdd(
        customer=ctx.ref(customer.need(inv.cust_code)),
        ar_account=ctx.ref(default_account.need(settings, "ar"))
        if settings["defaults.ar_account"] else None,
        txn_date=inv.txn_date,
        ref_number=ref,
        ship_address=address(inv.ship_address),
        po_number=text(inv.po_number),
        terms=ctx.optional_ref(terms.need(inv.terms_code)) if inv.terms_code else None,
        due_date=inv.due_date,
        item_sales_tax=ctx.ref(sales_tax.zero_need(settings)) if taxed and ctx.is_us else None,
        memo=noted(original_note(NAMES, inv.invoice_no, ref),
                   " | ".join(p for p in (text(inv.notes), currency_note) if p) or None),
        exchange_rate=exchange_rate,
        external_guid=ctx.guid(inv.key),
        lines=tuple(lines),
    )
    if not same_amount(request_total(request), inv.total):
        raise BuildError(f"the request totals {cents(request_total(request))} as QuickBooks will "
                         f"compute it, not the JobBOSS2 total {cents(inv.total)}")
    return request


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
    desc = text(line.description)
    if line.disc_pct and rate is not None:
        # JobBOSS2's LineTotal is after the discount: QuickBooks gets the discounted rate and
        # the discount in words, so quantity x rate is the line's amount.
        desc = f"{desc or ''} (less {line.disc_pct.normalize():f}% from {rate.normalize():f})".strip()
        rate = rate * (1 - line.disc_pct / 100)
    # Send the rate only when quantity x rate gives the JobBOSS2 amount, so
    # QuickBooks never recomputes a different line total.
    if rate is None or not same_amount(line.quantity * rate, amount):
        rate = None
    return rq.InvoiceLine(item=line_item, desc=desc, quantity=line.quantity,
                          rate=rate, amount=amount, sales_tax_code=codes.for_line(line.taxable))


def build(inv: jb.ArInvoice, ctx: MapContext) -> rq.InvoiceAdd:
    """The ``InvoiceAdd`` with the company's taxable and non-taxable codes."""
    codes = ctx.tax_codes
    return invoice_add(inv, ctx, codes.get("taxable", "Tax"), codes.get("non_taxable", "Non"))


def verify_query(inv: jb.ArInvoice, ctx: MapContext) -> rq.InvoiceQuery:
    """Find the invoice QuickBooks may already hold: same customer, same RefNumber."""
    held_by = ctx.ref(customer.need(inv.cust_code))
    ref = ref_number(inv, ctx)
    return rq.InvoiceQuery(entity=rq.EntityFilter.for_ref(held_by), ref_number_from=ref,
                           ref_number_to=ref)


def matches(inv: jb.ArInvoice, ret: RetInfo) -> bool:
    """Whether a returned invoice is this one (RefNumber, or the full number in its Memo; date)."""
    return same_number(NAMES, inv.invoice_no, ret) and (ret.txn_date is None
                                                         or ret.txn_date == inv.txn_date)


def same_number(rule: NameRule, number: str, ret: RetInfo) -> bool:
    """Whether a returned document carries ``number``: as its RefNumber, or (sent under a
    mapped RefNumber, which the verify query asked for) in the Memo line naming it."""
    if (ret.ref_number or "").casefold() == number.strip().casefold():
        return True
    note = original_note(rule, number, "")
    return note is not None and note in (ret.memo or "").splitlines()


def expected_total(inv: jb.ArInvoice, settings: SyncSettings) -> Decimal | None:
    """The total QuickBooks should hold: JobBOSS2's, unless it was sent converted."""
    code = (inv.currency_code or "").strip().upper()
    if code and code != settings["currency.home"].strip().upper() and settings["currency.convert_foreign"]:
        return None
    return cents(inv.total)


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
    build=lambda inv, _index, ctx: build(inv, ctx),
    verify=lambda inv, _index, ctx: verify_query(inv, ctx),
    matches=lambda inv, _index, ret: matches(inv, ret),
    noun="invoice", plural="invoices",
    writebacks=(EXPORTED, WriteBack("paid", "options.mark_ar_paid")),
    qb_type="Invoice",
    total=lambda inv, settings: expected_total(inv, settings),
    names=NAMES, ref_number=lambda inv: inv.invoice_no,
    summary=lambda inv, _index: summary(inv),
    mod_request=rq.InvoiceMod, read_request=rq.InvoiceQuery,
)
