"""The users page and the overview: manage Web Connector users in the browser, see history."""

from __future__ import annotations

import re
from datetime import timedelta

from lxml import etree
from sqlalchemy import select

from qbwc_service import accounts
from qbwc_service.queue import jobs
from qbwc_service.queue.models import Job, QbwcSession, Run, User, utcnow


def _form(page, action_end):
    return next(f for f in page.forms.values() if (f.action or "").endswith(action_end))


def _user(sessions, name):
    with sessions() as db:
        return db.scalar(select(User).where(User.name == name))


def test_users_table_lists_every_user_without_sql_passwords(logged_in, sessions):
    with sessions.begin() as db:
        accounts.update_user(db, "shop", accounts.UserChanges(
            jobboss_url="mssql+pyodbc://sa:Secr3t@host/JobBOSS2?driver=FreeTDS"))
    page = logged_in.get("/admin/users").text
    for name in ("ann", "shop", "other"):
        assert f"<b>{name}</b>" in page
    assert r"C:\QB\shop.qbw" in page
    assert "Secr3t" not in page and "sa:***@host" in page


def test_add_a_user_then_refuse_a_duplicate_and_a_bad_url(logged_in, sessions):
    form = _form(logged_in.get("/admin/users"), "/admin/users")
    form["name"] = "plant2"
    form["password"] = form["password2"] = "pw-2"
    form["company_file"] = r"C:\QB\plant2.qbw"
    form["jobboss_url"] = "env:PLANT2_DB"
    done = form.submit().follow()
    assert "Added user plant2" in done.text
    made = _user(sessions, "plant2")
    assert (made.company_file, made.jobboss_url, made.is_admin, made.enabled) == (
        r"C:\QB\plant2.qbw", "env:PLANT2_DB", False, True)
    with sessions() as db:
        assert accounts.verify_login(db, "plant2", "pw-2") is not None

    form = _form(logged_in.get("/admin/users"), "/admin/users")
    form["name"] = "plant2"
    form["password"] = form["password2"] = "x"
    refused = form.submit(status=400)
    assert "already exists" in refused.text
    form = _form(refused, "/admin/users")
    form["name"] = "plant3"
    form["password"] = "a"
    form["password2"] = "b"
    form["jobboss_url"] = "env:9bad"
    refused = form.submit(status=400)
    assert "The two passwords differ." in refused.text and "environment variable name" in refused.text
    assert 'value="plant3"' in refused.text  # what was typed stays
    assert _user(sessions, "plant3") is None


def test_edit_disable_enable_and_reset_password(logged_in, sessions, users):
    page = logged_in.get(f"/admin/users/{users['shop']}")
    form = _form(page, f"/admin/users/{users['shop']}")
    form["company_file"] = r"D:\Books\shop.qbw"
    form["jobboss_url"] = "sqlite:///shop.db"
    form["is_admin"].checked = True
    assert "Saved user shop" in form.submit().follow().text
    shop = _user(sessions, "shop")
    assert (shop.company_file, shop.jobboss_url, shop.is_admin) == (
        r"D:\Books\shop.qbw", "sqlite:///shop.db", True)

    form = _form(logged_in.get(f"/admin/users/{users['shop']}"), f"/admin/users/{users['shop']}")
    form["jobboss_url"] = "not a url"
    assert "not a database URL" in form.submit(status=400).text
    assert _user(sessions, "shop").jobboss_url == "sqlite:///shop.db"

    page = logged_in.get(f"/admin/users/{users['shop']}")
    assert "Disabled user shop" in _form(page, "/disable").submit().follow().text
    assert _user(sessions, "shop").enabled is False
    page = logged_in.get(f"/admin/users/{users['shop']}")
    _form(page, "/enable").submit()
    assert _user(sessions, "shop").enabled is True

    form = _form(logged_in.get(f"/admin/users/{users['shop']}"), "/password")
    form["password"] = form["password2"] = "new-shop-pw"
    assert "New password set for shop" in form.submit().follow().text
    with sessions() as db:
        assert accounts.verify_login(db, "shop", "new-shop-pw") is not None
        assert accounts.verify_login(db, "shop", "shop-pw") is None


