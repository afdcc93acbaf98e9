"""Amount arithmetic as QuickBooks shows it: Decimal, two places, half-up."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def dec(value: str | None, default: str = "0") -> Decimal:
    try:
        return Decimal(value) if value not in (None, "") else Decimal(default)
    except InvalidOperation:
        return Decimal(default)


def amount(value: Decimal) -> str:
    """AMTTYPE: exactly two decimals."""
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def price(value: Decimal) -> str:
    """PRICETYPE: up to five decimals, no trailing zeros beyond two."""
    text = str(value.quantize(Decimal("0.00001"), rounding=ROUND_HALF_UP))
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    return f"{whole}.{frac.ljust(2, '0')}"
