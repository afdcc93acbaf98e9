"""Admin logins kept on the server, so that logging out ends them for good.

The browser's session cookie (Flask's, signed) carries a random token; the
``admin_sessions`` table holds its SHA-256 with the user, the caller's
address and when the login ends: ``admin.session_hours`` after it, or at
logout, or when the user's password changes or the user is disabled or loses
the admin flag. A copied cookie is worth nothing once its row has ended.

The cookie is marked ``Secure`` whenever the request came over HTTPS, whether
``serve`` terminates TLS itself or a trusted reverse proxy says so
(``server.trusted_proxies``, ``X-Forwarded-Proto``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from qbwc_service.admin.database import db
from qbwc_service.queue.models import AdminSession, User, as_utc, utcnow
from qbwc_service.security.tickets import new_ticket, ticket_hash


class AdminUser(UserMixin):
    """The logged-in admin of one server-side session; its id is the session's token."""

    def __init__(self, user: User, token: str) -> None:
        self.user_id = user.id
        self.name = user.name
        self._token = token

    def get_id(self) -> str:
        return self._token


class ProxyAwareCookies(SecureCookieSessionInterface):
    """Flask's signed session cookie, ``Secure`` when this request is HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(super().get_cookie_secure(app) or (has_request_context() and request.is_secure))


def start(session: Session, user: User, remote_addr: str, lifetime: timedelta,
          now: datetime | None = None) -> AdminUser:
    """A new admin session for *user*; the caller commits and hands the result to ``login_user``."""
    now = now or utcnow()
    token = new_ticket()
    session.add(AdminSession(token_hash=ticket_hash(token), user_id=user.id,
                             remote_addr=remote_addr[:64], created_at=now, expires_at=now + lifetime))
    return AdminUser(user, token)


def find(session: Session, token: str, now: datetime | None = None) -> AdminUser | None:
    """The admin of the live session *token*, or ``None`` (ended, expired, not an admin any more)."""
    if not token:
        return None
    now = now or utcnow()
    row = session.scalar(select(AdminSession).where(AdminSession.token_hash == ticket_hash(token)))
    if row is None or row.ended_at is not None or as_utc(row.expires_at) <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or not (user.enabled and user.is_admin):
        return None
    return AdminUser(user, token)


def end(session: Session, token: str, now: datetime | None = None) -> None:
    """End the session *token* (logout); the caller commits."""
    session.execute(update(AdminSession)
                    .where(AdminSession.token_hash == ticket_hash(token), AdminSession.ended_at.is_(None))
                    .values(ended_at=now or utcnow()))


def install(app: Flask, lifetime: timedelta) -> None:
    """Login handling of the admin app: Flask-Login over :func:`find`, cookies that know HTTPS."""
    app.session_interface = ProxyAwareCookies()
    app.config["PERMANENT_SESSION_LIFETIME"] = lifetime
    manager = LoginManager(app)
    manager.login_view = "auth.login"
    manager.login_message = "Please log in as an admin user."
    manager.session_protection = "basic"
    manager.user_loader(lambda token: find(db(), token))

