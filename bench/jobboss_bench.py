"""Read every AR invoice of a scale-100 demo JobBOSS2 database; print records/s and peak RSS.

    .venv/bin/python bench/jobboss_bench.py [--db PATH] [--scale 100] [--chunk 1000]

The database is built once (about 15 s) and reused while its scale matches.
Target: peak RSS under 200 MB, whatever the table size.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qbwc_service.jobboss.reader import JobBossReader, TxnFilter  # noqa: E402
from qbwc_service.simulator.demo_db import create_demo_database  # noqa: E402

ANCHOR = date(2026, 1, 31)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def ensure_db(path: Path, scale: int) -> float:
    """Build the demo database unless one of this scale is there; return build seconds (0 if reused)."""
    if path.exists():
        with sqlite3.connect(path) as conn:
            if conn.execute('SELECT COUNT(*) FROM "Billing"').fetchone()[0] == 1000 * scale:
                return 0.0
    started = time.perf_counter()
    # In a child process, so the peak RSS printed is the reader's alone.
    child = multiprocessing.Process(target=create_demo_database, args=(path, 0, scale, ANCHOR))
    child.start()
    child.join()
    if child.exitcode:
        raise SystemExit(f"building the demo database failed (exit {child.exitcode})")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "jobboss-demo-bench.sqlite3")
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--chunk", type=int, default=1000)
    args = parser.parse_args()

    built = ensure_db(args.db, args.scale)
    state = f"built in {built:.1f} s" if built else "reused"
    print(f"database: {args.db} ({state})")
    rss_before = peak_rss_mb()
    reader = JobBossReader(args.db, chunk_size=args.chunk)
    started = time.perf_counter()
    invoices = lines = 0
    for invoice in reader.ar_invoices(TxnFilter(only_unexported=False)):
        invoices += 1
        lines += len(invoice.lines)
    elapsed = time.perf_counter() - started
    print(f"AR invoices read: {invoices:,} ({lines:,} lines) in {elapsed:.1f} s")
    print(f"records/second:   {invoices / elapsed:,.0f} invoices, {lines / elapsed:,.0f} lines")
    print(f"peak RSS:         {peak_rss_mb():.0f} MB (before reading: {rss_before:.0f} MB; target < 200 MB)")


if __name__ == "__main__":
    main()
