"""Every entity reads correctly, with its lines and references, checked against plain SQL."""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from qbwc_service.jobboss.reader import ALL, JobBossReader, account_type, split_name
from qbwc_service.jobboss.records import ArInvoice
from qbwc_service.simulator.demo_db import HARD_CASES


def D(x) -> Decimal:  # noqa: N802
    return Decimal(repr(x)).quantize(Decimal("0.01"))


def test_every_billing_invoice_with_its_lines(reader, raw):
    invoices = {inv.invoice_no: inv for inv in reader.ar_invoices(ALL)}
    heads = raw.execute("SELECT * FROM Billing").fetchall()
    assert len(invoices) == len(heads) == 1000
    lines = Counter(r[0] for r in raw.execute("SELECT InvoiceNo FROM BillingDet"))
    for head in heads:
        inv = invoices[head["InvoiceNo"]]
        assert inv.source == "billing" and inv.key == f"Billing:{head['InvoiceNo']}"
        assert inv.cust_code == head["CustCode"]
        assert inv.total == D(head["InvoiceTotal"])
        assert inv.txn_date == datetime.fromisoformat(head["InvDate"]).date()
        assert len(inv.lines) == lines[head["InvoiceNo"]]
        assert [ln.line_no for ln in inv.lines] == sorted(ln.line_no for ln in inv.lines)
        assert inv.exported == (head["Exported"] == "Y")


def test_billing_lines_match_rows(reader, raw):
    inv = reader.ar_invoice("INV-100500")
    rows = raw.execute(
        "SELECT * FROM BillingDet WHERE InvoiceNo = 'INV-100500' ORDER BY InvItemNo"
    ).fetchall()
    assert [ln.part_no for ln in inv.lines] == [r["PartNo"] for r in rows]
    assert [ln.quantity for ln in inv.lines] == [Decimal(r["QtyShipped"]) for r in rows]
    assert [ln.amount for ln in inv.lines] == [D(r["LineTotal"]) for r in rows]
    assert [ln.unit_price for ln in inv.lines] == [D(r["UnitPrice"]) for r in rows]
    assert [ln.sales_acct for ln in inv.lines] == [r["SalesAcct"] for r in rows]
    head = raw.execute("SELECT * FROM Billing WHERE InvoiceNo = 'INV-100500'").fetchone()
    assert inv.sales_tax == D(head["SalesTaxChgs"]) and inv.shipping_charges == D(head["ShippingChgs"])
    assert inv.del_ticket_no == head["DelTicketNo"]
    assert (
        inv.total == sum((ln.amount for ln in inv.lines), Decimal(0)) + inv.shipping_charges + inv.sales_tax
    )


def test_zero_quantity_and_credit_lines(reader):
    lines = [ln for inv in reader.ar_invoices(ALL) for ln in inv.lines]
    assert any(ln.quantity == 0 and ln.amount == 0 for ln in lines)
    credits = [inv for inv in reader.ar_invoices(ALL) if inv.total < 0]
    assert credits and all(ln.quantity <= 0 for inv in credits for ln in inv.lines)


def test_packing_list_prices_from_order_line_then_part(reader, raw):
    order_price = {r[0]: r[1] for r in raw.execute("SELECT JobNo, UnitPrice FROM OrderDet")}
    part_price = {r[0]: r[1] for r in raw.execute("SELECT PartNo, Price1 FROM Estim")}
    seen = Counter()
    invoices = list(reader.packing_list_invoices(ALL))
    assert len(invoices) == raw.execute("SELECT COUNT(*) FROM DelTicket").fetchone()[0]
    for inv in invoices:
        assert inv.source == "packing_list" and inv.key == f"DelTicket:{inv.invoice_no}"
        for ln in inv.lines:
            if ln.job_no in order_price:
                assert ln.unit_price == D(order_price[ln.job_no])
                seen["order"] += 1
            elif part_price.get(ln.part_no) is not None:
                assert ln.unit_price == D(part_price[ln.part_no])
                seen["part"] += 1
            else:
                assert ln.unit_price is None and ln.amount == 0
                seen["none"] += 1
            if ln.unit_price is not None:
                assert ln.amount == (ln.quantity * ln.unit_price).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert seen["order"] and seen["part"]


def test_packing_list_takes_terms_and_tax_from_customer(reader, raw):
    inv = next(reader.packing_list_invoices(ALL))
    cust = raw.execute(
        "SELECT TermsCode, TaxCode FROM CustCode WHERE CustCode = ?", (inv.cust_code,)
    ).fetchone()
    assert (inv.terms_code, inv.tax_code) == (cust["TermsCode"], cust["TaxCode"])
    row = raw.execute("SELECT * FROM DelTicket WHERE DelTicketNo = ?", (inv.invoice_no,)).fetchone()
    assert inv.shipping_charges == D(row["ShippingChgs"]) + D(row["HandlingChg"])
    assert inv.lines and inv.total == sum((ln.amount for ln in inv.lines), Decimal(0)) + inv.shipping_charges


