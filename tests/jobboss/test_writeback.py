"""Write-back changes exactly the intended columns of exactly the intended rows; Set Begin."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest

from qbwc_service.jobboss.reader import ALL, JobBossReader
from qbwc_service.jobboss.writeback import JobBossWriter, RecordNotFound

TABLES = (
    "Billing",
    "BillingDet",
    "DelTicket",
    "DelTicketDet",
    "OrderDet",
    "VendorInv",
    "VendorInvDet",
    "Receiver",
    "ReceiverDet",
    "PODet",
    "Attend",
    "AttendDet",
    "CustCode",
    "VendCode",
    "EmplCode",
    "Estim",
    "Terms",
    "GLAccounts",
    "TaxCode",
    "Company",
    "TimeTicket",
)


def snapshot(path: Path) -> dict[tuple[str, int], dict]:
    """Every row of every table, by (table, identity key)."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    rows = {}
    for table in TABLES:
        for row in conn.execute(f'SELECT * FROM "{table}"'):
            rows[(table, row[f"{table}_ID"])] = dict(row)
    conn.close()
    return rows


def diff(before: dict, after: dict) -> dict[tuple[str, int], set[str]]:
    """(table, id) -> names of the columns that changed."""
    assert before.keys() == after.keys()
    out = {}
    for key, row in before.items():
        changed = {col for col, val in row.items() if after[key][col] != val}
        if changed:
            out[key] = changed
    return out


def row_id(path: Path, sql: str, *args) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql, args).fetchone()[0]


def test_mark_exported_touches_only_the_flag(demo_copy):
    inv = row_id(demo_copy, "SELECT InvoiceNo FROM Billing WHERE Exported IS NULL LIMIT 1")
    ident = row_id(demo_copy, "SELECT Billing_ID FROM Billing WHERE InvoiceNo = ?", inv)
    before = snapshot(demo_copy)
    writer = JobBossWriter(demo_copy)
    assert writer.mark_exported("Billing", f"Billing:{inv}") is True
    after = snapshot(demo_copy)
    assert diff(before, after) == {("Billing", ident): {"Exported"}}
    assert after[("Billing", ident)]["Exported"] == "Y"
    assert writer.mark_exported("ar_invoice", inv) is False  # idempotent
    assert snapshot(demo_copy) == after


@pytest.mark.parametrize("entity", ["DelTicket", "VendorInv", "Attend"])
def test_mark_exported_other_transactions(demo_copy, entity):
    reader = JobBossReader(demo_copy)
    record = next(
        {
            "DelTicket": reader.packing_list_invoices,
            "VendorInv": reader.ap_invoices,
            "Attend": reader.attendance,
        }[entity]()
    )
    before = snapshot(demo_copy)
    assert JobBossWriter(demo_copy).mark_exported(entity, record) is True
    changes = diff(before, snapshot(demo_copy))
    assert len(changes) == 1
    (table, _), cols = next(iter(changes.items()))
    assert table == entity and cols == {"Exported"}
    assert reader.get(record.key).exported
    assert record.key not in {
        r.key
        for r in getattr(
            reader,
            {"DelTicket": "packing_list_invoices", "VendorInv": "ap_invoices", "Attend": "attendance"}[
                entity
            ],
        )()
    }


def test_receivers_have_no_flag_to_write(demo_copy):
    before = snapshot(demo_copy)
    assert JobBossWriter(demo_copy).mark_exported("Receiver", "Receiver:R500001") is False
    assert snapshot(demo_copy) == before


def test_unknown_record_raises(demo_copy):
    writer = JobBossWriter(demo_copy)
    with pytest.raises(RecordNotFound):
        writer.mark_exported("Billing", "INV-NOPE")
    with pytest.raises(RecordNotFound):
        writer.mark_paid("VendorInv", ("NOPE", "1"), date(2026, 1, 1), "P")
    with pytest.raises(ValueError):
        writer.mark_exported("Billing", "VendorInv:A/1")
    with pytest.raises(ValueError):
        writer.mark_paid("DelTicket", "DT300001", date(2026, 1, 1), "P")


