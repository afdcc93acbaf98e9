"""Commands: ``names list``, ``names set`` and ``names unset`` (the name map of a user)."""

from __future__ import annotations

import json

import click
from sqlalchemy import select

from qbwc_service.cli.app import CliState, main, pass_state, user_option
from qbwc_service.cli.queue import user_or_fail
from qbwc_service.queue.db import transaction
from qbwc_service.queue.models import User
from qbwc_service.sync.names import edits
from qbwc_service.sync.names.book import rules
from qbwc_service.sync.names.rule import NameProblem

#: Who the map records as having set a name from the command line.
ACTOR = "command line"


@main.group("names")
def names_group() -> None:
    """The QuickBooks names (and RefNumbers) of JobBOSS2 records too long for QuickBooks."""


def _kind_help() -> str:
    return ", ".join(f"{r.kind} ({r.limit})" for r in rules().values())


@names_group.command("list")
@user_option(required=False, scope="only its names")
@click.option("--kind", metavar="KIND", help="Only this kind (item, customer, invoice...).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_state
def list_(state: CliState, user_name: str | None, kind: str | None, as_json: bool) -> None:
    """Print the name map: JobBOSS2 key -> QuickBooks name, who set it and when."""
    if kind and kind not in rules():
        raise click.UsageError(f"unknown kind {kind!r}; choose from: {_kind_help()}")
    with transaction(state.sessions) as db:
        user = user_or_fail(db, user_name) if user_name else None
        users = {u.id: u.name for u in db.scalars(select(User))}
        rows = [edits.as_dict(row, users.get(row.user_id, "?")) for row in edits.entries(
            db, user_id=user.id if user is not None else None, kind=kind)]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("no names mapped")
        return
    for row in rows:
        click.echo(f"{row['user']}  {row['kind']:<8} {row['jobboss_key']!r} -> {row['qb_name']!r}"
                   f"  [{row['origin']}, {row['set_by']}, {row['set_at'][:19]}]")


@names_group.command("set")
@user_option()
@click.argument("kind")
@click.argument("jobboss_key")
@click.argument("qb_name")
@pass_state
def set_(state: CliState, user_name: str, kind: str, jobboss_key: str, qb_name: str) -> None:
    """Send a JobBOSS2 record under QB_NAME, for example:
    names set --user shop item HYD-MANIFOLD-ASSY-4-PORT-STAINLESS-316L-REV-C HYD-MANIFOLD-4P-316L

    KIND is item, customer, vendor, account, terms, invoice or bill. A name that already
    exists in QuickBooks is adopted; jobs that failed or wait on the record are planned again.
    """
    try:
        with transaction(state.sessions) as db:
            done = edits.set_name(db, user_or_fail(db, user_name), kind, jobboss_key, qb_name,
                                  actor=ACTOR)
    except NameProblem as exc:
        raise click.ClickException(str(exc)) from None
    for line in done.lines():
        click.echo(line)


@names_group.command("unset")
@user_option()
@click.argument("kind")
@click.argument("jobboss_key")
@pass_state
def unset(state: CliState, user_name: str, kind: str, jobboss_key: str) -> None:
    """Remove a mapping: the record goes back to its names.KIND setting."""
    try:
        with transaction(state.sessions) as db:
            done = edits.unset_name(db, user_or_fail(db, user_name), kind, jobboss_key,
                                    actor=ACTOR)
    except NameProblem as exc:
        raise click.ClickException(str(exc)) from None
    for line in done.lines():
        click.echo(line)
