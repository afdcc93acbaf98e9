"""A record's fingerprint and JSON form are what their plain definitions give.

Fingerprints are stored in the queue (jobs, the ID map) and compared with the
records read later: however they are worked out, they must stay the very same
text. Each form is checked here against a plain recursive definition of it,
for every record of the demo database.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any

import pytest

from qbwc_service.jobboss import values
from qbwc_service.jobboss.reader import ALL, JobBossReader
from qbwc_service.jobboss.records import Address, ArInvoice, ArLine, builder
from qbwc_service.jobboss.walk import Walker
from qbwc_service.sync.serialize import to_jsonable

TRANSACTIONS = ("ar_invoices", "ap_invoices", "packing_list_invoices", "receiver_bills", "attendance")
LISTS = ("customers", "vendors", "employees", "parts", "terms", "gl_accounts", "tax_codes")


def _canonical(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _canonical(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in ("last_mod", "exported")
        }
    if isinstance(value, (tuple, list)):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        return [[str(k), _canonical(v)] for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))]
    if isinstance(value, Decimal):
        return "D" + format(value.normalize(), "f") if not value.is_nan() else "DNaN"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _fingerprint(record: Any) -> str:
    blob = json.dumps([type(record).__name__, _canonical(record)], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    return value


@pytest.mark.parametrize("method", TRANSACTIONS + LISTS)
def test_fingerprints_and_json_forms_follow_their_definitions(reader: JobBossReader, method: str) -> None:
    read = getattr(reader, method)
    records = list(read(ALL) if method in TRANSACTIONS else read())
    assert records
    for record in records:
        assert record.fingerprint() == _fingerprint(record)
        assert json.dumps(to_jsonable(record)) == json.dumps(_jsonable(record))


def test_odd_values_take_the_same_forms() -> None:
    line = ArLine(
        line_no=1,
        part_no='Ça "x"',
        description=None,
        quantity=Decimal("-0"),
        unit_price=Decimal("NaN"),
        amount=Decimal("5.00"),
        disc_pct=Decimal("1E+1"),
    )
    odd = ArLine(
        line_no=True,
        part_no="p",
        description="d",
        quantity=Decimal("2.50"),  # type: ignore[arg-type]
        unit_price=None,
        amount=Decimal("0.10"),
    )
    invoice = ArInvoice(
        source="billing",
        invoice_no="1",
        cust_code="C",
        txn_date=date(2026, 1, 2),
        terms_code=None,
        tax_code=None,
        po_number=None,
        ship_address=Address(name="N", city="C"),
        ship_via=None,
        lines=(line, odd),
        shipping_charges=Decimal(0),
        freight_charges=Decimal("0.00"),
        sales_tax=Decimal("1.5"),
        total=Decimal("12"),
        notes="é\n",
        exported=True,
        last_mod=datetime(2026, 1, 3, 4, 5, 6),
    )
    assert invoice.fingerprint() == _fingerprint(invoice)
    assert json.dumps(to_jsonable(invoice)) == json.dumps(_jsonable(invoice))


def test_each_walks_every_item_as_the_walker_does() -> None:
    walker = Walker(lambda cls: (lambda v: f"<{v}>") if cls is Decimal else (lambda v: walker.each(v)))
    items = [1, "a", None, Decimal("2"), (Decimal("3"), 4), 2.5, True]
    assert walker.each(items) == [walker(v) for v in items] == [1, "a", None, "<2>", ["<3>", 4], 2.5, True]


def test_timestamps_read_as_text_are_the_same_each_time() -> None:
    first = values.timestamp("2025-08-02 17:39:00.000000")
    assert first == datetime(2025, 8, 2, 17, 39)
    assert values.timestamp("2025-08-02 17:39:00.000000") == first
    assert values.timestamp(" 2025-08-02T17:39:00.1234567+02:00 ") == datetime(2025, 8, 2, 17, 39, 0, 123456)
    assert values.timestamp("2025-08-02") == datetime(2025, 8, 2)
    for n in range(5000):  # more texts than are remembered: still right
        assert values.timestamp(f"2025-08-02 17:39:{n % 60:02d}.{n:06d}") == datetime(
            2025, 8, 2, 17, 39, n % 60, n
        )


def test_builders_make_the_records_their_classes_make() -> None:
    line = builder(ArLine)(1, "P", None, Decimal("2"), None, Decimal("3.00"), unit="EA")
    assert line == ArLine(1, "P", None, Decimal("2"), None, Decimal("3.00"), unit="EA")
    assert line.taxable is False and line.disc_pct is None  # the defaults
    assert hash(line) == hash(ArLine(1, "P", None, Decimal("2"), None, Decimal("3.00"), unit="EA"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        line.unit = "BOX"  # type: ignore[misc]
    with pytest.raises(TypeError):
        builder(ArLine)(1, "P")  # as ArLine(1, "P"): fields missing

    @dataclasses.dataclass(frozen=True)
    class Checked:
        n: int

        def __post_init__(self) -> None:
            if self.n < 0:
                raise ValueError("negative")

    @dataclasses.dataclass(frozen=True)
    class Listed:
        items: list[int] = dataclasses.field(default_factory=list)

    assert builder(Checked) is Checked and builder(Listed) is Listed  # their own __init__ needed


def test_the_reader_builds_records_equal_to_their_classes(reader: JobBossReader) -> None:
    for record in [
        *reader.ar_invoices(ALL),
        *reader.packing_list_invoices(ALL),
        *reader.ap_invoices(ALL),
        *reader.receiver_bills(ALL),
    ]:
        assert dataclasses.replace(record) == record
        assert dataclasses.replace(record).fingerprint() == record.fingerprint()
