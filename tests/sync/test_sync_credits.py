"""End to end: JobBOSS2 records below zero become credit memos and vendor credits, exactly once."""

from __future__ import annotations

import contextlib
import sqlite3
from decimal import Decimal

from qbwc_service.jobboss.reader import TxnFilter
from qbwc_service.simulator.webconnector import EmulatorOptions
from sync.conftest import PASSWORD, WINDOW
from sync.helpers import jobs, qb_records, ref_counts
from sync.test_sync_crash import LossyConnector, WebConnectorDied


def _window() -> TxnFilter:
    return TxnFilter(date_from=WINDOW[0], date_to=WINDOW[1])


def _turn_negative(world, invoice_no: str, vend_code: str, vendor_invoice_no: str) -> None:
    """Make one Customer Billing and one vendor invoice credits, as JobBOSS2 keeps them."""
    with sqlite3.connect(world.jobboss) as db:
        db.execute("UPDATE Billing SET InvoiceTotal = -InvoiceTotal, SalesTaxChgs = -SalesTaxChgs, "
                   "ShippingChgs = -ShippingChgs WHERE InvoiceNo = ?", (invoice_no,))
        db.execute("UPDATE BillingDet SET LineTotal = -LineTotal, QtyShipped = -QtyShipped, "
                   "QtyOrd = -QtyOrd WHERE InvoiceNo = ?", (invoice_no,))
        db.execute("UPDATE VendorInv SET InvoiceTotal = -InvoiceTotal, SalesTaxChgs = -SalesTaxChgs, "
                   "ShippingChgs = -ShippingChgs WHERE VendCode = ? AND InvoiceNo = ?",
                   (vend_code, vendor_invoice_no))
        db.execute("UPDATE VendorInvDet SET Amount = -Amount WHERE VendCode = ? AND InvoiceNo = ?",
                   (vend_code, vendor_invoice_no))


def test_negative_billing_is_a_credit_memo_and_negative_vendor_invoice_a_vendor_credit(world):
    untaxed = [i for i in world.reader.ar_invoices(_window()) if not i.sales_tax and i.lines]
    victim = untaxed[0]
    vendor_inv = next(iter(world.reader.ap_invoices(_window())))
    _turn_negative(world, victim.invoice_no, vendor_inv.vend_code, vendor_inv.invoice_no)
    credit = world.reader.ar_invoice(victim.invoice_no)
    assert credit is not None and credit.total == -victim.total

    world.plan()
    world.sync_until_idle()

    qb = world.quickbooks
    memos = [r for r in qb_records(qb, "CreditMemoRet") if r["RefNumber"] == victim.invoice_no]
    assert len(memos) == 1
    # The credit is positive in QuickBooks: the JobBOSS2 total the other way round.
    assert Decimal(memos[0]["TotalAmount"]) == -credit.total
    assert victim.invoice_no not in ref_counts(qb, "InvoiceRet")
    [memo_job] = jobs(world, "credit_memo.add")
    assert memo_job.status == "done" and memo_job.qb_txn_id == memos[0]["TxnID"]
    assert victim.invoice_no not in {j.source_key for j in jobs(world, "invoice.add")}

    credits = [r for r in qb_records(qb, "VendorCreditRet") if r["RefNumber"] == vendor_inv.invoice_no]
    assert len(credits) == 1 and Decimal(credits[0]["CreditAmount"]) == vendor_inv.total
    assert vendor_inv.invoice_no not in ref_counts(qb, "BillRet")
    [credit_job] = jobs(world, "vendor_credit.add")
    assert credit_job.status == "done"

    # Both are flagged exported in JobBOSS2, and a second plan sends neither again.
    flags = {i.invoice_no: i.exported for i in world.reader.ar_invoices(TxnFilter(only_unexported=False))}
    assert flags[victim.invoice_no]
    ap_flags = {b.key: b.exported for b in world.reader.ap_invoices(TxnFilter(only_unexported=False))}
    assert ap_flags[vendor_inv.key]
    world.plan()
    world.sync_until_idle()
    assert len([r for r in qb_records(qb, "CreditMemoRet") if r["RefNumber"] == victim.invoice_no]) == 1
    assert len(qb_records(qb, "VendorCreditRet")) == 1


def test_credits_processed_but_answer_lost_are_found_again_not_added_twice(world):
    victim = next(i for i in world.reader.ar_invoices(_window()) if not i.sales_tax and i.lines)
    vendor_inv = next(iter(world.reader.ap_invoices(_window())))
    _turn_negative(world, victim.invoice_no, vendor_inv.vend_code, vendor_inv.invoice_no)
    world.set(sync__batch_size="4")
    world.plan()
    qb = world.qb()
    # Each session: QuickBooks processes one message whose answer the Web Connector loses.
    for fail_at in range(2, 12):
        connector = LossyConnector(world.server.url + "/qbwc", qb, EmulatorOptions(noop_pause=0.01),
                                   failure="done_then_lost", fail_at=fail_at)
        with contextlib.suppress(WebConnectorDied):
            connector.run_session(world.user_name, PASSWORD)
    world.sync_until_idle()
    assert len([r for r in qb_records(qb, "CreditMemoRet") if r["RefNumber"] == victim.invoice_no]) == 1
    assert len([r for r in qb_records(qb, "VendorCreditRet")
                if r["RefNumber"] == vendor_inv.invoice_no]) == 1
    assert [j.status for j in jobs(world, "credit_memo.add")] == ["done"]
    assert [j.status for j in jobs(world, "vendor_credit.add")] == ["done"]


def test_a_receiver_below_zero_is_a_vendor_credit_once(world):
    world.set(source__bills="receiver")
    rec = next(r for r in world.reader.receiver_bills(_window())
               if r.lines and all(line.unit_cost is not None for line in r.lines) and r.vend_code)
    with sqlite3.connect(world.jobboss) as db:
        db.execute("UPDATE ReceiverDet SET Qty2Receive = -Qty2Receive WHERE ReceiverNo = ?",
                   (rec.receiver_no,))
        db.execute("UPDATE Receiver SET ShippingChgs = -ShippingChgs WHERE ReceiverNo = ?",
                   (rec.receiver_no,))
    returned = world.reader.receiver_bills(_window())
    credit = next(r for r in returned if r.receiver_no == rec.receiver_no)
    assert credit.total == -rec.total < 0
    world.plan()
    world.sync_until_idle()
    qb = world.quickbooks
    [held] = [r for r in qb_records(qb, "VendorCreditRet") if r["RefNumber"] == rec.receiver_no]
    assert Decimal(held["CreditAmount"]) == rec.total
    assert rec.receiver_no not in ref_counts(qb, "BillRet")
    assert [j.status for j in jobs(world, "receiver_credit.add")] == ["done"]
    # JobBOSS2 has no flag for receivers: the ID map keeps it from being planned again.
    assert world.plan().planned.get("receiver_credit.add", 0) == 0
