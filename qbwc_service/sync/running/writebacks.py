"""JobBOSS2 write-backs: flagging records exported (and paid) once QuickBooks holds them.

Write-backs are rows of their own (``writebacks``), owed when a job is done
(:func:`qbwc_service.sync.running.apply.queue_writebacks`), so a JobBOSS2
failure is retried later without QuickBooks ever seeing the record twice.
:func:`run_writebacks` performs those a user is owed, through a
:class:`JobBossTarget`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.orm import Session

from qbwc_service.queue import jobs as jobs_mod
from qbwc_service.queue import keyed
from qbwc_service.queue.bulk import insert_rows
from qbwc_service.queue.models import AuditEvent, WriteBack, utcnow
from qbwc_service.sync.protocols import JobBossWrites, WriteBackTarget

log = logging.getLogger(__name__)

#: Audit event per write-back action.
WRITEBACK_EVENTS: dict[str, str] = {"exported": jobs_mod.EXPORTED, "paid": jobs_mod.PAID}


class JobBossTarget:
    """Performs write-backs through a JobBOSS2 writer (``jobboss.writeback.JobBossWriter``).

    Called with one record (``target(action, table, key)``) or, through
    :meth:`many`, with a batch of one table in one short JobBOSS2 transaction.
    """

    def __init__(self, writer: JobBossWrites, paid_status_code: str = "P") -> None:
        self.writer = writer
        self.paid_status_code = paid_status_code
        #: ``(action, table, key)`` -> the JobBOSS2 values before and after, for the audit.
        self.details: dict[tuple[str, str, str], str] = {}

    def __call__(self, action: str, table: str, key: str) -> None:
        if action not in ("exported", "paid"):
            raise ValueError(f"unknown write-back {action!r}")
        # One record is a batch of one: the same rows written, the same values audited.
        failed = self.many(action, table, [key])
        if key in failed:
            raise LookupError(failed[key])

    def many(self, action: str, table: str, keys: list[str]) -> dict[str, str]:
        """Write back ``keys`` of one table; returns ``{key: why it failed}`` for the failures.

        Raises when the batch as a whole failed (nothing is known written).
        """
        record_keys = [f"{table}:{key}" for key in keys]
        if action == "exported":
            result = self.writer.mark_exported_many(table, record_keys)
        elif action == "paid":
            result = self.writer.mark_paid_many(table, record_keys, utcnow().date(),
                                                self.paid_status_code)
        else:
            raise ValueError(f"unknown write-back {action!r}")
        missing = set(result.missing)
        before: dict[str, dict[str, Any]] = getattr(result, "before", {})
        after: dict[str, dict[str, Any]] = getattr(result, "after", {})
        for key, record_key in zip(keys, record_keys, strict=True):
            if record_key in before:
                self.details[(action, table, key)] = _old_and_new(before[record_key],
                                                                  after[record_key])
        # The words of the one-record writer's RecordNotFound.
        return {key: f"{table}: no row for {record_key!r}"
                for key, record_key in zip(keys, record_keys, strict=True) if record_key in missing}


def _shown(value: object) -> str:
    if value is None or value == "":
        return "(none)"
    if isinstance(value, float):  # SQLite hands money back as REAL
        return f"{value:.2f}"
    return str(value)


def _old_and_new(before: dict[str, Any], after: dict[str, Any]) -> str:
    """``PymtDate (none) -> 2026-12-03 00:00:00, ...``; what was kept when nothing changed."""
    changed = [f"{col} {_shown(old)} -> {_shown(after[col])}" for col, old in before.items()
               if col in after and after[col] != old]
    if changed:
        return "; ".join(changed)
    kept = ", ".join(f"{col} {_shown(value)}" for col, value in before.items())
    return f"already so in JobBOSS2, nothing written ({kept})"


def run_writebacks(db: Session, user_id: int, target: WriteBackTarget,
                   run_id: int | None = None, limit: int = 100_000) -> int:
    """Perform the write-backs a user is owed; returns how many succeeded.

    Rows of one action and table go together when ``target`` has a ``many``
    method (:class:`JobBossTarget`); if such a batch fails as a whole, its
    rows are tried one by one. A failure leaves its row open (``attempts`` + 1,
    ``last_error``) for the next session or plan; the others go on.
    """
    db.flush()
    rows = db.execute(select(WriteBack.id, WriteBack.job_id, WriteBack.action,
                             WriteBack.source_table, WriteBack.source_key, WriteBack.attempts)
                      .where(WriteBack.user_id == user_id, WriteBack.done_at.is_(None))
                      .order_by(WriteBack.id).limit(limit)).all()
    if not rows:
        return 0
    failures = _perform(rows, target)
    now = utcnow()
    changes: list[dict[str, Any]] = []
    done: list[int] = []
    events: list[dict[str, Any]] = []
    for row in rows:
        record_key = f"{row.source_table}:{row.source_key}"
        error = failures.get(row.id)
        if error is not None:
            log.warning("JobBOSS2 write-back %s of %s failed: %s", row.action, record_key, error)
            changes.append(dict(id=row.id, attempts=row.attempts + 1, done_at=None,
                                last_error=error[:2000]))
        else:
            done.append(row.id)
        events.append(dict(created_at=now, user_id=user_id, job_id=row.job_id, run_id=run_id,
                           record_key=record_key[:200],
                           event=WRITEBACK_EVENTS[row.action] if error is None
                           else jobs_mod.WRITEBACK_FAILED,
                           detail=f"{row.action}: {error}"[:2000] if error is not None
                           else _detail(target, row.action, row.source_table, row.source_key)))
    # Those done all change alike: an UPDATE per batch of ids, not one execution per row.
    for batch in keyed.batches(done):
        db.execute(update(WriteBack).where(WriteBack.id.in_(batch))
                   .values(attempts=WriteBack.attempts + 1, done_at=now, last_error=""))
    if changes:
        db.execute(update(WriteBack), changes)  # the failures, by primary key, one executemany
    insert_rows(db, AuditEvent.__table__, events)
    return len(rows) - len(failures)


def _detail(target: WriteBackTarget, action: str, table: str, key: str) -> str:
    """The old and new JobBOSS2 values a target reports for one write-back ("" if none)."""
    details: dict[tuple[str, str, str], str] = getattr(target, "details", {})
    return details.get((action, table, key), "")[:2000]


def _perform(rows: Sequence[Row[Any]], target: WriteBackTarget) -> dict[int, str]:
    """Do the write-backs of ``rows``; ``{row id: error}`` for those that failed."""
    many = getattr(target, "many", None)
    groups: dict[tuple[str, str], list[Row[Any]]] = defaultdict(list)
    for row in rows:
        groups[(row.action, row.source_table)].append(row)
    failures: dict[int, str] = {}
    for (action, table), group in groups.items():
        if many is not None and len(group) > 1:
            try:
                failed = many(action, table, [row.source_key for row in group])
            except Exception as exc:  # noqa: BLE001 - the batch failed: find the culprits one by one
                log.info("JobBOSS2 write-back batch of %d failed (%s); trying one by one",
                         len(group), exc)
            else:
                failures.update({row.id: failed[row.source_key] for row in group
                                 if row.source_key in failed})
                continue
        for row in group:
            try:
                target(row.action, row.source_table, row.source_key)
            except Exception as exc:  # noqa: BLE001 - any JobBOSS2 failure is retried later
                failures[row.id] = str(exc)
    return failures
