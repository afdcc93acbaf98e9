"""Commands: ``simulate`` (one Web Connector session) and ``demo`` (a whole sync, locally)."""

from __future__ import annotations

import logging
import shlex
import sys
import time
from pathlib import Path
from typing import Any

import click

from qbwc_service.cli.app import main, user_option
from qbwc_service.cli.password_input import STDIN_HELP, read_password
from qbwc_service.simulator.demo import DEFAULT_PORT as DEMO_PORT

#: Session outcomes that make ``simulate`` exit with status 1.
FAILED_OUTCOMES = frozenset({"nvu", "error", "connection_error", "rejected_client", "noop_limit",
                             "round_trip_limit", "failed"})


@main.command()
@click.option("--url", required=True, help="SOAP endpoint, e.g. http://127.0.0.1:8080/qbwc.")
@user_option()
@click.option("--password-stdin", is_flag=True, help=STDIN_HELP)
@click.option("--state", "state_file", type=click.Path(dir_okay=False), default=None,
              help="JSON file holding the QuickBooks stand-in's company (created if missing, saved after).")
@click.option("--qb-version", default="13.0", show_default=True, help="qbXML version QuickBooks supports "
              "(13.0, 16.0, 8.0).")
@click.option("--country", type=click.Choice(["US", "CA", "UK"], case_sensitive=False), default="US",
              metavar="[US|CA|UK]", show_default=True, help="Country edition of QuickBooks.")
@click.option("--crash-after", type=click.IntRange(min=1), default=None,
              help="Stop after N sendRequestXML calls without answering (a Web Connector crash).")
@click.option("--company-file", default=None, help="Company file open in QuickBooks.")
@click.option("--unavailable", is_flag=True,
              help="QuickBooks cannot open the company file (connectionError).")
@click.option("--noop-pause", type=float, default=5.0, show_default=True,
              help="Seconds to wait when the service answers NoOp.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary, not every call.")
def simulate(url: str, user_name: str, password_stdin: bool, state_file: str | None, qb_version: str,
             country: str, crash_after: int | None, company_file: str | None, unavailable: bool,
             noop_pause: float, quiet: bool) -> None:
    """Run one Web Connector session against URL, with the QuickBooks stand-in answering."""
    from qbwc_service.simulator.quickbooks import product_for
    from qbwc_service.simulator.webconnector import DEFAULT_COMPANY_FILE, EmulatorOptions, WebConnector

    password = read_password(password_stdin, confirm=False)
    try:
        product = product_for(country, qb_version)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--qb-version") from exc
    options = EmulatorOptions(qb_version=qb_version, country=country.upper(), crash_after=crash_after,
                              company_file=company_file or DEFAULT_COMPANY_FILE,
                              company_file_unavailable=unavailable, noop_pause=noop_pause)
    company = _company(state_file, country.upper(), product)
    try:
        connector = WebConnector(url, company, options, printer=None if quiet else click.echo)
        result = connector.run_session(user_name, password)
    except Exception as exc:  # zeep/requests: connection refused, HTTP 500, bad WSDL answer
        raise click.ClickException(f"session against {url} failed: {exc}") from exc
    finally:
        if state_file:
            company.save(state_file)
    if quiet:
        click.echo(result.summary())
    click.echo("calls: " + ", ".join(f"{name} x{n}" for name, n in result.counts.items()))
    if state_file:
        click.echo(f"QuickBooks stand-in state: {state_file}")
    if result.outcome in FAILED_OUTCOMES:
        sys.exit(1)


def _company(state_file: str | None, country: str, product: Any) -> Any:
    """The stand-in's company: loaded from *state_file* if it exists, else a fresh one."""
    from qbwc_service.simulator.quickbooks import QuickBooksCompany

    if not state_file:
        return QuickBooksCompany.fresh(country=country, product=product)
    if not Path(state_file).resolve().parent.is_dir():
        # Checked before the session: the server would keep IDs of records the lost state held.
        raise click.BadParameter(f"folder of {state_file} does not exist", param_hint="--state")
    try:
        company = QuickBooksCompany.open_or_create(state_file, country=country, product=product)
    except (OSError, ValueError) as exc:
        raise click.BadParameter(str(exc), param_hint="--state") from exc
    if company.country != country:
        raise click.BadParameter(f"{state_file} holds a {company.country} company; run it with "
                                 f"--country {company.country} or use another state file",
                                 param_hint="--state")
    return company


