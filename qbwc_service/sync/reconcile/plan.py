"""Ask for a reconciliation: one read-only query per transaction type, for the next session."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbwc_service.queue.models import ReconcileQuery, Reconciliation, User, utcnow
from qbwc_service.sync.reconcile.types import QB_TYPES


class ReconcileError(ValueError):
    """A reconciliation that cannot be planned or reported; the message says why."""


def request(db: Session, user: User, date_from: date, date_to: date) -> Reconciliation:
    """Plan the queries of a new reconciliation of ``date_from`` .. ``date_to`` (inclusive)."""
    if date_to < date_from:
        raise ReconcileError(f"--to {date_to} is before --from {date_from}")
    rec = Reconciliation(user_id=user.id, date_from=date_from, date_to=date_to, requested_at=utcnow())
    db.add(rec)
    db.flush()
    db.add_all(ReconcileQuery(reconciliation_id=rec.id, txn_type=name, status="pending",
                              iterator_id="", pages=0, error="") for name in QB_TYPES)
    db.flush()
    return rec


def latest(db: Session, user: User) -> Reconciliation | None:
    """The user's newest reconciliation."""
    return db.scalars(select(Reconciliation).where(Reconciliation.user_id == user.id)
                      .order_by(Reconciliation.id.desc()).limit(1)).first()
