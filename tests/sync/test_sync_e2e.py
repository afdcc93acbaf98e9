"""End to end over HTTP: plan, Web Connector emulator, QuickBooks stand-in, JobBOSS2 flags."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from qbwc_service import xmlsafe
from qbwc_service.jobboss.reader import TxnFilter
from qbwc_service.qbxml.text import clean
from qbwc_service.queue import messages
from qbwc_service.queue.db import transaction
from qbwc_service.queue.models import AuditEvent, Job, Run
from qbwc_service.sync import reports
from qbwc_service.sync.planning import planner
from sync.conftest import WINDOW
from sync.helpers import (
    assert_invoices_synced,
    failed_keys,
    jobs,
    name_map,
    qb_records,
    ref_counts,
)


def _window_filter() -> TxnFilter:
    return TxnFilter(date_from=WINDOW[0], date_to=WINDOW[1])


def test_billing_invoices_and_vendor_bills_synced_once(world):
    expected = list(world.reader.ar_invoices(_window_filter()))
    bills = list(world.reader.ap_invoices(_window_filter()))
    assert expected and bills
    world.plan()
    results = world.sync_until_idle()
    assert results[0].outcome == "finished"
    assert results[-1].outcome == "none"  # authenticate says none once nothing is pending
    assert "invoices" in results[0].close_message and "(report " in results[0].close_message
    created = assert_invoices_synced(world, expected)
    assert created >= len(expected) * 3 // 4
    # Every bill once, flagged exported.
    counts = ref_counts(world.quickbooks, "BillRet")
    failed = failed_keys(world, "bill.add")
    flags = {b.key: b.exported for b in world.reader.ap_invoices(TxnFilter(only_unexported=False))}
    for bill in bills:
        if bill.key in failed:
            continue
        assert counts[bill.invoice_no] == 1, bill.key
        assert flags[bill.key]
    # Nothing outside the window was sent.
    sent = {rec["RefNumber"] for rec in qb_records(world.quickbooks, "InvoiceRet")}
    assert sent <= {inv.invoice_no for inv in expected}


def test_planning_twice_adds_no_jobs_and_a_second_sync_creates_nothing(world):
    first = world.plan()
    again = world.plan()
    assert first.total > 0
    assert again.total == 0 and again.unchanged == sum(first.planned.values())
    world.sync_until_idle()
    before = len(qb_records(world.quickbooks, "InvoiceRet"))
    third = world.plan()
    assert third.total == 0
    assert world.session().outcome == "none"
    assert len(qb_records(world.quickbooks, "InvoiceRet")) == before


def test_packing_lists_and_receivers(world):
    world.set(source__invoices="packing_list", source__bills="receiver")
    expected = list(world.reader.packing_list_invoices(_window_filter()))
    receivers = list(world.reader.receiver_bills(_window_filter()))
    assert expected and receivers
    world.plan()
    world.sync_until_idle()
    assert_invoices_synced(world, expected)
    counts = ref_counts(world.quickbooks, "BillRet")
    failed = failed_keys(world, "receiver_bill.add")
    for rec in receivers:
        if rec.key not in failed:
            assert counts[rec.receiver_no] == 1, rec.key
    bill = next(b for b in qb_records(world.quickbooks, "BillRet"))
    assert bill.get("ItemLineRet"), "receiver bills carry item lines"
    # Planning again does not re-plan receivers (no Exported column: the ID map knows them).
    assert world.plan().planned.get("receiver_bill.add", 0) == 0


def test_mark_paid_sets_jobboss_payment_columns(world):
    world.set(options__mark_ar_paid="true", options__mark_ap_paid="true")
    world.plan()
    world.sync_until_idle()
    done = {f"{j.source_table}:{j.source_key}" for j in jobs(world, "invoice.add") if j.status == "done"}
    assert done
    for inv in world.reader.ar_invoices(TxnFilter(only_unexported=False)):
        if inv.key in done:
            assert inv.paid == inv.total, inv.key


def test_inventory_items_when_parts_are_not_service_items(world):
    world.set(options__parts_as_service_items="false")
    world.plan()
    world.sync_until_idle()
    assert qb_records(world.quickbooks, "ItemInventoryRet")
    assert not qb_records(world.quickbooks, "ItemServiceRet")


def test_service_items_by_default(world):
    world.plan()
    world.sync_until_idle()
    assert qb_records(world.quickbooks, "ItemServiceRet")
    assert not qb_records(world.quickbooks, "ItemInventoryRet")


def test_validate_sync_tables_sends_every_list_record(world):
    world.set(options__validate_sync_tables="true", items__vendor_invoices="false")
    world.plan(date(2026, 1, 31), date(2026, 1, 31))
    world.sync_until_idle()
    mapped = name_map(world, "customer")  # names too long for QuickBooks, shortened
    customers = {mapped.get(c.cust_code, clean(c.qb_name)).casefold()
                 for c in world.reader.customers()}
    in_qb = {rec["Name"].casefold() for rec in qb_records(world.quickbooks, "CustomerRet")}
    failed = {clean(j.payload["name"]).casefold() for j in jobs(world, "customer.ensure")
              if j.status == "error"}
    assert customers - failed <= in_qb
    vendors = {clean(v.qb_name).casefold() for v in world.reader.vendors()}
    assert vendors <= {rec["Name"].casefold() for rec in qb_records(world.quickbooks, "VendorRet")}


def test_errors_without_quit_continue_and_fail_alone(world):
    world.plan(None, None)
    world.sync_until_idle()
    invoice_jobs = jobs(world, "invoice.add")
    assert not [j for j in invoice_jobs if j.status == "pending"]
    failed = [j for j in invoice_jobs if j.status in ("error", "blocked")]
    assert all((j.error_message or j.blocked_reason) for j in failed)
    assert [j for j in invoice_jobs if j.status == "done"]


def test_jobs_blocked_by_a_failure_count_in_the_run_of_the_failure(world):
    world.set(names__customer="error", names__item="error")  # the demo's long names refused
    world.plan(None, None)
    world.sync_until_idle()
    with world.sessions() as db:
        events = list(db.scalars(select(AuditEvent).where(AuditEvent.event == "blocked")))
        assert events, "the demo data has list records QuickBooks refuses"
        assert all(e.run_id is not None for e in events)
        counted = reports.count_outcomes(db, list(db.scalars(select(Run.id))))
    blocked = sum(per.get("blocked", 0) for run in counted.values() for per in run.values())
    assert blocked == len({e.job_id for e in events})


def test_each_job_shows_its_own_qbxml_and_quickbooks_response(world):
    world.plan()
    world.sync_until_idle()
    with world.sessions() as db:
        done = list(db.scalars(select(Job).where(Job.kind == "invoice.add",
                                                 Job.status == "done")))
        assert len(done) > 1 and len({j.message_id for j in done}) >= 1
        for job in done:
            request, response = messages.exchanged_xml(db, job)
            sent, answer = xmlsafe.parse(request), xmlsafe.parse(response)
            assert (sent.tag, sent.get("requestID")) == ("InvoiceAddRq", job.request_id)
            assert (answer.tag, answer.get("requestID")) == ("InvoiceAddRs", job.request_id)
            assert answer.get("statusCode") == "0"
            assert answer.findtext("InvoiceRet/TxnID") == job.qb_txn_id


def test_auto_sync_with_set_begin(world):
    begin = date(2026, 1, 28)
    with transaction(world.sessions) as db:
        changed = planner.set_begin(db, world.user(db), begin)
    assert changed
    older = [i for i in world.reader.ar_invoices(TxnFilter(date_to=date(2026, 1, 27)))]
    assert not older  # everything before the begin date is flagged exported
    expected = list(world.reader.ar_invoices(TxnFilter(date_from=begin)))
    results = world.sync_until_idle()  # authenticate plans: no `sync start`
    assert results[0].outcome == "finished"
    assert_invoices_synced(world, expected)
    assert all(rec["TxnDate"] >= begin.isoformat() for rec in qb_records(world.quickbooks, "InvoiceRet"))


def test_update_after_edit_sends_a_mod(world):
    world.set(options__update_after_edit="true", items__vendor_invoices="false")
    world.plan()
    world.sync_until_idle()
    customer = next(j for j in jobs(world, "customer.ensure") if j.status == "done")
    code = customer.source_key
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{world.jobboss}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE CustCode SET Phone = '555-0199' WHERE CustCode = :c"), {"c": code})
    engine.dispose()
    plan = world.plan()
    assert plan.planned.get("customer.mod") == 1
    world.sync_until_idle()
    mod = jobs(world, "customer.mod")[0]
    assert mod.status == "done", mod.error_message
    rec = next(r for r in qb_records(world.quickbooks, "CustomerRet") if r["ListID"] == mod.qb_list_id)
    assert rec.get("Phone") == "555-0199"


def test_sync_defaults_creates_missing_default_accounts(world):
    world.set(defaults__income_account="Machining Income", defaults__freight_item="Shipping Charge")
    with transaction(world.sessions) as db:
        result = planner.plan_defaults(db, world.user(db))
    assert result.ensure_jobs >= 7
    world.sync_until_idle()
    accounts = {rec["Name"] for rec in qb_records(world.quickbooks, "AccountRet")}
    assert "Machining Income" in accounts
    items = {rec["Name"] for rec in qb_records(world.quickbooks, "ItemOtherChargeRet")}
    assert "Shipping Charge" in items
    income = next(r for r in qb_records(world.quickbooks, "AccountRet") if r["Name"] == "Machining Income")
    assert income["AccountType"] == "Income"


def test_time_and_attendance_to_time_records(world):
    world.set(items__time_and_attendance="true", items__customer_billing="false",
              items__vendor_invoices="false")
    days = [d for d in world.reader.attendance(_window_filter()) if d.complete]
    assert days
    world.plan()
    world.sync_until_idle()
    records = qb_records(world.quickbooks, "TimeTrackingRet")
    notes = [r.get("Notes", "").split(" ", 1)[0] for r in records]
    assert len(notes) == len(set(notes))
    failed = failed_keys(world, "time.add")
    expected = [(d, i) for d in days for i, p in enumerate(d.punches, 1) if p.hours > 0
                and f"{d.key}#{i}" not in failed]
    assert len(records) == len(expected)
    flags = {d.key: d.exported for d in world.reader.attendance(TxnFilter(only_unexported=False))}
    assert all(flags[d.key] for d, _i in expected)
    assert all(r.get("PayrollItemWageRef") for r in records)
    total = sum(Decimal(p.hours) for d, i in expected for p in [d.punches[i - 1]])
    assert total > 0


def test_canadian_company_uses_line_tax_codes(world):
    world.plan()
    world.sync_until_idle(country="CA")
    invoices = qb_records(world.quickbooks, "InvoiceRet")
    assert invoices
    assert all("ItemSalesTaxRef" not in rec for rec in invoices)
