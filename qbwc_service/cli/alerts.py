"""Command: ``alerts test`` (send a test alert through every configured channel)."""

from __future__ import annotations

import socket

import click

from qbwc_service.cli.app import CliState, main, pass_state
from qbwc_service.observe.alerts import Alert, Alerter, channels_from_config


@main.group("alerts")
def alerts_group() -> None:
    """Alerts by email and webhook (alerts.* in the configuration)."""


@alerts_group.command("test")
@pass_state
def alerts_test(state: CliState) -> None:
    """Send a test alert through every configured channel; exit 1 if any fails."""
    channels = channels_from_config(state.config)
    if not channels:
        raise click.ClickException("no alert channel configured: set alerts.email_to (and the SMTP keys) "
                                   "or alerts.webhook_url")
    alert = Alert("test", "", f"test alert from {socket.gethostname()}",
                  "qbwc-service can send alerts from here; nothing needs doing.\n")
    failures = Alerter(channels, state.sessions).send(alert)
    for failure in failures:
        click.echo(f"failed: {failure}", err=True)
    if failures:
        raise SystemExit(1)
    click.echo(f"test alert sent through {len(channels)} channel{'s' * (len(channels) != 1)}")