@pytest.mark.parametrize("entity", ["Billing", "VendorInv"])
def test_mark_paid_sets_exactly_three_columns(demo_copy, entity):
    if entity == "Billing":
        key = row_id(demo_copy, "SELECT InvoiceNo FROM Billing WHERE AmtPaidSoFar = 0 LIMIT 1")
        ident = row_id(demo_copy, "SELECT Billing_ID FROM Billing WHERE InvoiceNo = ?", key)
    else:
        with sqlite3.connect(demo_copy) as conn:
            ident, vend, inv = conn.execute(
                "SELECT VendorInv_ID, VendCode, InvoiceNo FROM VendorInv WHERE AmtPaidSoFar = 0 LIMIT 1"
            ).fetchone()
        key = f"VendorInv:{vend}/{inv}"
    before = snapshot(demo_copy)
    writer = JobBossWriter(demo_copy)
    assert writer.mark_paid(entity, key, date(2026, 2, 3), "X") is True
    after = snapshot(demo_copy)
    assert diff(before, after) == {(entity, ident): {"AmtPaidSoFar", "PymtDate", "PymtStatus"}}
    row = after[(entity, ident)]
    assert row["AmtPaidSoFar"] == row["InvoiceTotal"] and row["PymtStatus"] == "X"
    assert datetime.fromisoformat(row["PymtDate"]) == datetime(2026, 2, 3)
    assert writer.mark_paid(entity, key, date(2026, 2, 3), "X") is False
    assert snapshot(demo_copy) == after


def test_set_begin_marks_exactly_the_older_transactions(demo_copy):
    before_day = date(2026, 1, 20)
    before = snapshot(demo_copy)
    counts = JobBossWriter(demo_copy).set_begin(before_day)
    changes = diff(before, snapshot(demo_copy))
    assert all(cols == {"Exported"} for cols in changes.values())
    date_cols = {"Billing": "InvDate", "DelTicket": "ShipDate", "VendorInv": "InvDate"}
    expected = set()
    for (table, ident), row in before.items():
        if row.get("Exported") == "Y" or table not in (*date_cols, "Attend"):
            continue
        if table == "Attend":
            day = datetime.strptime(row["TicketDate"], "%m/%d/%Y").date()
        else:
            day = datetime.fromisoformat(row[date_cols[table]]).date()
        if day < before_day:
            expected.add((table, ident))
    assert set(changes) == expected
    assert counts == {
        t: sum(1 for k in expected if k[0] == t) for t in ("Billing", "DelTicket", "VendorInv", "Attend")
    }
    assert all(counts.values())
    reader = JobBossReader(demo_copy)
    assert all(i.txn_date >= before_day for i in reader.ar_invoices())
    assert all(d.ticket_date >= before_day for d in reader.attendance())
    assert JobBossWriter(demo_copy).set_begin(before_day) == dict.fromkeys(counts, 0)


def test_set_begin_leaves_newer_records_readable(demo_copy):
    reader = JobBossReader(demo_copy)
    newer = {i.key for i in reader.ar_invoices() if i.txn_date >= date(2026, 1, 15)}
    JobBossWriter(demo_copy).set_begin(date(2026, 1, 15))
    assert {i.key for i in reader.ar_invoices()} == newer
    assert len(list(reader.ar_invoices(ALL))) == 1000


# ---------------------------------------------------------------- batch write-backs


def _unpaid_keys(path: Path, table: str, n: int) -> list[str]:
    """Keys of the first ``n`` unexported rows that JobBOSS2 does not hold as paid in full."""
    return [k for k in _keys(path, table, 200) if not _is_paid(path, table, k)][:n]


def _is_paid(path: Path, table: str, key: str) -> bool:
    natural = key.split(":", 1)[1]
    where, args = (("InvoiceNo = ?", (natural,)) if table == "Billing"
                   else ("VendCode = ? AND InvoiceNo = ?", tuple(natural.split("/", 1))))
    with sqlite3.connect(path) as conn:
        paid, total = conn.execute(f"SELECT AmtPaidSoFar, InvoiceTotal FROM {table} WHERE {where}",
                                   args).fetchone()
    if paid is None or total is None:
        return False
    return paid >= total if total >= 0 else paid <= total  # a credit is paid when it reaches its total


