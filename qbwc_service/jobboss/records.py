"""Typed records read from JobBOSS2.

Every record is a frozen dataclass holding Python values only: money and
quantities as :class:`~decimal.Decimal`, dates as :class:`~datetime.date`,
timestamps as naive :class:`~datetime.datetime` (JobBOSS2 stores local
time), text stripped of the blanks ``char`` columns pad with, and ``None``
where the database holds NULL or blank.

Each transaction and list record has

``key``
    A stable string naming the record in JobBOSS2, e.g. ``"Billing:INV-1001"``,
    ``"VendorInv:ACME/8841"``, ``"Attend:12/2026-10-01"``, ``"CustCode:ACME"``.
    The prefix is the E2 table name (fixed, whatever the mapping renames).
``fingerprint()``
    A short hash of the record's content. The same content always gives the
    same fingerprint; ``last_mod`` and ``exported`` are left out, so touching a
    row or flagging it exported does not make it look new.
``last_mod``
    The ``LastModDate`` of the row (for transactions: the latest of the header
    and its lines), where the table has one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, TypeVar

from qbwc_service.jobboss.walk import Convert, Walker

T = TypeVar("T")

#: Fields never part of a fingerprint: bookkeeping, not content.
_NOT_CONTENT = frozenset({"last_mod", "exported"})


def _canonical_of(cls: type) -> Convert:
    """How :func:`_canonical` turns a value of ``cls`` (a type other than a dataclass's)."""
    if issubclass(cls, (tuple, list)):
        return lambda value: _canonical.each(value)
    if issubclass(cls, dict):
        return lambda value: [[str(k), _canonical(v)]
                              for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))]
    if issubclass(cls, Decimal):
        return _decimal_text
    if issubclass(cls, (datetime, date)):
        return _isoformat
    return _as_is


def _decimal_text(value: Decimal) -> str:
    # 5 and 5.00 are the same amount: normalise so they hash alike.
    return "D" + format(value.normalize(), "f") if value == value else "DNaN"


def _isoformat(value: date) -> str:
    return value.isoformat()


def _as_is(value: Any) -> Any:
    return value


#: A JSON-ready, order-stable form of a record value (bookkeeping fields left out).
_canonical = Walker(_canonical_of, skip=_NOT_CONTENT)
#: What ``json.dumps(value, ensure_ascii=False, separators=(",", ":"))`` makes, made once.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


class _Record:
    """Mixin: ``fingerprint()`` for the record dataclasses."""

    def fingerprint(self) -> str:
        """16 hex digits of SHA-256 over the record's content (see module docs).

        Worked out once per record object (records are frozen): planning asks
        several times.
        """
        cached: str | None = self.__dict__.get("_fingerprint")
        if cached is None:
            blob = _ENCODER.encode([type(self).__name__, _canonical(self)])
            cached = hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]
            self.__dict__["_fingerprint"] = cached  # beside the fields: frozen, eq and hash ignore it
        return cached


def builder(cls: type[T]) -> Callable[..., T]:
    """A function making ``cls`` records as ``cls(...)`` does, for a frozen dataclass.

    The same arguments and defaults, an equal record; but the fields are set in
    one step, not each through ``object.__setattr__`` as a frozen dataclass's
    ``__init__`` must: reading JobBOSS2 builds hundreds of thousands of lines.
    A class whose ``__init__`` does more (``__post_init__``, default factories,
    fields not in ``__init__`` or keyword-only) is left its own ``__init__``.
    """
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    if (hasattr(cls, "__post_init__") or any(
            not f.init or f.kw_only or f.default_factory is not dataclasses.MISSING for f in fields)):
        return cls
    params = ", ".join(f.name if f.default is dataclasses.MISSING else f"{f.name}=_d{i}"
                       for i, f in enumerate(fields))
    values = ", ".join(f"{f.name!r}: {f.name}" for f in fields)
    source = (f"def build_{cls.__name__}({params}):\n"
              f"    record = new(cls)\n"
              f"    setattr(record, '__dict__', {{{values}}})\n"
              f"    return record\n")
    scope: dict[str, Any] = {"new": object.__new__, "cls": cls, "setattr": object.__setattr__,
                             **{f"_d{i}": f.default for i, f in enumerate(fields)}}
    exec(source, scope)  # made above from the dataclass's own field names only
    build: Callable[..., T] = scope[f"build_{cls.__name__}"]
    return build


