"""Fixtures of the admin tests: the admin app mounted at /admin, users, a login helper."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import webtest
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.wrappers import Response

from qbwc_service import accounts
from qbwc_service.admin import create_app
from qbwc_service.config import from_mapping
from qbwc_service.queue import db as qdb


def _not_found(environ, start_response):
    return Response("not found", status=404)(environ, start_response)


@pytest.fixture
def admin_config(tmp_path, db_url):
    return from_mapping({"database": {"url": db_url}, "admin": {"secret_key": "test-secret"}},
                        tmp_path / "qbwc-service.toml")


@pytest.fixture
def users(sessions) -> dict[str, int]:
    """``ann`` (admin), ``shop`` and ``other`` (Web Connector users without the admin flag)."""
    with qdb.transaction(sessions) as db:
        made = {"ann": accounts.create_user(db, "ann", "secret-pw", is_admin=True),
                "shop": accounts.create_user(db, "shop", "shop-pw", company_file=r"C:\QB\shop.qbw"),
                "other": accounts.create_user(db, "other", "other-pw")}
        return {name: user.id for name, user in made.items()}


@pytest.fixture
def app(admin_config, sessions, users) -> webtest.TestApp:
    """The admin app under /admin, as wsgi.py mounts it."""
    flask_app = create_app(admin_config, sessions)
    return webtest.TestApp(DispatcherMiddleware(_not_found, {"/admin": flask_app}))


@pytest.fixture
def login(app) -> Callable[..., webtest.TestResponse]:
    def do(name: str = "ann", password: str = "secret-pw", status: int | str = "*"):
        form = app.get("/admin/login").forms[0]
        form["name"] = name
        form["password"] = password
        return form.submit(status=status)
    return do


@pytest.fixture
def logged_in(app, login) -> webtest.TestApp:
    assert login().status_int == 302
    return app
