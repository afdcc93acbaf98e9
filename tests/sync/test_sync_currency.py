"""End to end: foreign-currency invoices and line discounts reach QuickBooks as JobBOSS2 holds them."""

from __future__ import annotations

import sqlite3
from decimal import Decimal

from sync.helpers import failed_keys, jobs, qb_records
from sync.test_sync_sales_tax import _ordinary


def _in_euro(world, rate: str = "1.1", code: str = "EUR", customer: bool = True):
    """An invoice in ``code``; with ``customer``, its customer is billed in it too (in QuickBooks
    a sale is always in its customer's currency)."""
    inv = next(i for i in _ordinary(world) if not i.sales_tax and len(i.lines) > 1)
    with sqlite3.connect(world.jobboss) as db:
        db.execute("UPDATE Billing SET CurrencyCode = ?, ExchRate = ? WHERE InvoiceNo = ?",
                   (code, float(rate), inv.invoice_no))
        if customer:
            db.execute("UPDATE CustCode SET CurrencyCode = ? WHERE CustCode = ?", (code, inv.cust_code))
    return inv


def _customer(world, code: str) -> dict:
    cust = world.reader.customer(code)
    [rec] = [r for r in qb_records(world.quickbooks, "CustomerRet") if r["Name"] == cust.qb_name]
    return rec


def _invoice(world, ref: str) -> list[dict]:
    return [r for r in qb_records(world.quickbooks, "InvoiceRet") if r["RefNumber"] == ref]


def test_foreign_currency_with_multicurrency_off_fails_naming_it_and_the_rest_goes(world):
    inv = _in_euro(world)
    others = [i for i in _ordinary(world) if i.key != inv.key]
    assert others
    world.plan()
    world.sync_until_idle()
    assert not _invoice(world, inv.invoice_no)
    reason = failed_keys(world, "invoice.add")[inv.key]
    assert "EUR" in reason and "multicurrency is off" in reason and "currency.convert_foreign" in reason
    assert all(len(_invoice(world, i.invoice_no)) == 1 for i in others)
    assert not world.reader.ar_invoice(inv.invoice_no).exported


def test_foreign_currency_with_multicurrency_on_carries_the_rate(world):
    inv = _in_euro(world)
    world.qb().state.settings["multicurrency"] = True
    world.plan()
    world.sync_until_idle()
    [rec] = _invoice(world, inv.invoice_no)
    assert Decimal(rec["ExchangeRate"]) == Decimal("1.1")
    # Amounts stay in the invoice's currency, to the cent.
    assert Decimal(rec["Subtotal"]) + Decimal(rec["SalesTaxTotal"]) == inv.total


def test_foreign_currency_converted_when_the_setting_says_so_with_the_rate_in_the_memo(world):
    inv = _in_euro(world, rate="1.25")
    world.set(currency__convert_foreign="true")
    world.plan()
    world.sync_until_idle()
    [rec] = _invoice(world, inv.invoice_no)
    expected = sum(((line.amount * Decimal("1.25")).quantize(Decimal("0.01")) for line in inv.lines),
                   Decimal(0)) + (inv.shipping_charges * Decimal("1.25")).quantize(Decimal("0.01"))
    assert Decimal(rec["Subtotal"]) == expected
    assert f"Converted from EUR at 1.25: EUR total {inv.total}" in rec["Memo"]
    assert "ExchangeRate" not in rec


def test_a_currency_quickbooks_does_not_know_fails_naming_the_field(world):
    inv = _in_euro(world, code="XYZ", customer=False)
    world.qb().state.settings["multicurrency"] = True
    world.plan()
    world.sync_until_idle()
    assert not _invoice(world, inv.invoice_no)
    assert "Billing.CurrencyCode 'XYZ'" in failed_keys(world, "invoice.add")[inv.key]


def test_a_foreign_customer_is_created_in_its_currency_and_its_invoice_lands(world):
    inv = _in_euro(world)
    world.qb().state.settings["multicurrency"] = True
    world.plan()
    world.sync_until_idle()
    assert _customer(world, inv.cust_code)["CurrencyRef"]["FullName"] == "Euro"
    [rec] = _invoice(world, inv.invoice_no)
    assert rec["CurrencyRef"]["FullName"] == "Euro"
    assert Decimal(rec["ExchangeRate"]) == Decimal("1.1")
    assert [j.status for j in jobs(world, "invoice.add") if j.source_key == inv.invoice_no] == ["done"]


