"""Commands: ``settings show`` and ``settings set`` (the sync options of one user)."""

from __future__ import annotations

import json

import click

from qbwc_service.cli.app import CliState, main, pass_state, user_option
from qbwc_service.cli.queue import user_or_fail
from qbwc_service.queue.db import transaction
from qbwc_service.sync import settings as st


@main.group("settings")
def settings_group() -> None:
    """Show or change a user's sync settings (per QuickBooks company)."""


@settings_group.command("show")
@user_option()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_state
def show(state: CliState, user_name: str, as_json: bool) -> None:
    """Print every setting with its value (defaults included)."""
    with transaction(state.sessions) as db:
        user = user_or_fail(db, user_name)
        values = st.get_settings(db, user.id)
    if as_json:
        click.echo(json.dumps(st.settings_as_dict(values), indent=2))
        return
    table = [(spec, shown or "(empty)", changed) for spec, shown, changed in st.rows(values)]
    width = max(len(spec.key) for spec, _, _ in table)
    value_width = min(max(len(shown) for _, shown, _ in table), 40)
    for spec, shown, changed in table:
        mark = "*" if changed else " "
        click.echo(f"{spec.key.ljust(width)} {mark} {shown.ljust(value_width)}  # {spec.help}")
    click.echo("(* = changed from the default)")


@settings_group.command("set")
@user_option()
@click.argument("key")
@click.argument("value")
@pass_state
def set_(state: CliState, user_name: str, key: str, value: str) -> None:
    """Validate and save one setting, for example: settings set --user shop sync.batch_size 100"""
    try:
        with transaction(state.sessions) as db:
            user = user_or_fail(db, user_name)
            typed = st.set_setting(db, user.id, key, value)
            spec = st.spec_for(key)
    except st.SettingError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{spec.key} = {spec.format(typed) or '(empty)'}")