def test_ap_invoices_with_expense_lines_and_shared_number(reader, raw):
    bills = list(reader.ap_invoices(ALL))
    assert len(bills) == 300
    shared = [b for b in bills if b.invoice_no == HARD_CASES["shared_vendor_invoice_no"]]
    assert {b.vend_code for b in shared} == {"STEELCO", "FASTEN"}
    assert len({b.key for b in bills}) == 300
    for bill in shared:
        rows = raw.execute(
            "SELECT GLAcct, Amount FROM VendorInvDet WHERE VendCode = ? AND InvoiceNo = ?",
            (bill.vend_code, bill.invoice_no),
        ).fetchall()
        assert [(ln.gl_acct, ln.amount) for ln in bill.lines] == [(r[0], D(r[1])) for r in rows]
        assert bill.key == f"VendorInv:{bill.vend_code}/{bill.invoice_no}"
    assert reader.ap_invoice("FASTEN", "8841").vend_code == "FASTEN"


def test_receiver_costs_come_from_po_lines(reader, raw):
    cost = {
        (r[0], r[1]): (r[2], r[3]) for r in raw.execute("SELECT PONum, PartNo, UnitCost, GLCode FROM PODet")
    }
    bills = list(reader.receiver_bills(ALL))
    assert len(bills) == 300
    missing = 0
    for bill in bills:
        for ln in bill.lines:
            found = cost.get((bill.po_num, ln.part_no))
            if found is None:
                assert ln.unit_cost is None and ln.gl_code is None
                missing += 1
            else:
                assert ln.unit_cost == Decimal(repr(found[0])).quantize(
                    Decimal("0.00001")
                ).normalize() or ln.unit_cost == Decimal(repr(found[0])).quantize(Decimal("0.01"))
                assert ln.gl_code == found[1]
    assert missing >= 1  # the demo receives a part that is on no PO line


def test_receivers_exported_come_from_our_side(reader):
    first, second = list(reader.receiver_bills(ALL))[:2]
    unexported = {b.key for b in reader.receiver_bills(exported={first.key})}
    assert first.key not in unexported and second.key in unexported
    flagged = {b.key: b.exported for b in reader.receiver_bills(ALL, exported={first.key})}
    assert flagged[first.key] and not flagged[second.key]
    assert first.fingerprint() == replace(first, exported=True).fingerprint()


def test_attendance_days_and_punches(reader, raw):
    days = list(reader.attendance(ALL))
    assert len(days) == raw.execute("SELECT COUNT(*) FROM Attend").fetchone()[0]
    assert sum(len(d.punches) for d in days) == raw.execute("SELECT COUNT(*) FROM AttendDet").fetchone()[0]
    night = [
        d for d in days if d.empl_code == HARD_CASES["night_shift_employee"] and d.punches[0].attend_code == 1
    ]
    p = night[0].punches[0]
    assert p.clock_in == datetime.combine(night[0].ticket_date, datetime.min.time()) + timedelta(hours=22)
    assert p.clock_out == p.clock_in + timedelta(hours=8, minutes=30) and p.hours == Decimal("8.50")
    assert night[0].key == f"Attend:{HARD_CASES['night_shift_employee']}/{night[0].ticket_date.isoformat()}"
    vacation = [p for d in days for p in d.punches if p.attend_code == 4]
    assert vacation and all(p.hours == 8 and p.pay_rate_code == 5 for p in vacation)
    overtime = [p for d in days for p in d.punches if p.overtime]
    assert overtime and all(p.pay_rate_code == 2 for p in overtime)


def test_adjusted_times_win_over_actual(reader, raw):
    row = raw.execute("SELECT * FROM AttendDet WHERE AdjClockInTime IS NOT NULL").fetchone()
    day = reader.attendance_day(row["EmplCode"], datetime.strptime(row["TicketDate"], "%m/%d/%Y").date())
    adjusted = [p for p in day.punches if p.comments and "fixed" in p.comments]
    assert adjusted[0].hours == Decimal("4.00")
    assert adjusted[0].clock_out - adjusted[0].clock_in == timedelta(hours=4)