def _keys(path: Path, table: str, n: int, only_unexported: bool = True) -> list[str]:
    """Record keys of the first ``n`` rows of ``table`` (unexported ones only by default)."""
    where = "WHERE Exported IS NULL OR Exported NOT IN ('Y', 'y')" if only_unexported else ""
    conn = sqlite3.connect(path)
    if table == "Billing":
        rows = [f"Billing:{inv}" for (inv,) in conn.execute(
            f"SELECT InvoiceNo FROM Billing {where} ORDER BY Billing_ID LIMIT ?", (n,))]
    else:
        rows = [f"VendorInv:{vend}/{inv}" for vend, inv in conn.execute(
            f"SELECT VendCode, InvoiceNo FROM VendorInv {where} ORDER BY VendorInv_ID LIMIT ?", (n,))]
    conn.close()
    return rows


def _ids_of(path: Path, table: str, keys: list[str]) -> set[tuple[str, int]]:
    conn = sqlite3.connect(path)
    out = set()
    for key in keys:
        natural = key.split(":", 1)[1]
        if table == "Billing":
            found = conn.execute("SELECT Billing_ID FROM Billing WHERE InvoiceNo = ?", (natural,))
        else:
            vend, inv = natural.split("/", 1)
            found = conn.execute("SELECT VendorInv_ID FROM VendorInv WHERE VendCode = ? AND "
                                 "InvoiceNo = ?", (vend, inv))
        out.update((table, ident) for (ident,) in found)
    conn.close()
    return out


@pytest.mark.parametrize("table", ["Billing", "VendorInv"])
def test_mark_exported_many_touches_only_the_flags_of_those_rows(demo_copy, table):
    keys = _keys(demo_copy, table, 250, only_unexported=False)  # more than one match statement
    writer = JobBossWriter(demo_copy)
    writer.mark_exported(table, _keys(demo_copy, table, 1)[0])  # already exported: not rewritten
    todo = [k for k in keys if k in set(_keys(demo_copy, table, 1000))]
    assert len(keys) == 250 and 0 < len(todo) < 250
    before = snapshot(demo_copy)
    missing = f"{table}:NOPE/1" if table == "VendorInv" else "Billing:INV-NOPE"
    result = writer.mark_exported_many(table, [*keys, missing])
    after = snapshot(demo_copy)
    changes = diff(before, after)
    assert set(changes) == _ids_of(demo_copy, table, todo)
    assert all(cols == {"Exported"} for cols in changes.values())
    assert all(after[k]["Exported"] == "Y" for k in changes)
    assert result.changed == todo
    assert result.unchanged == [k for k in keys if k not in todo]
    assert result.missing == [missing]
    again = writer.mark_exported_many(table, keys)  # idempotent
    assert again.changed == [] and again.unchanged == keys
    assert snapshot(demo_copy) == after


def test_mark_exported_many_attendance_and_packing_lists(demo_copy):
    reader = JobBossReader(demo_copy)
    days = [d.key for _, d in zip(range(5), reader.attendance(), strict=False)]
    tickets = [t.key for _, t in zip(range(5), reader.packing_list_invoices(), strict=False)]
    before = snapshot(demo_copy)
    writer = JobBossWriter(demo_copy)
    assert writer.mark_exported_many("Attend", days).changed == days
    assert writer.mark_exported_many("DelTicket", tickets).changed == tickets
    changes = diff(before, snapshot(demo_copy))
    assert {t for t, _ in changes} == {"Attend", "DelTicket"}
    assert all(cols == {"Exported"} for cols in changes.values())
    # the same rows the one-by-one writer would have marked
    one_by_one = JobBossWriter(demo_copy)
    assert not any(one_by_one.mark_exported("Attend", d) for d in days)
    assert not any(one_by_one.mark_exported("DelTicket", t) for t in tickets)
    assert sum(1 for t, _ in changes if t == "DelTicket") == len(tickets)
    exported_days = {d.key for d in reader.attendance()}
    assert not exported_days & set(days)


