"""Documents changed or deleted in JobBOSS2 after export: listed; with
``options.update_exported`` sent as Mods, end to end through the QuickBooks stand-in."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text

from qbwc_service.queue.models import AuditEvent, Job
from qbwc_service.sync import reports
from qbwc_service.sync.planning import idmap
from sync.helpers import jobs, qb_records, ref_counts

TEN = Decimal("10.00")


def _edit(world: Any, sql: str, **params: Any) -> None:
    """Change the JobBOSS2 database behind the service's back, as a person in JobBOSS2 would."""
    engine = create_engine(f"sqlite:///{world.jobboss}")
    with engine.begin() as conn:
        conn.execute(text(sql), params)
    engine.dispose()


def _events(world: Any, event: str) -> list[AuditEvent]:
    with world.sessions() as db:
        return list(db.scalars(select(AuditEvent).where(AuditEvent.event == event)
                               .order_by(AuditEvent.id)))


def _exported(world: Any, kind: str, ret: str, read: Any, total_field: str) -> tuple[Any, Job]:
    """A document the sync sent, flagged exported, whose QuickBooks total is JobBOSS2's, with
    a line that is not a text line."""
    for job in jobs(world, kind):
        if job.status != "done":
            continue
        record = read(job)
        held = world.quickbooks.state.get(ret, job.qb_txn_id)
        if (record.exported and Decimal(held[total_field]) == record.total
                and any(line.amount > 0 and not getattr(line, "disc_pct", None)
                        for line in record.lines)):
            return record, job
    raise AssertionError(f"no exported {kind} document to change")


def _exported_invoice(world: Any) -> tuple[Any, Job]:
    return _exported(world, "invoice.add", "InvoiceRet",
                     lambda job: world.reader.ar_invoice(job.source_key), "BalanceRemaining")


def _raise_invoice(world: Any, inv: Any, by: Decimal) -> None:
    """Raise an invoice's first priced line and its total by ``by``."""
    line = next(line for line in inv.lines if line.amount > 0 and not line.disc_pct)
    _edit(world, "UPDATE BillingDet SET LineTotal = LineTotal + :by WHERE InvoiceNo = :n "
                 "AND InvItemNo = :item", by=float(by), n=inv.invoice_no, item=line.line_no)
    _edit(world, "UPDATE Billing SET InvoiceTotal = InvoiceTotal + :by WHERE InvoiceNo = :n",
          by=float(by), n=inv.invoice_no)
    assert world.reader.ar_invoice(inv.invoice_no).total == inv.total + by


def _synced(world: Any, **settings: str) -> None:
    world.set(**settings)
    world.plan()
    world.sync_until_idle()


def test_an_invoice_changed_after_export_is_listed_and_quickbooks_keeps_what_was_sent(world):
    _synced(world, items__vendor_invoices="false")
    inv, job = _exported_invoice(world)
    # A payment recorded in JobBOSS2 changes nothing QuickBooks holds.
    _edit(world, "UPDATE Billing SET AmtPaidSoFar = InvoiceTotal WHERE InvoiceNo = :n",
          n=inv.invoice_no)
    assert world.plan().changed_after_export == 0
    _raise_invoice(world, inv, TEN)

    result = world.plan()

    assert result.changed_after_export == 1
    assert ("1 documents changed in JobBOSS2 after export (listed in the next run's report)"
            in result.lines())
    assert world.plan().changed_after_export == 0  # listed once per version
    assert not jobs(world, "invoice.mod")  # options.update_exported is off
    (event,) = _events(world, "changed_after_export")
    assert (event.record_key, event.job_id) == (inv.key, job.id)
    assert f"total {inv.total} -> {inv.total + TEN}" in event.detail
    assert "also lines" in event.detail and "options.update_exported is off" in event.detail
    held = world.quickbooks.state.get("InvoiceRet", job.qb_txn_id)
    assert Decimal(held["BalanceRemaining"]) == inv.total


def test_with_update_exported_a_changed_invoice_is_modified_in_quickbooks_not_added(world):
    _synced(world, items__vendor_invoices="false", options__update_exported="true")
    inv, job = _exported_invoice(world)
    count = len(qb_records(world.quickbooks, "InvoiceRet"))
    ref = world.quickbooks.state.get("InvoiceRet", job.qb_txn_id)["RefNumber"]
    _raise_invoice(world, inv, TEN)

    result = world.plan()
    assert result.changed_after_export == 1 and result.planned == {"invoice.mod": 1}
    world.sync_until_idle()

    (mod,) = jobs(world, "invoice.mod")
    assert mod.status == "done", mod.error_message
    held = world.quickbooks.state.get("InvoiceRet", job.qb_txn_id)
    assert Decimal(held["BalanceRemaining"]) == inv.total + TEN
    assert len(qb_records(world.quickbooks, "InvoiceRet")) == count
    assert ref_counts(world.quickbooks, "InvoiceRet")[ref] == 1
    with world.sessions() as db:
        known = idmap.lookup(db, job.user_id, "invoice", inv.key)
        assert (known.qb_id, known.source_version) == (job.qb_txn_id, mod.source_version)
        assert known.edit_sequence == held["EditSequence"]
        run_id = db.scalar(select(AuditEvent.run_id).where(AuditEvent.job_id == mod.id,
                                                           AuditEvent.event == "updated"))
        report = reports.build_report(db, run_id)
    # The run that sent it lists it as changed after export, and counts it updated.
    listed = [(i.outcome, i.record_key) for i in report.items["warnings"]]
    assert ("changed_after_export", inv.key) in listed
    assert report.counts["ar"]["updated"] == 1
    assert "1 changed after export" in reports.summary_line(report)
    again = world.plan()  # QuickBooks holds this version now
    assert again.changed_after_export == 0 and not again.planned


