"""Login throttling, kept in the database so every server process sees it.

Each login attempt is counted in ``auth_failures`` under two keys, and the Web
Connector (channel ``qbwc``) and the admin page (channel ``admin``) keep
counters of their own:

- **the pair (user name, caller address)**: ``max_failures`` failures within
  ``window_seconds`` lock that pair for ``window_seconds``. The same user
  from any other address is not affected, so failures from one address never
  lock out the right password from another.
- **the caller address**, whatever names it tries: from its ``max_failures``-th
  failure within the window on, each failure makes the address wait before its
  next attempt, 1 s, then 2 s, 4 s ... up to ``slowdown_max_seconds``.

Attempts from a locked pair or a waiting address are refused without looking
at the password. An address the user has logged in from before through the
same channel (a *known address*: a Web Connector session, or an admin
session, from there) is never refused for that user: the right password from
a known address always works. User names count stripped and
case-insensitively (``"Alice "`` is ``alice``). A successful login clears
its pair, not its address: one good login must not wipe an address's record
of guessing other names.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import and_, delete, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qbwc_service.queue.models import AdminSession, AuthFailure, QbwcSession, as_utc

if TYPE_CHECKING:
    from qbwc_service.config import Config

KEY_MAX = 200
#: Characters of a user name that count (real names are at most 100): a longer name cannot
#: push the address out of its key.
NAME_CHARS = 101


class Channel(StrEnum):
    """Where a login comes from; each has its own counters and its own known addresses."""

    QBWC = "qbwc"
    ADMIN = "admin"


#: The sessions that make an address known to a user, per channel.
KNOWN_FROM: dict[Channel, type[QbwcSession] | type[AdminSession]] = {
    Channel.QBWC: QbwcSession,
    Channel.ADMIN: AdminSession,
}


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int = 5
    window_seconds: int = 300
    slowdown_max_seconds: int = 60

    @classmethod
    def from_config(cls, config: Config) -> ThrottlePolicy:
        return cls(config["qbwc.max_failures"], config["qbwc.failure_window_seconds"],
                   config["qbwc.slowdown_max_seconds"])

    @property
    def window(self) -> timedelta:
        return timedelta(seconds=self.window_seconds)

    def pair_lock(self, failures: int) -> timedelta | None:
        """How long a (user, address) pair is locked after *failures* failures."""
        return self.window if failures >= self.max_failures else None

    def address_wait(self, failures: int) -> timedelta | None:
        """How long an address waits after *failures* failures: doubling, up to the ceiling."""
        if failures < self.max_failures:
            return None
        doublings = min(failures - self.max_failures, 30)
        return timedelta(seconds=min(2 ** doublings, self.slowdown_max_seconds))


@dataclass(frozen=True)
class Attempt:
    """One login attempt: through which channel, for which name, from which address."""

    channel: Channel
    user_name: str
    remote_addr: str

    @property
    def pair_key(self) -> str:
        name = self.user_name.strip().lower()[:NAME_CHARS]
        return f"{self.channel}:pair:{name}|{self.remote_addr}"[:KEY_MAX]

    @property
    def address_key(self) -> str:
        return f"{self.channel}:addr:{self.remote_addr}"[:KEY_MAX]

    @property
    def keys(self) -> tuple[str, str]:
        return self.pair_key, self.address_key

    def rules(self, policy: ThrottlePolicy) -> dict[str, Callable[[int], timedelta | None]]:
        """Each key of this attempt and how long it is locked after a number of failures."""
        return dict(zip(self.keys, (policy.pair_lock, policy.address_wait), strict=True))


@dataclass(frozen=True)
class Refusal:
    """Why an attempt is refused unchecked: the locked key, and until when."""

    key: str
    until: datetime

    @property
    def by_address(self) -> bool:
        return ":addr:" in self.key

    def retry_after(self, now: datetime) -> int:
        """Whole seconds to wait (at least 1)."""
        return max(1, math.ceil((self.until - now).total_seconds()))


def check(db: Session, attempt: Attempt, user_id: int | None, now: datetime) -> Refusal | None:
    """Why *attempt* is refused without checking its password, or ``None`` to go on.

    *user_id* is the user the name belongs to (``None``: no such user); an address known to
    that user is never refused.
    """
    if user_id is not None and is_known(db, attempt.channel, user_id, attempt.remote_addr):
        return None
    keys = list(attempt.keys)
    rows = db.scalars(select(AuthFailure).where(AuthFailure.key.in_(keys))).all()
    for row in sorted(rows, key=lambda r: keys.index(r.key)):
        if row.locked_until is not None and as_utc(row.locked_until) > now:
            return Refusal(row.key, as_utc(row.locked_until))
    return None


def is_known(db: Session, channel: Channel, user_id: int, remote_addr: str) -> bool:
    """Whether the user has logged in from *remote_addr* through *channel* before."""
    if not remote_addr:
        return False
    table = KNOWN_FROM[channel]
    return bool(db.scalar(select(exists().where(table.user_id == user_id,
                                                table.remote_addr == remote_addr[:64]))))


def record_failure(db: Session, attempt: Attempt, policy: ThrottlePolicy, now: datetime) -> list[Refusal]:
    """Count one failure against the attempt's pair and address; return the keys now locked."""
    _prune(db, policy, now)
    locked: list[Refusal] = []
    for key, lock_for in attempt.rules(policy).items():
        row = _row(db, key, now)
        if now - as_utc(row.window_start) > policy.window:
            row.count, row.window_start, row.locked_until = 0, now, None
        row.count += 1
        duration = lock_for(row.count)
        if duration is not None:
            row.locked_until = now + duration
            locked.append(Refusal(key, row.locked_until))
    return locked


def record_success(db: Session, attempt: Attempt) -> None:
    """Forget the failures of the attempt's pair (after a successful login)."""
    db.execute(delete(AuthFailure).where(AuthFailure.key == attempt.pair_key))


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

