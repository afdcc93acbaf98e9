"""Logging in and out of the admin page: admin users only, throttled like the Web Connector
(with counters of its own, see :mod:`qbwc_service.security.throttle`)."""

from __future__ import annotations

import unicodedata
from datetime import timedelta
from urllib.parse import unquote, urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user

from qbwc_service import accounts
from qbwc_service.admin import login_sessions
from qbwc_service.admin.database import db
from qbwc_service.queue.models import utcnow
from qbwc_service.security import throttle

bp = Blueprint("auth", __name__)

REFUSED = "Wrong name or password, or not an admin user."
#: Flask config keys the app sets from the configuration.
POLICY = "QBWC_THROTTLE_POLICY"
LIFETIME = "PERMANENT_SESSION_LIFETIME"


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("views.queue"))
    if request.method == "GET":
        return render_template("login.html", name="")
    name = request.form.get("name", "").strip()
    password = request.form.get("password", "")
    address = request.remote_addr or ""
    attempt = throttle.Attempt(throttle.Channel.ADMIN, name, address)
    dbs, now = db(), utcnow()
    user = accounts.get_user(dbs, name) if name else None
    refused = throttle.check(dbs, attempt, user.id if user else None, now)
    if refused is not None:
        wait = refused.retry_after(now)
        flash(f"Too many failed logins: try again in {wait} seconds.", "error")
        return render_template("login.html", name=name), 429, {"Retry-After": str(wait)}
    user = accounts.verify_login(dbs, name, password)
    if user is None or not user.is_admin:
        throttle.record_failure(dbs, attempt, current_app.config[POLICY], now)
        dbs.commit()
        flash(REFUSED, "error")
        return render_template("login.html", name=name), 401
    throttle.record_success(dbs, attempt)
    lifetime: timedelta = current_app.config[LIFETIME]
    admin = login_sessions.start(dbs, user, address, lifetime, now)
    dbs.commit()  # also keeps a password hash upgraded by verify_login
    session.permanent = True  # the cookie expires with the server-side session
    login_user(admin)
    return redirect(safe_next(request.args.get("next")) or url_for("views.queue"))


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> ResponseReturnValue:
    login_sessions.end(db(), current_user.get_id())
    db().commit()
    logout_user()
    flash("Logged out.", "info")
    return redirect(url_for("auth.login"))


def safe_next(target: str | None) -> str | None:
    """*target* if it is a path on this site, else ``None``: never an open redirect.

    Checked as given and once more percent-decoded: a path starting with ``/``
    but not ``//``, with no scheme or host, no backslash (browsers read it as
    ``/``) and no control or space characters (browsers drop tabs and newlines,
    so ``/\\t/evil.example`` would become ``//evil.example``; a newline would
    also break the ``Location`` header).
    """
    if not target:
        return None
    for text in (target, unquote(target)):
        if not text.startswith("/") or text.startswith("//") or "\\" in text:
            return None
        if any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in text):
            return None
        parts = urlsplit(text)
        if parts.scheme or parts.netloc:
            return None
    return target
