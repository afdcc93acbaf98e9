"""Commands that create the configuration and the queue database: ``init``, ``db``."""

from __future__ import annotations

from collections.abc import Callable

import click
from alembic.util import CommandError

from qbwc_service import config as config_mod
from qbwc_service.cli.app import CliState, WriteError, main, pass_state
from qbwc_service.queue import db, retention


@main.command()
@pass_state
def init(state: CliState) -> None:
    """Write a default configuration (if none) and create or upgrade the database."""
    path = config_mod.config_path(state.config_arg)
    if not path.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(config_mod.template(), encoding="utf-8")
        except OSError as exc:
            raise WriteError(path, exc) from exc
        click.echo(f"wrote {path}")
    else:
        click.echo(f"kept {path}")
    _migrate(db.upgrade, state.config.database_url, "head")
    click.echo(f"database ready: {_safe_url(state.config.database_url)}")


@main.group("db")
def db_group() -> None:
    """Queue database maintenance."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@pass_state
def db_upgrade(state: CliState, revision: str) -> None:
    """Run the migrations up to REVISION (default: the newest)."""
    _migrate(db.upgrade, state.config.database_url, revision)
    click.echo(f"database at {revision}: {_safe_url(state.config.database_url)}")


@db_group.command("downgrade")
@click.argument("revision")
@pass_state
def db_downgrade(state: CliState, revision: str) -> None:
    """Undo migrations down to REVISION ("base" empties the database)."""
    _migrate(db.downgrade, state.config.database_url, revision)
    click.echo(f"database at {revision}")


@db_group.command("prune")
@click.option("--days", type=click.IntRange(min=0), default=None,
              help="Keep this many days instead of storage.keep_messages_days (0: keep everything).")
@pass_state
def db_prune(state: CliState, days: int | None) -> None:
    """Remove qbXML messages and admin logins older than storage.keep_messages_days (serve does it daily)."""
    keep = state.config["storage.keep_messages_days"] if days is None else days
    click.echo(retention.prune(state.sessions, keep).line(keep))


def _migrate(step: Callable[[str, str], None], url: str, revision: str) -> None:
    """Run an alembic step; an unknown revision is one clear line, not a traceback."""
    try:
        step(url, revision)
    except CommandError as exc:
        raise click.ClickException(f"{exc} (revisions are listed in migrations/versions)") from exc


def _safe_url(url: str) -> str:
    """The URL with any password masked, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
