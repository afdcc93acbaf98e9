"""End to end: JobBOSS2 sales tax reaches QuickBooks to the cent, or the record fails saying why."""

from __future__ import annotations

import sqlite3
from decimal import Decimal

from qbwc_service.jobboss.reader import TxnFilter
from qbwc_service.simulator.demo_db import HARD_CASES
from qbwc_service.simulator.quickbooks.handlers.lists import create_list_record
from sync.conftest import WINDOW
from sync.helpers import assert_invoices_synced, failed_keys, jobs, qb_records


def _window() -> TxnFilter:
    return TxnFilter(date_from=WINDOW[0], date_to=WINDOW[1])


def _ordinary(world) -> list:
    """The window's invoices that wait on none of the demo's hard cases (a customer name and a
    part number QuickBooks cannot hold): whatever happens to them is about their tax."""
    return [i for i in world.reader.ar_invoices(_window())
            if i.cust_code != HARD_CASES["long_name_customer"]
            and all(line.part_no != HARD_CASES["long_part_no"] for line in i.lines)]


def _by_ref(world) -> dict[str, dict]:
    return {r["RefNumber"]: r for r in qb_records(world.quickbooks, "InvoiceRet")}


def _qb_total(rec: dict) -> Decimal:
    return Decimal(rec["Subtotal"]) + Decimal(rec["SalesTaxTotal"])


def test_every_taxed_invoice_totals_as_in_jobboss2_with_items_created_at_the_jobboss2_rate(world):
    expected = list(world.reader.ar_invoices(_window()))
    taxed = [i for i in expected if i.sales_tax]
    assert len(taxed) > 10
    world.plan()
    world.sync_until_idle()
    assert_invoices_synced(world, expected)  # checks every total to the cent
    in_qb = _by_ref(world)
    sent = [i for i in taxed if i.invoice_no in in_qb]
    assert len(sent) >= len(taxed) * 3 // 4
    assert all(_qb_total(in_qb[i.invoice_no]) == i.total for i in sent)
    # Each JobBOSS2 code used became a sales tax item at its TaxFactor, paid to the tax agency,
    # which sync created; the header item is the 0 % one.
    rates = {t.code: t.rate for t in world.reader.tax_codes()}
    items = {r["Name"]: r for r in qb_records(world.quickbooks, "ItemSalesTaxRet")}
    for code in {i.tax_code for i in sent}:
        assert Decimal(items[code]["TaxRate"]) == rates[code]
        assert items[code]["TaxVendorRef"]["FullName"] == "Sales Tax Agency"
    assert Decimal(items["JobBOSS2 Tax 0%"]["TaxRate"]) == 0
    assert "Sales Tax Agency" in {r["Name"] for r in qb_records(world.quickbooks, "VendorRet")}
    for inv in sent:
        rec = in_qb[inv.invoice_no]
        assert rec["ItemSalesTaxRef"]["FullName"] == "JobBOSS2 Tax 0%"
        assert Decimal(rec["SalesTaxTotal"]) == 0
        tax_line = rec["InvoiceLineRet"][-1]
        assert tax_line["ItemRef"]["FullName"] == inv.tax_code
        # Per-line taxable status follows JobBOSS2's IsTaxable.
        codes = [line.get("SalesTaxCodeRef", {}).get("FullName") for line in rec["InvoiceLineRet"]
                 [:len(inv.lines)] if "ItemRef" in line]
        assert codes == ["Tax" if line.taxable else "Non" for line in inv.lines if line.part_no
                         or line.amount]


