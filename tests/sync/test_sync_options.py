"""End to end over HTTP, one option at a time, where test_sync_e2e leaves an option unchecked:
the stand-in's final state and the JobBOSS2 flags after each."""

from __future__ import annotations

from sqlalchemy import select

from qbwc_service import xmlsafe
from qbwc_service.jobboss.reader import TxnFilter
from qbwc_service.qbxml.text import clean
from qbwc_service.queue.models import AuditEvent, Job, Message
from sync.conftest import WINDOW
from sync.helpers import assert_invoices_synced, failed_keys, jobs, qb_records, ref_counts

#: A status QuickBooks answers that no retry or adoption can cure.
REFUSED = 3020


def _window() -> TxnFilter:
    return TxnFilter(date_from=WINDOW[0], date_to=WINDOW[1])


def _first_ar_batch(world) -> list[Job]:
    """The invoice jobs in the order the first AR message sends them."""
    return sorted(jobs(world, "invoice.add"), key=lambda j: (j.priority, j.id))


def _on_error_of_ar_messages(world) -> set[str]:
    with world.sessions() as db:
        xmls = list(db.scalars(select(Message.request_xml)))
    found = set()
    for xml in xmls:
        msgs = xmlsafe.parse(xml).find("QBXMLMsgsRq")
        if msgs is not None and msgs.find("InvoiceAddRq") is not None:
            found.add(msgs.get("onError"))
    return found


def _only_the_victim_refused(world, expected, victim: Job) -> None:
    """Every invoice is in QuickBooks once, or failed for a reason of its own (the demo's
    hard cases); only the victim got the injected refusal."""
    assert assert_invoices_synced(world, expected) > len(expected) // 2
    refused = [j.id for j in jobs(world, "invoice.add") if str(REFUSED) in (j.error_message or "")]
    assert refused == [victim.id]


def test_quit_area_on_error_stops_ar_for_the_run_and_a_later_run_sends_the_rest(world):
    world.set(options__quit_area_on_error="true", sync__batch_size="5")
    expected = list(world.reader.ar_invoices(_window()))
    bills = list(world.reader.ap_invoices(_window()))
    world.plan()
    order = _first_ar_batch(world)
    assert len(order) > 10
    victim = order[1]
    victim_ref = victim.source_key
    qb = world.qb()
    qb.inject_error(victim_ref, REFUSED)

    first = world.session()
    assert first.outcome == "finished"
    assert _on_error_of_ar_messages(world) == {"stopOnError"}
    invoice_jobs = {j.id: j for j in jobs(world, "invoice.add")}
    assert invoice_jobs[victim.id].status == "error"
    assert str(REFUSED) in (invoice_jobs[victim.id].error_message or "")
    # The one before it went; the rest of the message and of the area wait for a later run.
    assert invoice_jobs[order[0].id].status == "done"
    pending = [j for j in invoice_jobs.values() if j.status == "pending"]
    assert len(pending) >= len(order) - 2 - len(failed_keys(world, "invoice.add"))
    assert ref_counts(qb, "InvoiceRet")[order[2].source_key] == 0
    # The other areas carried on in the same run.
    bill_counts = ref_counts(qb, "BillRet")
    bills_failed = failed_keys(world, "bill.add")
    assert all(bill_counts[b.invoice_no] == 1 for b in bills if b.key not in bills_failed)
    assert "error" in (first.close_message or "")

    world.sync_until_idle()
    assert not [j for j in jobs(world, "invoice.add") if j.status == "pending"]
    _only_the_victim_refused(world, expected, victim)
    assert victim_ref not in ref_counts(qb, "InvoiceRet")
    flags = {i.invoice_no: i.exported for i in world.reader.ar_invoices(TxnFilter(only_unexported=False))}
    assert flags[victim_ref] is False


