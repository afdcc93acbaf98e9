"""Every admin page and action through WSGI: login, CSRF, actions, filters, settings."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from qbwc_service.queue import jobs, messages
from qbwc_service.queue.models import AuditEvent, Job, QbwcSession, Run, Setting, utcnow
from qbwc_service.sync.settings import SETTINGS, get_settings

PAGES = ["/admin/", "/admin/queue", "/admin/jobs/1", "/admin/runs", "/admin/runs/1",
         "/admin/settings", "/admin/audit", "/admin/progress.json"]
POSTS = ["/admin/jobs/1/retry", "/admin/jobs/1/skip", "/admin/jobs/1/cancel",
         "/admin/queue/retry-errors", "/admin/settings", "/admin/settings/start",
         "/admin/settings/defaults", "/admin/settings/set-begin"]


def add(db, user_id, key, area="ar", status="pending", reason="", **fields):
    job = jobs.add_job(db, user_id=user_id, area=area, kind=fields.pop("kind", f"{area}.add"),
                       source_table=fields.pop("table", "Billing"), source_key=key,
                       source_version="1", payload={}, **fields)
    if status != "pending":
        jobs.transition(db, job, "sent")
        jobs.transition(db, job, status, reason=reason)
    return job


@pytest.fixture
def queue(sessions, users):
    """A few jobs of shop and other: one failed AR invoice blocking nothing, one blocked bill."""
    with sessions.begin() as db:
        shop, other = users["shop"], users["other"]
        made = {
            "inv_ok": add(db, shop, "INV-100", status="done"),
            "inv_err": add(db, shop, "INV-101", status="error", reason="3140: bad customer"),
            "vendor": add(db, shop, "ACME", area="lists", kind="vendor.ensure", table="Vendor",
                          status="error", reason="3100: name in use"),
            "time": add(db, shop, "T-1", area="time"),
            "theirs": add(db, other, "INV-900", status="error", reason="3000: nope"),
        }
        made["bill"] = add(db, shop, "BILL-7", area="ap", depends_on=[made["vendor"]])
        kept = messages.keep_request(db, [made["inv_err"]],
                                     '<?xml version="1.0"?><QBXML><InvoiceAddRq requestID="2">'
                                     '<Memo>a &lt;b&gt;</Memo></InvoiceAddRq></QBXML>', user_id=shop)
        messages.keep_response(db, [kept], '<QBXML><InvoiceAddRs statusCode="3140"/></QBXML>')
        return {name: job.id for name, job in made.items()}


def status_of(sessions, job_id):
    with sessions() as db:
        return db.get(Job, job_id).status


def csrf(page):
    return next(iter(page.forms.values()))["csrf_token"].value


# ------------------------------------------------------------------ login


@pytest.mark.parametrize("path", PAGES)
def test_every_page_requires_login(app, path):
    res = app.get(path, status=302)
    assert "/admin/login" in res.location


@pytest.mark.parametrize("path", POSTS)
def test_every_action_requires_login(app, sessions, queue, path):
    before = status_of(sessions, 1)
    res = app.post(path, {"user": "shop", "area": "ar"}, status="*")
    assert res.status_int in (302, 400)  # refused before anything happens
    assert "/admin/login" in res.headers.get("Location", "/admin/login")
    assert status_of(sessions, 1) == before


def test_login_refuses_wrong_password_and_non_admin(app, login, sessions):
    assert login(password="wrong", status=401).status_int == 401
    refused = login(name="shop", password="shop-pw", status=401)
    assert "not an admin" in refused.text
    app.get("/admin/queue", status=302)
    ok = login()
    assert ok.location.endswith("/admin/queue")
    assert "Queue" in app.get("/admin/queue").text


def test_login_returns_to_the_page_asked_for_and_never_elsewhere(app):
    res = app.get("/admin/runs", status=302).follow()
    form = res.forms[0]
    form["name"], form["password"] = "ann", "secret-pw"
    assert form.submit().location.endswith("/admin/runs")
    app.reset()
    page = app.get("/admin/login?next=//evil.example/x")
    form = page.forms[0]
    form["name"], form["password"] = "ann", "secret-pw"
    assert form.submit().location.endswith("/admin/queue")


def test_login_is_throttled(app, login, admin_config):
    for _ in range(admin_config["qbwc.max_failures"]):
        login(password="wrong", status=401)
    assert login(status=429).status_int == 429  # even the right password, for a while


def test_logout(logged_in):
    page = logged_in.get("/admin/queue")
    logged_in.post("/admin/logout", {"csrf_token": csrf(page)}, status=302)
    logged_in.get("/admin/queue", status=302)


# ------------------------------------------------------------------ CSRF


def test_forms_without_csrf_token_are_refused(app, logged_in, sessions, queue):
    res = logged_in.post(f"/admin/jobs/{queue['inv_err']}/retry", status=400)
    assert "refused" in res.text
    assert status_of(sessions, queue["inv_err"]) == "error"
    logged_in.post("/admin/settings?user=shop", {"sync.batch_size": "7"}, status=400)
    logged_in.post(f"/admin/jobs/{queue['inv_err']}/retry", {"csrf_token": "forged"}, status=400)
    with sessions() as db:
        assert db.query(Setting).count() == 0
    app.reset()
    app.post("/admin/login", {"name": "ann", "password": "secret-pw"}, status=400)


def test_pages_forbid_framing_and_foreign_scripts(logged_in):
    res = logged_in.get("/admin/queue")
    assert res.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in res.headers["Content-Security-Policy"]
    assert "<script>" not in res.text  # no inline script: the CSP would block it


# ------------------------------------------------------------------ queue and job


def test_queue_filters_select_the_right_rows(logged_in, queue):
    def ids(query):
        page = logged_in.get("/admin/queue" + query)
        return {int(n) for n in re.findall(r'href="/admin/jobs/(\d+)">#', page.text)}

    assert ids("") == set(queue.values())
    assert ids("?user=other") == {queue["theirs"]}
    assert ids("?status=error") == {queue["inv_err"], queue["vendor"], queue["theirs"]}
    assert ids("?status=error&user=shop&area=ar") == {queue["inv_err"]}
    assert ids("?area=ap") == {queue["bill"]}
    assert ids("?q=inv-10") == {queue["inv_ok"], queue["inv_err"]}
    assert ids("?q=Vendor:ACME") == {queue["vendor"]}
    today = date.today()
    assert ids(f"?from={today - timedelta(days=1)}&to={today + timedelta(days=1)}") == set(
        queue.values())
    assert ids(f"?to={today - timedelta(days=2)}") == set()
    bad = logged_in.get("/admin/queue?status=bogus")
    assert "unknown status" in bad.text


def test_queue_is_paginated_newest_first(logged_in, sessions, users):
    with sessions.begin() as db:
        made = [add(db, users["shop"], f"P{n:03d}").id for n in range(60)]
    first = logged_in.get("/admin/queue")
    shown = [int(n) for n in re.findall(r'href="/admin/jobs/(\d+)">#', first.text)]
    assert shown == sorted(made, reverse=True)[:50]
    second = first.click("Older")
    shown2 = [int(n) for n in re.findall(r'href="/admin/jobs/(\d+)">#', second.text)]
    assert shown2 == sorted(made, reverse=True)[50:]


def test_job_page_shows_its_part_of_the_kept_message_indented(logged_in, sessions, users):
    """Jobs sent together: the message is kept once; the second shows its own request
    and response (not "not sent yet"), one element per line."""
    from qbwc_service.queue import dequeue

    with sessions.begin() as db:
        session = QbwcSession(ticket_hash="k" * 64, user_id=users["shop"])
        db.add(session)
        db.flush()
        for key in ("INV-1", "INV-2"):
            add(db, users["shop"], key)
        first, second = dequeue.claim_batch(db, user_id=users["shop"], session_id=session.id,
                                            limit=2)
        kept = messages.keep_request(
            db, [first, second],
            '<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="13.0"?>\n'
            '<QBXML><QBXMLMsgsRq onError="continueOnError">'
            + "".join(f'<InvoiceAddRq requestID="{j.request_id}"><InvoiceAdd>'
                      f'<RefNumber>{j.source_key}</RefNumber></InvoiceAdd>'
                      '</InvoiceAddRq>' for j in (first, second))
            + "</QBXMLMsgsRq></QBXML>", user_id=users["shop"], session_id=session.id)
        messages.keep_response(db, [kept], '<QBXML><QBXMLMsgsRs>'
                               + "".join(f'<InvoiceAddRs requestID="{j.request_id}" '
                                         f'statusCode="0"/>' for j in (first, second))
                               + "</QBXMLMsgsRs></QBXML>")
        second_id, second_rid = second.id, second.request_id
    text = logged_in.get(f"/admin/jobs/{second_id}").text
    assert "Not sent yet" not in text
    assert "\n  &lt;InvoiceAdd&gt;\n    &lt;RefNumber&gt;INV-2&lt;/RefNumber&gt;" in text
    assert "INV-1" not in text
    assert f"InvoiceAddRs requestID=&#34;{second_rid}&#34; statusCode=&#34;0&#34;" in text


def test_job_page_shows_everything(logged_in, queue):
    page = logged_in.get(f"/admin/jobs/{queue['inv_err']}")
    text = page.text
    assert "Billing:INV-101" in text and "3140: bad customer" in text
    assert "&lt;InvoiceAddRq requestID=&#34;2&#34;&gt;" in text  # the exact qbXML, escaped
    assert "&amp;lt;b&amp;gt;" in text
    assert "InvoiceAddRs statusCode" in text
    assert ">planned<" in text and ">sent<" in text and ">error<" in text
    assert {f.action.rsplit("/", 1)[-1] for f in page.forms.values()
            if "/jobs/" in (f.action or "")} == {"retry", "skip", "cancel"}
    bill = logged_in.get(f"/admin/jobs/{queue['bill']}").text
    assert "vendor.ensure Vendor:ACME" in bill  # its dependency
    assert "Not sent yet" in bill
    logged_in.get("/admin/jobs/99999", status=404)


def _press(app, job_id, action):
    page = app.get(f"/admin/jobs/{job_id}")
    form = next(f for f in page.forms.values() if (f.action or "").endswith(f"/{action}"))
    return form.submit().follow()


def test_job_actions_change_the_job(logged_in, sessions, queue):
    retried = _press(logged_in, queue["inv_err"], "retry")
    assert "back in the queue" in retried.text
    assert status_of(sessions, queue["inv_err"]) == "pending"
    _press(logged_in, queue["time"], "skip")
    assert status_of(sessions, queue["time"]) == "skipped"
    _press(logged_in, queue["time"], "retry")
    assert status_of(sessions, queue["time"]) == "pending"
    _press(logged_in, queue["time"], "cancel")
    assert status_of(sessions, queue["time"]) == "cancelled"
    with sessions() as db:
        detail = db.scalar(select(AuditEvent.detail).where(AuditEvent.event == "cancelled"))
        assert detail == "cancelled by admin ann"


def test_retrying_a_blocked_job_retries_what_blocks_it(logged_in, sessions, queue):
    with sessions.begin() as db:
        vendor = db.get(Job, queue["vendor"])
        jobs.block_dependents(db, vendor, "3100: name in use")
    assert status_of(sessions, queue["bill"]) == "blocked"
    _press(logged_in, queue["bill"], "retry")
    assert status_of(sessions, queue["vendor"]) == "pending"
    assert status_of(sessions, queue["bill"]) == "pending"


def test_illegal_action_is_explained_and_changes_nothing(logged_in, sessions, queue):
    page = logged_in.get(f"/admin/jobs/{queue['inv_ok']}")
    assert not [f for f in page.forms.values() if "/jobs/" in (f.action or "")]  # no buttons
    res = logged_in.post(f"/admin/jobs/{queue['inv_ok']}/retry", {"csrf_token": csrf(page)})
    assert "cannot be retried" in res.follow().text
    assert status_of(sessions, queue["inv_ok"]) == "done"
    logged_in.post(f"/admin/jobs/{queue['inv_ok']}/explode", {"csrf_token": csrf(page)},
                   status=404)


def test_retry_all_errors_of_an_area(logged_in, sessions, queue):
    page = logged_in.get("/admin/queue?user=shop&area=ar")
    form = next(f for f in page.forms.values() if (f.action or "").endswith("retry-errors"))
    assert form["area"].value == "ar" and form["user"].value == "shop"
    done = form.submit().follow()
    assert "1 failed job(s) in ar back in the queue" in done.text
    assert status_of(sessions, queue["inv_err"]) == "pending"
    assert status_of(sessions, queue["vendor"]) == "error"  # other area
    assert status_of(sessions, queue["theirs"]) == "error"  # other user


# ------------------------------------------------------------------ runs and progress


@pytest.fixture
def run_id(sessions, users, queue):
    with sessions.begin() as db:
        run = Run(user_id=users["shop"], started_at=utcnow() - timedelta(seconds=75),
                  ended_at=utcnow(), status="errors", round_trips=3)
        db.add(run)
        db.flush()
        for key, outcome in (("inv_ok", "created"), ("inv_err", "error")):
            job = db.get(Job, queue[key])
            jobs.audit(db, user_id=job.user_id, event=outcome, job=job, run_id=run.id,
                       detail="3140: bad customer" if outcome == "error" else "")
        bill = db.get(Job, queue["bill"])  # blocked by the vendor, as the run's cascade writes it
        jobs.audit(db, user_id=bill.user_id, event=jobs.BLOCKED, job=bill, run_id=run.id,
                   detail=bill.blocked_reason)
        return run.id


def test_runs_page_lists_runs_with_counts(logged_in, run_id):
    page = logged_in.get("/admin/runs")
    assert f"run {run_id}" in page.text
    assert "1 created" in page.text and "1 error" in page.text
    assert "1 min 15 s" in page.text
    assert f"run {run_id}" not in logged_in.get("/admin/runs?user=other").text


def test_run_page_shows_the_report_per_settings(logged_in, sessions, users, run_id):
    page = logged_in.get(f"/admin/runs/{run_id}")
    assert "Billing:INV-100" in page.text and "Billing:INV-101" in page.text
    assert "3140: bad customer" in page.text
    with sessions.begin() as db:
        db.add(Setting(user_id=users["shop"], key="report.sections", value="errors"))
    page = logged_in.get(f"/admin/runs/{run_id}")
    assert "Billing:INV-101" in page.text and "Billing:INV-100" not in page.text
    logged_in.get("/admin/runs/999", status=404)


def test_run_page_lists_errors_first_with_the_jobs_they_blocked(logged_in, run_id):
    """The bill blocked by the failed vendor during the run is counted and shown, with why."""
    page = logged_in.get(f"/admin/runs/{run_id}").text
    assert page.index('<h2 id="errors">') < page.index('<h2 id="warnings">') \
        < page.index('<h2 id="created">')
    errors = page[page.index('<h2 id="errors">'):page.index('<h2 id="warnings">')]
    assert "Billing:BILL-7" in errors and ">blocked</span>" in errors
    assert "waiting for vendor.ensure Vendor:ACME" in errors and "3100: name in use" in errors
    assert "<tr><td>blocked</td>" in page  # a row of the counts table
    assert "1 blocked by a failed record" in page  # the summary line


def test_only_pages_without_a_form_to_lose_reload_when_a_session_ends(logged_in, run_id):
    for path in ("/admin/queue", f"/admin/runs/{run_id}", "/admin/runs"):
        assert "data-live-reload" in logged_in.get(path).text, path
    for path in ("/admin/settings", "/admin/audit"):
        assert "data-live-reload" not in logged_in.get(path).text, path


def test_progress_feed_shows_running_sessions(logged_in, sessions, users, run_id):
    assert logged_in.get("/admin/progress.json").json["active"] == []
    with sessions.begin() as db:
        db.add(QbwcSession(ticket_hash="a" * 64, user_id=users["shop"], state="open",
                           progress=42, run_id=run_id))
        db.add(QbwcSession(ticket_hash="b" * 64, user_id=users["other"], state="closed"))
    feed = logged_in.get("/admin/progress.json?user=shop").json
    assert [(s["user"], s["progress"], s["run_id"]) for s in feed["active"]] == [
        ("shop", 42, run_id)]
    assert feed["counts"]["error"] == 2
    assert "running 42%" in logged_in.get("/admin/runs").text
    assert "running 42%" in logged_in.get(f"/admin/runs/{run_id}").text


# ------------------------------------------------------------------ settings


def test_settings_page_shows_every_setting(logged_in):
    page = logged_in.get("/admin/settings?user=shop")
    for key in SETTINGS:
        assert f"<code>{key}</code>" in page.text
    form = page.forms[[i for i, f in page.forms.items() if "settings?user" in (f.action or "")][0]]
    assert form["sync.batch_size"].value == "50"


def _settings_form(page):
    return next(f for f in page.forms.values() if "settings?user=" in (f.action or ""))


def test_settings_are_validated_and_saved_per_user(logged_in, sessions, users):
    form = _settings_form(logged_in.get("/admin/settings?user=shop"))
    form["sync.batch_size"] = "120"
    form["options.mark_ar_paid"] = "true"
    form["source.bills"] = "receiver"
    form["sync.begin"] = "2024-01-01"
    for box in form.fields["report.sections"]:
        box.checked = box._value in ("errors", "warnings")
    saved = form.submit().follow()
    assert "Settings of shop saved" in saved.text
    with sessions() as db:
        mine, theirs = get_settings(db, users["shop"]), get_settings(db, users["other"])
    assert (mine.batch_size, mine["options.mark_ar_paid"], mine["source.bills"]) == (
        120, True, "receiver")
    assert mine["sync.begin"] == date(2024, 1, 1)
    assert mine.sections == ("warnings", "errors")
    assert theirs.batch_size == 50


def test_bad_settings_are_refused_field_by_field(logged_in, sessions, users):
    form = _settings_form(logged_in.get("/admin/settings?user=shop"))
    form["sync.batch_size"] = "9999"
    form["defaults.freight_item"] = "F" * 40
    form["sync.type"].force_value("hourly")
    res = form.submit(status=400)
    assert "Nothing was saved" in res.text
    assert "between 1 and 500" in res.text and "31 characters" in res.text
    assert "must be one of: manual, auto" in res.text
    assert 'value="9999"' in res.text  # what was typed stays in the form
    with sessions() as db:
        assert db.query(Setting).count() == 0


def test_sync_buttons_call_the_planner(logged_in, sessions, users, tmp_path):
    from qbwc_service.simulator.demo_db import create_demo_database

    path = create_demo_database(tmp_path / "jobboss.sqlite3", seed=3, anchor=date(2024, 6, 30))
    with sessions.begin() as db:
        from qbwc_service.queue.models import User
        db.get(User, users["shop"]).jobboss_url = str(path)
    page = logged_in.get("/admin/settings?user=shop")
    start = next(f for f in page.forms.values() if (f.action or "").endswith("/start"))
    start["from"], start["to"] = "2024-06-01", "2024-06-30"
    res = start.submit().follow()
    assert "Manual sync of 2024-06-01 to 2024-06-30 planned for shop" in res.text
    with sessions() as db:
        invoices = db.scalars(select(Job).where(Job.user_id == users["shop"],
                                                Job.kind == "invoice.add")).all()
        assert invoices and all(j.status in ("pending", "blocked") for j in invoices)
        before = db.query(Job).count()
    defaults = next(f for f in page.forms.values() if (f.action or "").endswith("/defaults"))
    assert "Sync Defaults planned for shop" in defaults.submit().follow().text
    with sessions() as db:
        assert db.query(Job).count() > before

    bad = next(f for f in page.forms.values() if (f.action or "").endswith("/start"))
    bad["from"], bad["to"] = "2024-06-30", "2024-06-01"
    assert "ends (2024-06-01) before it begins" in bad.submit().follow().text


def test_sync_button_failure_is_shown_not_raised(logged_in):
    page = logged_in.get("/admin/settings?user=other")  # other has no JobBOSS2 database
    start = next(f for f in page.forms.values() if (f.action or "").endswith("/start"))
    res = start.submit().follow()
    assert "Could not run" in res.text and "no JobBOSS2 database" in res.text


# ------------------------------------------------------------------ audit trail


def test_audit_search_by_record_key(logged_in, queue):
    page = logged_in.get("/admin/audit?q=INV-101")
    assert "Billing:INV-101" in page.text and "3140: bad customer" in page.text
    assert "Billing:INV-100" not in page.text
    assert "3 events" in page.text
    assert "Vendor:ACME" in logged_in.get("/admin/audit").text


def test_audit_narrowed_to_documents_changed_after_export(logged_in, sessions, users, queue):
    with sessions.begin() as db:
        done = db.get(Job, queue["inv_ok"])
        jobs.audit(db, user_id=users["shop"], event=jobs.CHANGED_AFTER_EXPORT, job=done,
                   detail="invoice changed in JobBOSS2 after export: total 100.00 -> 110.00")
    page = logged_in.get("/admin/audit?event=changed_after_export")
    assert "1 event," in page.text and "total 100.00 -&gt; 110.00" in page.text
    assert "Billing:INV-100" in page.text and "3140: bad customer" not in page.text
    assert "0 events" in logged_in.get("/admin/audit?event=deleted_after_export").text
    assert "3140: bad customer" in logged_in.get("/admin/audit?event=nonsense").text  # ignored


# ------------------------------------------------------------------ composition


def test_mounted_by_the_service_wsgi_app(admin_config, sessions, users):
    import webtest

    from qbwc_service import wsgi

    app = webtest.TestApp(wsgi.create_app(admin_config, sessions=sessions))
    assert "/admin/login" in app.get("/admin/queue", status=302).location
    page = app.get("/admin/login")
    assert 'href="/admin/static/admin.css"' in page.text
    assert app.get("/admin/static/admin.css").content_type == "text/css"


@pytest.mark.parametrize("statuses", [("sent",), ("sent", "verify")])
def test_a_job_quickbooks_may_hold_cannot_be_retried(logged_in, sessions, users, statuses):
    """Back to pending, a sent job (or one whose response was lost) would be sent again
    blindly and could be doubled in QuickBooks: no Retry button, and the POST is refused."""
    with sessions.begin() as db:
        job = add(db, users["shop"], "INV-555")
        for status in statuses:
            jobs.transition(db, job, status)
        job_id = job.id
    page = logged_in.get(f"/admin/jobs/{job_id}")
    assert "/retry" not in " ".join(f.action or "" for f in page.forms.values())
    res = logged_in.post(f"/admin/jobs/{job_id}/retry", {"csrf_token": csrf(page)}).follow()
    assert "cannot be retried" in res.text
    assert status_of(sessions, job_id) == statuses[-1]


def test_a_wrong_filter_is_explained_and_the_others_still_apply(logged_in, queue):
    page = logged_in.get("/admin/queue?user=shop&status=error&to=2024-02-30")
    assert "not a date" in page.text
    shown = {int(n) for n in re.findall(r'href="/admin/jobs/(\d+)">#', page.text)}
    assert shown == {queue["inv_err"], queue["vendor"]}  # not every job of every user
    ghost = logged_in.get("/admin/queue?user=ghost&status=error")
    assert "no user &#39;ghost&#39;" in ghost.text
    shown = {int(n) for n in re.findall(r'href="/admin/jobs/(\d+)">#', ghost.text)}
    assert shown == {queue["inv_err"], queue["vendor"], queue["theirs"]}


def test_not_found_is_an_admin_page(logged_in, app):
    res = logged_in.get("/admin/runs?user=ghost", status=404)
    assert "no user" in res.text and 'href="/admin/queue"' in res.text
    assert "Sorry" in logged_in.get("/admin/nowhere", status=404).text
    app.reset()
    assert "Not found." in app.get("/admin/nowhere", status=404).text
