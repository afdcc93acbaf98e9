"""The error policy table, the mappings against Intuit's XSD, and planning idempotence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree

from qbwc_service.jobboss.reader import TxnFilter
from qbwc_service.qbxml import requests as rq
from qbwc_service.qbxml.build import build_request_element
from qbwc_service.qbxml.fields import QbxmlFieldError
from qbwc_service.qbxml.message import serialize
from qbwc_service.qbxml.text import clean
from qbwc_service.qbxml.validate import validation_errors
from qbwc_service.queue.models import QbwcSession, User
from qbwc_service.simulator.demo_db import HARD_CASES
from qbwc_service.sync.contract import RequestContext
from qbwc_service.sync.kinds import bill, customer, invoice, item, receiver_bill, time_record
from qbwc_service.sync.kinds.context import BuildError, MapContext
from qbwc_service.sync.running import errors
from qbwc_service.sync.running.engine import JobBossSync
from qbwc_service.sync.running.errors import Action
from qbwc_service.sync.settings import defaults


@pytest.mark.parametrize(("code", "operation", "action"), [
    (0, "add", Action.SUCCESS),
    (1, "query", Action.NOT_FOUND),
    (500, "query", Action.NOT_FOUND),
    (3100, "add", Action.ADOPT),
    (3100, "mod", Action.FAIL),
    (3140, "add", Action.PLAN_DEPENDENCY),
    (3175, "add", Action.RETRY),
    (3176, "mod", Action.RETRY),
    (3180, "add", Action.RETRY),
    (3200, "mod", Action.REQUERY_MOD),
    (3200, "add", Action.FAIL),
    (530, "add", Action.SUCCESS),  # a warning: done, with the message kept
    (3210, "add", Action.FAIL),
    (9999, "query", Action.FAIL),
])
def test_error_policy_table(code, operation, action):
    assert errors.decide(code, operation) is action


@pytest.mark.parametrize(("message", "action"), [
    ("There was an error when saving an Invoice transaction. QuickBooks error message: "
     "Transaction amount must be positive.", Action.FAIL),
    ("There was an error when saving a Bill transaction. QuickBooks error message: "
     "A transaction must have at least one line.", Action.FAIL),
    ("There was an error when saving an Invoice transaction. QuickBooks error message: "
     "This list has been modified by another user.", Action.RETRY),
    ("", Action.RETRY),
])
def test_3180_is_final_unless_another_user_holds_the_list(message, action):
    assert errors.decide(3180, "add", message) is action
    # The words matter for 3180 only.
    assert errors.decide(3175, "add", message) is Action.RETRY


def test_retries_back_off_and_are_capped():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    delays = [errors.retry_after(n, now) - now for n in range(1, errors.MAX_RETRY_ATTEMPTS)]
    assert delays == sorted(delays) and delays[0] > timedelta(0)
    assert all(d <= errors.BACKOFF_CAP for d in delays)
    assert errors.retry_after(errors.MAX_RETRY_ATTEMPTS, now) is None


def _validates(request, version="13.0", country="US"):
    root = etree.Element("QBXML")
    msgs = etree.SubElement(root, "QBXMLMsgsRq", onError="continueOnError")
    msgs.append(build_request_element(request, version, country, "1", []))
    xml = serialize(root, version)
    assert validation_errors(xml, version) == [], xml
    return xml


def _ctx(country="US", **settings):
    values = dict(defaults().values)
    values.update(settings)
    return MapContext(country=country, version="13.0", settings=type(defaults())(values), owner="{X}")


@pytest.mark.parametrize("country", ["US", "CA", "UK"])
def test_every_mapped_demo_record_validates(demo_template, country):
    from qbwc_service.jobboss.reader import JobBossReader

    reader = JobBossReader(str(demo_template))
    ctx = _ctx(country)
    built = 0
    sources = [(reader.ar_invoices, invoice.invoice_add),
               (reader.packing_list_invoices, invoice.invoice_add),
               (reader.ap_invoices, bill.bill_add), (reader.receiver_bills, receiver_bill.receiver_bill_add)]
    for read, mapper in sources:
        for record in list(read(TxnFilter(only_unexported=False)))[:60]:
            try:
                request = mapper(record, ctx)
            except BuildError as exc:
                assert str(exc)  # a clear reason, never a crash
                continue
            _validates(request, country=country)
            built += 1
    for day in list(reader.attendance(TxnFilter(only_unexported=False)))[:30]:
        for index, _punch in time_record.punches_to_send(day):
            _validates(time_record.time_add(day, index, ctx), country=country)
            built += 1
    refused = {}
    for record in reader.customers():
        try:
            _validates(customer.customer_add(record, ctx), country=country)
        except QbxmlFieldError as exc:  # only a name QuickBooks cannot hold, named as such
            refused[record.cust_code] = exc
    assert set(refused) == {HARD_CASES["long_name_customer"]}
    (exc,) = refused.values()
    assert exc.field == "CustomerAddRq/CustomerAdd/Name" and exc.limit == 41
    assert len(clean(exc.value).strip()) > 41
    parts = list(reader.parts())[:40] + [p for p in reader.parts() if p.part_no == HARD_CASES["long_part_no"]]
    refused = {}
    for part in parts:
        try:
            _validates(item.item_add(part.part_no, part, None, ctx), country=country)
        except QbxmlFieldError as exc:
            refused[part.part_no] = exc
    assert set(refused) == {HARD_CASES["long_part_no"]}
    (exc,) = refused.values()
    assert exc.field.endswith("Add/Name") and exc.limit == 31 and exc.value == HARD_CASES["long_part_no"]
    assert built > 100


def test_inventory_items_need_their_three_accounts():
    from decimal import Decimal

    from qbwc_service.jobboss import records as jb

    part = jb.Part(part_no="P-1", description="Pin", price=Decimal("2.50"), cost=Decimal("1.10"),
                   sales_acct=None, purch_acct=None, taxable=True, active=True)
    request = item.item_add("P-1", part, None, _ctx(**{"options.parts_as_service_items": False}))
    assert isinstance(request, rq.ItemInventoryAdd)
    assert request.income_account and request.cogs_account and request.asset_account
    _validates(request)


def test_long_invoice_number_fails_alone_with_a_reason(demo_template):
    from dataclasses import replace

    from qbwc_service.jobboss.reader import JobBossReader

    inv = next(JobBossReader(str(demo_template)).ar_invoices(TxnFilter(only_unexported=False)))
    with pytest.raises(BuildError, match="longer than the 11 characters"):
        invoice.invoice_add(replace(inv, invoice_no="INV-2026-000123"), _ctx())
    with pytest.raises(BuildError, match="does not match its lines"):
        invoice.invoice_add(replace(inv, total=inv.total + 10), _ctx())


def test_external_guid_is_stable_and_version_gated():
    ctx = _ctx()
    assert ctx.guid("Billing:1") == ctx.guid("Billing:1") != ctx.guid("Billing:2")
    old = MapContext(version="8.0")
    assert old.guid("Billing:1") is None and old.guid("CustCode:A", since="8.0")


def test_a_quickbooks_too_old_for_its_country_gets_a_clear_last_error(sessions):
    """No shared qbXML version: nothing is sent, no run starts, getLastError says why."""
    with sessions.begin() as db:
        user = User(name="shop", password_hash="x")
        db.add(user)
        db.flush()
        session = QbwcSession(ticket_hash="t" * 64, user_id=user.id)
        db.add(session)
        db.flush()
        ctx = RequestContext(hcp_response="", company_file="", country="CA",
                             major_version=5, minor_version=0)
        assert JobBossSync().next_request(db, session, ctx) == ""
        assert session.run_id is None
        assert "cannot be synced" in session.last_error and "5.0" in session.last_error


@pytest.mark.parametrize(("version", "country"),
                         [("13.0", "US"), ("6.0", "CA"), ("2.0", "US"), ("16.0", "UK")])
def test_credits_of_the_demo_validate_with_positive_amounts(demo_template, version, country):
    from qbwc_service.jobboss.reader import JobBossReader
    from qbwc_service.sync.kinds import credit_memo, vendor_credit

    reader = JobBossReader(str(demo_template))
    credits = [i for i in reader.ar_invoices(TxnFilter(only_unexported=False)) if i.total < 0]
    assert credits
    ctx = MapContext(country=country, version=version, settings=defaults(), owner="{X}")
    assert any(i.sales_tax for i in credits) and any(not i.sales_tax for i in credits)
    for inv in credits:
        if inv.sales_tax and country != "US":
            with pytest.raises(BuildError, match="sent to US QuickBooks files only"):
                credit_memo.credit_memo_add(inv, ctx)
            continue
        request = credit_memo.credit_memo_add(inv, ctx)
        assert isinstance(request, rq.CreditMemoAdd) and request.ref_number == inv.invoice_no
        # Tax included, as its own line: the credit is the JobBOSS2 total the other way round.
        assert sum(line.amount or 0 for line in request.lines) == -inv.total
        xml = _validates(request, version, country)
        assert "<CreditMemoLineAdd>" in xml and "<InvoiceLineAdd>" not in xml
    bill_record = next(reader.ap_invoices(TxnFilter(only_unexported=False)))
    negative = vendor_credit.credited(bill_record)  # the demo holds no vendor credit: make one
    assert negative.total == -bill_record.total
    request = vendor_credit.vendor_credit_add(negative, ctx)
    assert isinstance(request, rq.VendorCreditAdd)
    assert sum(line.amount or 0 for line in request.expense_lines) == bill_record.total
    _validates(request, version, country)
    _validates(credit_memo.verify_query(credits[0], ctx), version, country)
    _validates(vendor_credit.verify_query(negative.vend_code, negative.invoice_no, ctx), version,
              country)
