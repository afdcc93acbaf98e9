"""Commands: ``demo-db`` (write a demo JobBOSS2 database)."""

from __future__ import annotations

import sqlite3
import time
from datetime import date, datetime
from pathlib import Path

import click

from qbwc_service.cli.app import WriteError, main

COUNTED = (
    "CustCode",
    "VendCode",
    "EmplCode",
    "Estim",
    "Billing",
    "BillingDet",
    "DelTicket",
    "OrderDet",
    "VendorInv",
    "Receiver",
    "PODet",
    "Attend",
    "AttendDet",
)


def _anchor(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError as exc:
        raise click.BadParameter("expected YYYY-MM-DD") from exc


@main.command("demo-db")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed: same seed, same data.")
@click.option(
    "--scale",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Multiplies the transactions: 1 = 1,000 AR invoices, 100 = 100,000.",
)
@click.option(
    "--anchor",
    callback=_anchor,
    metavar="YYYY-MM-DD",
    default=None,
    help="Last day of the data (default: today).",
)
def demo_db(path: Path, seed: int, scale: int, anchor: date | None) -> None:
    """Write a demo JobBOSS2 database (SQLite, E2 tables) to PATH.

    A job shop's customers, vendors, employees and parts, six months of
    invoices, packing lists, vendor invoices and receivers, and three months
    of attendance, with the hard cases a sync must survive. An existing
    SQLite file at PATH is replaced.
    """
    from qbwc_service.simulator.demo_db import create_demo_database

    started = time.perf_counter()
    try:
        target = create_demo_database(path, seed=seed, scale=scale, anchor=anchor)
    except FileExistsError as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:  # a folder that cannot be created or written, a full disk
        raise WriteError(path, exc) from exc
    elapsed = time.perf_counter() - started
    with sqlite3.connect(target) as conn:
        counts = {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in COUNTED}
    click.echo(f"Wrote {target} in {elapsed:.1f} s (seed {seed}, scale {scale}).")
    click.echo("  " + ", ".join(f"{table} {n:,}" for table, n in counts.items()))
    click.echo(f"  Use it as the JobBOSS2 database: sqlite:///{target.resolve()}")
