"""QuickBooks-like identifiers and timestamps.

ListIDs look like ``80000001-1700000000`` (hex counter, creation second),
TxnIDs like ``1A-1700000000``; EditSequence is a decimal string that grows
with every change. All of them come from counters kept in the company's
state, so they survive a save and load and never repeat.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def timestamp(moment: datetime) -> str:
    """DATETIMETYPE with offset, e.g. ``2024-03-01T09:30:00+00:00``."""
    return moment.isoformat(timespec="seconds")


def list_id(counter: int, stamp: int) -> str:
    return f"{0x80000000 + counter:08X}-{stamp}"


def txn_id(counter: int, stamp: int) -> str:
    return f"{counter:X}-{stamp}"