@pytest.mark.parametrize("stale_times", [1, 2])
def test_an_edit_sequence_gone_stale_before_the_mod_is_read_again_once(world, monkeypatch,
                                                                       stale_times):
    _synced(world, items__vendor_invoices="false", options__update_exported="true")
    inv, job = _exported_invoice(world)
    _raise_invoice(world, inv, TEN)
    world.plan()
    qb = world.quickbooks
    stale: list[str] = []
    process = qb.process

    def someone_edits_first(request: str) -> str:
        # A person saves the invoice in QuickBooks between the service's read and its Mod.
        if "<InvoiceModRq" in request and len(stale) < stale_times:
            stale.append(qb.state.get("InvoiceRet", job.qb_txn_id)["EditSequence"])
            qb.alter("InvoiceRet", job.qb_txn_id, Other="edited in QuickBooks")
        return process(request)

    monkeypatch.setattr(qb, "process", someone_edits_first)
    world.sync_until_idle()

    (mod,) = jobs(world, "invoice.mod")
    held = qb.state.get("InvoiceRet", job.qb_txn_id)
    assert len(stale) == stale_times
    rereads = [e for e in _events(world, "requeued") if e.job_id == mod.id
               and e.detail == "EditSequence out of date: reading it again"]
    assert len(rereads) == 1  # read again once, never more
    if stale_times == 1:
        assert mod.status == "done", mod.error_message
        assert Decimal(held["BalanceRemaining"]) == inv.total + TEN
        return
    assert mod.status == "error" and mod.error_code == "3200"
    first, second = stale
    assert first != second
    assert f"EditSequence {first} was out of date, and so was {second}" in mod.error_message
    assert Decimal(held["BalanceRemaining"]) == inv.total  # nothing changed


def test_a_bill_changed_after_export_is_modified_with_update_exported(world):
    _synced(world, items__customer_billing="false", options__update_exported="true")
    bill, job = _exported(world, "bill.add", "BillRet", lambda j: world.reader.ap_invoice(
        *j.source_key.split("/", 1)), "AmountDue")
    _edit(world, "UPDATE VendorInvDet SET Amount = Amount + 10 WHERE rowid = (SELECT min(rowid) "
                 "FROM VendorInvDet WHERE VendCode = :v AND InvoiceNo = :n AND Amount > 0)",
          v=bill.vend_code, n=bill.invoice_no)
    _edit(world, "UPDATE VendorInv SET InvoiceTotal = InvoiceTotal + 10 WHERE VendCode = :v "
                 "AND InvoiceNo = :n", v=bill.vend_code, n=bill.invoice_no)
    count = len(qb_records(world.quickbooks, "BillRet"))
    old_lines = {line["TxnLineID"] for line in
                 world.quickbooks.state.get("BillRet", job.qb_txn_id)["ExpenseLineRet"]}

    result = world.plan()
    assert result.changed_after_export == 1 and result.planned == {"bill.mod": 1}
    world.sync_until_idle()

    (mod,) = jobs(world, "bill.mod")
    assert mod.status == "done", mod.error_message
    held = world.quickbooks.state.get("BillRet", job.qb_txn_id)
    assert Decimal(held["AmountDue"]) == bill.total + TEN
    lines = held["ExpenseLineRet"]
    assert sum(Decimal(line["Amount"]) for line in lines) == bill.total + TEN
    assert not old_lines & {line["TxnLineID"] for line in lines}  # replaced, not added to
    assert len(qb_records(world.quickbooks, "BillRet")) == count


def test_an_invoice_deleted_after_export_is_listed_never_deleted_in_quickbooks(world):
    _synced(world, items__vendor_invoices="false")
    inv, job = _exported_invoice(world)
    _edit(world, "DELETE FROM BillingDet WHERE InvoiceNo = :n", n=inv.invoice_no)
    _edit(world, "DELETE FROM Billing WHERE InvoiceNo = :n", n=inv.invoice_no)

    result = world.plan()

    assert result.deleted_after_export == 1 and result.changed_after_export == 0
    assert world.plan().deleted_after_export == 0  # listed once
    (event,) = _events(world, "deleted_after_export")
    assert (event.record_key, event.job_id) == (inv.key, job.id)
    assert job.qb_txn_id in event.detail
    assert world.quickbooks.state.get("InvoiceRet", job.qb_txn_id) is not None
