"""The users page (``/admin/users``): list, add, edit, disable, reset password, download .qwc.

Every change goes through :mod:`qbwc_service.accounts` and the JobBOSS2 URL check of
:mod:`qbwc_service.jobboss.connect`, exactly as ``qbwc-service user ...`` does; the
``.qwc`` file is :func:`qbwc_service.qwc.build_qwc`, as ``qbwc-service qwc`` writes it.
An admin cannot disable themselves or drop their own admin flag (nobody could log in
to undo it).
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response

from qbwc_service import accounts, qwc
from qbwc_service.admin import history
from qbwc_service.admin.database import db
from qbwc_service.jobboss import connect
from qbwc_service.queue.models import User, utcnow

bp = Blueprint("users", __name__)
#: Where the SOAP service is mounted next to the admin (see :mod:`qbwc_service.wsgi`).
SOAP_PATH = "/qbwc"
#: Flask config keys the app sets from the service's configuration.
APP_NAME, SUPPORT_URL, SILENT_HOURS = "QBWC_APP_NAME", "QBWC_SUPPORT_URL", "QBWC_SILENT_HOURS"


@bp.before_request
def require_admin() -> ResponseReturnValue | None:
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    return None


def _user(user_id: int) -> User:
    found = db().get(User, user_id)
    if found is None:
        abort(404, f"No user {user_id}.")
    return found


def _service_url() -> str:
    """The SOAP URL on the host this page was reached at (the admin's origin)."""
    return request.host_url.rstrip("/") + SOAP_PATH


@bp.route("/users")
def index() -> ResponseReturnValue:
    return _page({}, {})


def _page(form: Mapping[str, str], errors: Mapping[str, str], status: int = 200) -> ResponseReturnValue:
    hours = current_app.config[SILENT_HOURS]
    last = {s.user: s for s in history.last_sessions(db(), utcnow(), hours)}
    return render_template("users.html", users=accounts.list_users(db()), last=last, form=form,
                           errors=errors, masked=connect.masked, hours=hours,
                           service_url=_service_url()), status


@bp.route("/users", methods=["POST"])
def add() -> ResponseReturnValue:
    form = request.form
    name = form.get("name", "")
    url = form.get("jobboss_url", "").strip()
    errors: dict[str, str] = {}
    if form.get("password", "") != form.get("password2", ""):
        errors["password2"] = "The two passwords differ."
    try:
        connect.check_setting(url)
    except connect.JobBossUrlError as exc:
        errors["jobboss_url"] = str(exc)
    if not errors:
        session = db()
        try:
            user = accounts.create_user(session, name, form.get("password", ""),
                                        company_file=form.get("company_file", "").strip(),
                                        jobboss_url=url, is_admin=form.get("is_admin") == "1")
            session.commit()
        except accounts.AccountError as exc:
            session.rollback()
            errors["password" if "password" in str(exc) else "name"] = str(exc)
        else:
            flash(f"Added user {user.name}. Download its .qwc file and open it in the Web "
                  "Connector on the QuickBooks PC." + _password_note(url), "info")
            return redirect(url_for("users.index"))
    flash("The user was not added: correct the fields marked below.", "error")
    kept = {k: v for k, v in form.items() if k not in ("password", "password2", "csrf_token")}
    return _page(kept, errors, 400)


def _password_note(url: str) -> str:
    if not connect.stores_password(url):
        return ""
    return (" Note: its JobBOSS2 URL's password is stored in the queue database; env:NAME "
            "reads the URL from an environment variable instead.")


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit(user_id: int) -> ResponseReturnValue:
    user = _user(user_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = request.form
        url = form.get("jobboss_url", "").strip()
        is_admin = form.get("is_admin") == "1"
        if user.id == current_user.user_id and not is_admin:
            errors["is_admin"] = "You cannot remove your own admin flag."
        try:
            if url:  # empty keeps the URL (its password is never shown back)
                connect.check_setting(url)
        except connect.JobBossUrlError as exc:
            errors["jobboss_url"] = str(exc)
        if not errors:
            changes = accounts.UserChanges(
                jobboss_url=url or ("" if form.get("clear_jobboss") == "1" else None),
                company_file=form.get("company_file", "").strip(), is_admin=is_admin)
            session = db()
            accounts.update_user(session, user.name, changes)
            session.commit()
            flash(f"Saved user {user.name}." + _password_note(url), "info")
            return redirect(url_for("users.edit", user_id=user.id))
        flash("Nothing was saved: correct the fields marked below.", "error")
    return render_template("user.html", user=user, errors=errors, masked=connect.masked,
                           service_url=_service_url(), minutes=qwc.DEFAULT_MINUTES), \
        (400 if errors else 200)


@bp.route("/users/<int:user_id>/<any(enable, disable):action>", methods=["POST"])
def set_enabled(user_id: int, action: str) -> ResponseReturnValue:
    user = _user(user_id)
    enabled = action == "enable"
    if user.id == current_user.user_id and not enabled:
        flash("You cannot disable yourself.", "error")
        return redirect(url_for("users.edit", user_id=user.id))
    session = db()
    accounts.set_enabled(session, user.name, enabled)
    session.commit()
    flash(f"{'Enabled' if enabled else 'Disabled'} user {user.name}."
          + ("" if enabled else " Its Web Connector logins are refused from now on."), "info")
    return redirect(url_for("users.index"))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
def password(user_id: int) -> ResponseReturnValue:
    user = _user(user_id)
    form = request.form
    if form.get("password", "") != form.get("password2", ""):
        flash("The password was not changed: the two passwords differ.", "error")
        return redirect(url_for("users.edit", user_id=user.id))
    session = db()
    try:
        accounts.set_password(session, user.name, form.get("password", ""))
        session.commit()
    except accounts.AccountError as exc:
        session.rollback()
        flash(f"The password was not changed: {exc}.", "error")
    else:
        flash(f"New password set for {user.name}: type the same one into the Web Connector.",
              "info")
    return redirect(url_for("users.edit", user_id=user.id))


@bp.route("/users/<int:user_id>/qwc")
def download_qwc(user_id: int) -> ResponseReturnValue:
    """The user's .qwc file, for the URL and schedule asked (default: this host's /qbwc)."""
    user = _user(user_id)
    raw_minutes = request.args.get("minutes", str(qwc.DEFAULT_MINUTES))
    options = qwc.QwcOptions(url=request.args.get("url") or _service_url(),
                             app_name=current_app.config[APP_NAME],
                             support_url=current_app.config[SUPPORT_URL],
                             minutes=int(raw_minutes) if raw_minutes.isdigit() else 0)
    try:
        data = qwc.build_qwc(user, options)
    except qwc.QwcError as exc:
        flash(f"No .qwc file: {exc}.", "error")
        return redirect(url_for("users.edit", user_id=user.id))
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in user.name)
    return Response(data, mimetype="application/xml", headers={
        "Content-Disposition": f'attachment; filename="{safe}.qwc"'})