def test_without_quit_area_on_error_one_refused_invoice_fails_alone(world):
    world.set(sync__batch_size="5")
    expected = list(world.reader.ar_invoices(_window()))
    world.plan()
    order = _first_ar_batch(world)
    victim = order[1]
    qb = world.qb()
    qb.inject_error(victim.source_key, REFUSED)
    results = world.sync_until_idle()
    assert len(results) == 2 and results[-1].outcome == "none"  # one run did everything
    assert _on_error_of_ar_messages(world) == {"continueOnError"}
    assert {j.id: j for j in jobs(world, "invoice.add")}[victim.id].status == "error"
    assert ref_counts(qb, "InvoiceRet")[order[2].source_key] == 1
    _only_the_victim_refused(world, expected, victim)


def test_customer_billing_off_sends_no_invoice_and_flags_none(world):
    world.set(items__customer_billing="false")
    before = {i.key for i in world.reader.ar_invoices(_window())}
    bills = list(world.reader.ap_invoices(_window()))
    assert before and bills
    world.plan()
    world.sync_until_idle()
    assert not jobs(world, "invoice.add")
    assert not qb_records(world.quickbooks, "InvoiceRet")
    assert {i.key for i in world.reader.ar_invoices(_window())} == before  # still unexported
    counts = ref_counts(world.quickbooks, "BillRet")
    failed = failed_keys(world, "bill.add")
    assert all(counts[b.invoice_no] == 1 for b in bills if b.key not in failed)


def test_vendor_invoices_off_sends_no_bill_and_flags_none(world):
    world.set(items__vendor_invoices="false")
    before = {b.key for b in world.reader.ap_invoices(_window())}
    expected = list(world.reader.ar_invoices(_window()))
    assert before and expected
    world.plan()
    world.sync_until_idle()
    assert not jobs(world, "bill.add") and not jobs(world, "receiver_bill.add")
    assert not qb_records(world.quickbooks, "BillRet")
    assert {b.key for b in world.reader.ap_invoices(_window())} == before
    assert assert_invoices_synced(world, expected) > 0


def test_mark_ap_paid_sets_the_bills_payment_columns_and_ar_stays_unpaid(world):
    world.set(options__mark_ap_paid="true")
    world.plan()
    world.sync_until_idle()
    done = {f"{j.source_table}:{j.source_key}" for j in jobs(world, "bill.add") if j.status == "done"}
    assert done
    for bill in world.reader.ap_invoices(TxnFilter(only_unexported=False)):
        if bill.key in done:
            assert bill.exported and bill.paid == bill.total, bill.key
    invoices_done = {f"{j.source_table}:{j.source_key}" for j in jobs(world, "invoice.add")
                     if j.status == "done"}
    assert invoices_done
    for inv in world.reader.ar_invoices(TxnFilter(only_unexported=False)):
        if inv.key in invoices_done:
            assert inv.exported and inv.paid != inv.total, inv.key  # mark_ar_paid is off


def test_without_update_after_edit_a_changed_customer_is_not_sent_again(world):
    world.set(items__vendor_invoices="false")
    world.plan()
    world.sync_until_idle()
    customer = next(j for j in jobs(world, "customer.ensure") if j.status == "done")
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{world.jobboss}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE CustCode SET Phone = '555-0199' WHERE CustCode = :c"),
                     {"c": customer.source_key})
    engine.dispose()
    assert not world.plan().planned.get("customer.mod")
    assert world.session().outcome == "none"
    rec = next(r for r in qb_records(world.quickbooks, "CustomerRet")
               if r["ListID"] == customer.qb_list_id)
    assert rec.get("Phone") != "555-0199"


def test_a_shared_name_query_warns_only_the_records_whose_name_was_changed(world):
    world.set(options__validate_sync_tables="true", items__vendor_invoices="false")
    world.plan(WINDOW[1], WINDOW[1])
    world.sync_until_idle()
    names = {j.id: j.payload["name"] for j in jobs(world, "customer.ensure")}
    with world.sessions() as db:
        warned = [(e.job_id, e.detail) for e in db.scalars(select(AuditEvent).where(
            AuditEvent.event == "warning", AuditEvent.job_id.in_(list(names))))]
    replaced = {job_id for job_id, detail in warned
                if detail.startswith("CustomerQueryRq/") and "cannot store" in detail}
    assert replaced, "the demo has customer names with characters QuickBooks cannot store"
    for job_id in replaced:
        assert clean(names[job_id].strip()) != names[job_id].strip(), names[job_id]


