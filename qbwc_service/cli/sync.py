"""Commands: ``sync start | set-begin | defaults``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import click

from qbwc_service import accounts
from qbwc_service.cli.app import CliState, main, pass_state, user_option
from qbwc_service.queue.db import transaction
from qbwc_service.sync import settings as settings_mod
from qbwc_service.sync.planning import planner


@main.group("sync")
def sync_group() -> None:
    """Plan what goes to QuickBooks at the next Web Connector session."""


@sync_group.command("start")
@user_option()
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), default=None, metavar="DATE",
              help="First transaction date (default: the sync.begin setting).")
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), default=None, metavar="DATE",
              help="Last transaction date (default: the sync.end setting).")
@pass_state
def sync_start(state: CliState, user_name: str, date_from: object, date_to: object) -> None:
    """Manual sync: plan the unexported records of the range; then click Update Selected
    in the Web Connector."""
    sessions = state.sessions
    with _errors(), transaction(sessions) as db:
        user = accounts.require_user(db, user_name)
        settings = settings_mod.get_settings(db, user.id)
        start = _day(date_from) or settings["sync.begin"]
        end = _day(date_to) or settings["sync.end"]
        if start and end and end < start:
            raise click.UsageError("--to is before --from")
        result = planner.plan_manual(db, user, start, end, settings=settings)
    span = f"{start or 'the beginning'} to {end or 'today'}"
    click.echo(f"planned for {user_name}, {span}:")
    for line in result.lines():
        click.echo(f"  {line}")
    click.echo("Now click Update Selected in the QuickBooks Web Connector.")


@sync_group.command("set-begin")
@user_option()
@click.argument("begin", type=click.DateTime(["%Y-%m-%d"]), metavar="DATE")
@pass_state
def sync_set_begin(state: CliState, user_name: str, begin: object) -> None:
    """Set Begin: mark every transaction dated before DATE exported in JobBOSS2 and sync
    automatically from DATE on."""
    sessions = state.sessions
    day = _day(begin)
    assert day is not None
    with _errors(), transaction(sessions) as db:
        user = accounts.require_user(db, user_name)
        changed = planner.set_begin(db, user, day)
    click.echo(f"{user_name}: transactions before {day} marked exported in JobBOSS2:")
    for table, n in changed.items():
        click.echo(f"  {table}: {n}")
    click.echo(f"sync.type = auto, sync.begin = {day}")


@sync_group.command("defaults")
@user_option()
@pass_state
def sync_defaults(state: CliState, user_name: str) -> None:
    """Sync Defaults: plan the default accounts and items QuickBooks may not have yet."""
    sessions = state.sessions
    with _errors(), transaction(sessions) as db:
        user = accounts.require_user(db, user_name)
        result = planner.plan_defaults(db, user)
    click.echo(f"{user_name}: {result.ensure_jobs} default accounts and items to check in QuickBooks")


def _day(value: object) -> date | None:
    return value.date() if value is not None else None  # type: ignore[attr-defined]


@contextmanager
def _errors() -> Iterator[None]:
    """Known failures as a one-line message and exit code 1."""
    try:
        yield
    except (accounts.AccountError, settings_mod.SettingError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
