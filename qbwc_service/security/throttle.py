"""Login throttling, kept in the database so every server process sees it.

Failures are counted per user name (``user:NAME``) and per remote address
(``addr:IP``) in ``auth_failures``. ``max_failures`` failures within
``window_seconds`` lock the key for ``window_seconds``; while any key of a
login is locked the login fails, even with the right password. A success
clears the user's key (not the address's: one good login must not wipe an
address's record of guessing other names).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qbwc_service.queue.models import AuthFailure

KEY_MAX = 200


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int = 5
    window_seconds: int = 300

    @property
    def window(self) -> timedelta:
        return timedelta(seconds=self.window_seconds)


def login_keys(user_name: str, remote_addr: str) -> list[str]:
    """The throttle keys of one login attempt (user names compare case-insensitively)."""
    keys = [f"user:{user_name.strip().lower()}"[:KEY_MAX]]
    if remote_addr:
        keys.append(f"addr:{remote_addr}"[:KEY_MAX])
    return keys


def locked_key(db: Session, keys: list[str], now: datetime) -> str | None:
    """The first of *keys* that is locked at *now*, or ``None``."""
    rows = db.scalars(select(AuthFailure).where(AuthFailure.key.in_(keys))).all()
    for row in sorted(rows, key=lambda r: keys.index(r.key)):
        if row.locked_until is not None and _aware(row.locked_until) > now:
            return row.key
    return None


def record_failure(db: Session, keys: list[str], policy: ThrottlePolicy, now: datetime) -> list[str]:
    """Count one failure against each key; return the keys that became locked."""
    _prune(db, policy, now)
    locked: list[str] = []
    for key in keys:
        row = _row(db, key, now)
        if now - _aware(row.window_start) > policy.window:
            row.count, row.window_start, row.locked_until = 0, now, None
        row.count += 1
        if row.count >= policy.max_failures:
            row.locked_until = now + policy.window
            locked.append(key)
    return locked


def clear(db: Session, key: str) -> None:
    """Forget the failures of *key* (after a successful login)."""
    db.execute(delete(AuthFailure).where(AuthFailure.key == key))


def _row(db: Session, key: str, now: datetime) -> AuthFailure:
    row = db.get(AuthFailure, key, with_for_update=True)
    if row is not None:
        return row
    try:
        # Another process may insert the same key at the same moment.
        with db.begin_nested():
            row = AuthFailure(key=key, count=0, window_start=now)
            db.add(row)
        return row
    except IntegrityError:
        found = db.get(AuthFailure, key, with_for_update=True, populate_existing=True)
        assert found is not None
        return found


def _prune(db: Session, policy: ThrottlePolicy, now: datetime) -> None:
    """Drop rows whose window and lock are over, so guessed names do not pile up."""
    cutoff = now - policy.window
    db.execute(delete(AuthFailure).where(and_(
        AuthFailure.window_start < cutoff,
        or_(AuthFailure.locked_until.is_(None), AuthFailure.locked_until < now),
    )))


def _aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes; everything is stored as UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
