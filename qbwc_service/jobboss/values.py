"""Turning raw JobBOSS2 column values into Python values.

Drivers differ (pyodbc on SQL Server returns ``datetime`` and ``float``;
SQLite returns text for dates), so every converter accepts what any of them
gives and ``None``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

CENT = Decimal("0.01")
_RATE_PLACES = Decimal("0.00001")  # QuickBooks keeps prices/costs to 5 decimals

#: Text formats tried, in order, for dates kept as text (``Attend.TicketDate``
#: and the clock dates): JobBOSS2 does not document one, so accept the usual.
DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d", "%m/%d/%y", "%Y%m%d", "%m-%d-%Y", "%m-%d-%y", "%Y/%m/%d")


def text(value: object) -> str | None:
    """Stripped text; blank -> None."""
    if value is None:
        return None
    s = str(value).strip()
    return s or None


def flag(value: object) -> bool:
    """A Y/N flag (or bit): True only for 'Y' / 'y' / 1 / True; NULL and blank are False."""
    if isinstance(value, str):
        return value.strip().upper() in ("Y", "T", "1")
    return bool(value)


def money(value: object) -> Decimal:
    """A float amount as Decimal cents (NULL -> 0.00)."""
    d = _decimal(value)
    return (d if d is not None else Decimal(0)).quantize(CENT, ROUND_HALF_UP)


def maybe_money(value: object) -> Decimal | None:
    d = _decimal(value)
    return None if d is None else d.quantize(CENT, ROUND_HALF_UP)


def rate(value: object) -> Decimal | None:
    """A price or cost: up to 5 decimals, at least 2 (NULL -> None)."""
    d = _decimal(value)
    if d is None:
        return None
    d = d.quantize(_RATE_PLACES, ROUND_HALF_UP).normalize()
    return d if -d.as_tuple().exponent >= 2 else d.quantize(CENT)  # type: ignore[operator]


def quantity(value: object) -> Decimal:
    """A quantity without float noise (NULL -> 0)."""
    d = _decimal(value)
    if d is None:
        return Decimal(0)
    d = d.quantize(_RATE_PLACES, ROUND_HALF_UP).normalize()
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))  # shortest repr: 12.35 stays 12.35
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        return None


def integer(value: object) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return int(value)  # type: ignore[call-overload]


def timestamp(value: object) -> datetime | None:
    """A datetime column (datetime, date or ISO text) as a naive datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime.combine(value, time())
    return _text_timestamp(str(value))


@lru_cache(maxsize=4096)  # an invoice's lines mostly share their header's LastModDate
def _text_timestamp(raw: str) -> datetime:
    """A timestamp read as text (SQLite), parsed once per text: datetimes are immutable,
    so one serves every row."""
    return datetime.fromisoformat(raw.strip().replace("T", " ")[:26])


def day(value: object) -> date | None:
    """A datetime column's date part."""
    ts = timestamp(value)
    return ts.date() if ts else None


def text_date(value: object) -> date | None:
    """A date kept as text (see :data:`DATE_FORMATS`); unparseable or blank -> None."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    s = text(value)
    if s is None:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    return None


def text_time(value: object) -> timedelta | None:
    """``HH:MM`` (also ``H:MM``, ``HHMM``, ``HH:MM:SS``, a trailing A/P/AM/PM) as time since midnight."""
    s = text(value)
    if s is None:
        return None
    s = s.upper().replace(" ", "")
    pm = s.endswith(("P", "PM"))
    am = s.endswith(("A", "AM"))
    s = s.rstrip("APM")
    parts = s.split(":") if ":" in s else [s[:-2], s[-2:]]
    try:
        hours, minutes = int(parts[0] or 0), int(parts[1])
    except (ValueError, IndexError):
        return None
    if pm and hours < 12:
        hours += 12
    if am and hours == 12:
        hours = 0
    if not (0 <= hours <= 24 and 0 <= minutes < 60):
        return None
    return timedelta(hours=hours, minutes=minutes)
