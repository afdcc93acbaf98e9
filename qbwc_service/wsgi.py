"""The one WSGI application: ``/qbwc`` (SOAP), ``/healthz``, ``/metrics``, ``/admin``.

:func:`create_app` composes the parts with werkzeug's
:class:`~werkzeug.middleware.dispatcher.DispatcherMiddleware`; each part is a
WSGI app of its own, so adding one is one entry in :func:`_mounts`.
"""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Request, Response

from qbwc_service.config import Config
from qbwc_service.observe import Observers
from qbwc_service.queue import db, messages
from qbwc_service.soap.admission import LargeBodies
from qbwc_service.soap.callbacks import QbwcCallbacks, QbwcSettings
from qbwc_service.soap.fastpath import FastSoap
from qbwc_service.soap.guard import XmlGuard
from qbwc_service.soap.service import create_soap_app
from qbwc_service.sync.contract import IdleEngine, SyncEngine

log = logging.getLogger(__name__)

WsgiApp = Callable[..., Iterable[bytes]]

SOAP_PATH = "/qbwc"
HEALTH_PATH = "/healthz"
ADMIN_PATH = "/admin"
SUPPORT_PATH = "/support"
METRICS_PATH = "/metrics"


def create_app(config: Config, sync_engine: SyncEngine | None = None, *,
               sessions: sessionmaker[Session] | None = None,
               observers: Observers | None = None) -> WsgiApp:
    """The service's WSGI application for *config*.

    *sync_engine* answers sendRequestXML / receiveResponseXML (default:
    :func:`_default_sync_engine`); *sessions* defaults to a session factory on
    the configured queue database; *observers* (metrics, alerts) default to
    those *config* asks for.
    """
    if sessions is None:
        sessions = db.session_factory(db.make_engine(config.database_url))
    messages.limit_size(sessions, config["storage.max_message_kb"])
    engine = sync_engine if sync_engine is not None else _default_sync_engine(config)
    if observers is None:
        observers = Observers.from_config(config, sessions)
    app: WsgiApp = DispatcherMiddleware(_not_found, _mounts(config, sessions, engine, observers))
    proxies = config["server.trusted_proxies"]
    # Behind a TLS-terminating proxy every caller would share the proxy's address, and one
    # user's failed logins would lock out all; trust exactly as many hops as are configured.
    if proxies:
        app = ProxyFix(app, x_for=proxies, x_proto=proxies, x_host=proxies)
    return app


def _mounts(config: Config, sessions: sessionmaker[Session], engine: SyncEngine,
            observers: Observers) -> dict[str, WsgiApp]:
    max_body = config["server.max_request_mb"] * 1024 * 1024
    callbacks = QbwcCallbacks(sessions, engine, QbwcSettings.from_config(config),
                              observers=observers.session_observers())
    mounts: dict[str, WsgiApp] = {
        SOAP_PATH: XmlGuard(FastSoap(create_soap_app(callbacks, max_body), callbacks), max_body,
                            LargeBodies(config["server.max_large_requests"])),
        HEALTH_PATH: health_app(sessions),
        SUPPORT_PATH: _support_page,
        METRICS_PATH: observers.metrics.wsgi_app(config["metrics.token"]),
    }
    admin = _admin_app(config, sessions)
    if admin is not None:
        mounts[ADMIN_PATH] = admin
    return mounts


def _default_sync_engine(config: Config) -> SyncEngine:
    """``qbwc_service.sync.default_engine(config)`` once the sync package has it, else idle."""
    from qbwc_service import sync

    factory = getattr(sync, "default_engine", None)
    return factory(config) if factory is not None else IdleEngine()


def _admin_app(config: Config, sessions: sessionmaker[Session]) -> WsgiApp | None:
    """``qbwc_service.admin.create_app(config, sessions)`` if the admin package provides it."""
    admin = importlib.import_module("qbwc_service.admin")
    factory = getattr(admin, "create_app", None)
    return factory(config, sessions) if factory is not None else None


def health_app(sessions: sessionmaker[Session]) -> WsgiApp:
    """``/healthz``: ``{"status": "ok"|"degraded", "database": bool}``; 503 when degraded."""
    bind = sessions.kw.get("bind")

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        database = isinstance(bind, Engine) and db.ping(bind)
        status = "ok" if database else "degraded"
        response = Response(json.dumps({"status": status, "database": database}),
                            status=200 if database else 503, mimetype="application/json")
        response.headers["Cache-Control"] = "no-store"
        return response(environ, start_response)

    return app


@Request.application
def _support_page(request: Request) -> Response:
    """AppSupport target of the .qwc files: a plain page saying what this is."""
    text = ("qbwc-service: sends JobBOSS2 invoices, bills and time to QuickBooks Desktop through "
            "the QuickBooks Web Connector.\nSOAP endpoint: /qbwc   Health: /healthz\n"
            "Ask the administrator of this server for help.\n")
    return Response(text, mimetype="text/plain")


@Request.application
def _not_found(request: Request) -> Response:
    return Response("Not found. The Web Connector endpoint is /qbwc.\n", status=404,
                    mimetype="text/plain")
