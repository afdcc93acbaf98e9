"""Many Web Connectors at once: how long sendRequestXML takes under load.

Starts ``qbwc-service serve`` in a child process on loopback, gives each of
``--users`` users a copy of the demo JobBOSS2 database and a planned manual
sync, then runs one Web Connector session per user (the emulator and the
QuickBooks stand-in, in threads of this process), started one after the other
over ``--spread`` seconds. QuickBooks takes ``--qb-ms`` per request of a
message, as QuickBooks Desktop would (it is far slower than the stand-in).
Each session stops after ``--round-trips`` sendRequestXML calls and closes, so
the run is bounded in count and time whatever the data.

Printed: per operation, the time the Web Connector waited for the answer
(p50, p99, max, count; over HTTP on loopback, so it includes queueing in the
server) and, in brackets, the time spent inside the callback (from the
server's call log), the session outcomes and the wall time.

    .venv/bin/python bench/load_bench.py [--users 20] [--round-trips 8] [--batch 50] [--qb-ms 50]
        [--spread 2] [--threads 8]
        [--db postgresql+psycopg://postgres@127.0.0.1/test]   # a schema of its own, dropped after

With ``LOAD_BENCH_CACHE=DIR`` the prepared SQLite queue is kept in DIR and reused.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import IO

from databases import queue_database
from serving import start_serve
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from qbwc_service import accounts, xmlsafe
from qbwc_service.queue import db
from qbwc_service.queue.models import User
from qbwc_service.simulator.demo_db import create_demo_database
from qbwc_service.simulator.quickbooks import QuickBooksCompany
from qbwc_service.simulator.webconnector import EmulatorOptions, SessionResult, WebConnector
from qbwc_service.sync import settings as settings_mod
from qbwc_service.sync.planning import planner

PASSWORD = "load-bench-password"
#: Issue 14's target: p99 of sendRequestXML with 20 concurrent sessions.
P99_TARGET_MS = 500
#: A folder where, on SQLite, the prepared queue and JobBOSS2 copies are kept and reused by the
#: next run with as many users (planning 20 users takes a minute).
CACHE_ENV = "LOAD_BENCH_CACHE"
#: QuickBooks Desktop's time per request (an add takes it from tens to hundreds of milliseconds):
#: the pause between a session's sendRequestXML and its receiveResponseXML. With none, 20 sessions
#: hammer a 2-core machine in a closed loop and every call mostly waits for the others' CPU.
QB_MS_PER_REQUEST = 50.0
#: Sessions start one after the other over this many seconds: real Web Connectors run on
#: schedules of their own, so their requests do not arrive in lockstep.
SPREAD_SECONDS = 2.0
OPERATIONS = ("authenticate", "sendRequestXML", "receiveResponseXML", "closeConnection")
#: A line of the server's call log: operation and the milliseconds it took inside the server.
CALL_LINE = re.compile(r"qbwc_service\.soap\.calls: (\w+)\(.*\[([\d.]+) ms\]")


def run_folder(tmp: Path, db_url: str) -> Path:
    """Where the queue and JobBOSS2 copies live: the cache's ``run`` folder, or *tmp*."""
    cache = os.environ.get(CACHE_ENV)
    if db_url or not cache:
        return tmp
    run = Path(cache) / "run"
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir(parents=True)
    return run


def prepare(url: str, work: Path, users: int, batch: int) -> None:
    """Users ``load01``.. with a JobBOSS2 copy each and a planned manual sync."""
    db.upgrade(url)
    template = create_demo_database(work / "jobboss-template.sqlite3", seed=3)
    engine = db.make_engine(url)
    sessions = db.session_factory(engine)
    for n in range(1, users + 1):
        copy = work / f"jobboss-{n:02d}.sqlite3"
        shutil.copyfile(template, copy)
        with db.transaction(sessions) as s:
            user = accounts.create_user(s, f"load{n:02d}", PASSWORD, jobboss_url=f"sqlite:///{copy}")
            settings_mod.set_settings(s, user.id, {"sync.batch_size": str(batch)})
        with db.transaction(sessions) as s:
            planner.plan_manual(s, s.scalars(select(User).where(User.name == f"load{n:02d}")).one(),
                                None, None)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:  # statistics, as a database in use has them
            conn.execute(text("ANALYZE"))
            conn.commit()
    engine.dispose()


def start_server(url: str, work: Path, threads: int,
                 inside: dict[str, list[float]]) -> tuple[subprocess.Popen[bytes], str]:
    """``serve`` on a free port; the time each callback took inside the server goes to *inside*."""
    return start_serve(work, f'[database]\nurl = "{url}"\n\n[server]\nthreads = {threads}\n\n'
                             f'[logging]\nlevel = "INFO"\n', lambda stream: read_call_log(stream, inside))


