"""Command: ``doctor`` (is this installation ready; one line per check)."""

from __future__ import annotations

import click

from qbwc_service import accounts
from qbwc_service.cli.app import CliState, main, pass_state, user_option
from qbwc_service.doctor import Check, failed, info
from qbwc_service.doctor import jobboss as jobboss_checks
from qbwc_service.doctor import service as service_checks
from qbwc_service.jobboss.layout import layout_from_config


@main.command()
@user_option(required=False, scope="check only its JobBOSS2 database (default: every enabled user)")
@pass_state
def doctor(state: CliState, user_name: str | None) -> None:
    """Check the configuration, queue database, each user's JobBOSS2 database, TLS and the server.

    One line per check; exit status 0 when all pass, 1 when any fails. A
    server that is not running is reported, not counted as a failure.
    """
    config = state.config
    checks = [service_checks.check_config(config), *service_checks.check_queue(config, state.engine)]
    checks += _user_checks(state, user_name, ready=not any(c.failed for c in checks))
    tls = service_checks.check_tls(config)
    if tls is not None:
        checks.append(tls)
    checks.append(service_checks.check_serve(config))
    for check in checks:
        click.echo(check.line())
    failures = sum(c.failed for c in checks)
    click.echo(f"{failures} of {len(checks)} checks failed" if failures
               else f"all {len(checks)} checks passed")
    if failures:
        raise SystemExit(1)


def _user_checks(state: CliState, user_name: str | None, *, ready: bool) -> list[Check]:
    if not ready:
        return [info("users", "not checked: the queue database is not ready")]
    with state.sessions() as db:
        users = [accounts.get_user(db, user_name)] if user_name else \
            [u for u in accounts.list_users(db) if u.enabled]
    if user_name and users[0] is None:
        return [failed("users", f"unknown user {user_name!r}")]
    if not users:
        return [failed("users", "no enabled user (qbwc-service user add NAME --jobboss-url URL)")]
    layout = layout_from_config(state.config)
    checks: list[Check] = []
    for user in users:
        checks += jobboss_checks.check_user(user.name, user.jobboss_url, layout)
    return checks
