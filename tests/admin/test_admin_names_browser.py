"""The name map and reconciliation pages in headless Chromium, at 1280 px and on a phone.

A customer whose name is too long for QuickBooks (``names.customer`` = ``error``)
fails in a real Web Connector session; the accountant reads why on its page,
follows "Edit the QuickBooks name" to the name map, sets a shorter name through
the form, and the next session sends the customer and the invoice that waited
for it. The reconciliation page is photographed with a finished reconciliation
of the demo JobBOSS2 database. Helpers and fixtures are the accountant's
browser test's (``shoot``, ``log_in``, ``browser``, ``shots``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from admin import test_admin_accountant_browser as accountant
from sqlalchemy import select

from qbwc_service import accounts
from qbwc_service.jobboss import records as jb
from qbwc_service.queue import jobs
from qbwc_service.queue.models import Job, NameMapEntry
from qbwc_service.sync import settings as st
from qbwc_service.sync.kinds import registry
from qbwc_service.sync.kinds.payload import JobPayload, Phase
from qbwc_service.sync.planning.dependencies import DependencyPlanner
from qbwc_service.sync.serialize import to_jsonable

# The accountant's browser test's fixtures and helpers, and its skip without Chromium.
browser, shots = accountant.browser, accountant.shots
shoot, log_in, pytestmark = accountant.shoot, accountant.log_in, accountant.pytestmark

LONG = "Northwestern Aerospace Precision Assemblies International"  # 57 > QuickBooks' 41
SHORT = "Northwestern Aerospace"
#: Three days of the demo JobBOSS2 database: a score of invoices and bills.
WINDOW = (date(2026, 1, 29), date(2026, 1, 31))


def _customer(code: str, name: str) -> jb.Customer:
    return jb.Customer(cust_code=code, name=name, qb_name=name, terms_code=None, tax_code=None,
                       address=jb.Address(), phone=None, fax=None, contact=None, active=True)


def _session(base: str, user: str, password: str, qb):
    from qbwc_service.simulator.webconnector import EmulatorOptions, WebConnector

    result = WebConnector(base + "/qbwc", qb, EmulatorOptions(noop_pause=0.01)).run_session(
        user, password)
    assert result.outcome == "finished", result.summary()
    return result


@pytest.fixture
def refused_name(admin_config, sessions, users):
    """An invoice of customer NWAPA planned as the planner plans it (its customer and part
    ensured first), ``names.customer`` = ``error``, and one Web Connector session run: the
    customer's add fails on its name, the invoice waits for it."""
    from qbwc_service import server as server_mod
    from qbwc_service import wsgi
    from qbwc_service.simulator.quickbooks import QuickBooksCompany

    shop = users["shop"]
    invoice = accountant._invoice("10301", "NWAPA", "4890.00", date.today())
    with sessions.begin() as db:
        st.set_settings(db, shop, {"names.customer": "error"})
        settings = st.get_settings(db, shop)
        kind = registry.TXN_KINDS["invoice.add"]
        deps = DependencyPlanner(db, shop, settings, lambda entity, keys: (
            {"NWAPA": _customer("NWAPA", LONG)} if entity == "customer" else {}))
        needed = [j for j in deps.jobs_for(kind.needs(invoice, 0, settings)).values() if j]
        payload = JobPayload(Phase.ADD, record_type="ArInvoice", record=to_jsonable(invoice))
        waiting = jobs.add_job(db, user_id=shop, area="ar", kind="invoice.add",
                               source_table="Billing", source_key="10301", source_version="1",
                               payload=payload.to_json(), depends_on=needed)
        ensure = next(j for j in needed if j.kind == "customer.ensure")
        ensure_id, invoice_id = ensure.id, waiting.id
    running = server_mod.run_in_thread(wsgi.create_app(admin_config, sessions=sessions), threads=4)
    qb = QuickBooksCompany.fresh()
    try:
        _session(running.url, "shop", "shop-pw", qb)
        yield running.url, qb, ensure_id, invoice_id
    finally:
        running.stop()


