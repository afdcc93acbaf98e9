"""Logging in and out of the admin page (admin users only, throttled like the Web Connector)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user

from qbwc_service import accounts
from qbwc_service.admin.app import AdminUser, db
from qbwc_service.queue.models import utcnow
from qbwc_service.security import throttle

bp = Blueprint("auth", __name__)

REFUSED = "Wrong name or password, or not an admin user."


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("views.queue"))
    if request.method == "GET":
        return render_template("login.html", name="")
    name = request.form.get("name", "").strip()
    password = request.form.get("password", "")
    keys = throttle.login_keys(name, request.remote_addr or "")
    policy = throttle.ThrottlePolicy(current_app.config["QBWC_MAX_FAILURES"],
                                     current_app.config["QBWC_FAILURE_WINDOW"])
    session = db()
    now = utcnow()
    if throttle.locked_key(session, keys, now) is not None:
        flash("Too many failed logins: wait a few minutes and try again.", "error")
        return render_template("login.html", name=name), 429
    user = accounts.verify_login(session, name, password)
    if user is None or not user.is_admin:
        throttle.record_failure(session, keys, policy, now)
        session.commit()
        flash(REFUSED, "error")
        return render_template("login.html", name=name), 401
    throttle.clear(session, keys[0])
    session.commit()  # also keeps a password hash upgraded by verify_login
    login_user(AdminUser(user))
    return redirect(_safe_next(request.args.get("next")))


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> ResponseReturnValue:
    logout_user()
    flash("Logged out.", "info")
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("views.queue")
