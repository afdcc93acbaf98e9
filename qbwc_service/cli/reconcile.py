"""Command: ``reconcile``: ask QuickBooks what it holds, then compare with JobBOSS2."""

from __future__ import annotations

import json

import click

from qbwc_service import accounts
from qbwc_service.cli.app import CliState, main, pass_state, user_option
from qbwc_service.cli.sync import _day, _errors
from qbwc_service.queue.db import transaction
from qbwc_service.sync import settings as settings_mod
from qbwc_service.sync.planning import planner
from qbwc_service.sync.reconcile import plan, report


@main.command("reconcile")
@user_option()
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), default=None, metavar="DATE",
              help="First transaction date to reconcile.")
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), default=None, metavar="DATE",
              help="Last transaction date to reconcile.")
@click.option("--report", "show_report", is_flag=True,
              help="Compare the newest reconciliation's QuickBooks documents with JobBOSS2.")
@click.option("--json", "as_json", is_flag=True, help="With --report: print JSON.")
@pass_state
def reconcile(state: CliState, user_name: str, date_from: object, date_to: object, show_report: bool,
              as_json: bool) -> None:
    """Does QuickBooks hold what JobBOSS2 says it should?

    With --from/--to: the next Web Connector session reads QuickBooks' invoices
    and bills of those dates (read only). With --report: each JobBOSS2 document
    of the range, equal, different (which field, both values), only in JobBOSS2,
    or only in QuickBooks.
    """
    if show_report == (date_from is not None or date_to is not None):
        raise click.UsageError("give --from and --to to plan a reconciliation, or --report to see it")
    if show_report:
        _report(state, user_name, as_json)
        return
    if date_from is None or date_to is None:
        raise click.UsageError("give both --from and --to")
    with _errors(), transaction(state.sessions) as db:
        user = accounts.require_user(db, user_name)
        rec = plan.request(db, user, _day(date_from), _day(date_to))  # type: ignore[arg-type]
        number = rec.id
    click.echo(f"reconciliation {number} planned for {user_name}, {_day(date_from)} to "
               f"{_day(date_to)}: the next Web Connector session reads QuickBooks; then run "
               f"'qbwc-service reconcile --user {user_name} --report'")


def _report(state: CliState, user_name: str, as_json: bool) -> None:
    with _errors(), state.sessions() as db:
        user = accounts.require_user(db, user_name)
        settings = settings_mod.get_settings(db, user.id)
        result = report.build(db, user, planner.default_reader(user), settings)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
        return
    for line in result.lines():
        click.echo(line)
