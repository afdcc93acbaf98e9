"""Element order with *every* field set: a field emitted out of schema order cannot hide behind samples
that leave it empty."""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from qbwc_service import xmlsafe
from qbwc_service.qbxml import requests as rq
from qbwc_service.qbxml.build import REQUESTS
from qbwc_service.qbxml.message import build_message
from qbwc_service.qbxml.validate import validation_errors

from .samples import GUID

SCALARS: dict[object, object] = {
    str: "Ab", bool: True, int: 3, Decimal: Decimal("1.5"), date: date(2024, 1, 2),
    datetime: datetime(2024, 1, 2, 3, 4), timedelta: timedelta(hours=1),
}
FIXED = {"external_guid": GUID, "ssn": "123-45-6789", "list_id": "80000001-1", "edit_sequence": "12"}
QUERY_ONLY = {"iterator", "iterator_id", "include_ret_elements", "owner_ids"}


def _options(hint: object) -> tuple:
    union = typing.get_origin(hint) in (typing.Union, types.UnionType)
    return tuple(a for a in typing.get_args(hint) if a is not type(None)) if union else (hint,)


def _value(hint: object, skip: frozenset[str]) -> object:
    kind = _options(hint)[0]
    if typing.get_origin(kind) is typing.Literal:
        return typing.get_args(kind)[0]
    if typing.get_origin(kind) is tuple:
        inner = typing.get_args(kind)[0]
        return () if inner is str or typing.get_origin(inner) is typing.Literal else (_value(inner, skip),)
    if kind is rq.Ref:
        return rq.Ref.named("Ab")
    if dataclasses.is_dataclass(kind):
        return full(kind, skip)
    return SCALARS[kind]


def full(cls: type, skip: frozenset[str] = frozenset()) -> object:
    """An instance of *cls* with every field set (but the names in *skip*: one side of each choice)."""
    hints = typing.get_type_hints(cls)
    values = {f.name: FIXED.get(f.name) or _value(hints[f.name], skip)
              for f in dataclasses.fields(cls) if f.name not in skip | QUERY_ONLY}
    return cls(**values)


# Each schema choice has two sides: build once with each side left out.
SIDE_A = frozenset({"sales_and_purchase", "rate_percent", "price_percent", "clear_earnings"})
SIDE_B = frozenset({"sales_or_purchase", "rate", "price", "earnings"})
WRITES = [cls for cls, (_rq, wrapper, _b) in REQUESTS.items() if wrapper is not None]


def test_every_add_and_mod_is_covered():
    assert {c.__name__ for c in WRITES} >= {
        "AccountAdd", "StandardTermsAdd", "CustomerAdd", "CustomerMod", "VendorAdd", "VendorMod",
        "EmployeeAdd", "EmployeeMod", "ItemServiceAdd", "ItemServiceMod", "ItemInventoryAdd",
        "ItemInventoryMod", "ItemOtherChargeAdd", "InvoiceAdd", "BillAdd", "TimeTrackingAdd"}


@pytest.mark.parametrize("side", [SIDE_A, SIDE_B], ids=["a", "b"])
@pytest.mark.parametrize(("version", "country"), [
    ("13.0", "US"), ("13.0", "CA"), ("13.0", "UK"),
    ("16.0", "US"), ("16.0", "CA"), ("16.0", "UK"), ("8.0", "US"),
])
@pytest.mark.parametrize("cls", WRITES, ids=lambda c: c.__name__)
def test_every_field_set_still_validates(cls, version, country, side):
    built = build_message([("1", full(cls, side))], version=version, country=country, check_schema=False)
    assert validation_errors(built.xml, version) == []
    body = xmlsafe.parse(built.xml).find("QBXMLMsgsRq")[0][0]
    # Dropped for version or country only, never for order: most fields made it.
    assert len(body) >= 3