def test_an_admin_cannot_lock_themselves_out(logged_in, sessions, users):
    page = logged_in.get(f"/admin/users/{users['ann']}")
    assert not [f for f in page.forms.values() if (f.action or "").endswith("/disable")]
    token = next(iter(page.forms.values()))["csrf_token"].value
    res = logged_in.post(f"/admin/users/{users['ann']}/disable", {"csrf_token": token}).follow()
    assert "You cannot disable yourself" in res.text
    form = _form(page, f"/admin/users/{users['ann']}")
    form["is_admin"].checked = False
    assert "cannot remove your own admin flag" in form.submit(status=400).text
    ann = _user(sessions, "ann")
    assert ann.enabled and ann.is_admin


def test_download_the_qwc_file_as_the_cli_writes_it(logged_in, sessions, users):
    from qbwc_service import qwc
    res = logged_in.get(f"/admin/users/{users['shop']}/qwc?url=https://sync.example.com/qbwc&minutes=30")
    assert res.headers["Content-Disposition"] == 'attachment; filename="shop.qwc"'
    shop = _user(sessions, "shop")
    expected = qwc.build_qwc(shop, qwc.QwcOptions(url="https://sync.example.com/qbwc", minutes=30))
    assert res.body == expected
    root = etree.fromstring(res.body)
    assert root.findtext("UserName") == "shop" and root.findtext("FileID") == shop.file_id
    bad = logged_in.get(f"/admin/users/{users['shop']}/qwc?url=http://sync.example.com/qbwc")
    assert "requires https://" in bad.follow().text
    logged_in.get("/admin/users/9999/qwc", status=404)


def test_users_pages_need_an_admin_login(app, users):
    for path in ("/admin/users", f"/admin/users/{users['shop']}", f"/admin/users/{users['shop']}/qwc"):
        assert "/admin/login" in app.get(path, status=302).location


def test_overview_draws_runs_of_the_last_30_days_and_warns_of_silent_users(logged_in, sessions,
                                                                           users):
    now = utcnow()
    with sessions.begin() as db:
        old = Run(user_id=users["shop"], started_at=now - timedelta(days=40), status="ok")
        recent = Run(user_id=users["shop"], started_at=now - timedelta(days=2), status="errors")
        db.add_all([old, recent])
        db.flush()
        for n in range(4):
            job = jobs.add_job(db, user_id=users["shop"], area="ar", kind="invoice.add",
                               source_table="Billing", source_key=f"I{n}", source_version="1",
                               payload={})
            jobs.audit(db, user_id=users["shop"], event=jobs.CREATED if n < 3 else jobs.ERROR,
                       job=job, run_id=recent.id)
        db.add(QbwcSession(ticket_hash="a" * 64, user_id=users["shop"], state="closed",
                           last_seen_at=now - timedelta(hours=2)))
        db.add(QbwcSession(ticket_hash="b" * 64, user_id=users["other"], state="closed",
                           last_seen_at=now - timedelta(hours=50)))
        recent_id, old_id = recent.id, old.id
        assert db.scalar(select(Job.id).limit(1))
    page = logged_in.get("/admin/").text
    assert "<svg" in page and "<script" not in page.split("</head>", 1)[1]
    titles = re.findall(r"<title>(Run [^<]*)</title>", page)
    assert any(f"Run {recent_id} " in t and ": 3 created" in t for t in titles)
    assert any(f"Run {recent_id} " in t and ": 1 failed" in t for t in titles)
    assert not any(f"Run {old_id} " in t for t in titles)  # older than 30 days
    warnings = re.findall(r'<p class="flash error" role="alert">([^<]*)', page)
    assert len(warnings) == 1 and warnings[0].startswith("other has not synced since")
    # ann never synced: counted from her creation (just now), so no warning yet.
    assert "more than 26 hours" in warnings[0]