def test_a_mapped_tax_code_is_adopted_and_a_mapped_item_quickbooks_lacks_fails_its_invoices(world):
    expected = _ordinary(world)
    codes = sorted({i.tax_code for i in expected if i.sales_tax})
    assert len(codes) >= 2
    adopted, missing = codes[0], codes[1]
    qb = world.qb()
    agency = qb.state.find_by_name("names", "Tax Agency")
    assert agency is not None
    create_list_record(qb, "ItemSalesTaxRet", {"Name": "County Combined", "TaxRate": "7.5",
                                               "TaxVendorRef": {"ListID": agency[1]}})
    world.set(tax__code_map=f"{adopted}=County Combined, {missing}=Nowhere Tax")
    world.plan()
    world.sync_until_idle()
    in_qb = _by_ref(world)
    failed = failed_keys(world, "invoice.add")
    names = {r["Name"] for r in qb_records(qb, "ItemSalesTaxRet")}
    assert adopted not in names and "Nowhere Tax" not in names  # never created
    for inv in (i for i in expected if i.sales_tax):
        if inv.tax_code == adopted:
            assert inv.invoice_no in in_qb, failed.get(inv.key)
            rec = in_qb[inv.invoice_no]
            assert rec["InvoiceLineRet"][-1]["ItemRef"]["FullName"] == "County Combined"
            assert _qb_total(rec) == inv.total  # the item's own rate plays no part
        if inv.tax_code == missing:
            assert inv.invoice_no not in in_qb
            assert missing in failed[inv.key] and "sales tax item" in failed[inv.key]
    warnings = " ".join(w for j in jobs(world, "sales_tax.ensure") for w in j.warnings or [])
    assert "Nowhere Tax" in warnings and "tax.code_map" in warnings
    # The others went all the same.
    assert all(_qb_total(in_qb[i.invoice_no]) == i.total for i in expected
               if not i.sales_tax or i.tax_code != missing)


def test_a_company_without_sales_tax_refuses_taxed_invoices_with_the_reason(world):
    expected = _ordinary(world)
    world.qb().state.settings["using_sales_tax"] = False
    world.plan()
    world.sync_until_idle()
    in_qb = _by_ref(world)
    failed = failed_keys(world, "invoice.add")
    taxed = [i for i in expected if i.sales_tax]
    assert taxed
    for inv in taxed:
        assert inv.invoice_no not in in_qb
        assert "does not charge sales tax" in failed[inv.key] and str(inv.sales_tax) in failed[inv.key]
    untaxed = [i for i in expected if not i.sales_tax]
    assert untaxed and all(_qb_total(in_qb[i.invoice_no]) == i.total for i in untaxed)


def test_a_tax_code_missing_from_jobboss2_or_without_a_rate_fails_its_invoices_only(world):
    expected = _ordinary(world)
    codes = sorted({i.tax_code for i in expected if i.sales_tax})
    gone, no_rate = codes[0], codes[1]
    with sqlite3.connect(world.jobboss) as db:
        db.execute("DELETE FROM TaxCode WHERE TaxCode = ?", (gone,))
        db.execute("UPDATE TaxCode SET TaxFactor = NULL WHERE TaxCode = ?", (no_rate,))
    world.plan()
    world.sync_until_idle()
    in_qb = _by_ref(world)
    failed = failed_keys(world, "invoice.add")
    warnings = " ".join(w for j in jobs(world, "sales_tax.ensure") for w in j.warnings or [])
    assert f"tax code {gone!r} is not in JobBOSS2's TaxCode table" in warnings
    assert f"TaxCode {no_rate!r}: TaxFactor None" in warnings
    for inv in (i for i in expected if i.tax_code in (gone, no_rate) and i.sales_tax):
        assert inv.invoice_no not in in_qb and inv.tax_code in failed[inv.key]
    others = [i for i in expected if i.sales_tax and i.tax_code not in (gone, no_rate)]
    assert others and all(_qb_total(in_qb[i.invoice_no]) == i.total for i in others)


def test_a_total_quickbooks_computes_differently_is_said_on_the_record(world):
    """The 0 % item adopted by name holds another rate: QuickBooks adds tax of its own, and
    each invoice with taxable lines says both totals."""
    expected = _ordinary(world)
    qb = world.qb()
    agency = qb.state.find_by_name("names", "Tax Agency")
    create_list_record(qb, "ItemSalesTaxRet", {"Name": "JobBOSS2 Tax 0%", "TaxRate": "5",
                                               "TaxVendorRef": {"ListID": agency[1]}})
    world.plan()
    world.sync_until_idle()
    in_qb = _by_ref(world)
    warned = {j.source_key: " ".join(j.warnings or []) for j in jobs(world, "invoice.add")}
    checked = 0
    for inv in expected:
        rec = in_qb[inv.invoice_no]
        if Decimal(rec["SalesTaxTotal"]):
            assert (f"QuickBooks' total {_qb_total(rec)} differs from JobBOSS2's {inv.total}"
                    in warned[inv.invoice_no])
            checked += 1
        else:
            assert "differs" not in warned[inv.invoice_no]
    assert checked
