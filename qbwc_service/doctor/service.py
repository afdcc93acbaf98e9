"""Checks of the installation itself: configuration, queue database, TLS, the running server."""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from cryptography import x509
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from qbwc_service.config import Config
from qbwc_service.doctor import Check, failed, first_line, info, passed
from qbwc_service.queue import db

#: A certificate closer than this to its end is a failure: renew it now.
EXPIRY_DAYS_WARNING = 14
SERVE_TIMEOUT_SECONDS = 3
WILDCARD_HOSTS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


def check_config(config: Config) -> Check:
    if not config.path.exists():
        return failed("configuration", f"{config.path} not found, running on defaults "
                      "(qbwc-service init writes it)")
    return passed("configuration", f"{config.path.resolve()} is valid")


def check_queue(config: Config, engine: Engine) -> list[Check]:
    """The queue database answers, and its schema is at the newest migration."""
    shown = make_url(config.database_url).render_as_string(hide_password=True)
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    except SQLAlchemyError as exc:
        return [failed("queue database", f"{shown}: cannot connect: {first_line(exc)}")]
    heads = set(ScriptDirectory.from_config(db.alembic_config(config.database_url)).get_heads())
    checks = [passed("queue database", f"{shown} answers")]
    if current == heads:
        checks.append(passed("queue migrations", f"at the newest revision ({', '.join(sorted(heads))})"))
    elif not current:
        checks.append(failed("queue migrations", "the database has no queue tables (qbwc-service init)"))
    else:
        checks.append(failed("queue migrations", f"at {', '.join(sorted(current))}, newest is "
                             f"{', '.join(sorted(heads))} (qbwc-service db upgrade)"))
    return checks


def check_tls(config: Config, now: datetime | None = None) -> Check | None:
    """The configured certificate: readable, matching its key, days to expiry (``None``: no TLS)."""
    if config.tls is None:
        return None
    cert, key = config.tls
    for path in (cert, key):
        if not path.is_file():
            return failed("TLS certificate", f"file not found: {path}")
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(str(cert), str(key))
    except (ssl.SSLError, OSError) as exc:
        return failed("TLS certificate", f"{cert} and {key} are not a PEM certificate and its key: {exc}")
    try:
        expires = x509.load_pem_x509_certificate(Path(cert).read_bytes()).not_valid_after_utc
    except ValueError as exc:
        return failed("TLS certificate", f"{cert}: cannot read its dates: {exc}")
    days = (expires - (now or datetime.now(UTC))).days
    text = f"{cert} matches its key, expires {expires:%Y-%m-%d} ({days} days)"
    if days < 0:
        return failed("TLS certificate", f"{cert} expired on {expires:%Y-%m-%d}")
    if days < EXPIRY_DAYS_WARNING:
        return failed("TLS certificate", text + ": renew it")
    return passed("TLS certificate", text)


def serve_url(config: Config) -> str:
    host = WILDCARD_HOSTS.get(config["server.host"], config["server.host"])
    host = f"[{host}]" if ":" in host else host
    return f"{'https' if config.tls else 'http'}://{host}:{config['server.port']}"


def check_serve(config: Config) -> Check:
    """Whether ``serve`` answers /healthz on the configured address (not running: information)."""
    url = serve_url(config) + "/healthz"
    # Our own server on a configured address: its certificate may be self-signed.
    context = ssl._create_unverified_context() if config.tls else None  # noqa: S323
    try:
        with urllib.request.urlopen(url, timeout=SERVE_TIMEOUT_SECONDS, context=context) as response:
            return passed("serve", f"answers at {url} ({response.status})")
    except urllib.error.HTTPError as exc:
        return failed("serve", f"answers at {url} with {exc.code}: the queue database is unreachable for it")
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return info("serve", f"not running at {url} ({reason}); start it with qbwc-service serve")

