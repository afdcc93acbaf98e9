"""Plan JobBOSS2 billing records (``sync start``) into a fresh queue; print time and peak RSS.

    .venv/bin/python bench/plan_bench.py [--counts 10000,50000,100000] [--db URL]
        [--jobboss PATH] [--profile out.prof]

The JobBOSS2 side is a scale-100 demo database (100,000 ``Billing`` invoices,
built once, about a minute, and reused). Each count N is its own run: the
first N invoices are marked not exported, the rest exported, and a child
process (``spawn``: a fresh interpreter, so the peak RSS is its own) plans
them with :func:`~qbwc_service.sync.planning.planner.plan_manual`, as
``sync start`` does, into an empty queue: a fresh SQLite file, or with
``--db`` a scratch database created on that PostgreSQL server and dropped
after. Only Customer Billing is synced (AP invoices off).

Target (issue 17): 100,000 billing records planned in under 30 s, peak RSS
flat (about the same at 10,000 and at 100,000 records).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from qbwc_service import accounts  # noqa: E402
from qbwc_service.queue import db  # noqa: E402
from qbwc_service.queue.models import Job, User  # noqa: E402
from qbwc_service.simulator.demo_db import create_demo_database  # noqa: E402
from qbwc_service.sync import settings as settings_mod  # noqa: E402
from qbwc_service.sync.kinds.registry import TXN_KINDS  # noqa: E402
from qbwc_service.sync.planning import planner  # noqa: E402

ANCHOR = date(2026, 1, 31)
SCALE = 100  # 1,000 Billing invoices per unit
TARGET_SECONDS = 30.0  # for 100,000 records
TARGET_RECORDS = 100_000


def ensure_jobboss(path: Path) -> None:
    """Build the demo database unless one of this scale is there."""
    if path.exists():
        with sqlite3.connect(path) as conn:
            if conn.execute('SELECT COUNT(*) FROM "Billing"').fetchone()[0] == 1000 * SCALE:
                return
    started = time.perf_counter()
    create_demo_database(path, seed=0, scale=SCALE, anchor=ANCHOR)
    print(f"demo database built in {time.perf_counter() - started:.0f} s: {path}")


def mark_unexported(path: Path, count: int) -> int:
    """The first ``count`` invoices become not exported, the others exported; the number marked."""
    with sqlite3.connect(path) as conn:
        conn.execute(
            'UPDATE "Billing" SET "Exported" = CASE WHEN "Billing_ID" IN '
            '(SELECT "Billing_ID" FROM "Billing" ORDER BY "Billing_ID" LIMIT ?) '
            "THEN NULL ELSE 'Y' END", (count,))
        return int(conn.execute('SELECT COUNT(*) FROM "Billing" WHERE "Exported" IS NULL')
                   .fetchone()[0])


def scratch_url(server: str) -> tuple[str, str]:
    """A fresh database on the PostgreSQL server of ``server``: (its URL, the admin URL)."""
    name = f"plan_bench_{os.getpid()}"
    admin = make_url(server)
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin.set(database=name).render_as_string(hide_password=False), server


def drop_scratch(url: str, server: str) -> None:
    engine = create_engine(make_url(server), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    engine.dispose()


def plan_run(url: str, jobboss: str, profile: str) -> dict[str, Any]:
    """The child process: a fresh queue at ``url``, one user, one ``sync start``; its figures."""
    db.upgrade(url)
    sessions = db.session_factory(db.make_engine(url))
    with db.transaction(sessions) as s:
        user = accounts.create_user(s, "bench", "bench-password-1", jobboss_url=jobboss)
        settings_mod.set_settings(s, user.id, {"items.vendor_invoices": "false"})
    rss_before = _peak_rss_mb()
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started, cpu = time.perf_counter(), time.process_time()
    with db.transaction(sessions) as s:
        user = s.scalars(select(User)).one()
        result = planner.plan_manual(s, user, None, None)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    with sessions() as s:
        jobs = s.scalar(select(func.count()).select_from(Job)) or 0
    return {"seconds": seconds, "cpu": cpu, "jobs": jobs, "lines": result.lines(),
            "txns": sum(n for kind, n in result.planned.items() if kind in TXN_KINDS),
            "rss_before": rss_before, "peak_rss": _peak_rss_mb()}


def _peak_rss_mb() -> float:
    """This process's peak RSS: VmHWM (ru_maxrss would count the parent's from before the exec)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="10000,50000,100000",
                        help="billing records planned per run, comma-separated")
    parser.add_argument("--db", default="",
                        help="a PostgreSQL server URL for the queue (default: SQLite in a temp dir)")
    parser.add_argument("--jobboss", type=Path,
                        default=Path(tempfile.gettempdir()) / "jobboss-plan-bench.sqlite3")
    parser.add_argument("--profile", default="", help="write a cProfile of the largest run here")
    args = parser.parse_args()
    counts = [int(c) for c in args.counts.split(",")]
    ensure_jobboss(args.jobboss)
    ctx = multiprocessing.get_context("spawn")
    print(f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"queue: {'PostgreSQL' if args.db else 'SQLite'}")
    print(f"{'records':>8} {'seconds':>8} {'CPU s':>7} {'ms/record':>10} {'peak RSS MB':>12}  jobs")
    largest = max(counts)
    for count in counts:
        marked = mark_unexported(args.jobboss, count)
        work = Path(tempfile.mkdtemp(prefix="plan-bench-"))
        url, server = (scratch_url(args.db) if args.db
                       else (f"sqlite:///{work / 'queue.sqlite3'}", ""))
        try:
            with ctx.Pool(1) as pool:
                fig = pool.apply(plan_run, (url, str(args.jobboss),
                                            args.profile if count == largest else ""))
        finally:
            if server:
                drop_scratch(url, server)
        print(f"{marked:>8,} {fig['seconds']:>8.1f} {fig['cpu']:>7.1f} "
              f"{1000 * fig['seconds'] / max(marked, 1):>10.3f} {fig['peak_rss']:>12.0f}  "
              f"{fig['jobs']:,} ({fig['txns']:,} transactions; RSS before planning "
              f"{fig['rss_before']:.0f} MB)")
        if fig["txns"] != marked:
            print("   planned: " + "; ".join(fig["lines"]))
    print(f"target: {TARGET_RECORDS:,} records in under {TARGET_SECONDS:.0f} s, peak RSS flat "
          "(the same at every count)")
    print(f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
