"""Web Connector users: create, change, disable, list, and check a login.

Shared by the CLI (``qbwc-service user ...``), the SOAP service, the admin
pages and the demo. Functions take an open database session and leave the
commit to the caller (see :func:`qbwc_service.queue.db.transaction`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, fields

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from qbwc_service.queue.models import AdminSession, User, new_guid, utcnow
from qbwc_service.security import passwords

NAME_MAX = 100


class AccountError(ValueError):
    """A user operation that cannot be done; the message says why."""


def get_user(db: Session, name: str) -> User | None:
    """The user called *name* (exact match), or ``None``."""
    return db.scalar(select(User).where(User.name == name))


def require_user(db: Session, name: str) -> User:
    """The user called *name*, or :class:`AccountError`."""
    user = get_user(db, name)
    if user is None:
        raise AccountError(f"unknown user {name!r}")
    return user


def installation_owner_id(db: Session) -> str:
    """The OwnerID of this installation's .qwc files: the first user's, or a new GUID for the first.

    OwnerID names the application, FileID the company file, so every user
    shares one OwnerID and has a FileID of its own. Users created before
    this rule keep the OwnerID their Web Connector already registered.
    """
    return db.scalar(select(User.owner_id).order_by(User.id).limit(1)) or new_guid()


def create_user(db: Session, name: str, password: str, *, company_file: str = "",
                jobboss_url: str = "", is_admin: bool = False) -> User:
    """Add a user with the installation's OwnerID and a FileID of its own."""
    _check_name(name)
    _check_password(password)
    if get_user(db, name) is not None:
        raise AccountError(f"user {name!r} already exists")
    user = User(name=name, password_hash=passwords.hash_password(password),
                company_file=company_file, jobboss_url=jobboss_url, is_admin=is_admin,
                enabled=True, owner_id=installation_owner_id(db))
    db.add(user)
    db.flush()
    return user


def set_password(db: Session, name: str, password: str) -> User:
    """Replace the password of *name*."""
    _check_password(password)
    user = require_user(db, name)
    user.password_hash = passwords.hash_password(password)
    end_admin_sessions(db, user)
    return user


@dataclass(frozen=True)
class UserChanges:
    """What ``user edit`` changes; ``None`` leaves a field as it is."""

    jobboss_url: str | None = None
    company_file: str | None = None
    is_admin: bool | None = None
    enabled: bool | None = None

    def items(self) -> list[tuple[str, str | bool]]:
        return [(f.name, getattr(self, f.name)) for f in fields(self) if getattr(self, f.name) is not None]


def update_user(db: Session, name: str, changes: UserChanges) -> User:
    """Apply *changes* to *name*; nothing given is an error (a typo would otherwise pass silently)."""
    user = require_user(db, name)
    items = changes.items()
    if not items:
        raise AccountError("nothing to change (give --jobboss-url, --company-file, --admin/--no-admin "
                           "or --enable/--disable)")
    for attribute, value in items:
        setattr(user, attribute, value)
    if changes.company_file is not None:  # re-bind on purpose: the next session learns the company
        forget_company(user)
    return user


def forget_company(user: User) -> None:
    """Forget the QuickBooks company *user* is bound to; its next session binds it again."""
    user.bound_file_id = user.bound_company_path = user.bound_company_name = None
    user.bound_at = None


def set_enabled(db: Session, name: str, enabled: bool) -> User:
    """Enable or disable *name*; a disabled user's logins answer ``nvu``."""
    user = require_user(db, name)
    user.enabled = enabled
    if not enabled:
        end_admin_sessions(db, user)
    return user


def disable_user(db: Session, name: str) -> User:
    return set_enabled(db, name, False)


def end_admin_sessions(db: Session, user: User) -> None:
    """Log *user* out of the admin page everywhere (a new password, a disabled user)."""
    db.execute(update(AdminSession).where(AdminSession.user_id == user.id,
                                          AdminSession.ended_at.is_(None))
               .values(ended_at=utcnow()))


def list_users(db: Session) -> Sequence[User]:
    """Every user, by name."""
    return db.scalars(select(User).order_by(User.name)).all()


def verify_login(db: Session, name: str, password: str) -> User | None:
    """The enabled user whose name and password match, else ``None``.

    Takes the same time whether or not the name exists (an unknown name is
    checked against a dummy hash), and upgrades a hash made with older
    scrypt parameters.
    """
    user = get_user(db, name) if name else None
    if not password_matches(user, password):
        return None
    assert user is not None
    upgrade_hash(user, password)
    return user


def password_matches(user: User | None, password: str) -> bool:
    """Whether *user* is enabled and *password* is theirs; as slow for ``None`` as for a user.

    Needs no database: callers may run it outside any transaction (scrypt takes a while).
    """
    if user is None:
        return passwords.verify_dummy(password)
    return passwords.verify_password(password, user.password_hash) and user.enabled


def upgrade_hash(user: User, password: str) -> None:
    """Store a new hash of the verified *password* if the old one used older scrypt parameters."""
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)


def _check_name(name: str) -> None:
    if not name or name != name.strip():
        raise AccountError("a user name must be non-empty, without leading or trailing spaces")
    if len(name) > NAME_MAX:
        raise AccountError(f"a user name has at most {NAME_MAX} characters")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise AccountError("a user name cannot contain control characters")


def _check_password(password: str) -> None:
    if not password:
        raise AccountError("the password must not be empty")