@main.command()
@click.option("--dir", "folder", type=click.Path(file_okay=False), default=None,
              help="Folder for the demo's files (default: a new temporary folder).")
@click.option("--serve", is_flag=True, help="After the sync keep the server running (admin page, a real Web "
              "Connector on this machine); prints the .qwc path and password.")
@click.option("--port", type=click.IntRange(0, 65535), default=DEMO_PORT, show_default=True,
              help="Port on localhost for the service; a busy one falls back to a free port (0: any).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the demo JobBOSS2 data.")
@click.option("--scale", type=click.IntRange(min=1), default=1, show_default=True,
              help="Size multiplier of the demo JobBOSS2 data.")
@click.option("-v", "--verbose", is_flag=True, help="Also print every Web Connector call (the SOAP trace).")
@click.option("-q", "--quiet", is_flag=True, help="No SOAP trace (the default; kept for scripts).")
def demo(folder: str | None, serve: bool, port: int, seed: int, scale: int, verbose: bool,
         quiet: bool) -> None:
    """Sync a demo JobBOSS2 database into the QuickBooks stand-in, end to end, on this machine."""
    from qbwc_service.simulator.demo import run_demo

    started = time.perf_counter()
    say = click.echo
    if not verbose or quiet:
        # The service's own log lines (a run with errors is a warning) belong to --verbose.
        logging.basicConfig(level=logging.ERROR)
        say("Syncing a demo JobBOSS2 database into a QuickBooks stand-in through real Web Connector "
            "sessions...")
    result = run_demo(folder, serve=serve, seed=seed, scale=scale, port=port,
                      printer=say if verbose and not quiet else None)
    if not verbose or quiet:
        say("")
        for line in demo_overview(result):
            say(line)
    say("")
    say(result.report_summary().rstrip())
    say("")
    say(f"sessions: {len(result.sessions)}; outcomes: {', '.join(s.outcome for s in result.sessions)}")
    say(f"QuickBooks stand-in state: {result.state_path}")
    if serve:
        say(f"\nWeb Connector file: {result.qwc_path}")
        say(f"user: {result.user}   password: {result.password}")
        say(f"service: {result.url}")
        say(f"admin page: {result.url.removesuffix('/qbwc')}/admin  (same user and password; Ctrl+C to stop)")
        try:
            while result.server.thread.is_alive():
                result.server.thread.join(timeout=1)
        except KeyboardInterrupt:
            say("stopping")
        finally:
            result.server.stop()
        return
    say(f"demo folder: {result.folder}  ({time.perf_counter() - started:.1f} s)")
    command = f"qbwc-service --config {shlex.quote(str(result.config_path))}"
    say("\nNext steps")
    say(f"  the full report:   {command} report")
    say(f"  jobs in error:     {command} queue list --status error")
    say(f"  the admin page:    qbwc-service demo --dir {shlex.quote(str(result.folder))} --serve")


def demo_overview(result: Any) -> list[str]:
    """Where the demo ran and what each Web Connector session did, for a shop's IT person."""
    lines = ["Sync report",
             f"  JobBOSS2 database:  {result.jobboss_path} (demo data)",
             f"  service:            {result.url}"]
    if result.port_note:
        lines.append(f"  note:               {result.port_note}")
    lines += _labelled("planned:", result.plan_lines)
    lines += _labelled("in QuickBooks:", getattr(result, "quickbooks_lines", []))
    lines += _labelled("sessions:", [
        f"{n}. {s.outcome}, {s.requests} round trips, {s.seconds:.1f} s: "
        f"{s.close_message or s.last_error or '-'}" for n, s in enumerate(result.sessions, 1)])
    return lines


def _labelled(label: str, items: list[str]) -> list[str]:
    """*items* one a line, the first after *label*, the rest aligned under it."""
    return [f"  {label if n == 0 else '':<20}{item}" for n, item in enumerate(items)]
