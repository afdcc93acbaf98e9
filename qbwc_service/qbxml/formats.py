"""How values are written in qbXML.

=============  ===========================================================
amount         AMTTYPE: exactly two decimals, rounded half-up (``2.345`` ->
               ``2.35``, ``-2.345`` -> ``-2.35``: half-up means away from
               zero on the tie, as accountants round), at most 13 integer digits
price/quantity PRICETYPE / QUANTYPE / PERCENTTYPE: up to five decimals, rounded
               half-up, trailing zeros dropped (``12.50000`` -> ``12.5``),
               never an exponent (``1E+3`` -> ``1000``), at most 10 integer digits
date           ``YYYY-MM-DD``
datetime       ``YYYY-MM-DDTHH:MM:SS`` (with ``+HH:MM`` when the value is aware)
duration       TIMEINTERVALTYPE ``PT8H30M`` from Decimal hours or a timedelta,
               rounded to whole minutes (QuickBooks keeps minutes)
boolean        ``true`` / ``false``
=============  ===========================================================

Values that cannot be written (NaN, infinity, more than 13 integer digits,
negative durations, durations of more than 10 digits of hours) raise
:class:`~qbwc_service.qbxml.fields.QbxmlFieldError` naming the element.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from qbwc_service.qbxml.fields import QbxmlFieldError

CENT = Decimal("0.01")
FIVE_PLACES = Decimal("0.00001")
AMOUNT_DIGITS = 13  # AMTTYPE: up to 13 digits before the point
DECIMAL5_DIGITS = 10  # PRICETYPE / QUANTYPE / PERCENTTYPE: up to 10
DURATION_DIGITS = 10  # hours; beyond this Decimal's quantize fails, and no time record is that long


def amount(value: Decimal | int, field: str = "amount") -> str:
    """``Decimal('1234.5')`` -> ``'1234.50'`` (two decimals, half-up)."""
    rounded = _bounded(value, field, AMOUNT_DIGITS).quantize(CENT, rounding=ROUND_HALF_UP)
    text = f"{rounded:f}"
    if text == "-0.00":  # a tiny negative that rounds away: no signed zero on an invoice
        text = "0.00"
    return _checked_digits(rounded, field, text, AMOUNT_DIGITS)


def decimal5(value: Decimal | int, field: str = "quantity") -> str:
    """Prices, quantities, percentages: up to five decimals, no trailing zeros, no exponent."""
    rounded = _bounded(value, field, DECIMAL5_DIGITS).quantize(FIVE_PLACES, rounding=ROUND_HALF_UP)
    text = f"{rounded:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return _checked_digits(rounded, field, text, DECIMAL5_DIGITS)


price = decimal5
quantity = decimal5
percent = decimal5


def qb_date(value: date, field: str = "date") -> str:
    """``date(2024, 3, 1)`` -> ``'2024-03-01'``."""
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        raise QbxmlFieldError(field, value, reason="is not a date")
    return value.isoformat()


def qb_datetime(value: datetime, field: str = "datetime") -> str:
    """``datetime(2024, 3, 1, 8, 30)`` -> ``'2024-03-01T08:30:00'`` (offset kept when aware)."""
    if not isinstance(value, datetime):
        raise QbxmlFieldError(field, value, reason="is not a datetime")
    return value.replace(microsecond=0).isoformat()


def duration(value: Decimal | int | timedelta, field: str = "Duration") -> str:
    """Hours (Decimal) or a timedelta -> ``PT8H30M``, rounded to whole minutes."""
    if isinstance(value, timedelta):
        minutes = Decimal(value.total_seconds()) / 60
    else:
        minutes = _bounded(value, field, DURATION_DIGITS) * 60
    whole = int(minutes.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if whole < 0:
        raise QbxmlFieldError(field, value, reason="is a negative duration")
    hours, mins = divmod(whole, 60)
    if hours >= 10**DURATION_DIGITS:  # a timedelta can reach 24 billion hours
        raise QbxmlFieldError(field, value, limit=DURATION_DIGITS,
                              reason=f"has more than {DURATION_DIGITS} digits of hours")
    return f"PT{hours}H{mins}M"


def boolean(value: bool) -> str:
    """``True`` -> ``'true'``."""
    return "true" if value else "false"


def _finite(value: object, field: str) -> Decimal:
    if type(value) is Decimal and value.is_finite():  # the usual case: nothing to convert
        return value
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise QbxmlFieldError(field, value, reason="must be a Decimal")
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError) as exc:
        raise QbxmlFieldError(field, value, reason="is not a number") from exc
    if not number.is_finite():
        raise QbxmlFieldError(field, value, reason="is not a finite number")
    return number


def _bounded(value: object, field: str, limit: int) -> Decimal:
    number = _finite(value, field)
    if number and number.adjusted() >= limit:  # checked before quantize, which fails on huge numbers
        raise QbxmlFieldError(field, value, limit=limit,
                              reason=f"has more than {limit} digits before the point")
    return number


def _checked_digits(rounded: Decimal, field: str, text: str, limit: int) -> str:
    if rounded.adjusted() < limit:  # below 10**limit: the integer part cannot be longer
        return text
    integer_digits = len(str(abs(rounded).to_integral_value(rounding="ROUND_DOWN")))
    if integer_digits > limit:
        raise QbxmlFieldError(field, rounded, limit=limit,
                              reason=f"has more than {limit} digits before the point")
    return text
