"""Full sync of a demo JobBOSS2 database through the Web Connector emulator.

Prints the planning time, the server-side milliseconds per record (time spent
inside the service's HTTP handler, divided by the records QuickBooks
received), the round trips and the peak RSS of this process (server, emulator
and stand-in together, so an upper bound for the server).

    .venv/bin/python bench/sync_bench.py [--scale 10] [--batch 50]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import psutil
from sqlalchemy import func, select

from qbwc_service import accounts
from qbwc_service import config as config_mod
from qbwc_service.jobboss.demo_db import create_demo_database
from qbwc_service.queue import db
from qbwc_service.queue.models import Job, Run, User
from qbwc_service.server import run_in_thread
from qbwc_service.simulator.quickbooks import QuickBooksCompany
from qbwc_service.simulator.webconnector import EmulatorOptions, WebConnector
from qbwc_service.sync import planner
from qbwc_service.sync import settings as settings_mod
from qbwc_service.wsgi import create_app


class Timed:
    """WSGI middleware adding up the time spent serving requests."""

    def __init__(self, app):
        self.app = app
        self.seconds = 0.0
        self.requests = 0

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        try:
            return list(self.app(environ, start_response))
        finally:
            self.seconds += time.perf_counter() - started
            self.requests += 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--db", default="", help="queue database URL (default: SQLite in a temp dir)")
    args = parser.parse_args()
    proc = psutil.Process()
    work = Path(tempfile.mkdtemp(prefix="sync-bench-"))
    url = args.db or f"sqlite:///{work / 'queue.sqlite3'}"
    db.upgrade(url)
    started = time.perf_counter()
    jobboss = create_demo_database(work / "jobboss.sqlite3", seed=1, scale=args.scale)
    print(f"demo database (scale {args.scale}): {time.perf_counter() - started:.1f} s")
    sessions = db.session_factory(db.make_engine(url))
    with db.transaction(sessions) as s:
        user = accounts.create_user(s, "bench", "bench-password-1", jobboss_url=str(jobboss))
        settings_mod.set_settings(s, user.id, {"sync.batch_size": str(args.batch)})
    started = time.perf_counter()
    with db.transaction(sessions) as s:
        user = s.scalars(select(User)).one()
        plan = planner.plan_manual(s, user, None, None)
    plan_seconds = time.perf_counter() - started
    print(f"planning: {plan_seconds:.1f} s; " + "; ".join(plan.lines()))
    config = config_mod.from_mapping({"database": {"url": url}, "logging": {"level": "WARNING"}},
                                     work / "qbwc-service.toml")
    app = Timed(create_app(config, sessions=sessions))
    server = run_in_thread(app, threads=2)
    qb = QuickBooksCompany.fresh("US")
    connector = WebConnector(server.url + "/qbwc", qb, EmulatorOptions(noop_pause=0.01))
    started = time.perf_counter()
    result = connector.run_session("bench", "bench-password-1")
    wall = time.perf_counter() - started
    server.stop()
    with sessions() as s:
        records = s.scalar(select(func.count()).select_from(Job).where(Job.status == "done")) or 0
        run = s.scalars(select(Run).order_by(Run.id.desc())).first()
    print(f"session: {result.outcome}; {result.close_message}")
    print(f"records done in QuickBooks: {records}; round trips: {run.round_trips if run else 0}")
    print(f"wall time of the session: {wall:.1f} s (server, emulator and stand-in)")
    per_record = 1000 * app.seconds / max(records, 1)
    print(f"server-side time: {app.seconds:.1f} s = {per_record:.2f} ms per record "
          f"(planning adds {1000 * plan_seconds / max(records, 1):.2f} ms per record)")
    print(f"peak RSS of this process: {proc.memory_info().rss / 2**20:.0f} MB (current), "
          f"{getattr(proc.memory_info(), 'peak_wset', 0) or _peak_rss() / 2**20:.0f} MB (peak)")


def _peak_rss() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


if __name__ == "__main__":
    main()