def test_with_multicurrency_off_a_foreign_customer_is_created_as_before(world):
    inv = _in_euro(world)
    world.plan()
    world.sync_until_idle()
    assert "CurrencyRef" not in _customer(world, inv.cust_code)
    assert "multicurrency is off" in failed_keys(world, "invoice.add")[inv.key]


def test_a_customer_currency_quickbooks_does_not_know_fails_naming_the_field(world):
    inv = _in_euro(world)
    with sqlite3.connect(world.jobboss) as db:
        db.execute("UPDATE CustCode SET CurrencyCode = 'XYZ' WHERE CustCode = ?", (inv.cust_code,))
    world.qb().state.settings["multicurrency"] = True
    world.plan()
    world.sync_until_idle()
    cust = world.reader.customer(inv.cust_code)
    assert not [r for r in qb_records(world.quickbooks, "CustomerRet") if r["Name"] == cust.qb_name]
    errors = [j.error_message or "" for j in jobs(world) if j.source_key == inv.cust_code]
    assert any(f"CustCode.CurrencyCode 'XYZ' of customer {inv.cust_code!r}" in e for e in errors)
    assert not _invoice(world, inv.invoice_no)
    assert not world.reader.ar_invoice(inv.invoice_no).exported


def test_an_invoice_in_another_currency_than_its_customer_fails_naming_both(world):
    inv = _in_euro(world, customer=False)
    world.qb().state.settings["multicurrency"] = True
    world.plan()
    world.sync_until_idle()
    assert not _invoice(world, inv.invoice_no)
    reason = failed_keys(world, "invoice.add")[inv.key]
    assert "invoice is in EUR (Billing.CurrencyCode)" in reason
    assert f"customer {inv.cust_code!r} is billed in USD (CustCode.CurrencyCode)" in reason
    assert not world.reader.ar_invoice(inv.invoice_no).exported


def test_a_home_currency_invoice_of_a_foreign_customer_fails_rather_than_land_in_its_currency(world):
    inv = _in_euro(world)
    with sqlite3.connect(world.jobboss) as db:
        db.execute("UPDATE Billing SET CurrencyCode = 'USD', ExchRate = 1 WHERE InvoiceNo = ?",
                   (inv.invoice_no,))
    world.qb().state.settings["multicurrency"] = True
    world.plan()
    world.sync_until_idle()
    assert _customer(world, inv.cust_code)["CurrencyRef"]["FullName"] == "Euro"
    assert not _invoice(world, inv.invoice_no)
    reason = failed_keys(world, "invoice.add")[inv.key]
    assert "invoice is in USD" in reason and "is billed in EUR" in reason


def test_a_discounted_line_shows_its_discount_and_keeps_its_amount(world):
    inv = next(i for i in _ordinary(world) if not i.sales_tax
               and any(line.part_no and line.quantity > 0 for line in i.lines))
    line = next(line for line in inv.lines if line.part_no and line.quantity > 0)
    list_price = (line.amount / line.quantity / Decimal("0.9")).quantize(Decimal("0.00001"))
    with sqlite3.connect(world.jobboss) as db:
        db.execute("UPDATE BillingDet SET DiscPct = 10, UnitPrice = ? WHERE InvoiceNo = ? AND InvItemNo = ?",
                   (float(list_price), inv.invoice_no, line.line_no))
    world.plan()
    world.sync_until_idle()
    [rec] = _invoice(world, inv.invoice_no)
    [sent] = [r for r in rec["InvoiceLineRet"] if "less 10%" in (r.get("Desc") or "")]
    assert Decimal(sent["Amount"]) == line.amount
    assert abs(Decimal(sent["Rate"]) * line.quantity - line.amount) < Decimal("0.01")
    assert Decimal(rec["Subtotal"]) + Decimal(rec["SalesTaxTotal"]) == inv.total
    assert [j.status for j in jobs(world, "invoice.add") if j.source_key == inv.invoice_no] == ["done"]