# --------------------------------------------------------------------------- parts


@dataclass(frozen=True)
class Address:
    """A postal address; lines as JobBOSS2 holds them (QuickBooks allows 41 characters)."""

    name: str | None = None
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, f.name) for f in dataclasses.fields(self))


# --------------------------------------------------------------------------- AR


@dataclass(frozen=True)
class ArLine:
    """One line of an AR invoice (a ``BillingDet`` or ``DelTicketDet`` row).

    ``quantity`` may be zero or negative (a credit line). ``unit_price`` is
    ``None`` when no price could be found (packing list without order line or
    part price). ``amount`` is the line total JobBOSS2 holds (``LineTotal``) or,
    for packing lists, quantity x price rounded to cents.
    """

    line_no: int
    part_no: str | None
    description: str | None
    quantity: Decimal
    unit_price: Decimal | None
    amount: Decimal
    job_no: str | None = None
    taxable: bool = False
    sales_acct: str | None = None
    unit: str | None = None
    #: ``BillingDet.DiscPct`` (10 = 10 %): ``amount`` is already after it.
    disc_pct: Decimal | None = None


@dataclass(frozen=True)
class ArInvoice(_Record):
    """A customer invoice, from ``Billing`` (``source="billing"``) or from a
    packing list ``DelTicket`` (``source="packing_list"``; ``invoice_no`` is then
    the ``DelTicketNo`` and terms/tax come from the customer)."""

    source: str
    invoice_no: str
    cust_code: str
    txn_date: date
    terms_code: str | None
    tax_code: str | None
    po_number: str | None
    ship_address: Address
    ship_via: str | None
    lines: tuple[ArLine, ...]
    shipping_charges: Decimal
    freight_charges: Decimal
    sales_tax: Decimal
    total: Decimal
    notes: str | None
    exported: bool
    last_mod: datetime | None
    due_date: date | None = None
    ar_acct: str | None = None
    freight_acct: str | None = None
    sales_tax_acct: str | None = None
    del_ticket_no: str | None = None
    paid: Decimal = Decimal("0.00")
    #: ``Billing.CurrencyCode`` / ``ExchRate`` (home currency units per unit of it).
    currency_code: str | None = None
    exchange_rate: Decimal | None = None
    #: The customer's ``CustCode.CurrencyCode``: QuickBooks bills the invoice in it.
    customer_currency: str | None = None

    PREFIXES: ClassVar[dict[str, str]] = {"billing": "Billing", "packing_list": "DelTicket"}

    @property
    def key(self) -> str:
        return f"{self.PREFIXES[self.source]}:{self.invoice_no}"

    @property
    def table(self) -> str:
        """The E2 table the invoice came from (``Billing`` or ``DelTicket``)."""
        return self.PREFIXES[self.source]


# --------------------------------------------------------------------------- AP


@dataclass(frozen=True)
class ApExpenseLine:
    """One account distribution of an AP invoice (a ``VendorInvDet`` row)."""

    gl_acct: str | None
    amount: Decimal
    memo: str | None = None


@dataclass(frozen=True)
class ApInvoice(_Record):
    """A vendor invoice from ``VendorInv`` with its expense lines."""

    vend_code: str
    invoice_no: str
    txn_date: date
    due_date: date | None
    terms_code: str | None
    ap_acct: str | None
    total: Decimal
    shipping_charges: Decimal
    sales_tax: Decimal
    memo: str | None
    lines: tuple[ApExpenseLine, ...]
    exported: bool = False
    last_mod: datetime | None = None
    receiver_no: str | None = None
    freight_acct: str | None = None
    sales_tax_acct: str | None = None
    paid: Decimal = Decimal("0.00")

    @property
    def key(self) -> str:
        return f"VendorInv:{self.vend_code}/{self.invoice_no}"


