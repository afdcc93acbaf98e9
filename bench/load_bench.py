"""Many Web Connectors at once: how long sendRequestXML takes under load.

Starts ``qbwc-service serve`` in a child process on loopback, gives each of
``--users`` users a copy of the demo JobBOSS2 database and a planned manual
sync, then runs one Web Connector session per user at the same moment (the
emulator and the QuickBooks stand-in, in threads of this process). Each
session stops after ``--round-trips`` sendRequestXML calls and closes, so the
run is bounded in count and time whatever the data.

Printed: per operation, the time the Web Connector waited for the answer
(p50, p99, max, count; over HTTP on loopback, so it includes queueing in the
server), the session outcomes and the wall time.

    .venv/bin/python bench/load_bench.py [--users 20] [--round-trips 8] [--batch 50]
        [--db postgresql+psycopg://postgres@127.0.0.1/test]   # a schema of its own, dropped after
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from qbwc_service import accounts
from qbwc_service.jobboss.demo_db import create_demo_database
from qbwc_service.queue import db
from qbwc_service.queue.models import User
from qbwc_service.simulator.quickbooks import QuickBooksCompany
from qbwc_service.simulator.webconnector import EmulatorOptions, SessionResult, WebConnector
from qbwc_service.sync import planner
from qbwc_service.sync import settings as settings_mod

PASSWORD = "load-bench-password"
OPERATIONS = ("authenticate", "sendRequestXML", "receiveResponseXML", "closeConnection")


@contextmanager
def queue_database(url: str, work: Path) -> Iterator[str]:
    """The queue URL to use: SQLite in *work*, or a fresh schema on the given server."""
    if not url:
        yield f"sqlite:///{work / 'queue.sqlite3'}"
        return
    schema = f"load_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


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
    engine.dispose()


def start_server(url: str, work: Path) -> tuple[subprocess.Popen[bytes], str]:
    config = work / "qbwc-service.toml"
    config.write_text(f'[database]\nurl = "{url}"\n\n[logging]\nlevel = "WARNING"\n', encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "qbwc_service", "--config", str(config), "serve",
                             "--port", "0"], stderr=subprocess.PIPE, cwd=work)
    assert proc.stderr is not None
    for raw in proc.stderr:
        found = re.search(r"listening on (http://[\d.]+:\d+)", raw.decode(errors="replace"))
        if found:
            threading.Thread(target=shutil.copyfileobj, args=(proc.stderr, sys.stderr.buffer),
                             daemon=True).start()
            return proc, found.group(1)
    raise SystemExit("the server did not start")


def run_sessions(url: str, users: int, round_trips: int) -> list[SessionResult]:
    results: list[SessionResult] = []
    barrier = threading.Barrier(users)
    options = EmulatorOptions(max_round_trips=round_trips, noop_pause=0.2, timeout=120)

    def work(n: int) -> None:
        connector = WebConnector(url, QuickBooksCompany.fresh("US"), options)
        barrier.wait(timeout=120)
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
    parser.add_argument("--db", default="", help="queue server URL (default: SQLite in a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="load-bench-") as tmp, \
            queue_database(args.db, Path(tmp)) as url:
        work = Path(tmp)
        started = time.perf_counter()
        prepare(url, work, args.users, args.batch)
        print(f"{args.users} users planned in {time.perf_counter() - started:.1f} s")
        proc, base = start_server(url, work)
        try:
            started = time.perf_counter()
            results = run_sessions(base + "/qbwc", args.users, args.round_trips)
            wall = time.perf_counter() - started
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    waits: dict[str, list[float]] = defaultdict(list)
    for result in results:
        for call in result.calls:
            waits[call.name].append(call.seconds * 1000)
    kind = make_url(url).get_backend_name()
    print(f"{len(results)} of {args.users} sessions on {kind} in {wall:.1f} s; outcomes: "
          + ", ".join(f"{o} x{n}" for o, n in sorted(Counter(r.outcome for r in results).items())))
    for name in OPERATIONS:
        values = waits.get(name, [])
        if values:
            print(f"  {name:20s} p50 {percentile(values, 0.5):7.0f} ms   "
                  f"p99 {percentile(values, 0.99):7.0f} ms   max {max(values):7.0f} ms   n={len(values)}")


if __name__ == "__main__":
    main()
