"""Commands: ``serve`` (run the service) and ``qwc`` (write a Web Connector file)."""

from __future__ import annotations

import logging
import ssl
import sys
from pathlib import Path

import click

from qbwc_service import accounts, qwc
from qbwc_service.cli.app import CliState, ConfigUsageError, main, pass_state, write_new_file
from qbwc_service.config import Config
from qbwc_service.observe import Observers
from qbwc_service.queue import db, retention

log = logging.getLogger(__name__)


@main.command()
@click.option("--host", default=None, help="Address to listen on (default: server.host).")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="Port to listen on (default: server.port).")
@pass_state
def serve(state: CliState, host: str | None, port: int | None) -> None:
    """Serve /qbwc (SOAP), /healthz, /metrics and /admin with cheroot; HTTPS when server.tls_cert is set."""
    from qbwc_service import server, wsgi

    config = state.config
    _check_tls_files(config)
    db.upgrade(config.database_url)  # idempotent: a no-op when the schema is current
    observers = Observers.from_config(config, state.sessions)
    app = wsgi.create_app(config, sessions=state.sessions, observers=observers)
    retention.prune_daily(state.sessions, config["storage.keep_messages_days"])
    silence_watch = observers.start_silence_watch(state.sessions)
    try:
        srv = server.make_server(app, host or config["server.host"],
                                 config["server.port"] if port is None else port,
                                 tls=config.tls, threads=config["server.threads"])
    except ssl.SSLError as exc:
        raise ConfigUsageError(f"{config.path}: keys 'server.tls_cert' and 'server.tls_key': cannot "
                               f"load them as a PEM certificate and its private key ({exc})") from exc
    except OSError as exc:
        raise click.ClickException(str(exc)) from exc

    def ready(url: str) -> None:
        click.echo(f"qbwc-service listening on {url} (SOAP {url}/qbwc, health {url}/healthz)",
                   err=True)
        sys.stderr.flush()

    try:
        server.serve_forever(srv, on_ready=ready)
    except OSError as exc:
        raise click.ClickException(f"cannot serve on {srv.bind_addr}: {exc}") from exc
    finally:
        if silence_watch is not None:
            silence_watch.set()


def _check_tls_files(config: Config) -> None:
    """A configured certificate or key that is not a file is a configuration error (exit 2)."""
    if config.tls is None:
        return
    for key, path in zip(("server.tls_cert", "server.tls_key"), config.tls, strict=True):
        if not path.is_file():
            raise ConfigUsageError(f"{config.path}: key {key!r}: file not found: {path}")


@main.command("qwc")
@click.argument("name")
@click.option("--url", required=True, help="The service URL the Web Connector calls, e.g. "
              "https://host:8443/qbwc (plain http only for localhost).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              help="File to write (default: NAME.qwc; '-' for standard output).")
@click.option("--minutes", type=click.IntRange(min=1), default=qwc.DEFAULT_MINUTES, show_default=True,
              help="Run every N minutes.")
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@pass_state
def qwc_command(state: CliState, name: str, url: str, output: str | None, minutes: int,
                force: bool) -> None:
    """Write the .qwc file that registers user NAME with the Web Connector."""
    config = state.config
    with state.sessions() as dbs:
        user = accounts.get_user(dbs, name)
    if user is None:
        raise click.ClickException(f"unknown user {name!r} (add it with `qbwc-service user add`)")
    options = qwc.QwcOptions(url=url, app_name=config["qbwc.app_name"],
                             support_url=config["qbwc.support_url"], minutes=minutes)
    try:
        data = qwc.build_qwc(user, options)
    except qwc.QwcError as exc:
        raise click.ClickException(str(exc)) from exc
    if output == "-":
        click.echo(data.decode("utf-8"), nl=False)
        return
    path = Path(output or f"{name}.qwc")
    # An existing file (a registration or a service in use) is kept unless --force.
    write_new_file(path, data, force=force)
    click.echo(f"wrote {path}; open it in the Web Connector (Add an application) "
               f"and enter {name}'s password there")
