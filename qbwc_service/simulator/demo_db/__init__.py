"""A demo JobBOSS2 database: SQLite, real E2 table and column names, a job shop's data.

``create_demo_database(path, seed, scale)`` (and ``qbwc-service demo-db``)
writes about 50 customers, 30 vendors, 20 employees, 200 parts and, per unit
of ``scale``, 1,000 AR invoices of 1 to 10 lines over the last 6 months with
their orders and packing lists, 300 AP invoices and 300 receivers with their
PO lines; plus 3 months of attendance (not scaled). Older records are
already exported, as on a site that has been syncing for a while.

Dates are relative to an *anchor* day, today unless given: the demo always
looks current. The content is a pure function of (seed, scale, anchor), so
tests pass a fixed anchor and get the same database every time.

The hard cases a QuickBooks sync must survive are all there: names longer
than 41 characters, ``&`` and quotes, accents and characters outside Latin-1,
an inactive customer still invoiced, zero-quantity and negative (credit)
lines, missing optional fields, names differing only in case or spaces,
blank and NULL ``Exported`` flags, padded ``char`` values, a night shift
crossing midnight, packing-list lines priced only by the part or not at all,
receiver lines without a PO line, and one vendor invoice number used by two
vendors. :data:`HARD_CASES` names the records that carry them.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine

from qbwc_service.jobboss import schema
from qbwc_service.simulator.demo_db.data import HARD_CASES
from qbwc_service.simulator.demo_db.generator import Generator
from qbwc_service.simulator.demo_db.writer import Writer

SQLITE_MAGIC = b"SQLite format 3\x00"


def create_demo_database(
    path: str | os.PathLike[str], seed: int = 0, scale: int = 1, anchor: date | None = None
) -> Path:
    """Write the demo JobBOSS2 database to ``path`` (SQLite) and return its path.

    An existing SQLite file at ``path`` is replaced; any other existing file is
    refused (``FileExistsError``). ``anchor`` is the day the data ends (default:
    today). The file is written beside ``path`` and moved into place at the end.
    """
    if scale < 1:
        raise ValueError("scale must be at least 1")
    target = Path(path)
    if target.exists():
        with open(target, "rb") as fh:
            head = fh.read(16)
        if head and head != SQLITE_MAGIC:
            raise FileExistsError(f"{target} exists and is not a SQLite database; not replacing it")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".demo-", suffix=".sqlite3", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        engine = create_engine(f"sqlite:///{tmp}")
        schema.metadata.create_all(engine)
        engine.dispose()
        conn = sqlite3.connect(tmp)
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        writer = Writer(conn)
        Generator(writer, seed, scale, anchor or date.today()).build()
        writer.flush()
        conn.commit()
        conn.close()
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


__all__ = ["HARD_CASES", "create_demo_database"]
