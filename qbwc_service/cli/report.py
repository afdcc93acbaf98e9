"""Command: ``report [RUN_ID] [--user NAME] [--json]`` (a run's report, the latest by default)."""

from __future__ import annotations

import json

import click

from qbwc_service.cli.app import ROW_ID, CliState, main, pass_state, user_option
from qbwc_service.cli.queue import user_or_fail
from qbwc_service.queue.db import transaction
from qbwc_service.sync import reports


@main.command("report")
@click.argument("run_id", type=ROW_ID, required=False)
@user_option(required=False, scope="its latest run")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def report(state: CliState, run_id: int | None, user_name: str | None, as_json: bool) -> None:
    """Print what a sync run did: counts per area and outcome, errors and warnings."""
    with transaction(state.sessions) as db:
        user = user_or_fail(db, user_name) if user_name else None
        if run_id is None:
            run_id = reports.latest_run_id(db, user.id if user else None)
            if run_id is None:
                who = f" for {user.name}" if user else ""
                raise click.ClickException(f"no sync run yet{who}")
        try:
            built = reports.build_report(db, run_id)
        except reports.ReportError as exc:
            raise click.ClickException(str(exc)) from None
        if user is not None and built.user_id != user.id:
            raise click.ClickException(f"run {run_id} belongs to {built.user_name}, not {user.name}")
    if as_json:
        click.echo(json.dumps(reports.as_dict(built), indent=2))
    else:
        click.echo(reports.render_text(built), nl=False)