@dataclass(frozen=True)
class ReceiverLine:
    """One received part; the cost and account come from the PO line (``PODet``).

    ``unit_cost`` is ``None`` when no PO line matches (PONum, PartNo).
    """

    part_no: str | None
    description: str | None
    quantity: Decimal
    unit_cost: Decimal | None
    gl_code: str | None
    job_no: str | None = None
    unit: str | None = None

    @property
    def amount(self) -> Decimal:
        """quantity x unit cost, rounded to cents (0 without a cost)."""
        if self.unit_cost is None:
            return Decimal("0.00")
        return (self.quantity * self.unit_cost).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class ReceiverBill(_Record):
    """A PO receipt (``Receiver``) to be billed with item lines.

    ``Receiver`` has no ``Exported`` column: ``exported`` is what the reader was
    told (see :meth:`JobBossReader.receiver_bills`), never read from JobBOSS2
    unless the mapping names such a column.
    """

    receiver_no: str
    vend_code: str | None
    po_num: str | None
    packing_slip: str | None
    txn_date: date
    shipping_charges: Decimal
    lines: tuple[ReceiverLine, ...]
    exported: bool = False
    last_mod: datetime | None = None
    billed: bool = False

    @property
    def key(self) -> str:
        return f"Receiver:{self.receiver_no}"

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00")) + self.shipping_charges


# --------------------------------------------------------------------------- time


@dataclass(frozen=True)
class Punch:
    """One clock-in / clock-out pair of an attendance day (an ``AttendDet`` row).

    The adjusted times are used where set (a supervisor's correction), else
    the actual ones. ``clock_out`` is ``None`` for an employee still clocked in.
    ``hours`` is ``TotAdjTime`` (else ``TotActTime``, else computed).
    """

    clock_in: datetime
    clock_out: datetime | None
    hours: Decimal
    pay_rate_code: int
    attend_code: int | None = None
    overtime: bool = False
    comments: str | None = None
    gl_acct: str | None = None


@dataclass(frozen=True)
class AttendanceDay(_Record):
    """An employee's attendance ticket for one day (``Attend``) with its punches."""

    empl_code: int
    empl_name: str | None
    ticket_date: date
    punches: tuple[Punch, ...]
    exported: bool = False
    last_mod: datetime | None = None

    @property
    def key(self) -> str:
        return f"Attend:{self.empl_code}/{self.ticket_date.isoformat()}"

    @property
    def complete(self) -> bool:
        """Every punch has a clock-out (an open day should wait)."""
        return all(p.clock_out is not None for p in self.punches)

    @property
    def hours(self) -> Decimal:
        return sum((p.hours for p in self.punches), Decimal("0"))


# --------------------------------------------------------------------------- lists


@dataclass(frozen=True)
class Customer(_Record):
    """A customer (``CustCode``). ``qb_name`` is ``QBCustCode`` if set, else the name."""

    cust_code: str
    name: str
    qb_name: str
    terms_code: str | None
    tax_code: str | None
    address: Address
    phone: str | None
    fax: str | None
    contact: str | None
    active: bool
    last_mod: datetime | None = None
    #: ``CustCode.CurrencyCode``: the currency the customer is billed in (``None``: home).
    currency_code: str | None = None

    @property
    def key(self) -> str:
        return f"CustCode:{self.cust_code}"


@dataclass(frozen=True)
class Vendor(_Record):
    """A vendor (``VendCode``). ``qb_name`` is ``QBVendCode`` if set, else the name."""

    vend_code: str
    name: str
    qb_name: str
    terms_code: str | None
    address: Address
    phone: str | None
    account_number: str | None
    is_1099: bool
    tax_id: str | None
    gl_acct: str | None
    active: bool
    last_mod: datetime | None = None
    fax: str | None = None

    @property
    def key(self) -> str:
        return f"VendCode:{self.vend_code}"


