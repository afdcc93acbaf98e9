"""The admin page of reconciliation (``/reconcile``): plan one, read its report.

The same as ``qbwc-service reconcile --from --to`` and ``reconcile --report``:
the newest reconciliation of a user, document by document, with the fields
that differ and both values. Its own blueprint and template.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from qbwc_service.admin.database import db
from qbwc_service.queue.models import User
from qbwc_service.sync import settings as settings_mod
from qbwc_service.sync.planning import planner
from qbwc_service.sync.reconcile import plan, report

bp = Blueprint("reconcile", __name__)

#: A document's status as the accountant reads it, and the colour class of its badge.
STATUS_WORDS: dict[str, tuple[str, str]] = {
    report.DIFFERENT: ("Different", "s-error"),
    report.ONLY_JOBBOSS: ("Only in JobBOSS2", "s-pending"),
    report.ONLY_QUICKBOOKS: ("Only in QuickBooks", "s-sent"),
    report.EQUAL: ("Equal", "s-done"),
}


@bp.before_request
def require_admin() -> ResponseReturnValue | None:
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    return None


def _user(name: str | None) -> tuple[User, list[User]]:
    users = list(db().scalars(select(User).order_by(User.name)))
    if not users:
        abort(404, "No Web Connector user yet: add one with `qbwc-service user add`.")
    found = next((u for u in users if u.name == name), users[0] if not name else None)
    if found is None:
        abort(404, f"no user {name!r}")
    return found, users


@bp.route("/reconcile", methods=["GET"])
def show() -> ResponseReturnValue:
    user, users = _user(request.args.get("user"))
    status = request.args.get("status", "")
    if status and status not in report.STATUSES:
        abort(400, "unknown status")
    result, problem = None, ""
    if plan.latest(db(), user) is not None:
        try:
            result = report.build(db(), user, planner.default_reader(user),
                                  settings_mod.get_settings(db(), user.id))
        except Exception as exc:  # noqa: BLE001 - JobBOSS2 unreachable: say so on the page
            problem = f"JobBOSS2 could not be read: {exc}"
    documents = [d for d in (result.documents if result else [])
                 if not status or d.status == status]
    return render_template("reconcile.html", user=user, users=users, result=result, problem=problem,
                           documents=sorted(documents, key=report.order), status=status,
                           statuses=report.STATUSES, words=STATUS_WORDS)


@bp.route("/reconcile", methods=["POST"])
def request_one() -> ResponseReturnValue:
    user, _users = _user(request.form.get("user"))
    try:
        start = date.fromisoformat(request.form.get("from", ""))
        end = date.fromisoformat(request.form.get("to", ""))
        plan.request(db(), user, start, end)
    except ValueError as exc:
        db().rollback()
        flash(f"Not planned: {exc}", "error")
        return redirect(url_for("reconcile.show", user=user.name)), 303
    db().commit()
    flash(f"Reconciliation of {start} to {end} planned: the next Web Connector session of "
          f"{user.name} reads QuickBooks.", "info")
    return redirect(url_for("reconcile.show", user=user.name)), 303
