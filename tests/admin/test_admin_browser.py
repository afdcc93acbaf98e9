"""The admin page in headless Chromium: log in, filter, open a job, retry it; screenshots.

Screenshots go to ``$QBWC_SCREENSHOT_DIR`` if set (CI keeps them as
artifacts), else the test's temporary folder.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from qbwc_service.queue import jobs, messages
from qbwc_service.queue.models import Job, QbwcSession, Run, utcnow

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SIZES = {"laptop": (1366, 768), "phone": (390, 844)}

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


@pytest.fixture
def server(admin_config, sessions, users):
    from qbwc_service import server as server_mod
    from qbwc_service import wsgi

    with sessions.begin() as db:
        for n in range(12):
            jobs.add_job(db, user_id=users["shop"], area="ar", kind="invoice.add",
                         source_table="Billing", source_key=f"INV-{1000 + n}", source_version="1",
                         payload={})
        failed = jobs.add_job(db, user_id=users["shop"], area="ap", kind="bill.add",
                              source_table="VendorInv", source_key="BILL-77", source_version="1",
                              payload={})
        kept = messages.keep_request(
            db, [failed], '<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="13.0"?>\n'
            '<QBXML><QBXMLMsgsRq onError="continueOnError"><BillAddRq '
            'requestID="13"><BillAdd><VendorRef><FullName>Acme Steel Supply'
            '</FullName></VendorRef><RefNumber>BILL-77</RefNumber></BillAdd>'
            '</BillAddRq></QBXMLMsgsRq></QBXML>', user_id=users["shop"])
        jobs.transition(db, failed, "sent")
        messages.keep_response(db, [kept], '<QBXML><QBXMLMsgsRs><BillAddRs requestID="13" '
                               'statusCode="3140" statusSeverity="Error" statusMessage="There is '
                               'an invalid reference to QuickBooks Vendor &quot;Acme Steel '
                               'Supply&quot;."/></QBXMLMsgsRs></QBXML>')
        jobs.transition(db, failed, "error", reason='3140: There is an invalid reference to '
                                                    'QuickBooks Vendor "Acme Steel Supply".')
        failed_id = failed.id
    running = server_mod.run_in_thread(wsgi.create_app(admin_config, sessions=sessions), threads=4)
    try:
        yield running.url, failed_id
    finally:
        running.stop()


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-dev-shm-usage", "--window-size=1366,768"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    try:
        yield driver
    finally:
        driver.quit()


def shoot(driver, folder: Path, name: str) -> list[Path]:
    """Screenshots of the current page at laptop and phone widths (full page height)."""
    saved = []
    for label, (width, height) in SIZES.items():
        driver.set_window_size(width, height)
        full = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(max(height, full), 3000))
        path = folder / f"{name}-{label}.png"
        assert driver.save_screenshot(str(path))
        saved.append(path)
        overflow = driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{name} scrolls sideways at {label} width ({overflow}px)"
    driver.set_window_size(*SIZES["laptop"])
    return saved


def test_login_filter_open_retry_with_screenshots(server, browser, sessions, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    def wait_for_url(fragment: str) -> None:
        WebDriverWait(browser, 10).until(ec.url_contains(fragment))

    base, failed_id = server
    shots = Path(os.environ.get("QBWC_SCREENSHOT_DIR") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)

    browser.get(base + "/admin/queue")
    assert "/admin/login" in browser.current_url
    shoot(browser, shots, "1-login")
    browser.find_element(By.NAME, "name").send_keys("ann")
    browser.find_element(By.NAME, "password").send_keys("secret-pw")
    browser.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda d: d.current_url.endswith("/admin/queue"))

    filters = browser.find_element(By.CSS_SELECTOR, "form.filters")
    # Statuses read in words ("Failed"); the option's value is the state.
    Select(filters.find_element(By.NAME, "status")).select_by_value("error")
    Select(filters.find_element(By.NAME, "area")).select_by_visible_text("ap")
    filters.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for_url("status=error")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.list tbody tr")
    assert len(rows) == 1 and "VendorInv:BILL-77" in rows[0].text
    shoot(browser, shots, "2-queue-filtered")

    rows[0].find_element(By.LINK_TEXT, f"#{failed_id}").click()
    wait_for_url(f"/admin/jobs/{failed_id}")
    page = browser.find_element(By.TAG_NAME, "main").text
    assert "refers to “Acme Steel Supply”, which QuickBooks does not have" in page
    # QuickBooks' own message and the qbXML wait behind "details" toggles.
    for toggle in browser.find_elements(By.CSS_SELECTOR, "details > summary"):
        toggle.click()
    page = browser.find_element(By.TAG_NAME, "main").text
    assert "invalid reference to QuickBooks Vendor" in page
    assert "<BillAddRq" in page  # the exact qbXML, shown as text
    shoot(browser, shots, "3-job")

    browser.find_element(By.CSS_SELECTOR, "button[value=retry]").click()
    flash = WebDriverWait(browser, 10).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, ".flash")))
    assert "back in the queue" in flash.text
    with sessions() as db:
        assert db.get(Job, failed_id).status == "pending"
    shoot(browser, shots, "4-job-retried")

    browser.get(base + "/admin/settings?user=shop")
    shoot(browser, shots, "5-settings")
    saved = sorted(p.name for p in shots.glob("*.png"))
    assert len(saved) == 10 and all((shots / n).stat().st_size > 5000 for n in saved)


def test_a_running_session_shows_live_and_the_page_reloads_when_it_ends(server, browser,
                                                                        sessions, users):
    """No manual reload: the banner follows the session's progress, the run page's
    badge too, and the page reloads once the session is over."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    base, _ = server
    with sessions.begin() as db:
        run = Run(user_id=users["shop"], status="running")
        db.add(run)
        db.flush()
        live = QbwcSession(ticket_hash="c" * 64, user_id=users["shop"], state="open",
                           progress=10, run_id=run.id)
        db.add(live)
        db.flush()
        run_id, session_id = run.id, live.id
    browser.get(base + "/admin/login")
    browser.find_element(By.NAME, "name").send_keys("ann")
    browser.find_element(By.NAME, "password").send_keys("secret-pw")
    browser.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]").click()
    # Let the login land first: navigating while it is in flight can end on its redirect target.
    WebDriverWait(browser, 10).until(lambda d: "/admin/login" not in d.current_url)
    browser.get(f"{base}/admin/runs/{run_id}")
    WebDriverWait(browser, 10).until(lambda d: d.current_url.endswith(f"/admin/runs/{run_id}"))
    banner = browser.find_element(By.ID, "live")
    WebDriverWait(browser, 10).until(lambda d: "10%" in banner.text)
    browser.execute_script("window.notReloaded = true")

    with sessions.begin() as db:
        db.get(QbwcSession, session_id).progress = 64
    WebDriverWait(browser, 10).until(lambda d: "64%" in banner.text)
    badge = browser.find_element(By.CSS_SELECTOR, f"[data-run-progress='{run_id}']")
    assert badge.text == "running 64%"
    link = banner.find_element(By.TAG_NAME, "a")
    assert link.get_attribute("href").endswith(f"/admin/runs/{run_id}")

    with sessions.begin() as db:
        db.get(QbwcSession, session_id).state = "closed"
        db.get(Run, run_id).status = "ok"
        db.get(Run, run_id).ended_at = utcnow()
    WebDriverWait(browser, 15).until(
        lambda d: d.execute_script("return window.notReloaded === undefined"))
    assert not browser.find_element(By.ID, "live").is_displayed()
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-run-progress]")
    assert "ok" in browser.find_element(By.CSS_SELECTOR, "dl.facts").text
