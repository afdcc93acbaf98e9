"""What the sync needs of JobBOSS2's writing side, as Protocols.

:class:`~qbwc_service.jobboss.writeback.JobBossWriter` is the one in use;
the sync depends on these methods only, so a test or another back end can
stand in for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Protocol


class BatchOutcome(Protocol):
    """What a batch write-back reports: the keys that named no row."""

    @property
    def missing(self) -> Sequence[object]: ...


class JobBossWrites(Protocol):
    """Flags written back into JobBOSS2 once QuickBooks holds a record."""

    def mark_exported(self, entity: str, key: str) -> bool: ...

    def mark_paid(self, entity: str, key: str, paid_on: date, status_code: str) -> bool: ...

    def mark_exported_many(self, entity: str, keys: Iterable[str]) -> BatchOutcome: ...

    def mark_paid_many(self, entity: str, keys: Iterable[str], paid_on: date,
                       status_code: str) -> BatchOutcome: ...

    def set_begin(self, before: date) -> dict[str, int]: ...


class WriteBackTarget(Protocol):
    """Performs one write-back: ``target(action, table, key)``; raises when it failed.

    A target may also have ``many(action, table, keys) -> {key: why it failed}``
    to write a batch of one table at once (see ``running.writebacks``).
    """

    def __call__(self, action: str, table: str, key: str) -> None: ...
