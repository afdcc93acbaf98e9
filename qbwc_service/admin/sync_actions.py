"""The settings page's buttons: Start, Set Begin, Sync Defaults.

The one place the admin calls the sync engine's planner
(:mod:`qbwc_service.sync.planning.planner`). Each action takes the request's form,
returns a message for the page, and raises :class:`ActionError` with a plain
reason when it cannot run (bad date, JobBOSS2 unreachable...).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import date
from typing import TypeVar

from sqlalchemy.orm import Session

from qbwc_service.queue.models import User
from qbwc_service.sync import settings as st

log = logging.getLogger(__name__)
T = TypeVar("T")


class ActionError(RuntimeError):
    """A button's action could not run; the message says why."""


def _day(form: Mapping[str, str], field: str, fallback: date | None) -> date | None:
    raw = form.get(field, "").strip()
    if not raw:
        return fallback
    try:
        return st.SETTINGS["sync.begin"].parse(raw)
    except st.SettingError:
        raise ActionError(f"{field}: {raw!r} is not a date (YYYY-MM-DD)") from None


def start(db: Session, user: User, form: Mapping[str, str]) -> str:
    """Plan a manual sync of the unexported records in the range (default: the settings' range)."""
    from qbwc_service.sync.planning import planner

    current = st.get_settings(db, user.id)
    first = _day(form, "from", current["sync.begin"])
    last = _day(form, "to", current["sync.end"])
    if first and last and last < first:
        raise ActionError(f"the range ends ({last}) before it begins ({first})")
    result = _call(lambda: planner.plan_manual(db, user, first, last, settings=current))
    span = f"{first or 'the beginning'} to {last or 'today'}"
    return f"Manual sync of {span} planned for {user.name}: " + "; ".join(result.lines())


def set_begin(db: Session, user: User, form: Mapping[str, str]) -> str:
    """Mark every transaction before the date exported in JobBOSS2 and sync automatically from it."""
    from qbwc_service.sync.planning import planner

    begin = _day(form, "begin", None)
    if begin is None:
        raise ActionError("Set Begin needs a date")
    changed = _call(lambda: planner.set_begin(db, user, begin))
    marked = ", ".join(f"{n} {what}" for what, n in sorted(changed.items())) or "nothing"
    return f"Set Begin {begin}: marked exported in JobBOSS2: {marked}. Auto sync from {begin}."


def sync_defaults(db: Session, user: User, form: Mapping[str, str]) -> str:
    """Plan the creation of the default accounts and items QuickBooks does not have yet."""
    from qbwc_service.sync.planning import planner

    result = _call(lambda: planner.plan_defaults(db, user))
    return f"Sync Defaults planned for {user.name}: " + "; ".join(result.lines())


def _call(action: Callable[[], T]) -> T:
    try:
        return action()
    except ActionError:
        raise
    except Exception as exc:  # noqa: BLE001 - shown to the admin, logged in full
        log.exception("admin sync action failed")
        raise ActionError(f"Could not run: {exc}") from exc


#: Button name (URL segment) -> action.
ACTIONS: dict[str, Callable[[Session, User, Mapping[str, str]], str]] = {
    "start": start,
    "set-begin": set_begin,
    "defaults": sync_defaults,
}
