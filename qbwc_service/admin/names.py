"""The admin page of the name map (``/names``): a searchable list and an edit form.

The same as ``qbwc-service names list / set / unset``: a name is checked
before it is stored (QuickBooks' limit, its characters, free in its
namespace) and the jobs that failed or wait on the record are planned again.
Its own blueprint and template, apart from the other pages.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from qbwc_service.admin.database import db
from qbwc_service.queue.models import User
from qbwc_service.sync.names import edits
from qbwc_service.sync.names.book import AUTO, MANUAL, rules
from qbwc_service.sync.names.rule import NameProblem

bp = Blueprint("names", __name__)

#: Rows shown at once; the search narrows the rest.
LIMIT = 500
#: How a name came to be, as the accountant reads it, and the colour class of its badge.
ORIGIN_WORDS: dict[str, tuple[str, str]] = {AUTO: ("Shortened", "s-sent"),
                                            MANUAL: ("By hand", "s-done")}


@bp.before_request
def require_admin() -> ResponseReturnValue | None:
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    return None


def _users() -> list[User]:
    return list(db().scalars(select(User).order_by(User.name)))


def _user(users: list[User], name: str | None) -> User:
    if not users:
        abort(404, "No Web Connector user yet: add one with `qbwc-service user add`.")
    if not name:
        return users[0]
    found = next((u for u in users if u.name == name), None)
    if found is None:
        abort(404, f"no user {name!r}")
    return found


@bp.route("/names", methods=["GET"])
def names() -> ResponseReturnValue:
    users = _users()
    user = _user(users, request.args.get("user"))
    kind = request.args.get("kind", "")
    if kind and kind not in rules():
        abort(400, f"unknown kind {kind[:40]!r}")
    q = request.args.get("q", "").strip()[:200]
    rows = edits.entries(db(), user_id=user.id, kind=kind or None, search=q, limit=LIMIT)
    return render_template("names.html", user=user, users=users, rows=rows, rules=rules(),
                           kind=kind, q=q, limit=LIMIT, origins=ORIGIN_WORDS,
                           form={"kind": request.args.get("edit_kind", ""),
                                 "key": request.args.get("edit_key", ""),
                                 "name": request.args.get("edit_name", "")})


@bp.route("/names", methods=["POST"])
def set_name() -> ResponseReturnValue:
    users = _users()
    user = _user(users, request.form.get("user"))
    kind, key, name = (request.form.get(f, "") for f in ("kind", "key", "qb_name"))
    session = db()
    try:
        done = edits.set_name(session, user, kind, key, name, actor=f"admin {current_user.name}")
        session.commit()
    except NameProblem as exc:
        session.rollback()
        flash(f"Not saved: {exc}", "error")
        return redirect(url_for("names.names", user=user.name, edit_kind=kind, edit_key=key,
                                edit_name=name)), 303
    flash("; ".join(done.lines()), "info")
    return redirect(url_for("names.names", user=user.name)), 303


@bp.route("/names/unset", methods=["POST"])
def unset_name() -> ResponseReturnValue:
    users = _users()
    user = _user(users, request.form.get("user"))
    session = db()
    try:
        done = edits.unset_name(session, user, request.form.get("kind", ""),
                                request.form.get("key", ""), actor=f"admin {current_user.name}")
        session.commit()
        flash("; ".join(done.lines()), "info")
    except NameProblem as exc:
        session.rollback()
        flash(f"Not removed: {exc}", "error")
    return redirect(url_for("names.names", user=user.name)), 303