def test_mark_exported_many_receivers_and_bad_keys(demo_copy):
    before = snapshot(demo_copy)
    writer = JobBossWriter(demo_copy)
    result = writer.mark_exported_many("Receiver", ["Receiver:R500001"])
    assert result.unchanged == ["Receiver:R500001"] and not result.changed
    with pytest.raises(ValueError):  # nothing is written when one key is malformed
        writer.mark_exported_many("Billing", [*_keys(demo_copy, "Billing", 3),
                                              "VendorInv:A/1"])
    assert snapshot(demo_copy) == before


@pytest.mark.parametrize("table", ["Billing", "VendorInv"])
def test_mark_paid_many_sets_exactly_three_columns(demo_copy, table):
    keys = _unpaid_keys(demo_copy, table, 20)
    writer = JobBossWriter(demo_copy)
    assert writer.mark_paid(table, keys[0], date(2026, 2, 3), "X") is True
    before = snapshot(demo_copy)
    result = writer.mark_paid_many(table, keys, date(2026, 2, 3), "X")
    after = snapshot(demo_copy)
    changes = diff(before, after)
    assert set(changes) == _ids_of(demo_copy, table, keys[1:])
    assert all(cols <= {"AmtPaidSoFar", "PymtDate", "PymtStatus"} and "PymtStatus" in cols
               for cols in changes.values())
    for ident in changes:
        row = after[ident]
        assert row["AmtPaidSoFar"] == row["InvoiceTotal"] and row["PymtStatus"] == "X"
        assert datetime.fromisoformat(row["PymtDate"]) == datetime(2026, 2, 3)
    assert result.changed == keys[1:] and result.unchanged == [keys[0]] and not result.missing
    assert writer.mark_paid_many(table, keys, date(2026, 2, 3), "X").unchanged == keys
    assert snapshot(demo_copy) == after
    with pytest.raises(ValueError):
        writer.mark_paid_many("DelTicket", ["DT300001"], date(2026, 1, 1), "P")


def test_mark_paid_with_null_total_is_idempotent(demo_copy):
    key = row_id(demo_copy, "SELECT InvoiceNo FROM Billing WHERE AmtPaidSoFar = 0 LIMIT 1")
    with sqlite3.connect(demo_copy) as conn:
        conn.execute("UPDATE Billing SET InvoiceTotal = NULL WHERE InvoiceNo = ?", (key,))
    writer = JobBossWriter(demo_copy)
    assert writer.mark_paid("Billing", key, date(2026, 2, 3), "P") is True
    assert writer.mark_paid("Billing", key, date(2026, 2, 3), "P") is False
    assert writer.mark_paid_many("Billing", [key], date(2026, 2, 3), "P").unchanged == [key]
    with sqlite3.connect(demo_copy) as conn:
        paid = conn.execute("SELECT AmtPaidSoFar, PymtStatus FROM Billing WHERE InvoiceNo = ?", (key,))
        assert paid.fetchone() == (0.0, "P")


@pytest.mark.parametrize("table", ["Billing", "VendorInv"])
def test_mark_paid_never_touches_what_jobboss2_holds_as_paid(demo_copy, table):
    """An invoice paid in JobBOSS2 keeps its real payment date, amount and status."""
    keys = _keys(demo_copy, table, 200)
    paid = [k for k in keys if _is_paid(demo_copy, table, k)]
    unpaid = [k for k in keys if not _is_paid(demo_copy, table, k)]
    assert paid and unpaid
    before = snapshot(demo_copy)
    result = JobBossWriter(demo_copy).mark_paid_many(table, paid + unpaid[:3], date(2026, 2, 3), "X")
    changes = diff(before, snapshot(demo_copy))
    assert set(changes) == _ids_of(demo_copy, table, unpaid[:3])
    assert result.unchanged == paid and result.changed == unpaid[:3]
    assert JobBossWriter(demo_copy).mark_paid(table, paid[0], date(2026, 2, 3), "X") is False