def _add_customer_to_quickbooks(qb, name: str) -> None:
    """A customer the shop keyed into QuickBooks before the first sync."""
    from xml.sax.saxutils import escape

    qb.process('<?xml version="1.0" encoding="utf-8"?><?qbxml version="13.0"?><QBXML>'
               '<QBXMLMsgsRq onError="stopOnError"><CustomerAddRq><CustomerAdd>'
               f"<Name>{escape(name)}</Name></CustomerAdd></CustomerAddRq></QBXMLMsgsRq></QBXML>")


def test_customers_already_in_quickbooks_are_adopted_when_queried_with_missing_ones(world):
    """One name query for many customers: QuickBooks answers 500 (some names not found) with the
    Rets of those it has; those are adopted, the others added."""
    expected = list(world.reader.ar_invoices(_window()))
    customers = {c.cust_code: clean(c.qb_name) for c in world.reader.customers()}
    codes = sorted({inv.cust_code for inv in expected})
    assert len(codes) > 3
    qb = world.qb()
    existing = [customers[code] for code in codes[:2]]
    for name in existing:
        _add_customer_to_quickbooks(qb, name)
    world.set(items__vendor_invoices="false")
    world.plan()
    world.sync_until_idle()
    names = [rec["Name"].casefold() for rec in qb_records(qb, "CustomerRet")]
    for name in existing:
        assert names.count(name.casefold()) == 1
    ensure = {j.source_key: j for j in jobs(world, "customer.ensure")}
    for code in codes[:2]:
        assert ensure[code].status == "done", ensure[code].error_message
    with world.sessions() as db:
        adopted = set(db.scalars(select(AuditEvent.job_id).where(AuditEvent.event == "adopted")))
    assert {ensure[code].id for code in codes[:2]} <= adopted
    with world.sessions() as db:  # found by the first query: never sent as an Add
        details = list(db.scalars(select(AuditEvent.detail).where(
            AuditEvent.job_id.in_([ensure[code].id for code in codes[:2]]))))
    assert not [d for d in details if "adding it" in d or "in use" in d], details
    # QuickBooks' 500 speaks of the other names: it is no warning on the records found
    assert not [d for d in details if d.startswith("500")], details
    on_those = [inv for inv in expected if inv.cust_code in codes[:2]]
    assert on_those
    assert_invoices_synced(world, expected)
    in_qb = ref_counts(qb, "InvoiceRet")
    assert all(in_qb[inv.invoice_no] == 1 for inv in on_those
               if inv.key not in failed_keys(world, "invoice.add"))


def test_auto_sync_picks_up_older_records_an_option_turned_on_brings_into_scope(world):
    """The changed-since mark must not hide records that were out of scope when it was set."""
    from datetime import date

    from qbwc_service.queue.db import transaction
    from qbwc_service.sync.planning import planner

    begin = date(2026, 1, 28)
    with transaction(world.sessions) as db:
        planner.set_begin(db, world.user(db), begin)
    world.set(items__vendor_invoices="false")
    world.sync_until_idle()
    assert qb_records(world.quickbooks, "InvoiceRet") and not qb_records(world.quickbooks, "BillRet")
    bills = list(world.reader.ap_invoices(TxnFilter(date_from=begin)))
    assert bills
    world.set(items__vendor_invoices="true")
    assert world.sync_until_idle()[0].outcome == "finished"  # authenticate plans the bills
    counts = ref_counts(world.quickbooks, "BillRet")
    failed = failed_keys(world, "bill.add")
    assert all(counts[b.invoice_no] == 1 for b in bills if b.key not in failed)
    assert sum(counts.values()) > 0
