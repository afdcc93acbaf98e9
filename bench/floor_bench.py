"""Our service next to the floor of a one-request-per-round-trip design, under the same Web Connector.

Both servers run in child processes of their own (``spawn``), started once:
ours (the demo workload on a SQLite queue, or a fresh schema on ``--db``)
and the floor (:mod:`floor_app`: a bare lxml WSGI app handing out one fixed
CustomerAdd per round trip, no database). Each round runs one session of the
Web Connector emulator (``qbwc_service.simulator.webconnector``, with a fresh
QuickBooks stand-in) against ours, on a fresh copy of the demo JobBOSS2
database planned in this process beforehand, then one against the floor for
as many records as ours just sent: the rounds interleave, so load on the
machine falls on both alike.

Printed per round and as medians: end-to-end milliseconds per record (the
session's wall time on the emulator's side: server, emulator and stand-in;
planning is not in it and is printed on its own) and the server's CPU
milliseconds per record (the serving thread, inside the WSGI app), for both,
next to the target (ours at or below the floor end to end); then ours per
round trip: SQL statements, records, and bytes per message.

    .venv/bin/python bench/floor_bench.py [--rounds 5] [--scale 1] [--batch 50]
        [--db postgresql+psycopg://postgres@127.0.0.1/test]   # a schema of its own, dropped after
"""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from load_bench import queue_database
from measure import MAIN_OPERATIONS, message_line, per_call, serve
from sqlalchemy import func, select, text

from qbwc_service import accounts
from qbwc_service.queue import db
from qbwc_service.queue.models import Job
from qbwc_service.simulator.demo_db import create_demo_database
from qbwc_service.simulator.quickbooks import QuickBooksCompany
from qbwc_service.simulator.webconnector import EmulatorOptions, WebConnector
from qbwc_service.sync import settings as settings_mod
from qbwc_service.sync.planning import planner

PASSWORD = "bench-password-1"


@dataclass
class Round:
    """One session's figures."""

    records: int
    wall: float
    #: CPU seconds of the serving thread inside the WSGI app, and of the whole server process.
    cpu: float
    process_cpu: float
    figures: dict[str, dict[str, float]]

    @property
    def ms_per_record(self) -> float:
        return 1000 * self.wall / max(self.records, 1)

    @property
    def cpu_per_record(self) -> float:
        return 1000 * self.cpu / max(self.records, 1)

    @property
    def process_cpu_per_record(self) -> float:
        return 1000 * self.process_cpu / max(self.records, 1)


class Server:
    """A server in a child process (:func:`measure.serve`) and the pipe to it."""

    def __init__(self, kind: str, url: str, work: Path) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.pipe, theirs = ctx.Pipe()
        self.child = ctx.Process(target=serve, args=(kind, url, str(work), "", theirs), daemon=True)
        self.child.start()
        self.url = self.pipe.recv() + "/qbwc"

    def ask(self, *command: Any) -> Any:
        self.pipe.send(command)
        return self.pipe.recv() if command[0] != "records" else None

    def stop(self) -> None:
        self.ask("stop")
        self.child.join(timeout=30)


def session(server: Server, user: str, records_of: Any) -> Round:
    """One Web Connector session against *server*; *records_of* counts what QuickBooks received."""
    qb = QuickBooksCompany.fresh("US")
    connector = WebConnector(server.url, qb, EmulatorOptions(noop_pause=0.01))
    server.ask("figures")  # from here on
    started = time.perf_counter()
    result = connector.run_session(user, PASSWORD)
    wall = time.perf_counter() - started
    if result.outcome != "finished":
        raise SystemExit(f"{user}: session {result.outcome}: {result.last_error}")
    figures = server.ask("figures")
    return Round(records_of(), wall, sum(figures["cpu"].values()), figures["process"]["cpu"], figures)


