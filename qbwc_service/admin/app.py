"""The admin Flask application: configuration, login, CSRF and the database per request.

:func:`create_app` builds an app that works mounted under any prefix
(``/admin`` in :mod:`qbwc_service.wsgi`): every URL is made with
``url_for``, which honours ``SCRIPT_NAME``. Every page but the login form
requires an enabled user with the admin flag, logged in through a session
kept on the server (:mod:`.login_sessions`); every POST carries a CSRF
token (Flask-WTF), and the pages forbid framing and foreign scripts.
Modules: :mod:`.database` (the request's database session), :mod:`.auth`
(login, logout), :mod:`.views` (the pages), :mod:`.users` (the users page).
The navigation is :data:`NAV`; a page another module adds appears in it once its
endpoint is registered (the name map's ``names.names``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from lxml import etree
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from qbwc_service import xmlsafe
from qbwc_service.admin import auth, database, login_sessions, names, reconcile, users, views
from qbwc_service.config import KEYS, Config
from qbwc_service.security.throttle import ThrottlePolicy

SESSION_COOKIE = "qbwc_admin_session"


def create_app(config: Config | None, sessions: sessionmaker[Session],
               overrides: Mapping[str, Any] | None = None) -> Flask:
    """The admin app on the queue database of ``sessions``.

    ``overrides`` updates Flask's config (tests use it, e.g. to switch CSRF off
    in a single place they mean to).
    """
    app = Flask(__name__)
    secure = bool(config is not None and config.tls)
    hours = config["admin.session_hours"] if config is not None else KEYS["admin.session_hours"].default
    app.config.update(
        SECRET_KEY=config.secret_key if config is not None else _random_key(),
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_SECURE=secure,
        WTF_CSRF_TIME_LIMIT=None,  # valid as long as the login session
        QBWC_TICKET_TTL_MINUTES=config["qbwc.ticket_ttl_minutes"] if config is not None else 30,
        **{key: config[name] if config is not None else KEYS[name].default
           for key, name in ((users.APP_NAME, "qbwc.app_name"),
                             (users.SUPPORT_URL, "qbwc.support_url"),
                             (users.SILENT_HOURS, "alerts.silent_hours"))},
        **{auth.POLICY: ThrottlePolicy.from_config(config) if config is not None else ThrottlePolicy()},
    )
    login_sessions.install(app, timedelta(hours=hours))
    app.config.update(overrides or {})
    database.init_app(app, sessions)
    CSRFProtect(app)
    _security_headers(app)
    _template_helpers(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(names.bp)
    app.register_blueprint(reconcile.bp)
    app.register_blueprint(users.bp)

    @app.errorhandler(404)
    def not_found(error: HTTPException) -> ResponseReturnValue:
        # Same page as the rest of the admin (and no hint of what exists to an outsider).
        if not current_user.is_authenticated:
            return views.render_error(404, "Not found.")
        return views.render_error(404, error.description or "Not found.")

    @app.errorhandler(400)
    def bad_request(error: HTTPException) -> ResponseReturnValue:
        return views.render_error(400, error.description or "Bad request.")

    @app.errorhandler(CSRFError)
    def csrf_refused(error: CSRFError) -> ResponseReturnValue:
        return views.render_error(400, f"The form was refused: {error.description} "
                                       "Reload the page and try again.")

    return app


#: The navigation: (endpoint, label, the endpoints it is current on: names, or a blueprint
#: prefix ending in "."). Entries whose endpoint is not registered are left out.
NAV: tuple[tuple[str, str, str], ...] = (
    ("views.index", "Overview", "views.index"),
    ("views.queue", "Queue", "views.queue views.job"),
    ("views.runs", "Runs", "views.runs views.run views.run_records"),
    ("names.names", "Names", "names."),
    ("reconcile.show", "Reconciliation", "reconcile."),
    ("views.settings", "Settings", "views.settings"),
    ("users.index", "Users", "users."),
    ("views.audit", "Audit trail", "views.audit"),
)


def _random_key() -> str:
    import secrets
    return secrets.token_hex(32)


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
    def navigation() -> dict[str, Any]:
        here = request.endpoint or ""
        links = [(url_for(endpoint), label, here.startswith(active) if active.endswith(".")
                  else here in active.split())
                 for endpoint, label, active in NAV if endpoint in app.view_functions]
        return {"nav_links": links}

    @app.context_processor
    def helpers() -> dict[str, Any]:
        def page_url(**changes: Any) -> str:
            args = {**request.args.to_dict(), **{k: v for k, v in changes.items()}}
            args = {k: v for k, v in args.items() if v not in (None, "")}
            return url_for(request.endpoint or "views.queue", **(request.view_args or {}), **args)
        return {"page_url": page_url}

