"""The accountant's admin in headless Chromium, at 1280 px and on a phone.

Log in, read a failed record's plain-language error, retry it, let the Web
Connector (the emulator, with the QuickBooks stand-in) run, see it done;
save and validate the settings form; add and disable a user on the users
page. Every page is photographed at 1280 px and 390 px into a folder the test
prints (``$QBWC_SCREENSHOT_DIR`` if set), and no page scrolls sideways: not
the document, not its main tables.
"""

from __future__ import annotations

import os
import shutil
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from qbwc_service.jobboss import records as jb
from qbwc_service.queue import jobs
from qbwc_service.queue.models import IdMapEntry, Job, QbwcSession, Run, User, utcnow
from qbwc_service.sync.kinds.payload import JobPayload, Phase
from qbwc_service.sync.serialize import to_jsonable

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SIZES = {"1280": (1280, 800), "phone": (390, 844)}

# A real browser against a server in threads: Chromium's DevTools now and then loses a node
# during a page load ("does not belong to the document") on a loaded machine. Such a test runs
# again, up to twice; an assertion that fails every time still fails.
pytestmark = [
    pytest.mark.flaky(reruns=2, reruns_delay=1),
    pytest.mark.browser,
    pytest.mark.skipif(not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)),
                       reason="needs the Debian packages chromium and chromium-driver "
                              f"({CHROMIUM}, {CHROMEDRIVER})"),
]


def _invoice(number: str, customer: str, total: str, day: date) -> jb.ArInvoice:
    line = jb.ArLine(line_no=1, part_no="P-1", description="Machined bracket, long description "
                     "that wraps on a phone", quantity=Decimal(1), unit_price=Decimal(total),
                     amount=Decimal(total))
    return jb.ArInvoice(source="billing", invoice_no=number, cust_code=customer, txn_date=day,
                        terms_code=None, tax_code=None, po_number=None, ship_address=jb.Address(),
                        ship_via=None, lines=(line,), shipping_charges=Decimal(0),
                        freight_charges=Decimal(0), sales_tax=Decimal(0), total=Decimal(total),
                        notes=None, exported=False, last_mod=None)


