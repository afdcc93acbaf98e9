"""Full sync of a demo JobBOSS2 database through the Web Connector emulator.

The service runs in a child process of its own (``spawn``: a fresh
interpreter), so its figures are its own: the time spent inside the WSGI
application per SOAP operation (parsing, the callback, the sync engine,
serialising; not the emulator, not the QuickBooks stand-in, not the socket),
and its peak RSS. The emulator and the stand-in run in this process.

Printed: records QuickBooks received, round trips, server milliseconds per
record (sendRequestXML / receiveResponseXML / the other callbacks; wall time,
and the CPU time of the serving thread, which other load on the machine
barely changes; wall includes waiting for the disk on commit), on PostgreSQL
the CPU time of the server's database backends too, SQL statements and bytes
per message, planning milliseconds per record (``sync start``, run here), the
server's peak RSS and this process's peak RSS. The figures issue 17 sets a
target for are printed next to it: server + database CPU per record at most
1.0 ms; peak server RSS under 200 MB (and flat from 1k to 50k records: run
``--scale 2`` and ``--scale 95``).

    .venv/bin/python bench/sync_bench.py [--scale 10] [--batch 50] [--db URL]
        [--profile out.prof]   # cProfile of the server's request handling

On PostgreSQL (``--db postgresql+psycopg://postgres@127.0.0.1/test``) the queue
lives in a schema of its own, dropped after.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import tempfile
import time
from pathlib import Path

from databases import queue_database
from measure import MAIN_OPERATIONS, peak_rss, per_call, serve
from sqlalchemy import func, select

from qbwc_service import accounts
from qbwc_service.queue import db
from qbwc_service.queue.models import Job, Run, User
from qbwc_service.simulator.demo_db import create_demo_database
from qbwc_service.simulator.quickbooks import QuickBooksCompany
from qbwc_service.simulator.webconnector import EmulatorOptions, WebConnector
from qbwc_service.sync import settings as settings_mod
from qbwc_service.sync.planning import planner

#: Issue 17's targets.
CPU_TARGET_MS = 1.0
RSS_TARGET_MB = 200


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--db", default="", help="queue database URL (default: SQLite in a temp dir)")
    parser.add_argument("--profile", default="", help="write a cProfile of the server here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sync-bench-"))
    with queue_database(args.db, work, prefix="sync_bench") as url:
        run(args, work, url)


def run(args: argparse.Namespace, work: Path, url: str) -> None:
    """Plan the demo database into the queue at *url*, sync it, print the figures."""
    db.upgrade(url)
    started = time.perf_counter()
    jobboss = create_demo_database(work / "jobboss.sqlite3", seed=1, scale=args.scale)
    print(f"demo database (scale {args.scale}): {time.perf_counter() - started:.1f} s")
    sessions = db.session_factory(db.make_engine(url))
    with db.transaction(sessions) as s:
        user = accounts.create_user(s, "bench", "bench-password-1", jobboss_url=str(jobboss))
        settings_mod.set_settings(s, user.id, {"sync.batch_size": str(args.batch)})
    started, cpu = time.perf_counter(), time.process_time()
    with db.transaction(sessions) as s:
        user = s.scalars(select(User)).one()
        plan = planner.plan_manual(s, user, None, None)
    plan_seconds, plan_cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"planning: {plan_seconds:.2f} s; " + "; ".join(plan.lines()))

    ctx = multiprocessing.get_context("spawn")
    ours, theirs = ctx.Pipe()
    child = ctx.Process(target=serve, args=("ours", url, str(work), args.profile, theirs), daemon=True)
    child.start()
    server_url = ours.recv()
    qb = QuickBooksCompany.fresh("US")
    connector = WebConnector(server_url + "/qbwc", qb, EmulatorOptions(noop_pause=0.01))
    started = time.perf_counter()
    result = connector.run_session("bench", "bench-password-1")
    wall = time.perf_counter() - started
    ours.send(("figures",))
    stats = ours.recv()
    ours.send(("stop",))
    peak = ours.recv()["peak_rss"]
    child.join(timeout=30)

    with sessions() as s:
        records = s.scalar(select(func.count()).select_from(Job).where(Job.status == "done")) or 0
        txns = s.scalar(select(func.count()).select_from(Job).where(
            Job.status == "done", Job.area != "lists")) or 0
        run = s.scalars(select(Run).order_by(Run.id.desc())).first()
    seconds, cpu, calls = stats["seconds"], stats["cpu"], stats["calls"]
    total = sum(seconds.values())
    per = max(records, 1)
    print(f"session: {result.outcome}; {result.close_message}")
    print(f"records done in QuickBooks: {records} ({txns} transactions, "
          f"{records - txns} list records); round trips: {run.round_trips if run else 0}")
    print(f"wall time of the session: {wall:.1f} s (server, emulator and stand-in)")
    server_cpu = sum(cpu.values())
    db_cpu = stats["process"].get("db_cpu")
    print(f"server-side time: {total:.2f} s = {1000 * total / per:.3f} ms per record "
          f"(CPU {1000 * server_cpu / per:.3f} ms)")
    for op in MAIN_OPERATIONS:
        print(f"  {op}: {seconds.get(op, 0.0):.2f} s in {calls.get(op, 0)} calls = "
              f"{1000 * seconds.get(op, 0.0) / per:.3f} ms per record "
              f"(CPU {1000 * cpu.get(op, 0.0) / per:.3f} ms; "
              f"{per_call(stats, 'statements', op):.1f} SQL statements a call; "
              f"{per_call(stats, 'bytes_in', op) / 1024:.1f} KB in, "
              f"{per_call(stats, 'bytes_out', op) / 1024:.1f} KB out a call)")
    other = {op: n for op, n in calls.items() if op not in MAIN_OPERATIONS}
    other_s = sum(s for op, s in seconds.items() if op not in MAIN_OPERATIONS)
    other_cpu = sum(s for op, s in cpu.items() if op not in MAIN_OPERATIONS)
    print(f"  other callbacks ({', '.join(f'{op} x{n}' for op, n in sorted(other.items()))}): "
          f"{other_s:.2f} s = {1000 * other_s / per:.3f} ms per record "
          f"(CPU {1000 * other_cpu / per:.3f} ms)")
    round_trips = max(calls.get("sendRequestXML", 0), 1)
    statements = sum(stats["statements"].get(op, 0) for op in MAIN_OPERATIONS)
    print(f"per round trip (sendRequestXML + receiveResponseXML): {statements / round_trips:.1f} "
          f"SQL statements; message {stats['bytes_out'].get('sendRequestXML', 0) / round_trips / 1024:.1f}"
          f" KB to QuickBooks, {stats['bytes_in'].get('receiveResponseXML', 0) / round_trips / 1024:.1f}"
          f" KB back (SOAP bodies)")
    if db_cpu is None:
        total_cpu, what = server_cpu, "server CPU (SQLite runs inside it)"
    else:
        print(f"database CPU (the server's PostgreSQL backends): {1000 * db_cpu / per:.3f} ms per record")
        total_cpu, what = server_cpu + db_cpu, "server + database CPU"
    print(_against(f"{what} per record", 1000 * total_cpu / per, CPU_TARGET_MS, "ms", at_most=True))
    print(f"planning: {1000 * plan_seconds / per:.3f} ms per record (CPU {1000 * plan_cpu / per:.3f} ms;"
          " run in the bench process)")
    print(_against(f"server peak RSS ({records} records)", peak / 2**20, RSS_TARGET_MB,
                   "MB", at_most=False))
    rises = sorted(stats["rss_rise"].items(), key=lambda item: -item[1])
    print("  peak RSS rose during: " + ", ".join(f"{op} +{rise / 2**20:.0f} MB"
                                                 for op, rise in rises if rise >= 2**20))
    print(f"bench process peak RSS (demo database, planning, emulator, stand-in): "
          f"{peak_rss() / 2**20:.0f} MB")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} CPUs; CPU times are the steadier figures on a busy machine)")


def _against(what: str, value: float, target: float, unit: str, *, at_most: bool) -> str:
    """``what: value unit (target <= / < target: met / NOT met)``."""
    met = value <= target if at_most else value < target
    sign = "<=" if at_most else "<"
    return (f"{what}: {value:.3f} {unit}   [target {sign} {target:g} {unit}: "
            f"{'met' if met else 'NOT met'}]")


if __name__ == "__main__":
    main()
