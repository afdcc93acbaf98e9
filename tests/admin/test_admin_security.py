"""The admin page under attack: redirects after login, revocable sessions, Secure cookies behind a
proxy, ids and pages out of range, and login throttling apart from the Web Connector's."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

import pytest
import webtest
from soap_support import ScriptedEngine, soap_envelope, soap_headers, soap_result
from sqlalchemy import select, update

from qbwc_service import accounts, wsgi
from qbwc_service.config import from_mapping
from qbwc_service.queue.db import transaction
from qbwc_service.queue.models import AdminSession, utcnow

ADMIN_PACKAGE = Path(__file__).resolve().parents[2] / "qbwc_service" / "admin"
COOKIE = "qbwc_admin_session"


def submit_login(app, url="/admin/login", name="ann", password="secret-pw", status="*", **kw):
    form = app.get(url, **kw).forms[0]
    form["name"], form["password"] = name, password
    return form.submit(status=status, **kw)


# ------------------------------------------------------------------ where login leads


@pytest.mark.parametrize("raw_next", [
    "//evil.example/x", "/%09/evil.example", "/%0A/evil.example", "/%0D%0ASet-Cookie:x=1",
    "/\\evil.example", "/%5Cevil.example", "https://evil.example/x", "http:/evil.example",
    "/%2F/evil.example", "/%252F/evil.example", "evil.example", "/%00", "javascript:alert(1)",
    "/admin/%E2%80%8B/x",
])
def test_login_never_redirects_off_site_or_fails_on_a_bad_next(app, raw_next):
    response = submit_login(app, f"/admin/login?next={raw_next}")
    assert response.status_int == 302
    assert response.location == "/admin/queue"


@pytest.mark.parametrize("raw_next,expected", [
    ("/admin/runs", "/admin/runs"),
    ("/admin/queue%3Fuser%3Dshop%26status%3Derror", "/admin/queue?user=shop&status=error"),
])
def test_login_returns_to_a_same_site_path(app, raw_next, expected):
    assert submit_login(app, f"/admin/login?next={raw_next}").location == expected


# ------------------------------------------------------------------ sessions on the server


def test_logout_ends_the_session_for_a_replayed_cookie_too(app, logged_in):
    cookie = app.cookies[COOKIE]
    page = logged_in.get("/admin/queue")
    logged_in.post("/admin/logout", {"csrf_token": page.forms[0]["csrf_token"].value}, status=302)
    app.set_cookie(COOKIE, cookie)  # an attacker's copy of the cookie from before the logout
    assert "/admin/login" in app.get("/admin/queue", status=302).location


def test_a_session_lasts_admin_session_hours(tmp_path, db_url, sessions, users):
    config = from_mapping({"database": {"url": db_url},
                           "admin": {"secret_key": "k", "session_hours": 3}}, tmp_path / "c.toml")
    app = webtest.TestApp(wsgi.create_app(config, ScriptedEngine(), sessions=sessions))
    login = submit_login(app)
    assert "Expires=" in login.headers["Set-Cookie"]  # the browser forgets it too
    app.get("/admin/queue", status=200)
    with transaction(sessions) as db:
        row = db.scalars(select(AdminSession)).one()
        assert row.expires_at - row.created_at == timedelta(hours=3)
        db.execute(update(AdminSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert "/admin/login" in app.get("/admin/queue", status=302).location


def test_the_default_session_lasts_twelve_hours(app, logged_in, sessions):
    with sessions() as db:
        row = db.scalars(select(AdminSession)).one()
    assert row.expires_at - row.created_at == timedelta(hours=12)


@pytest.mark.parametrize("change", [
    lambda db: accounts.set_password(db, "ann", "a new password"),
    lambda db: accounts.disable_user(db, "ann"),
    lambda db: setattr(accounts.get_user(db, "ann"), "is_admin", False),
])
def test_a_new_password_or_a_disabled_user_ends_the_session(app, logged_in, sessions, change):
    with transaction(sessions) as db:
        change(db)
    assert "/admin/login" in app.get("/admin/queue", status=302).location


def _secure_cookie(sessions, db_url, tmp_path, proxies, headers):
    config = from_mapping({"database": {"url": db_url}, "admin": {"secret_key": "k"},
                           "server": {"trusted_proxies": proxies}}, tmp_path / "c.toml")
    app = webtest.TestApp(wsgi.create_app(config, ScriptedEngine(), sessions=sessions))
    response = submit_login(app, headers=headers)
    assert response.status_int == 302
    return "; secure" in response.headers["Set-Cookie"].lower()


@pytest.mark.parametrize("proxies,secure", [(1, True), (0, False)])
def test_the_cookie_is_secure_when_a_trusted_proxy_says_https(sessions, db_url, tmp_path, users,
                                                             proxies, secure):
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7",
               "Referer": "https://localhost:80/admin/login"}
    assert _secure_cookie(sessions, db_url, tmp_path, proxies, headers) is secure


def test_the_cookie_is_not_secure_over_plain_http(sessions, db_url, tmp_path, users):
    assert _secure_cookie(sessions, db_url, tmp_path, 1, {}) is False


# ------------------------------------------------------------------ ids and pages out of range


@pytest.mark.parametrize("path", [
    "/admin/jobs/99999999999999999999999", "/admin/jobs/2147483648", "/admin/jobs/-1",
    "/admin/runs/99999999999999999999999", "/admin/runs/-5", "/admin/jobs/1e9",
])
def test_oversized_or_negative_ids_are_not_found(logged_in, path):
    assert logged_in.get(path, status=404)


def test_an_oversized_id_in_an_action_is_not_found(logged_in):
    token = logged_in.get("/admin/queue").forms[0]["csrf_token"].value
    logged_in.post("/admin/jobs/99999999999999999999999/retry", {"csrf_token": token}, status=404)


@pytest.mark.parametrize("page", ["99999999999999999999999", "0", "-1", "abc", "%D9%A3", "1.5", ""])
@pytest.mark.parametrize("path", ["/admin/queue", "/admin/runs", "/admin/audit"])
def test_pages_out_of_range_are_bad_requests(logged_in, path, page):
    assert "page must be a whole number" in logged_in.get(f"{path}?page={page}", status=400).text


def test_a_page_past_the_end_is_an_empty_page(logged_in):
    assert logged_in.get("/admin/queue?page=999999999", status=200)


# ------------------------------------------------------------------ throttling


def _authenticate(app, name, password, addr):
    body = soap_envelope("authenticate", strUserName=name, strPassword=password)
    response = app.post("/qbwc", body, headers=soap_headers("authenticate"),
                        extra_environ={"REMOTE_ADDR": addr})
    return soap_result(response.body, "authenticate")[1].text or ""


def test_admin_and_web_connector_failures_are_counted_apart(admin_config, sessions, users):
    app = webtest.TestApp(wsgi.create_app(admin_config, ScriptedEngine(), sessions=sessions))
    addr = {"REMOTE_ADDR": "192.0.2.10"}
    for _ in range(admin_config["qbwc.max_failures"]):
        submit_login(app, password="wrong", status=401, extra_environ=addr)
    assert submit_login(app, status=429, extra_environ=addr).headers["Retry-After"]
    # The Web Connector of the same user on the same machine still gets in...
    assert _authenticate(app, "ann", "secret-pw", "192.0.2.10") != "nvu"
    # ...and its own failures leave the admin page alone.
    for _ in range(admin_config["qbwc.max_failures"]):
        assert _authenticate(app, "shop", "wrong", "192.0.2.20") == "nvu"
    assert _authenticate(app, "shop", "shop-pw", "192.0.2.20") == "nvu"
    assert submit_login(app, status=302, extra_environ={"REMOTE_ADDR": "192.0.2.20"})


def test_admin_failures_from_one_address_never_lock_out_another(app, admin_config):
    for _ in range(admin_config["qbwc.max_failures"]):
        submit_login(app, name="Ann ", password="wrong", status=401,
                     extra_environ={"REMOTE_ADDR": "203.0.113.5"})
    submit_login(app, status=429, extra_environ={"REMOTE_ADDR": "203.0.113.5"})
    assert submit_login(app, status=302, extra_environ={"REMOTE_ADDR": "198.51.100.9"})


def test_an_admin_always_gets_in_from_an_address_it_logged_in_from(app, admin_config):
    known = {"REMOTE_ADDR": "192.0.2.44"}
    submit_login(app, status=302, extra_environ=known)
    app.reset()
    for _ in range(admin_config["qbwc.max_failures"] + 3):
        submit_login(app, password="wrong", status=401, extra_environ=known)
    assert submit_login(app, status=302, extra_environ=known)


# ------------------------------------------------------------------ structure


def test_admin_modules_do_not_import_the_app_module():
    """admin/app.py composes the blueprints; nothing it imports may import it back."""
    for path in ADMIN_PACKAGE.glob("*.py"):
        if path.name in ("__init__.py", "app.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        imported |= {f"{node.module}.{alias.name}" for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom) for alias in node.names}
        assert "qbwc_service.admin.app" not in imported, path.name


@pytest.mark.parametrize("args", [["queue", "show", "99999999999999999999"], ["queue", "retry", "--", "-1"],
                                  ["queue", "skip", "2147483648"], ["report", "99999999999999999999"]])
def test_the_command_line_refuses_ids_out_of_range_in_one_line(config_file, args):
    from click.testing import CliRunner

    from qbwc_service.cli import main

    result = CliRunner().invoke(main, ["--config", str(config_file), *args])
    assert result.exit_code == 2
    assert "is not in the range 1<=x<=2147483647" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