def read_call_log(stream: IO[bytes], inside: dict[str, list[float]]) -> None:
    """Collect the milliseconds of each callback from the server's call log; show its warnings."""
    for raw in stream:
        line = raw.decode(errors="replace")
        found = CALL_LINE.search(line)
        if found:
            inside[found.group(1)].append(float(found.group(2)))
        elif " INFO " not in line:
            sys.stderr.write(line)


class SlowQuickBooks(QuickBooksCompany):
    """The stand-in, taking as long per request as QuickBooks Desktop would (a sleep)."""

    seconds_per_request = 0.0

    def process(self, request: str) -> str:
        answer = super().process(request)
        messages = xmlsafe.parse(request).find("QBXMLMsgsRq")
        time.sleep(self.seconds_per_request * (len(messages) if messages is not None else 1))
        return answer


def run_sessions(url: str, users: int, round_trips: int, qb_ms: float,
                 spread: float) -> list[SessionResult]:
    results: list[SessionResult] = []
    barrier = threading.Barrier(users)
    options = EmulatorOptions(max_round_trips=round_trips, noop_pause=0.2, timeout=120)
    SlowQuickBooks.seconds_per_request = qb_ms / 1000

    def work(n: int) -> None:
        connector = WebConnector(url, SlowQuickBooks.fresh("US"), options)
        barrier.wait(timeout=120)
        time.sleep(spread * (n - 1) / users)  # Web Connectors on their own schedules, not in step
        try:
            results.append(connector.run_session(f"load{n:02d}", PASSWORD))
        except Exception as exc:  # noqa: BLE001 - counted and shown, the other sessions go on
            print(f"load{n:02d}: {type(exc).__name__}: {exc}", file=sys.stderr)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(1, users + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--round-trips", type=int, default=8, help="sendRequestXML calls per session")
    parser.add_argument("--batch", type=int, default=50, help="sync.batch_size of every user")
    parser.add_argument("--qb-ms", type=float, default=QB_MS_PER_REQUEST,
                        help="milliseconds QuickBooks takes per request of a message (0: answers at once)")
    parser.add_argument("--spread", type=float, default=SPREAD_SECONDS,
                        help="seconds over which the sessions start, evenly (0: all at once)")
    parser.add_argument("--threads", type=int, default=16, help="server.threads of the server")
    parser.add_argument("--db", default="", help="queue server URL (default: SQLite in a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="load-bench-") as tmp:
        work = run_folder(Path(tmp), args.db)
        with queue_database(args.db, work) as url:
            started = time.perf_counter()
            pristine = work.parent / f"pristine-{args.users}-{args.batch}"
            if work.name == "run" and pristine.is_dir():
                shutil.copytree(pristine, work, dirs_exist_ok=True)
            else:
                prepare(url, work, args.users, args.batch)
                if work.name == "run":
                    shutil.copytree(work, pristine)
            print(f"{args.users} users ready in {time.perf_counter() - started:.1f} s")
            inside: dict[str, list[float]] = defaultdict(list)
            proc, base = start_server(url, work, args.threads, inside)
            try:
                started = time.perf_counter()
                results = run_sessions(base + "/qbwc", args.users, args.round_trips, args.qb_ms,
                                       args.spread)
                wall = time.perf_counter() - started
            finally:
                proc.terminate()
                proc.wait(timeout=30)
    waits: dict[str, list[float]] = defaultdict(list)
    for result in results:
        for call in result.calls:
            waits[call.name].append(call.seconds * 1000)
    kind = make_url(url).get_backend_name()
    print(f"{len(results)} of {args.users} sessions on {kind} (batch {args.batch}, QuickBooks "
          f"{args.qb_ms:.0f} ms a request, started over {args.spread:.1f} s) in {wall:.1f} s; outcomes: "
          + ", ".join(f"{o} x{n}" for o, n in sorted(Counter(r.outcome for r in results).items())))
    print("waited for by the Web Connector (and, in brackets, spent inside the callback):")
    for name in OPERATIONS:
        values, own = waits.get(name, []), inside.get(name, [])
        if values and own:
            print(f"  {name:20s} p50 {percentile(values, 0.5):6.0f} ({percentile(own, 0.5):4.0f}) ms   "
                  f"p99 {percentile(values, 0.99):6.0f} ({percentile(own, 0.99):4.0f}) ms   "
                  f"max {max(values):6.0f} ({max(own):4.0f}) ms   n={len(values)}")
    sends = waits.get("sendRequestXML", [])
    if sends:
        p99 = percentile(sends, 0.99)
        print(f"sendRequestXML p99 with {args.users} concurrent sessions: {p99:.0f} ms   "
              f"[target < {P99_TARGET_MS} ms: {'met' if p99 < P99_TARGET_MS else 'NOT met'}]")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs; "
          "the sessions share them with whatever else runs)")


if __name__ == "__main__":
    main()