@pytest.fixture
def server(admin_config, sessions, users):
    """The service with: a customer whose add QuickBooks refused (permissions, since fixed);
    invoices of another company for the queue's screenshots; two runs for the chart."""
    from qbwc_service import server as server_mod
    from qbwc_service import wsgi

    other = users["other"]
    with sessions.begin() as db:
        refused = jobs.add_job(db, user_id=users["shop"], area="lists", kind="customer.ensure",
                               source_table="CustCode", source_key="BOLT", source_version="1",
                               payload={"phase": "add", "entity": "customer", "key": "BOLT",
                                        "name": "Bolt Fasteners Inc"})
        jobs.transition(db, refused, "sent")
        refused.error_code = "3260"
        jobs.transition(db, refused, "error",
                        reason="3260: Insufficient permission level to perform this action.")
        db.add(IdMapEntry(user_id=other, entity="customer", source_key="ACME", qb_id="80-1",
                          qb_name="Acme Steel Works of North America, Incorporated"))
        run = Run(user_id=other, started_at=utcnow() - timedelta(days=3), status="errors",
                  ended_at=utcnow() - timedelta(days=3), round_trips=4)
        db.add(run)
        db.flush()
        today = date.today()
        for n in range(14):
            payload = JobPayload(Phase.ADD, record_type="ArInvoice", record=to_jsonable(
                _invoice(f"{10230 + n}", "ACME", f"{1234 + n * 111}.50", today))).to_json()
            job = jobs.add_job(db, user_id=other, area="ar", kind="invoice.add",
                               source_table="Billing", source_key=f"{10230 + n}",
                               source_version="1", payload=payload)
            if n < 3:
                jobs.transition(db, job, "sent")
                job.error_code = "3140"
                jobs.transition(db, job, "error", reason='3140: There is an invalid reference to '
                                'QuickBooks Customer "Acme Steel Works of North America, '
                                'Incorporated" in the Invoice.')
                jobs.audit(db, user_id=other, event=jobs.ERROR, job=job, run_id=run.id,
                           detail=job.error_message)
            elif n < 8:
                jobs.audit(db, user_id=other, event=jobs.CREATED, job=job, run_id=run.id)
        db.add(QbwcSession(ticket_hash="d" * 64, user_id=other, state="closed",
                           last_seen_at=utcnow() - timedelta(hours=40)))
        refused_id, run_id = refused.id, run.id
    running = server_mod.run_in_thread(wsgi.create_app(admin_config, sessions=sessions), threads=4)
    try:
        yield running.url, refused_id, run_id
    finally:
        running.stop()


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-dev-shm-usage", "--window-size=1280,800"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def shots(tmp_path, capsys) -> Path:
    folder = Path(os.environ.get("QBWC_SCREENSHOT_DIR") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    with capsys.disabled():
        print(f"\nadmin screenshots: {folder}")
    return folder


#: Widths that overflow: the document, and each main table inside its wrapper.
OVERFLOW = """
return [document.documentElement.scrollWidth - document.documentElement.clientWidth]
  .concat(Array.from(document.querySelectorAll('.table-wrap'))
          .map(function (w) { return w.scrollWidth - w.clientWidth; }));
"""


def shoot(driver, folder: Path, name: str) -> None:
    """Full-height screenshots at 1280 px and phone width; nothing may scroll sideways."""
    for label, (width, height) in SIZES.items():
        driver.set_window_size(width, height)
        # The window's height includes the browser's own bars: add them, or the page is cut.
        full = driver.execute_script("return document.documentElement.scrollHeight"
                                     " + window.outerHeight - window.innerHeight")
        driver.set_window_size(width, min(max(height, full), 4000))
        assert driver.save_screenshot(str(folder / f"{name}-{label}.png"))
        overflow = driver.execute_script(OVERFLOW)
        assert max(overflow) <= 1, f"{name} scrolls sideways at {label} width: {overflow}"
    driver.set_window_size(*SIZES["1280"])


def log_in(browser, base: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(base + "/admin/login")
    browser.find_element(By.NAME, "name").send_keys("ann")
    browser.find_element(By.NAME, "password").send_keys("secret-pw")
    browser.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda d: "/admin/login" not in d.current_url)


def test_read_the_error_retry_and_see_it_done(server, browser, sessions, shots):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    from qbwc_service.simulator.quickbooks import QuickBooksCompany
    from qbwc_service.simulator.webconnector import EmulatorOptions, WebConnector

    base, refused_id, run_id = server
    log_in(browser, base)
    browser.get(base + "/admin/")
    shoot(browser, shots, "01-overview")
    page = browser.find_element(By.TAG_NAME, "main").text
    assert "Records per run, last 30 days" in page
    assert "other has not synced since" in page  # 40 h > alerts.silent_hours (26)
    bars = browser.find_elements(By.CSS_SELECTOR, "svg rect.bar-created")
    assert len(bars) == 1 and float(bars[0].get_attribute("height")) > 0

    browser.get(base + "/admin/queue?user=other")
    shoot(browser, shots, "02-queue")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.list tbody tr")
    assert "Invoice 10243" in rows[0].text and "Acme Steel Works" in rows[0].text
    assert "2,677.50" in rows[0].text

    # The accountant searches every company for the customer's name, keyboard only.
    browser.get(base + "/admin/queue")
    search = browser.find_element(By.NAME, "q")
    search.send_keys("Bolt Fasteners\n")
    WebDriverWait(browser, 10).until(ec.url_contains("q=Bolt"))
    rows = browser.find_elements(By.CSS_SELECTOR, "table.list tbody tr")
    assert len(rows) == 1 and "Failed" in rows[0].text
    shoot(browser, shots, "03-queue-search")
    rows[0].find_element(By.LINK_TEXT, f"#{refused_id}").click()
    WebDriverWait(browser, 10).until(ec.url_contains(f"/admin/jobs/{refused_id}"))
    problem = browser.find_element(By.CSS_SELECTOR, ".problem").text
    assert "The QuickBooks user the Web Connector logs in as may not do this." in problem
    assert "Company > Users" in problem
    assert "Insufficient permission" not in problem  # the raw message waits behind details
    browser.find_element(By.CSS_SELECTOR, ".problem details summary").click()
    assert "3260: Insufficient permission level" in browser.find_element(
        By.CSS_SELECTOR, ".problem details").text
    shoot(browser, shots, "04-job-failed")

    browser.find_element(By.CSS_SELECTOR, "button[value=retry]").click()
    flash = WebDriverWait(browser, 10).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, ".flash")))
    assert "back in the queue" in flash.text

    # The permission was fixed in QuickBooks; the Web Connector's next run sends the customer.
    qb = QuickBooksCompany.fresh()
    result = WebConnector(base + "/qbwc", qb, EmulatorOptions(noop_pause=0.01)).run_session(
        "shop", "shop-pw")
    assert result.outcome == "finished", result.summary()
    with sessions() as db:
        assert db.get(Job, refused_id).status == "done"
    browser.get(f"{base}/admin/jobs/{refused_id}")
    status = browser.find_element(By.CSS_SELECTOR, "dl.facts .badge")
    assert status.text == "Done" and "s-done" in status.get_attribute("class")
    assert not browser.find_elements(By.CSS_SELECTOR, ".problem")
    shoot(browser, shots, "05-job-done")

    browser.get(f"{base}/admin/runs/{run_id}")
    attention = browser.find_element(By.ID, "attention").find_element(By.XPATH, "..").text
    assert "3 invoices" in browser.find_element(By.CSS_SELECTOR, "section.group").text
    assert "Needs attention" in attention
    shoot(browser, shots, "06-run")
    browser.get(f"{base}/admin/runs")
    shoot(browser, shots, "07-runs")
    browser.get(f"{base}/admin/audit")
    shoot(browser, shots, "08-audit")


