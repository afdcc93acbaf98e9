"""The admin Flask application: configuration, login, CSRF and the database per request.

:func:`create_app` builds an app that works mounted under any prefix
(``/admin`` in :mod:`qbwc_service.wsgi`): every URL is made with
``url_for``, which honours ``SCRIPT_NAME``. Every page but the login form
requires an enabled user with the admin flag; every POST carries a CSRF
token (Flask-WTF), and the pages forbid framing and foreign scripts.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, g, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, UserMixin, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from lxml import etree
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from qbwc_service import xmlsafe
from qbwc_service.config import Config
from qbwc_service.queue.models import User

SESSION_COOKIE = "qbwc_admin_session"


class AdminUser(UserMixin):
    """The logged-in admin. The session id includes a fingerprint of the
    password hash, so changing the password ends every session of the user."""

    def __init__(self, user: User) -> None:
        self.user_id = user.id
        self.name = user.name
        self.fingerprint = user.password_hash[-12:]

    def get_id(self) -> str:
        return f"{self.user_id}:{self.fingerprint}"


def create_app(config: Config | None, sessions: sessionmaker[Session],
               overrides: Mapping[str, Any] | None = None) -> Flask:
    """The admin app on the queue database of ``sessions``.

    ``overrides`` updates Flask's config (tests use it, e.g. to switch CSRF off
    in a single place they mean to).
    """
    app = Flask(__name__)
    secure = bool(config is not None and config.tls)
    app.config.update(
        SECRET_KEY=config.secret_key if config is not None else _random_key(),
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_SECURE=secure,
        WTF_CSRF_TIME_LIMIT=None,  # valid as long as the login session
        PERMANENT_SESSION_LIFETIME=8 * 3600,
        QBWC_TICKET_TTL_MINUTES=config["qbwc.ticket_ttl_minutes"] if config is not None else 30,
        QBWC_MAX_FAILURES=config["qbwc.max_failures"] if config is not None else 5,
        QBWC_FAILURE_WINDOW=config["qbwc.failure_window_seconds"] if config is not None else 300,
    )
    app.config.update(overrides or {})
    app.extensions["qbwc_sessions"] = sessions
    CSRFProtect(app)
    _login_manager(app, sessions)
    _database_per_request(app)
    _security_headers(app)
    _template_helpers(app)

    from qbwc_service.admin import auth, views

    app.register_blueprint(auth.bp)
    app.register_blueprint(views.bp)

    @app.errorhandler(404)
    def not_found(error: HTTPException) -> ResponseReturnValue:
        # Same page as the rest of the admin (and no hint of what exists to an outsider).
        if not current_user.is_authenticated:
            return views.render_error(404, "Not found.")
        return views.render_error(404, error.description or "Not found.")

    @app.errorhandler(CSRFError)
    def csrf_refused(error: CSRFError) -> ResponseReturnValue:
        return views.render_error(400, f"The form was refused: {error.description} "
                                       "Reload the page and try again.")

    return app


def _random_key() -> str:
    import secrets
    return secrets.token_hex(32)


def _login_manager(app: Flask, sessions: sessionmaker[Session]) -> None:
    manager = LoginManager(app)
    manager.login_view = "auth.login"
    manager.login_message = "Please log in as an admin user."
    manager.session_protection = "basic"

    @manager.user_loader
    def load(session_id: str) -> AdminUser | None:
        user_id, _, fingerprint = session_id.partition(":")
        if not user_id.isdigit():
            return None
        user = db().get(User, int(user_id))
        if user is None or not (user.enabled and user.is_admin):
            return None
        admin = AdminUser(user)
        return admin if admin.fingerprint == fingerprint else None


def db() -> Session:
    """The database session of the current request (opened on first use)."""
    if "db" not in g:
        g.db = current_app.extensions["qbwc_sessions"]()
    return g.db


def _database_per_request(app: Flask) -> None:
    @app.teardown_appcontext
    def close(_exc: BaseException | None) -> None:
        session = g.pop("db", None)
        if session is not None:
            session.rollback()
            session.close()


def _security_headers(app: Flask) -> None:
    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'")
        if request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _template_helpers(app: Flask) -> None:
    @app.template_filter("when")
    def when(moment: datetime | None) -> str:
        if moment is None:
            return ""
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")

    @app.template_filter("duration")
    def duration(seconds: float | None) -> str:
        if seconds is None:
            return "running"
        minutes, secs = divmod(int(round(seconds)), 60)
        return f"{minutes} min {secs} s" if minutes else f"{secs} s"

    @app.template_filter("xml")
    def pretty_xml(text: str) -> str:
        """qbXML indented for reading (whitespace between elements only); as is if unreadable."""
        try:
            root = xmlsafe.parse(text)
        except xmlsafe.UnsafeXMLError:
            return text
        etree.indent(root, space="  ")
        head = text[:max(text.find("<" + str(root.tag)), 0)].strip()
        body = etree.tostring(root, encoding="unicode")
        return f"{head}\n{body}" if head else body

    @app.context_processor
    def helpers() -> dict[str, Any]:
        def page_url(**changes: Any) -> str:
            args = {**request.args.to_dict(), **{k: v for k, v in changes.items()}}
            args = {k: v for k, v in args.items() if v not in (None, "")}
            return url_for(request.endpoint or "views.queue", **(request.view_args or {}), **args)
        return {"page_url": page_url}

