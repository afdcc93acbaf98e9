"""What every kind's builder gets besides the record, and the helpers they share.

A kind turns one JobBOSS2 record into one qbXML request (a dataclass of
:mod:`qbwc_service.qbxml.requests`). It needs the QuickBooks company's
country and qbXML version, the user's settings, and the ListIDs of the list
records the request references: :class:`MapContext` carries all four.

A record QuickBooks would refuse raises :class:`BuildError` with a reason a
person can act on; the job fails alone and is never sent.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from qbwc_service.jobboss import records as jb
from qbwc_service.qbxml import requests as rq
from qbwc_service.qbxml.requests import Ref
from qbwc_service.sync.names.rule import NameProblem, NameRule
from qbwc_service.sync.settings import SyncSettings, defaults

CENT = Decimal("0.01")
#: Amounts are compared to the cent.
TOLERANCE = Decimal("0.005")
#: ExternalGUIDs are derived from the user and the record key in this namespace.
GUID_NAMESPACE = uuid.UUID("6f1c1c5e-2b0a-4d49-9a55-1f1bd2d0a9c3")


class BuildError(ValueError):
    """The record cannot become a request QuickBooks would accept; the message says why."""


@dataclass(frozen=True)
class Need:
    """A list record a request references: ``entity`` + ``key`` in the ID map, ``name`` in QuickBooks."""

    entity: str
    key: str
    name: str


Resolver = Callable[[str, str], Ref | None]


def _no_refs(_entity: str, _key: str) -> Ref | None:
    return None


class NameSource(Protocol):
    """The name map as a builder sees it (:class:`qbwc_service.sync.names.book.NameBook`)."""

    def mapped(self, kind: str, key: str) -> str | None:
        """The QuickBooks name the map gives a record, if any."""
        ...

    def name_for(self, rule: NameRule, key: str, value: str) -> str:
        """The name or number to send for a record (raises ``NameProblem``)."""
        ...


class OwnNames:
    """No name map: every record is sent under its JobBOSS2 name."""

    def mapped(self, kind: str, key: str) -> str | None:
        return None

    def name_for(self, rule: NameRule, key: str, value: str) -> str:
        return value


@dataclass(frozen=True)
class MapContext:
    """Country, version, settings and the ID map lookups of one mapping call."""

    country: str = "US"
    version: str = "13.0"
    settings: SyncSettings = field(default_factory=defaults)
    owner: str = ""  # the user's stable identity, for ExternalGUIDs
    resolve: Resolver = _no_refs
    #: The company's default ``taxable`` / ``non_taxable`` sales tax codes (from its preferences).
    tax_codes: dict[str, str] = field(default_factory=dict)
    #: Whether the company charges sales tax (SalesTaxPreferences in its preferences);
    #: ``None``: its preferences were not seen.
    sales_tax_on: bool | None = None
    #: Whether multicurrency is on (MultiCurrencyPreferences); ``None``: not seen.
    multicurrency_on: bool | None = None
    #: The company's home currency (its MultiCurrencyPreferences), e.g. ``USD``.
    home_currency: str | None = None
    #: The user's name map: names and numbers too long for QuickBooks, and names set by hand.
    names: NameSource = field(default_factory=OwnNames)

    def ref(self, need: Need) -> Ref:
        """The reference to a needed list record: its ListID when known, else its (mapped) name."""
        known = self.resolve(need.entity, need.key)
        if known is not None and known.list_id == "":
            raise BuildError(f"{need.entity.replace('_', ' ')} {need.name!r} does not exist "
                               "in QuickBooks")
        return known if known is not None else Ref.named(self._mapped(need))

    def optional_ref(self, need: Need) -> Ref | None:
        """Like :meth:`ref`, but ``None`` for a record known to be absent from QuickBooks."""
        known = self.resolve(need.entity, need.key)
        if known is not None and known.list_id == "":
            return None
        return known if known is not None else Ref.named(self._mapped(need))

    def _mapped(self, need: Need) -> str:
        return self.names.mapped(need.entity, need.key) or need.name

    def name(self, rule: NameRule, key: str, value: str) -> str:
        """The name or number a record is sent under: the name map's, else its own."""
        try:
            return self.names.name_for(rule, key, value)
        except NameProblem as exc:
            raise BuildError(str(exc)) from None

    @property
    def is_us(self) -> bool:
        return self.country.upper() in ("US", "")

    def supports(self, version: str) -> bool:
        """Whether the negotiated qbXML version is at least ``version``."""
        return _vt(self.version) >= _vt(version)

    def guid(self, record_key: str, since: str = "9.0") -> str | None:
        """A stable ExternalGUID for a record, when the version has the element."""
        if not self.supports(since):
            return None
        return "{" + str(uuid.uuid5(GUID_NAMESPACE, f"{self.owner}|{record_key}")).upper() + "}"


def _vt(version: str) -> tuple[int, ...]:
    parts = [p for p in version.replace("CA", "").replace("UK", "").split(".") if p.isdigit()]
    return tuple(int(p) for p in parts) or (0,)


def cents(value: Decimal) -> Decimal:
    """``value`` rounded half-up to the cent."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def same_amount(a: Decimal, b: Decimal) -> bool:
    return abs(cents(a) - cents(b)) < TOLERANCE


def text(value: str | None) -> str | None:
    """Blank text as ``None`` (the element is left out)."""
    if value is None:
        return None
    stripped = value.strip()
    return stripped or None


def address(addr: jb.Address | None) -> rq.Address | None:
    """A JobBOSS2 address as QuickBooks' (its name on the first line); ``None`` when empty."""
    if addr is None or addr.is_empty:
        return None
    return rq.Address(addr1=text(addr.name), addr2=text(addr.line1), addr3=text(addr.line2),
                      city=text(addr.city), state=text(addr.state),
                      postal_code=text(addr.postal_code), country=text(addr.country))


def check_ref_number(value: str, what: str, limit: int) -> None:
    """Refuse a RefNumber longer than QuickBooks allows (never truncated: it identifies the record)."""
    if len(value) > limit:
        raise BuildError(f"{what} {value!r} is longer than the {limit} characters QuickBooks allows")


def list_name(name: str, what: str) -> str:
    """A list record's QuickBooks name; :class:`BuildError` when it has none or one QuickBooks
    would read as a sub-list path."""
    cleaned = (name or "").strip()
    if not cleaned:
        raise BuildError(f"{what} has no name")
    if ":" in cleaned:
        raise BuildError(f"{what} name {cleaned!r} contains ':', which QuickBooks reads as a "
                         "sub-list separator")
    return cleaned


def original_note(rule: NameRule, value: str, sent: str) -> str | None:
    """Where a record goes under a mapped name, the line keeping its JobBOSS2 value findable."""
    full = (value or "").strip()
    return None if sent == full else f"JobBOSS2 {rule.field}: {full}"


def noted(note: str | None, value: str | None) -> str | None:
    """``value`` with ``note`` on a line before it (either may be missing)."""
    return "\n".join(p for p in (note, value) if p) or None