def plan_round(sessions: Any, template: Path, work: Path, number: int, batch: int) -> tuple[str, float]:
    """A user with a fresh copy of the demo JobBOSS2 database and a planned manual sync."""
    copy = work / f"jobboss-{number}.sqlite3"
    shutil.copyfile(template, copy)
    name = f"floor{number}"
    with db.transaction(sessions) as s:
        user = accounts.create_user(s, name, PASSWORD, jobboss_url=f"sqlite:///{copy}")
        settings_mod.set_settings(s, user.id, {"sync.batch_size": str(batch)})
    started = time.process_time()
    with db.transaction(sessions) as s:
        planner.plan_manual(s, accounts.get_user(s, name), None, None)
    return name, time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--db", default="", help="queue server URL (default: SQLite in a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="floor-bench-") as tmp, \
            queue_database(args.db, Path(tmp)) as url:
        work = Path(tmp)
        db.upgrade(url)
        engine = db.make_engine(url)
        sessions = db.session_factory(engine)
        template = create_demo_database(work / "jobboss-template.sqlite3", seed=1, scale=args.scale)
        ours, floor = Server("ours", url, work), Server("floor", "", work)
        rounds: dict[str, list[Round]] = {"ours": [], "floor": []}
        planning: list[float] = []
        try:
            for number in range(args.rounds + 1):  # round 0 warms both servers up and is dropped
                name, plan_cpu = plan_round(sessions, template, work, number, args.batch)
                if engine.dialect.name == "postgresql":
                    with engine.connect() as conn:  # statistics, as a database in use has them
                        conn.execute(text("ANALYZE"))
                        conn.commit()

                def done(name: str = name) -> int:
                    with sessions() as s:
                        user = accounts.get_user(s, name)
                        return s.scalar(select(func.count()).select_from(Job).where(
                            Job.user_id == user.id, Job.status == "done")) or 0

                mine = session(ours, name, done)
                floor.ask("records", mine.records)
                theirs = session(floor, "floor", lambda records=mine.records: records)
                if number:
                    rounds["ours"].append(mine)
                    rounds["floor"].append(theirs)
                    planning.append(1000 * plan_cpu / max(mine.records, 1))
                print(f"round {number}{' (warm-up)' if not number else ''}: {mine.records} records; "
                      f"ours {mine.ms_per_record:.3f} ms/record (server CPU {mine.cpu_per_record:.3f} "
                      f"in the app, {mine.process_cpu_per_record:.3f} process); floor "
                      f"{theirs.ms_per_record:.3f} ms/record (server CPU {theirs.cpu_per_record:.3f} "
                      f"in the app, {theirs.process_cpu_per_record:.3f} process)", flush=True)
        finally:
            ours.stop()
            floor.stop()
            engine.dispose()
    report(rounds, planning, "PostgreSQL" if args.db else "SQLite")


def report(rounds: dict[str, list[Round]], planning: list[float], queue: str) -> None:
    def median(name: str, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in rounds[name])

    ours_e2e, floor_e2e = median("ours", "ms_per_record"), median("floor", "ms_per_record")
    ours_cpu, floor_cpu = median("ours", "cpu_per_record"), median("floor", "cpu_per_record")
    print(f"\nmedian of {len(rounds['ours'])} interleaved rounds (queue: {queue}):")
    print(f"  end to end: ours {ours_e2e:.3f} ms per record, floor {floor_e2e:.3f} "
          f"(ours/floor {ours_e2e / floor_e2e:.2f}; target: ours <= floor, "
          f"{'met' if ours_e2e <= floor_e2e else 'not met'})")
    ours_proc, floor_proc = (median(name, "process_cpu_per_record") for name in ("ours", "floor"))
    print(f"  server CPU inside the app: ours {ours_cpu:.3f} ms per record, floor {floor_cpu:.3f} "
          f"(ours/floor {ours_cpu / floor_cpu:.2f})")
    print(f"  server process CPU (HTTP included): ours {ours_proc:.3f} ms per record, floor "
          f"{floor_proc:.3f} (ours/floor {ours_proc / floor_proc:.2f})")
    print(f"  planning (ours only, before the session, not in the figures above): "
          f"CPU {statistics.median(planning):.3f} ms per record")
    last, floor_last = rounds["ours"][-1].figures, rounds["floor"][-1].figures
    trips = max(last["calls"].get("sendRequestXML", 0), 1)
    statements = sum(last["statements"].get(op, 0) for op in MAIN_OPERATIONS)
    print(f"  ours per round trip (last round): {statements / trips:.1f} SQL statements "
          f"(sendRequestXML {per_call(last, 'statements', 'sendRequestXML'):.1f}, receiveResponseXML "
          f"{per_call(last, 'statements', 'receiveResponseXML'):.1f}), "
          f"{rounds['ours'][-1].records / trips:.1f} records")
    print(f"  ours bytes per message: {message_line(last)}")
    print(f"  floor bytes per message: {message_line(floor_last)}")


if __name__ == "__main__":
    main()