def test_a_name_too_long_is_fixed_in_the_name_map_and_the_record_is_done(
        refused_name, browser, sessions, users, shots):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    base, qb, ensure_id, invoice_id = refused_name
    with sessions() as db:
        failed = db.get(Job, ensure_id)
        assert failed.status == "error" and "longer than 41" in failed.error_message
        assert db.get(Job, invoice_id).status == "blocked"

    log_in(browser, base)
    browser.get(f"{base}/admin/jobs/{ensure_id}")
    problem = browser.find_element(By.CSS_SELECTOR, ".problem")
    assert (f"The name of Customer {LONG} (JobBOSS2 CustCode:NWAPA), “{LONG}”, is longer than "
            "QuickBooks allows.") in problem.text
    assert "shorter QuickBooks name in the name map" in problem.text
    assert "CustomerAddRq" not in problem.text  # the raw message waits behind details
    shoot(browser, shots, "14-job-name-too-long")
    problem.find_element(By.PARTIAL_LINK_TEXT, "Edit the QuickBooks name").click()
    WebDriverWait(browser, 10).until(ec.url_contains("/admin/names"))
    assert "user=shop" in browser.current_url  # the company of the record, not the first one

    form = browser.find_element(By.CSS_SELECTOR, "form.set-name")
    assert form.find_element(By.NAME, "csrf_token").get_attribute("value")
    assert Select(form.find_element(By.NAME, "kind")).first_selected_option.get_attribute(
        "value") == "customer"
    assert form.find_element(By.NAME, "key").get_attribute("value") == "NWAPA"
    form.find_element(By.NAME, "qb_name").send_keys(SHORT)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    flash = WebDriverWait(browser, 10).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, ".flash")))
    assert f"customer 'NWAPA' -> '{SHORT}'" in flash.text and "1 jobs planned again" in flash.text
    row = browser.find_element(By.CSS_SELECTOR, "table.names tbody tr")
    assert SHORT in row.text and LONG in row.text and "By hand" in row.text
    shoot(browser, shots, "15-names")

    with sessions() as db:
        [entry] = db.scalars(select(NameMapEntry).where(NameMapEntry.user_id == users["shop"]))
        assert (entry.qb_name, entry.origin, entry.set_by) == (SHORT, "manual", "admin ann")
        assert db.get(Job, ensure_id).status == "cancelled"  # planned again as a new job
        assert db.get(Job, invoice_id).status == "pending"

    _session(base, "shop", "shop-pw", qb)
    [customer] = [c for c in qb.state.table("CustomerRet").values() if c["Name"] == SHORT]
    [sent] = qb.state.table("InvoiceRet").values()
    assert sent["CustomerRef"]["ListID"] == customer["ListID"] and sent["RefNumber"] == "10301"

    browser.get(f"{base}/admin/jobs/{ensure_id}")
    browser.find_element(By.CSS_SELECTOR, ".later a").click()
    WebDriverWait(browser, 10).until(lambda d: f"/admin/jobs/{ensure_id}" not in d.current_url)
    status = browser.find_element(By.CSS_SELECTOR, "dl.facts .badge")
    assert status.text == "Done" and "s-done" in status.get_attribute("class")
    browser.get(f"{base}/admin/jobs/{invoice_id}")
    status = browser.find_element(By.CSS_SELECTOR, "dl.facts .badge")
    assert status.text == "Done"
    assert not browser.find_elements(By.CSS_SELECTOR, ".problem")
    shoot(browser, shots, "16-invoice-done")


@pytest.fixture
def reconciled(admin_config, sessions, users, tmp_path: Path):
    """The demo JobBOSS2 database of a few days synced for ``plant``, one invoice's total then
    changed and one deleted in QuickBooks: the reconciliation has rows of each kind."""
    from qbwc_service import server as server_mod
    from qbwc_service import wsgi
    from qbwc_service.queue.db import transaction
    from qbwc_service.simulator.demo_db import create_demo_database
    from qbwc_service.simulator.quickbooks import QuickBooksCompany
    from qbwc_service.simulator.webconnector import EmulatorOptions, WebConnector
    from qbwc_service.sync.planning import planner

    jobboss = create_demo_database(tmp_path / "jobboss.sqlite3", seed=7, scale=1,
                                   anchor=date(2026, 1, 31))
    with transaction(sessions) as db:
        accounts.create_user(db, "plant", "plant-pw", jobboss_url=str(jobboss))
    with transaction(sessions) as db:
        planner.plan_manual(db, accounts.require_user(db, "plant"), *WINDOW)
    running = server_mod.run_in_thread(wsgi.create_app(admin_config, sessions=sessions), threads=4)
    qb = QuickBooksCompany.fresh()
    try:
        for _ in range(6):  # until the queue is empty
            done = WebConnector(running.url + "/qbwc", qb, EmulatorOptions(noop_pause=0.01)
                                ).run_session("plant", "plant-pw")
            if done.outcome in ("none", "error", "nvu"):
                break
        yield running.url, qb
    finally:
        running.stop()


def test_names_and_reconciliation_pages_at_1280_and_on_a_phone(reconciled, browser, sessions,
                                                                shots):
    from decimal import Decimal

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    base, qb = reconciled
    invoices = list(qb.state.table("InvoiceRet").values())
    assert len(invoices) >= 2
    changed, gone = invoices[0], invoices[1]
    qb.alter("InvoiceRet", changed["TxnID"], Subtotal=str(Decimal(changed["Subtotal"]) + 10))
    qb.delete("InvoiceRet", gone["TxnID"])

    log_in(browser, base)
    browser.get(base + "/admin/names?user=plant")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.names tbody tr")
    assert any("Shortened" in r.text for r in rows)  # the demo's long names, shortened
    shoot(browser, shots, "17-names-list")

    browser.get(base + "/admin/reconcile?user=plant")
    plan = browser.find_element(By.ID, "plan")
    for name, day in (("from", WINDOW[0]), ("to", WINDOW[1])):
        # A date input takes the date as the browser's locale types it; set its value instead.
        browser.execute_script("arguments[0].value = arguments[1];",
                               plan.find_element(By.NAME, name), day.isoformat())
    plan.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, 10).until(
        lambda d: "planned" in d.find_element(By.CSS_SELECTOR, ".flash").text)
    _session(base, "plant", "plant-pw", qb)
    browser.get(base + "/admin/reconcile?user=plant")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.reconcile tbody tr")
    text = [r.text for r in rows]
    assert any("Different" in t and changed["RefNumber"] in t for t in text), text
    assert any("Only in JobBOSS2" in t and gone["RefNumber"] in t for t in text), text
    assert any("Equal" in t for t in text)
    shoot(browser, shots, "18-reconcile")
