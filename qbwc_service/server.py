"""Serving the WSGI application with cheroot, on Windows and Linux.

cheroot is a pure-Python, thread-pooled production server; with a
certificate and key it terminates TLS itself (the Web Connector accepts only
``https://`` for anything but localhost), so no proxy is needed.
"""

from __future__ import annotations

import logging
import signal
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cheroot import wsgi
from cheroot.ssl.builtin import BuiltinSSLAdapter

log = logging.getLogger(__name__)

Tls = tuple[Path | str, Path | str]
"""(certificate PEM, private key PEM)."""

SERVER_NAME = "qbwc-service"
#: Connections the operating system queues before ``accept``: many Web Connectors calling at
#: once must wait their turn, not be refused (cheroot's default is 5).
LISTEN_BACKLOG = 128


def make_server(app: Callable[..., Any], host: str, port: int, *, tls: Tls | None = None,
                threads: int = 8) -> wsgi.Server:
    """A cheroot server for *app*, speaking HTTPS when *tls* is given."""
    server = wsgi.Server((host, port), app, numthreads=threads, server_name=SERVER_NAME,
                         request_queue_size=LISTEN_BACKLOG)
    if tls is not None:
        server.ssl_adapter = tls_adapter(*tls)
    return server


def tls_adapter(cert: Path | str, key: Path | str) -> BuiltinSSLAdapter:
    """cheroot's TLS adapter, TLS 1.2 at least."""
    for label, path in (("certificate", cert), ("key", key)):
        if not Path(path).is_file():
            raise FileNotFoundError(f"TLS {label} file not found: {path}")
    adapter = BuiltinSSLAdapter(str(cert), str(key))
    adapter.context.minimum_version = ssl.TLSVersion.TLSv1_2
    return adapter


def base_url(server: wsgi.Server) -> str:
    """``http(s)://host:port`` of a prepared server (wildcard hosts become loopback)."""
    host, port = server.bind_addr[:2]
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    if ":" in host:
        host = f"[{host}]"
    scheme = "https" if server.ssl_adapter is not None else "http"
    return f"{scheme}://{host}:{port}"


def serve_forever(server: wsgi.Server, on_ready: Callable[[str], None] | None = None) -> None:
    """Bind, call *on_ready* with the base URL, and serve until Ctrl+C or SIGTERM."""
    def stop(signum: int, _frame: object) -> None:
        log.info("signal %s: stopping", signum)
        threading.Thread(target=server.stop, daemon=True).start()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)
    server.prepare()
    try:
        log.info("serving on %s", base_url(server))
        if on_ready is not None:
            on_ready(base_url(server))
        server.serve()
    except KeyboardInterrupt:
        log.info("interrupted: stopping")
    finally:
        server.stop()


@dataclass
class RunningServer:
    """A server running in a background thread."""

    url: str
    server: wsgi.Server
    thread: threading.Thread = field(repr=False)

    def stop(self) -> None:
        self.server.stop()
        self.thread.join(timeout=10)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def run_in_thread(app: Callable[..., Any], host: str = "127.0.0.1", port: int = 0, *,
                  tls: Tls | None = None, threads: int = 8) -> RunningServer:
    """Start *app* in a daemon thread (``port=0``: a free port); return its URL and a stop handle.

    The socket is bound before this returns, so the URL answers at once.
    """
    server = make_server(app, host, port, tls=tls, threads=threads)
    server.prepare()
    thread = threading.Thread(target=server.serve, name=f"{SERVER_NAME}-{port}", daemon=True)
    thread.start()
    return RunningServer(url=base_url(server), server=server, thread=thread)
