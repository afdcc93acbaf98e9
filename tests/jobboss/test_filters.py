"""Exported, date-range and changed-since filters select exactly the right records."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from qbwc_service.jobboss.reader import ALL, JobBossReader, TxnFilter

from .conftest import ANCHOR


def _keys(records) -> set[str]:
    return {r.key for r in records}


def test_only_unexported_counts_null_and_blank_as_not_exported(reader, raw):
    expected = {
        f"Billing:{r[0]}"
        for r in raw.execute("SELECT InvoiceNo FROM Billing WHERE Exported IS NULL OR Exported <> 'Y'")
    }
    flags = {r[0] for r in raw.execute("SELECT DISTINCT Exported FROM Billing")}
    assert {None, "", "N", "Y"} <= flags  # the demo has every kind of flag
    got = _keys(reader.ar_invoices(TxnFilter()))
    assert got == expected
    assert _keys(reader.ar_invoices(ALL)) - got == {
        f"Billing:{r[0]}" for r in raw.execute("SELECT InvoiceNo FROM Billing WHERE Exported = 'Y'")
    }
    for table, method, key in (
        ("DelTicket", "packing_list_invoices", "DelTicketNo"),
        ("VendorInv", "ap_invoices", None),
    ):
        if key:
            want = {
                f"{table}:{r[0]}"
                for r in raw.execute(f"SELECT {key} FROM {table} WHERE Exported IS NULL OR Exported <> 'Y'")
            }
        else:
            want = {
                f"VendorInv:{r[0]}/{r[1]}"
                for r in raw.execute(
                    "SELECT VendCode, InvoiceNo FROM VendorInv WHERE Exported IS NULL OR Exported <> 'Y'"
                )
            }
        assert _keys(getattr(reader, method)(TxnFilter())) == want


def test_date_range_is_inclusive(reader, raw):
    start, end = date(2025, 11, 3), date(2025, 11, 28)
    want = {
        f"Billing:{r[0]}"
        for r in raw.execute(
            "SELECT InvoiceNo FROM Billing WHERE date(InvDate) BETWEEN ? AND ?",
            (start.isoformat(), end.isoformat()),
        )
    }
    got = list(reader.ar_invoices(TxnFilter(date_from=start, date_to=end, only_unexported=False)))
    assert _keys(got) == want and want
    assert all(start <= i.txn_date <= end for i in got)
    one_day = list(reader.ar_invoices(TxnFilter(date_from=end, date_to=end, only_unexported=False)))
    assert one_day and all(i.txn_date == end for i in one_day)
    ap = list(reader.ap_invoices(TxnFilter(date_from=start, date_to=end, only_unexported=False)))
    assert _keys(ap) == {
        f"VendorInv:{r[0]}/{r[1]}"
        for r in raw.execute(
            "SELECT VendCode, InvoiceNo FROM VendorInv WHERE date(InvDate) BETWEEN ? AND ?",
            (start.isoformat(), end.isoformat()),
        )
    }


def test_attendance_date_range_on_text_dates(reader, raw):
    start, end = date(2026, 1, 5), date(2026, 1, 9)
    got = list(reader.attendance(TxnFilter(date_from=start, date_to=end, only_unexported=False)))
    want = [
        r
        for r in raw.execute("SELECT EmplCode, TicketDate FROM Attend")
        if start <= datetime.strptime(r[1], "%m/%d/%Y").date() <= end
    ]
    assert len(got) == len(want) > 0
    assert min(d.ticket_date for d in got) == start and max(d.ticket_date for d in got) == end
    unexported = list(reader.attendance(TxnFilter()))
    assert unexported and all(not d.exported for d in unexported)
    assert (
        len(unexported)
        == raw.execute("SELECT COUNT(*) FROM Attend WHERE Exported IS NULL OR Exported <> 'Y'").fetchone()[0]
    )


def test_filters_combine(reader):
    flt = TxnFilter(date_from=ANCHOR.replace(day=1), date_to=ANCHOR)
    got = list(reader.ar_invoices(flt))
    assert got and all(not i.exported and ANCHOR.replace(day=1) <= i.txn_date <= ANCHOR for i in got)


def test_changed_since_header_or_line(demo_copy):
    stamp = datetime(2026, 3, 1, 12, 0)
    with sqlite3.connect(demo_copy) as conn:
        conn.execute(
            "UPDATE Billing SET LastModDate = ? WHERE InvoiceNo IN ('INV-100003', 'INV-100400')",
            (stamp.strftime("%Y-%m-%d %H:%M:%S.%f"),),
        )
        conn.execute(
            "UPDATE BillingDet SET LastModDate = ? WHERE BillingDet_ID = "
            "(SELECT MIN(BillingDet_ID) FROM BillingDet WHERE InvoiceNo = 'INV-100777')",
            ("2026-03-02 08:00:00.000000",),
        )
        conn.execute(
            "UPDATE CustCode SET LastModDate = ? WHERE CustCode = 'TOKYO'", ("2026-03-01 12:00:00.000000",)
        )
    reader = JobBossReader(demo_copy)
    flt = TxnFilter(changed_since=stamp, only_unexported=False)
    got = list(reader.ar_invoices(flt))
    assert _keys(got) == {"Billing:INV-100003", "Billing:INV-100400", "Billing:INV-100777"}
    assert max(i.last_mod for i in got) == datetime(2026, 3, 2, 8, 0)
    later = TxnFilter(changed_since=datetime(2026, 3, 1, 12, 0, 1), only_unexported=False)
    assert _keys(reader.ar_invoices(later)) == {"Billing:INV-100777"}
    assert [c.cust_code for c in reader.customers(changed_since=stamp)] == ["TOKYO"]
    assert list(reader.vendors(changed_since=stamp)) == []
