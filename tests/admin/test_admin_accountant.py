"""The admin pages in the accountant's words: documents, names, amounts, and errors that say
how to fix them."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from qbwc_service.admin import explain, summaries
from qbwc_service.jobboss import records as jb
from qbwc_service.queue import jobs
from qbwc_service.queue.models import IdMapEntry, Job
from qbwc_service.sync.kinds.payload import JobPayload, Phase
from qbwc_service.sync.serialize import to_jsonable


def invoice(number: str, customer: str, total: str) -> jb.ArInvoice:
    line = jb.ArLine(line_no=1, part_no="P-1", description="part", quantity=Decimal(1),
                     unit_price=Decimal(total), amount=Decimal(total))
    return jb.ArInvoice(source="billing", invoice_no=number, cust_code=customer,
                        txn_date=date(2026, 11, 30), terms_code=None, tax_code=None,
                        po_number=None, ship_address=jb.Address(), ship_via=None, lines=(line,),
                        shipping_charges=Decimal(0), freight_charges=Decimal(0),
                        sales_tax=Decimal(0), total=Decimal(total), notes=None, exported=False,
                        last_mod=None)


def plan(db, user_id, record, kind="invoice.add", area="ar", table="Billing", **extra):
    payload = JobPayload(Phase.ADD, record_type=type(record).__name__,
                         record=to_jsonable(record)).to_json()
    return jobs.add_job(db, user_id=user_id, area=area, kind=kind, source_table=table,
                        source_key=record.invoice_no, source_version="1", payload=payload, **extra)


def fail(db, job, reason, code=""):
    jobs.transition(db, job, "sent")
    job.error_code = code
    jobs.transition(db, job, "error", reason=reason)


@pytest.fixture
def docs(sessions, users):
    with sessions.begin() as db:
        shop = users["shop"]
        db.add(IdMapEntry(user_id=shop, entity="customer", source_key="ACME", qb_id="80-1",
                          qb_name="Acme Steel Works"))
        ok = plan(db, shop, invoice("10234", "ACME", "1234.50"))
        bad = plan(db, shop, invoice("10235", "BOLT", "99.00"))
        fail(db, bad, '3140: There is an invalid reference to QuickBooks Customer "Bolt Co".',
             "3140")
        vendor = jobs.add_job(db, user_id=shop, area="lists", kind="vendor.ensure",
                              source_table="Vendor", source_key="ACME", source_version="1",
                              payload={"phase": "query", "entity": "vendor", "key": "ACME",
                                       "name": "Acme Supply"})
        fail(db, vendor, '3100: The name "Acme Supply" of the list element is already in use.',
             "3100")
        waiting = plan(db, shop, invoice("10236", "ACME", "5.00"), depends_on=[vendor])
        jobs.block_dependents(db, vendor, vendor.error_message)
        return {"ok": ok.id, "bad": bad.id, "vendor": vendor.id, "waiting": waiting.id}


def ids(app, query):
    page = app.get("/admin/queue" + query)
    return {int(n) for n in re.findall(r'href="/admin/jobs/(\d+)">#', page.text)}


def test_queue_rows_show_document_name_date_and_amount(logged_in, docs):
    page = logged_in.get("/admin/queue").text
    row = page[page.index(f'href="/admin/jobs/{docs["ok"]}">#'):]
    row = row[:row.index("</tr>")]
    assert "Invoice <b>10234</b>" in row
    assert "Acme Steel Works" in row  # the customer's QuickBooks name, not its code
    assert "2026-11-30" in row and "1,234.50" in row
    assert "Waiting to be sent" in row and 'class="badge s-pending"' in row
    failed = page[page.index(f'href="/admin/jobs/{docs["bad"]}">#'):]
    failed = failed[:failed.index("</tr>")]
    assert ">Failed<" in failed and "BOLT" in failed
    assert "This invoice refers to “Bolt Co”, which QuickBooks does not have." in failed


def test_queue_search_finds_names_and_filters_by_document(logged_in, docs):
    assert ids(logged_in, "?q=steel works") == {docs["ok"], docs["waiting"]}  # QuickBooks name
    assert ids(logged_in, "?q=BOLT") == {docs["bad"]}  # JobBOSS2 customer code
    assert ids(logged_in, "?q=10234") == {docs["ok"]}
    assert ids(logged_in, "?document=vendor.ensure") == {docs["vendor"]}
    assert ids(logged_in, "?document=invoice.add&status=error") == {docs["bad"]}
    assert "unknown document" in logged_in.get("/admin/queue?document=nope").text


def test_failed_record_says_what_to_do_with_the_raw_message_behind_details(logged_in, docs):
    page = logged_in.get(f"/admin/jobs/{docs['bad']}").text
    assert "Invoice 10235 for BOLT (JobBOSS2 Billing:10235) refers to “Bolt Co”" in page
    assert "Create “Bolt Co” in QuickBooks" in page
    assert 'href="/admin/names?user=shop&amp;q=Bolt+Co"' in page
    details = page[page.index("<details>"):page.index("</details>")]
    assert "3140: There is an invalid reference" in details


def test_waiting_record_links_to_the_record_it_waits_for(logged_in, docs):
    page = logged_in.get(f"/admin/jobs/{docs['waiting']}").text
    assert "waits for another record that failed" in page
    assert f'href="/admin/jobs/{docs["vendor"]}">Open the record it waits for' in page
    vendor = logged_in.get(f"/admin/jobs/{docs['vendor']}").text
    assert "QuickBooks already has another list entry named “Acme Supply”" in vendor
    assert 'href="/admin/names?user=shop&amp;q=Acme+Supply&amp;edit_kind=vendor&amp;edit_key=ACME"' in vendor


@pytest.mark.parametrize("code", sorted(explain.CODE_ADVICE))
def test_every_error_code_has_a_sentence_naming_the_record(code):
    said = explain.explain(f"{code}: something", code, "Bill 77 (JobBOSS2 VendorInv:77)", "ACME")
    assert said.what and said.todo and said.actions
    assert "Bill 77" in said.what or "QuickBooks" in said.what


@pytest.mark.parametrize(("message", "expected"), [
    ("invoice number '123456789012' is longer than the 11 characters QuickBooks allows",
     "The invoice number of Invoice 9"),
    ("CustomerAddRq/CustomerAdd/Name: value 'x' is longer than 41 characters", "The name of"),
    ("invoice total 10.00 does not match its lines (9.00) + charges (0.00) + tax (0.00)",
     "does not match its lines"),
    ("no PO cost for P-1 (PO 5)", "have no cost on their purchase order"),
    ("customer 'A:B' name 'A:B' contains ':', which QuickBooks reads as a sub-list separator",
     "contains ':'"),
    ("waiting for vendor.ensure Vendor:ACME (job 5, error): 3100: in use", "waits for another"),
])
def test_validation_failures_have_their_own_sentence(message, expected):
    said = explain.explain(message, "", "Invoice 9 (JobBOSS2 Billing:9)")
    assert expected in said.what
    assert said is not None and said.what != explain.FALLBACK.what


def test_every_transaction_kind_summarises_its_record():
    from qbwc_service.sync.kinds import registry
    assert all(kind.summary is not None for kind in registry.TXN_KINDS.values())
    job = Job(kind="invoice.add", source_key="1", source_table="Billing",
              payload=JobPayload(Phase.ADD, record_type="ArInvoice",
                                 record=to_jsonable(invoice("1", "C", "2.50"))).to_json())
    said = summaries.summary_of(job)
    assert (said.document, said.number, said.party, said.amount) == ("Invoice", "1", "C",
                                                                     Decimal("2.50"))


@pytest.mark.parametrize("message", [
    "CustomerAddRq/CustomerAdd/Name: value 'Northwestern Aerospace Precision Assemblies "
    "International' is longer than 41 characters",
    "InvoiceAddRq/InvoiceAdd/RefNumber: value 'INV-2026-000123' is longer than 11 characters",
])
def test_a_name_too_long_points_to_the_name_map(message):
    said = explain.explain(message, "", "Customer X (JobBOSS2 CustCode:X)", "X")
    assert explain.Action.NAMES in said.actions and "name map" in said.todo
    assert said.name == message.split("'")[1]  # the value, to find it in the map


def test_a_long_memo_is_not_sent_to_the_name_map():
    said = explain.explain("InvoiceAddRq/InvoiceAdd/PONumber: value 'x' is longer than 25 "
                           "characters", "", "Invoice 9", "C")
    assert explain.Action.NAMES not in said.actions and "PO number" in said.what


@pytest.fixture
def big_run(sessions, users):
    """A run where one failed vendor blocked 30 invoices and one invoice failed on its own."""
    from qbwc_service.queue.models import Run
    with sessions.begin() as db:
        shop = users["shop"]
        run = Run(user_id=shop, status="errors")
        db.add(run)
        db.flush()
        vendor = jobs.add_job(db, user_id=shop, area="lists", kind="vendor.ensure",
                              source_table="VendCode", source_key="ACME", source_version="1",
                              payload={"phase": "query", "entity": "vendor", "key": "ACME",
                                       "name": "Acme Supply"})
        waiting = [plan(db, shop, invoice(f"2{n:04}", "ACME", "10.00"), depends_on=[vendor])
                   for n in range(30)]
        fail(db, vendor, '3100: The name "Acme Supply" of the list element is already in use.',
             "3100")
        jobs.audit(db, user_id=shop, event=jobs.ERROR, job=vendor, run_id=run.id,
                   detail=vendor.error_message)
        for job in jobs.block_dependents(db, vendor, vendor.error_message) or waiting:
            jobs.audit(db, user_id=shop, event=jobs.BLOCKED, job=job, run_id=run.id,
                       detail=job.blocked_reason)
        lone = plan(db, shop, invoice("9", "BOLT", "1.00"))
        fail(db, lone, "3210: You cannot pay more than the amount due.", "3210")
        jobs.audit(db, user_id=shop, event=jobs.ERROR, job=lone, run_id=run.id,
                   detail=lone.error_message)
        done = plan(db, shop, invoice("8", "BOLT", "1.00"))
        jobs.audit(db, user_id=shop, event=jobs.CREATED, job=done, run_id=run.id)
        return run.id


def test_run_page_shows_totals_then_groups_by_reason(logged_in, big_run):
    page = logged_in.get(f"/admin/runs/{big_run}").text
    totals = page[page.index('<table class="list totals">'):]
    totals = totals[:totals.index("</table>")]
    invoices = totals[totals.index(">Invoices<"):]
    cells = re.findall(r'<td class="num[^"]*">(\d+)</td>', invoices[:invoices.index("</tr>")])
    assert cells == ["1", "0", "1", "30", "0", "0"]  # created, updated, failed, waiting, ...
    attention = page[page.index('id="attention"'):page.index('<nav class="jump"')]
    assert "(3 reasons)" in attention
    assert attention.count('class="card problem group"') == 3
    assert "30 invoices" in attention and "and 29 more like it" in attention
    assert "and 25 more</a>" in attention  # 5 records listed, the rest one link away
    assert "QuickBooks already has another list entry named “Acme Supply”" in attention
    assert 'href="/admin/names?user=shop&amp;q=Acme+Supply"' in attention  # the run's company
    # The sections preview 10 rows, and link to every record.
    errors = page[page.index('<h2 id="errors">'):page.index('<h2 id="warnings">')]
    assert errors.count('<tr class="o-') == 10
    assert f'href="/admin/runs/{big_run}/records?section=errors">Show all 32 errors' in errors


def test_run_records_lists_every_record_paginated(logged_in, big_run):
    page = logged_in.get(f"/admin/runs/{big_run}/records?section=errors").text
    assert page.count('<tr>') - 1 == 32  # every row plus the header row
    assert "32 records" in page
    logged_in.get(f"/admin/runs/{big_run}/records?section=bogus", status=400)
    logged_in.get("/admin/runs/9999/records", status=404)