@dataclass(frozen=True)
class Employee(_Record):
    """An employee (``EmplCode``). ``pay_rates`` maps pay rate code 1..10 to the
    non-zero ``Rate1``..``Rate10``. The name is split ``"Last, First"`` at the
    comma, else ``"First Middle Last"`` before the last word."""

    empl_code: int
    name: str
    first_name: str | None
    last_name: str
    address: Address
    phone: str | None
    hire_date: date | None
    pay_rates: dict[int, Decimal]
    active: bool
    last_mod: datetime | None = None
    short_name: str | None = None

    @property
    def key(self) -> str:
        return f"EmplCode:{self.empl_code}"


@dataclass(frozen=True)
class Part(_Record):
    """A part (``Estim``): becomes a QuickBooks item."""

    part_no: str
    description: str | None
    price: Decimal | None
    cost: Decimal | None
    sales_acct: str | None
    purch_acct: str | None
    taxable: bool
    active: bool
    last_mod: datetime | None = None
    unit: str | None = None
    revision: str | None = None
    prod_code: str | None = None

    @property
    def key(self) -> str:
        return f"Estim:{self.part_no}"


@dataclass(frozen=True)
class Terms(_Record):
    """Payment terms (``Terms``). ``disc_pct`` is a percentage (2 = 2 %)."""

    code: str
    description: str | None
    net_due_days: int | None
    disc_days: int | None
    disc_pct: Decimal | None
    last_mod: datetime | None = None

    @property
    def key(self) -> str:
        return f"Terms:{self.code}"


@dataclass(frozen=True)
class GlAccount(_Record):
    """A GL account (``GLAccounts``).

    ``acct_code`` is JobBOSS2's account group as stored; ``account_type`` is a
    QuickBooks ``AccountType`` guessed from it (a keyword such as ``INCOME``) or
    else from the first digit of the number (1 asset ... 9 other expense): a
    hint to check, not a fact.
    """

    number: str
    description: str | None
    acct_code: str | None
    account_type: str
    active: bool
    last_mod: datetime | None = None

    @property
    def key(self) -> str:
        return f"GLAccounts:{self.number}"


@dataclass(frozen=True)
class TaxCode(_Record):
    """A sales tax code (``TaxCode``). ``rate`` is a percentage (8.25 = 8.25 %), ``None`` when
    JobBOSS2's TaxFactor is NULL."""

    code: str
    description: str | None
    rate: Decimal | None
    account: str | None
    active: bool = True
    last_mod: datetime | None = None

    @property
    def key(self) -> str:
        return f"TaxCode:{self.code}"


@dataclass(frozen=True)
class CompanyDefaults(_Record):
    """The ``Company`` row: default accounts and payroll item names.

    ``payroll_items`` maps pay rate code 1..10 to the non-blank
    ``Payroll1``..``Payroll10`` (QuickBooks payroll wage item names).
    """

    ar_acct: str | None
    ap_acct: str | None
    freight_acct: str | None
    sales_tax_acct: str | None
    payroll_items: dict[int, str] = field(default_factory=dict)
    default_qb_item_type: str | None = None
    name: str | None = None
    last_mod: datetime | None = None

    @property
    def key(self) -> str:
        return "Company:1"


#: Every record class by its key prefix (``"Billing"`` -> :class:`ArInvoice`, ...).
RECORD_PREFIXES: dict[str, type[_Record]] = {
    "Billing": ArInvoice, "DelTicket": ArInvoice, "VendorInv": ApInvoice,
    "Receiver": ReceiverBill, "Attend": AttendanceDay, "CustCode": Customer,
    "VendCode": Vendor, "EmplCode": Employee, "Estim": Part, "Terms": Terms,
    "GLAccounts": GlAccount, "TaxCode": TaxCode, "Company": CompanyDefaults,
}


def split_key(key: str) -> tuple[str, str]:
    """``"Billing:INV-1"`` -> ``("Billing", "INV-1")``; raises ValueError if malformed."""
    prefix, sep, rest = key.partition(":")
    if not sep or prefix not in RECORD_PREFIXES:
        raise ValueError(f"not a JobBOSS2 record key: {key!r}")
    return prefix, rest
