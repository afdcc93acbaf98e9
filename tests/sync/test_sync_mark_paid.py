"""End to end: "mark paid" writes only what changes and keeps JobBOSS2's real payments."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from sqlalchemy import select

from qbwc_service.jobboss.reader import TxnFilter
from qbwc_service.queue import jobs as jobs_mod
from qbwc_service.queue.models import AuditEvent, utcnow
from sync.conftest import WINDOW
from sync.helpers import jobs


def _payments(world) -> dict[str, tuple]:
    with sqlite3.connect(world.jobboss) as db:
        return {inv: (paid, when, status) for inv, paid, when, status in db.execute(
            "SELECT InvoiceNo, AmtPaidSoFar, PymtDate, PymtStatus FROM Billing")}


def test_already_paid_invoices_keep_their_payment_and_every_write_back_is_audited(world):
    window = list(world.reader.ar_invoices(TxnFilter(date_from=WINDOW[0], date_to=WINDOW[1])))
    paid_before = [i.invoice_no for i in window[:5]]
    with sqlite3.connect(world.jobboss) as db:
        for inv in paid_before:  # paid in JobBOSS2 before the sync, on a date of their own
            db.execute("UPDATE Billing SET AmtPaidSoFar = InvoiceTotal, PymtStatus = 'P', "
                       "PymtDate = '2026-01-29 00:00:00.000000' WHERE InvoiceNo = ?", (inv,))
    before = _payments(world)
    world.set(options__mark_ar_paid="true")
    world.plan()
    world.sync_until_idle()
    after = _payments(world)
    done = {j.source_key for j in jobs(world, "invoice.add") if j.status == "done"}
    assert set(paid_before) <= done
    for inv in paid_before:
        assert after[inv] == before[inv], inv  # date, amount and status untouched
    today = utcnow().date()
    newly = [i for i in window if i.invoice_no in done and i.invoice_no not in paid_before]
    assert newly
    for inv in newly:
        paid, when, status = after[inv.invoice_no]
        assert abs(paid - float(inv.total)) < 0.005 and status == "P"
        assert datetime.fromisoformat(when).date() == today
    # Every write-back says what it found and what it wrote.
    with world.sessions() as db:
        events = {e.record_key: e.detail for e in db.scalars(
            select(AuditEvent).where(AuditEvent.event == jobs_mod.PAID))}
    for inv in paid_before:
        assert events[f"Billing:{inv}"].startswith("already so in JobBOSS2, nothing written")
        assert "PymtDate 2026-01-29" in events[f"Billing:{inv}"]
    sample = events[f"Billing:{newly[0].invoice_no}"]
    assert "PymtStatus" in sample and "-> P" in sample and "PymtDate (none) ->" in sample
    with world.sessions() as db:
        exported = [e.detail for e in db.scalars(
            select(AuditEvent).where(AuditEvent.event == jobs_mod.EXPORTED))]
    assert exported and all("Exported" in d and "-> Y" in d for d in exported)