def test_settings_form_saves_and_validates(server, browser, sessions, users, shots):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    from qbwc_service.sync.settings import get_settings

    base, _, _ = server
    log_in(browser, base)
    browser.get(base + "/admin/settings?user=shop")
    shoot(browser, shots, "09-settings")
    form = browser.find_element(By.CSS_SELECTOR, "form.settings")
    form.find_element(By.XPATH, ".//label[contains(., 'Packing List')]").click()
    form.find_element(By.XPATH, ".//label[contains(., 'Quit syncing an area after an error')]").click()
    batch = form.find_element(By.ID, "f-sync.batch_size")
    batch.clear()
    batch.send_keys("900")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, 10).until(ec.staleness_of(form))  # the answer page, not the old one
    error = WebDriverWait(browser, 10).until(
        ec.presence_of_element_located((By.ID, "e-sync.batch_size")))
    assert "between 1 and 500" in error.text
    shoot(browser, shots, "10-settings-invalid")
    with sessions() as db:
        assert get_settings(db, users["shop"])["source.invoices"] == "billing"  # nothing saved

    form = browser.find_element(By.CSS_SELECTOR, "form.settings")
    assert form.find_element(By.CSS_SELECTOR, "input[value=packing_list]").is_selected()  # kept
    batch = form.find_element(By.ID, "f-sync.batch_size")
    batch.clear()
    batch.send_keys("120")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, 10).until(ec.staleness_of(form))
    WebDriverWait(browser, 10).until(
        lambda d: "saved" in d.find_element(By.CSS_SELECTOR, ".flash").text)
    with sessions() as db:
        mine = get_settings(db, users["shop"])
    assert (mine["source.invoices"], mine["options.quit_area_on_error"], mine.batch_size) == (
        "packing_list", True, 120)


def test_users_page_adds_and_disables_a_user(server, browser, sessions, shots):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    base, _, _ = server
    log_in(browser, base)
    browser.get(base + "/admin/users")
    shoot(browser, shots, "11-users")
    add = browser.find_element(By.CSS_SELECTOR, "section.add-user form")
    add.find_element(By.NAME, "name").send_keys("plant2")
    add.find_element(By.NAME, "password").send_keys("plant2-pw")
    add.find_element(By.NAME, "password2").send_keys("plant2-pw")
    add.find_element(By.NAME, "company_file").send_keys(r"C:\QB\Plant 2.qbw")
    add.find_element(By.NAME, "jobboss_url").send_keys("env:PLANT2_JOBBOSS")
    add.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, 10).until(
        lambda d: "Added user plant2" in d.find_element(By.CSS_SELECTOR, ".flash").text)
    row = next(r for r in browser.find_elements(By.CSS_SELECTOR, "table.users tbody tr")
               if "plant2" in r.text)
    assert "Plant 2.qbw" in row.text and "Enabled" in row.text

    row.find_element(By.LINK_TEXT, "Edit").click()
    WebDriverWait(browser, 10).until(lambda d: "/admin/users/" in d.current_url)
    shoot(browser, shots, "12-user")
    browser.execute_script("window.confirm = function () { return true; };")
    browser.find_element(By.XPATH, "//button[contains(., 'Disable plant2')]").click()
    WebDriverWait(browser, 10).until(
        lambda d: "Disabled user plant2" in d.find_element(By.CSS_SELECTOR, ".flash").text)
    with sessions() as db:
        user = db.scalar(select(User).where(User.name == "plant2"))
        assert user.enabled is False and user.company_file == r"C:\QB\Plant 2.qbw"
    row = next(r for r in browser.find_elements(By.CSS_SELECTOR, "table.users tbody tr")
               if "plant2" in r.text)
    assert "Disabled" in row.text
    shoot(browser, shots, "13-users-after")