def test_customers_with_hard_cases(reader):
    customers = {c.cust_code: c for c in reader.customers()}
    assert len(customers) == 50
    long = customers[HARD_CASES["long_name_customer"]]
    assert len(long.name) > 41 and long.qb_name == long.name
    with_qb = customers[HARD_CASES["long_name_with_qb_name"]]
    assert len(with_qb.name) > 41 and with_qb.qb_name == "Intl Fabrication & Welding"
    assert (
        customers["TOKYO"].name == "東京精密工業株式会社"
        and customers["TOKYO"].qb_name == "Tokyo Seimitsu Kogyo"
    )
    assert customers["LODZ"].name.startswith("Łódź")
    assert customers["BESTFIX"].name == 'The "Best" Fixture Co.'
    twins = {customers[c].name for c in HARD_CASES["case_and_space_twins"]}
    assert len(twins) == 3 and len({n.lower().replace(" ", "") for n in twins}) == 1
    bare = customers["BARE"]
    assert bare.terms_code is None and bare.phone is None and bare.address.line1 is None and bare.active
    assert customers["SMITHFAB"].name == "Smith Fabrication" and customers["SMITHFAB"].contact == "Joe Smith"
    defunct = customers["DEFUNCT"]
    assert not defunct.active
    assert any(inv.cust_code == "DEFUNCT" for inv in reader.ar_invoices(ALL))


def test_customer_lookup_and_codes(reader):
    assert reader.customer("ACME").name == "Acme Tool & Die"
    assert reader.customer("NOPE") is None
    assert {c.cust_code for c in reader.customers(codes=["ACME", "ACME2", "NOPE"])} == {"ACME", "ACME2"}


def test_vendors_employees_parts(reader, raw):
    vendors = {v.vend_code: v for v in reader.vendors()}
    assert len(vendors) == 30
    assert vendors["DANGELO"].is_1099 and vendors["DANGELO"].tax_id == "12-3456789"
    assert not vendors["OLDVEND"].active and vendors["QUEBEC"].name == "Aciers Québec Ltée"
    assert vendors["LONGV"].qb_name == "Consolidated Industrial Abrasives"
    employees = {e.empl_code: e for e in reader.employees()}
    assert len(employees) == 20
    assert (employees[1].first_name, employees[1].last_name) == ("Maria", "Garcia")
    assert (employees[2].first_name, employees[2].last_name) == ("John", "Smith")
    assert (employees[10].first_name, employees[10].last_name) == (None, "Madonna")
    assert not employees[HARD_CASES["inactive_employee"]].active
    rates = raw.execute("SELECT Rate1, Rate2, Rate3 FROM EmplCode WHERE EmplCode = 5").fetchone()
    assert employees[5].pay_rates[1] == D(rates[0]) and 3 not in employees[5].pay_rates
    parts = {p.part_no: p for p in reader.parts()}
    assert len(parts) == 200
    assert parts[HARD_CASES["part_without_price"]].price is None
    assert "\n" in parts[HARD_CASES["part_without_price"]].description
    assert parts[HARD_CASES["long_part_no"]].price == Decimal("1875.50")


def test_small_lists_and_company(reader):
    terms = {t.code: t for t in reader.terms()}
    assert terms["2%10NET30"].disc_pct == Decimal("2.00") and terms["2%10NET30"].net_due_days == 30
    taxes = {t.code: t for t in reader.tax_codes()}
    assert taxes["TX-TRAVIS"].rate == Decimal("8.25") and taxes["EXEMPT"].rate == 0
    accounts = {a.number: a for a in reader.gl_accounts()}
    assert accounts["1100"].account_type == "AccountsReceivable"
    assert accounts["5000"].account_type == "CostOfGoodsSold" and not accounts["6999"].active
    assert accounts["8000"].account_type == "OtherIncome"
    company = reader.company_defaults()
    assert (company.ar_acct, company.ap_acct, company.freight_acct, company.sales_tax_acct) == (
        "1100",
        "2000",
        "4100",
        "2100",
    )
    assert company.payroll_items == {
        1: "Hourly Regular",
        2: "Hourly Overtime",
        3: "Hourly Double Time",
        4: "Holiday Pay",
        5: "Vacation Pay",
    }


def test_helpers():
    assert split_name("Kowalski, Łukasz") == ("Łukasz", "Kowalski")
    assert split_name("Robert J. Miller") == ("Robert J.", "Miller")
    assert account_type("4000", None) == "Income"
    assert account_type("1000", "AP") == "AccountsPayable"


