"""Documents in a currency other than the company's: what QuickBooks gets, never silently.

JobBOSS2 keeps an invoice's currency (``Billing.CurrencyCode``) and rate
(``ExchRate``, home units per unit of it). A document is foreign when its code
is not ``currency.home``. With QuickBooks' multicurrency on (its
MultiCurrencyPreferences), the invoice goes in its own currency with the rate
as ``ExchangeRate`` (the customer holds the currency in QuickBooks). With it
off, the record fails naming the currency, unless ``currency.convert_foreign``
says to send it converted to the home currency at ``ExchRate``, with the
currency, the rate and the foreign total in the memo.

QuickBooks takes an invoice's currency from its customer (``InvoiceAdd`` has
no ``CurrencyRef``), and a customer's currency is fixed when it is created:
with multicurrency on, a customer whose ``CustCode.CurrencyCode`` is foreign
is added with ``CurrencyRef`` naming QuickBooks' currency
(:data:`QUICKBOOKS_CURRENCIES` maps JobBOSS2's ISO codes to those names).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from qbwc_service.jobboss import records as jb
from qbwc_service.qbxml.requests import Ref
from qbwc_service.sync.kinds.context import BuildError, MapContext, cents

#: ISO codes QuickBooks' currency list knows, with its names for them.
QUICKBOOKS_CURRENCIES: dict[str, str] = {
    "USD": "US Dollar", "CAD": "Canadian Dollar", "EUR": "Euro", "GBP": "British Pound Sterling",
    "MXN": "Mexican Peso", "AUD": "Australian Dollar", "JPY": "Japanese Yen", "CHF": "Swiss Franc",
    "CNY": "Chinese Yuan Renminbi", "INR": "Indian Rupee", "SEK": "Swedish Krona",
    "NZD": "New Zealand Dollar", "HKD": "Hong Kong Dollar", "SGD": "Singapore Dollar",
}

KEY_NAMES = "Billing.CurrencyCode"


def foreign_code(inv: jb.ArInvoice, ctx: MapContext) -> str | None:
    """The invoice's currency when it is not the home one, else ``None``."""
    return _foreign(inv.currency_code, ctx)


def _foreign(code: str | None, ctx: MapContext) -> str | None:
    code = (code or "").strip().upper()
    return code if code and code != ctx.settings["currency.home"].strip().upper() else None


def customer_currency(c: jb.Customer, ctx: MapContext) -> Ref | None:
    """The ``CurrencyRef`` a new customer is added with: its QuickBooks currency when
    multicurrency is on and it is not the home one, else ``None`` (QuickBooks' home currency;
    with multicurrency off QuickBooks has no currencies). Raises :class:`BuildError` for a code
    QuickBooks does not know."""
    code = _foreign(c.currency_code, ctx)
    if code is None or not ctx.multicurrency_on:
        return None
    if code not in QUICKBOOKS_CURRENCIES:
        raise BuildError(f"CustCode.CurrencyCode {code!r} of customer {c.cust_code!r} is a "
                         "currency QuickBooks does not know (known: "
                         f"{', '.join(sorted(QUICKBOOKS_CURRENCIES))})")
    return Ref(full_name=QUICKBOOKS_CURRENCIES[code])


def prepare(inv: jb.ArInvoice, ctx: MapContext) -> tuple[jb.ArInvoice, Decimal | None, str | None]:
    """``(record to send, ExchangeRate, memo note)`` for the invoice (raises :class:`BuildError`)."""
    code = foreign_code(inv, ctx)
    if code is not None and code not in QUICKBOOKS_CURRENCIES:
        raise BuildError(f"{KEY_NAMES} {code!r} is a currency QuickBooks does not know")
    if ctx.multicurrency_on:
        _check_customer_currency(inv, code, ctx)
    if code is None:
        return inv, None, None
    rate = inv.exchange_rate
    if rate is None or rate <= 0:
        raise BuildError(f"invoice is in {code} but Billing.ExchRate is {rate}: not a rate")
    if ctx.multicurrency_on:
        return inv, rate, None
    if not ctx.settings["currency.convert_foreign"]:
        raise BuildError(f"invoice is in {code} ({KEY_NAMES}) but QuickBooks multicurrency is off: "
                         "turn it on in QuickBooks, or set currency.convert_foreign to send it "
                         "converted at Billing.ExchRate")
    return converted(inv, rate), None, (f"Converted from {code} at {rate}: {code} total "
                                        f"{cents(inv.total)}")


def _check_customer_currency(inv: jb.ArInvoice, code: str | None, ctx: MapContext) -> None:
    """QuickBooks bills an invoice in its customer's currency: another one cannot be sent."""
    home = ctx.settings["currency.home"].strip().upper()
    customer = _foreign(inv.customer_currency, ctx)
    if customer != code:
        raise BuildError(f"invoice is in {code or home} ({KEY_NAMES}) but customer "
                         f"{inv.cust_code!r} is billed in {customer or home} "
                         "(CustCode.CurrencyCode): QuickBooks puts an invoice in its customer's "
                         "currency")


def converted(inv: jb.ArInvoice, rate: Decimal) -> jb.ArInvoice:
    """The invoice in home currency: every amount x ``rate`` to the cent; the total is their sum,
    so lines and total agree to the cent."""
    lines = tuple(replace(line, amount=cents(line.amount * rate),
                          unit_price=None if line.unit_price is None else line.unit_price * rate)
                  for line in inv.lines)
    shipping, freight, tax = (cents(x * rate) for x in (inv.shipping_charges, inv.freight_charges,
                                                          inv.sales_tax))
    total = sum((line.amount for line in lines), Decimal("0")) + shipping + freight + tax
    return replace(inv, lines=lines, shipping_charges=shipping, freight_charges=freight,
                   sales_tax=tax, total=total, currency_code=None, exchange_rate=None)