def test_keys_fingerprints_and_get(reader):
    inv = reader.ar_invoice("INV-100010")
    assert reader.get(inv.key) == inv
    assert inv.fingerprint() == reader.ar_invoice("INV-100010").fingerprint()
    assert len(inv.fingerprint()) == 16
    assert replace(inv, exported=not inv.exported, last_mod=None).fingerprint() == inv.fingerprint()
    changed = replace(
        inv, lines=inv.lines[:-1] + (replace(inv.lines[-1], quantity=inv.lines[-1].quantity + 1),)
    )
    assert changed.fingerprint() != inv.fingerprint()
    assert isinstance(reader.get("DelTicket:DT300010"), ArInvoice)
    assert reader.get("CustCode:ACME").cust_code == "ACME"
    assert reader.get("Estim:" + HARD_CASES["long_part_no"]).part_no == HARD_CASES["long_part_no"]
    day = next(reader.attendance(ALL))
    assert reader.get(day.key) == day
    bill = next(reader.ap_invoices(ALL))
    assert reader.get(bill.key) == bill
    assert reader.get("Billing:NOPE") is None


@pytest.mark.parametrize("chunk", [1, 7, 333])
def test_chunk_size_does_not_change_results(demo_path, reader, chunk):
    small = JobBossReader(demo_path, chunk_size=chunk)
    assert [i.fingerprint() for i in small.ap_invoices(ALL)] == [
        i.fingerprint() for i in reader.ap_invoices(ALL)
    ]
    assert [c.key for c in small.customers()] == [c.key for c in reader.customers()]
    if chunk > 1:
        assert list(small.ar_invoices(ALL)) == list(reader.ar_invoices(ALL))


def _stripped(value):
    return value.strip() or None if isinstance(value, str) else value


@pytest.mark.parametrize("sql,key,read,columns", [
    ("SELECT * FROM CustCode", "CustCode", lambda r, k: r.customer(k),
     ("BAddr1", "BAddr2", "BCity", "BState", "BZIPCode", "BCountry")),
    ("SELECT * FROM VendCode", "VendCode", lambda r, k: r.vendor(k),
     ("RAddr1", "RAddr2", "RCity", "RState", "RZipCode", "RCountry")),
    ("SELECT * FROM EmplCode", "EmplCode", lambda r, k: r.employee(k),
     ("Addr1", None, "City", "State", "ZIPCode", None)),
    ("SELECT * FROM Billing LIMIT 40", "InvoiceNo", lambda r, k: r.ar_invoice(k),
     ("SAddr1", "SAddr2", "SCity", "SSt", "SZip", "Country")),
    ("SELECT * FROM DelTicket LIMIT 40", "DelTicketNo", lambda r, k: r.packing_list_invoice(k),
     ("ShipAddr1", "ShipAddr2", "ShipCity", "ShipSt", "ShipZIP", "Country")),
])
def test_addresses_come_from_their_own_columns(reader, raw, sql, key, read, columns):
    rows = raw.execute(sql).fetchall()
    assert rows
    for row in rows:
        record = read(reader, row[key])
        address = getattr(record, "address", None) or record.ship_address
        got = (address.line1, address.line2, address.city, address.state, address.postal_code,
               address.country)
        assert got == tuple(None if c is None else _stripped(row[c]) for c in columns), row[key]


def test_packing_line_amount_rounds_half_up(demo_copy):
    """A priced line's amount rounds half a cent up, as every other amount of the service does."""
    import sqlite3

    with sqlite3.connect(demo_copy) as conn:
        dt_no, job = conn.execute(
            "SELECT d.DelTicketNo, d.JobNo FROM DelTicketDet d JOIN OrderDet o ON o.JobNo = d.JobNo "
            "ORDER BY d.DelTicketDet_ID LIMIT 1"
        ).fetchone()
        conn.execute("UPDATE DelTicketDet SET Qty2Ship = 1 WHERE JobNo = ?", (job,))
        conn.execute("UPDATE OrderDet SET UnitPrice = 1.125 WHERE JobNo = ?", (job,))
    line = next(ln for ln in JobBossReader(demo_copy).packing_list_invoice(dt_no).lines if ln.job_no == job)
    assert (line.unit_price, line.amount) == (Decimal("1.125"), Decimal("1.13"))


def test_a_customers_currency_is_read_with_it_and_with_its_invoices(demo_copy):
    reader = JobBossReader(demo_copy)
    inv = reader.ar_invoice("INV-100500")
    assert inv.customer_currency == reader.customer(inv.cust_code).currency_code == "USD"
    with sqlite3.connect(demo_copy) as db:
        db.execute("UPDATE CustCode SET CurrencyCode = 'CAD' WHERE CustCode = ?", (inv.cust_code,))
    assert reader.customer(inv.cust_code).currency_code == "CAD"
    assert reader.ar_invoice("INV-100500").customer_currency == "CAD"
    packing = next(p for p in reader.packing_list_invoices(ALL))
    assert packing.customer_currency == ("CAD" if packing.cust_code == inv.cust_code else "USD")
