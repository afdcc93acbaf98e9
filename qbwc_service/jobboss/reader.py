"""Read JobBOSS2 (the E2 tables) as typed records.

:class:`JobBossReader` runs SQLAlchemy Core queries built from the table layout
(:mod:`.layout`), so the same code reads SQL Server in production and
SQLite in the demo and the tests. Every method returns an iterator that
reads in chunks: headers by keyset pagination on the ``<Table>_ID`` key
(``WHERE id > last ORDER BY id`` with ``TOP n`` on SQL Server), then the
lines of the whole chunk in one query. Memory stays flat whatever the table
size, and each chunk uses a short-lived connection, so no lock is held while
the caller works.

Filters (:class:`TxnFilter`):

* not exported: ``Exported`` is not ``'Y'`` (NULL and blank count as not exported);
* date range, inclusive, on the transaction date (``InvDate``, ``ShipDate``,
  ``ReceiveDate``, and ``Attend.TicketDate``, which is text and so is compared
  after parsing, in Python);
* changed since: the header's or any line's ``LastModDate`` is at or after the
  timestamp. Inclusive on purpose: rows stamped in the same instant as the
  previous poll's high-water mark are read again rather than missed; the
  records' fingerprints make that harmless.

Receivers have no ``Exported`` column in JobBOSS2 and the sync does not add
one: whether a receiver was already billed to QuickBooks is known on our
side (the queue's ID map). :meth:`JobBossReader.receiver_bills` therefore
takes the keys already exported and leaves them out when
``only_unexported`` is set. A site that did add a column can map it as
``Receiver.Exported`` and it is then used like the others.
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    Select,
    Table,
    and_,
    exists,
    literal,
    null,
    or_,
    select,
    text,
)
from sqlalchemy.engine import Result

from qbwc_service.jobboss import values as v
from qbwc_service.jobboss.connect import jobboss_engine
from qbwc_service.jobboss.layout import (
    DEFAULT_COLUMNS,
    ID,
    JobBossLayout,
    check_schema,
    load_layout,
)
from qbwc_service.jobboss.records import (
    Address,
    ApExpenseLine,
    ApInvoice,
    ArInvoice,
    ArLine,
    AttendanceDay,
    CompanyDefaults,
    Customer,
    Employee,
    GlAccount,
    Part,
    Punch,
    ReceiverBill,
    ReceiverLine,
    TaxCode,
    Terms,
    Vendor,
    builder,
    split_key,
)

log = logging.getLogger(__name__)

ROW_ID = "row_id"  # label of the header's identity key in every query
HDR_ID = "hdr_id"  # label of the owning header's key on line rows
IN_BATCH = 1000  # values per IN (...): well under SQL Server's 2,100 parameters


@dataclass(frozen=True)
class TxnFilter:
    """Which transactions to read. Every condition given must hold.

    ``date_from`` / ``date_to`` are inclusive dates on the transaction date;
    ``only_unexported`` skips ``Exported = 'Y'`` (NULL and blank count as not
    exported); ``changed_since`` keeps rows whose ``LastModDate`` (header or
    any line) is at or after the timestamp.
    """

    date_from: date | None = None
    date_to: date | None = None
    only_unexported: bool = True
    changed_since: datetime | None = None

    def covers(self, day: date | None) -> bool:
        """Whether ``day`` is inside the date range (no range: always)."""
        if day is None:
            return self.date_from is None and self.date_to is None
        return (self.date_from is None or day >= self.date_from) and (
            self.date_to is None or day <= self.date_to
        )


ALL = TxnFilter(only_unexported=False)


@dataclass(frozen=True)
class _Txn:
    """How one kind of transaction is laid out: header, lines, link, date."""

    header: str
    lines: str
    links: tuple[tuple[str, str], ...]  # (header column, line column)
    date_col: str | None  # None: the date is text, filtered in Python
    line_order: tuple[str, ...]


BILLING = _Txn("Billing", "BillingDet", (("InvoiceNo", "InvoiceNo"),), "InvDate", ("InvItemNo",))
PACKING = _Txn("DelTicket", "DelTicketDet", (("DelTicketNo", "DelTicketNo"),), "ShipDate", ("DTItemNo",))
VENDOR_INV = _Txn(
    "VendorInv", "VendorInvDet", (("VendCode", "VendCode"), ("InvoiceNo", "InvoiceNo")), "InvDate", ()
)
RECEIVER = _Txn("Receiver", "ReceiverDet", (("ReceiverNo", "ReceiverNo"),), "ReceiveDate", ())
ATTEND = _Txn("Attend", "AttendDet", (("EmplCode", "EmplCode"), ("TicketDate", "TicketDate")), None, ())

#: A row read, by column label.
Row = Mapping[str, Any]
Rows = Sequence[Row]


class JobBossReader:
    """Reads one JobBOSS2 database as typed records.

    ``url_or_engine`` is a SQLAlchemy URL (``mssql+pyodbc://...``; a bare path
    means a SQLite file) or an engine. ``layout`` is a
    :class:`~.layout.JobBossLayout`, a dict or a TOML path (default: E2).
    With ``check`` (the default) the constructor verifies that every mapped
    table and column exists and raises :class:`~.layout.SchemaMismatch`
    listing all that do not.
    """

    def __init__(
        self,
        url_or_engine: str | os.PathLike[str] | Engine,
        layout: Any = None,
        chunk_size: int = 1000,
        check: bool = True,
    ) -> None:
        if chunk_size < 1:
            raise ValueError("chunk_size must be positive")
        self.engine = jobboss_engine(url_or_engine)
        self.layout: JobBossLayout = load_layout(layout)
        self.chunk_size = chunk_size
        if check:
            check_schema(self.engine, self.layout)

    # ------------------------------------------------------------------ transactions

    def ar_invoices(self, filter: TxnFilter = TxnFilter()) -> Iterator[ArInvoice]:
        """Customer invoices from ``Billing`` with their ``BillingDet`` lines."""
        return self._billing(filter, ())

    def packing_list_invoices(self, filter: TxnFilter = TxnFilter()) -> Iterator[ArInvoice]:
        """Packing lists (``DelTicket`` / ``DelTicketDet``) as invoices.

        A line's price is the order line's ``OrderDet.UnitPrice`` found by
        ``JobNo``, else the part's ``Estim.Price1``, else ``None``; terms and tax
        code come from the customer.
        """
        return self._packing(filter, ())

    def ap_invoices(self, filter: TxnFilter = TxnFilter()) -> Iterator[ApInvoice]:
        """Vendor invoices (``VendorInv``) with their ``VendorInvDet`` account lines."""
        return self._vendor_inv(filter, ())

    def receiver_bills(
        self, filter: TxnFilter = TxnFilter(), exported: Container[str] = ()
    ) -> Iterator[ReceiverBill]:
        """PO receipts (``Receiver`` / ``ReceiverDet``) with costs from ``PODet``.

        ``exported`` holds the keys (``"Receiver:R-1001"``) already sent to
        QuickBooks, typically from the queue's ID map: they are skipped when
        ``filter.only_unexported`` and marked ``exported`` otherwise. If the
        mapping names a ``Receiver.Exported`` column, that column counts too.
        """
        return self._receiver(filter, (), exported)

    def attendance(self, filter: TxnFilter = TxnFilter()) -> Iterator[AttendanceDay]:
        """Attendance days (``Attend``) with their punches (``AttendDet``).

        Job time tickets (``TimeTicket``) are never read. A day whose
        ``TicketDate`` cannot be parsed is logged and skipped.
        """
        return self._attend(filter, ())

    # ------------------------------------------------------------------ single transactions

    def ar_invoice(self, invoice_no: str) -> ArInvoice | None:
        """The ``Billing`` invoice ``invoice_no`` whatever its flags, or None."""
        return _first(self._billing(ALL, (self._t("Billing").c.InvoiceNo == invoice_no,)))

    def packing_list_invoice(self, del_ticket_no: str) -> ArInvoice | None:
        return _first(self._packing(ALL, (self._t("DelTicket").c.DelTicketNo == del_ticket_no,)))

    def ap_invoice(self, vend_code: str, invoice_no: str) -> ApInvoice | None:
        t = self._t("VendorInv")
        return _first(self._vendor_inv(ALL, (t.c.VendCode == vend_code, t.c.InvoiceNo == invoice_no)))

    def receiver_bill(self, receiver_no: str) -> ReceiverBill | None:
        return _first(self._receiver(ALL, (self._t("Receiver").c.ReceiverNo == receiver_no,), ()))

    def attendance_day(self, empl_code: int, ticket_date: date) -> AttendanceDay | None:
        flt = TxnFilter(date_from=ticket_date, date_to=ticket_date, only_unexported=False)
        return _first(self._attend(flt, (self._t("Attend").c.EmplCode == int(empl_code),)))

    # ------------------------------------------------------------------ lists

    def customers(
        self, codes: Iterable[str] | None = None, changed_since: datetime | None = None
    ) -> Iterator[Customer]:
        """Customers (``CustCode``), all or those with the given codes, inactive ones included."""
        return map(_customer, self._list("CustCode", "CustCode", codes, changed_since))

    def vendors(
        self, codes: Iterable[str] | None = None, changed_since: datetime | None = None
    ) -> Iterator[Vendor]:
        """Vendors (``VendCode``)."""
        return map(_vendor, self._list("VendCode", "VendCode", codes, changed_since))

    def employees(
        self, codes: Iterable[int] | None = None, changed_since: datetime | None = None
    ) -> Iterator[Employee]:
        """Employees (``EmplCode``)."""
        return map(_employee, self._list("EmplCode", "EmplCode", codes, changed_since))

    def parts(
        self, codes: Iterable[str] | None = None, changed_since: datetime | None = None
    ) -> Iterator[Part]:
        """Parts (``Estim``)."""
        return map(_part, self._list("Estim", "PartNo", codes, changed_since))

    def terms(self, codes: Iterable[str] | None = None) -> Iterator[Terms]:
        """Payment terms (``Terms``)."""
        return map(_terms, self._list("Terms", "TermsCode", codes, None))

    def gl_accounts(self, codes: Iterable[str] | None = None) -> Iterator[GlAccount]:
        """GL accounts (``GLAccounts``)."""
        return map(_gl_account, self._list("GLAccounts", "GLAcctNum", codes, None))

    def tax_codes(self, codes: Iterable[str] | None = None) -> Iterator[TaxCode]:
        """Sales tax codes (``TaxCode``)."""
        return map(_tax_code, self._list("TaxCode", "TaxCode", codes, None))

    def company_defaults(self) -> CompanyDefaults:
        """The ``Company`` row (the first, should there be several); empty defaults if none."""
        row = next(self._list("Company", None, None, None), None)
        return _company(row) if row is not None else CompanyDefaults(None, None, None, None)

    def customer(self, code: str) -> Customer | None:
        return _first(self.customers(codes=[code]))

    def vendor(self, code: str) -> Vendor | None:
        return _first(self.vendors(codes=[code]))

    def employee(self, code: int) -> Employee | None:
        return _first(self.employees(codes=[int(code)]))

    def part(self, part_no: str) -> Part | None:
        return _first(self.parts(codes=[part_no]))

    def get(self, key: str) -> Any:
        """The record a key names (``"Billing:INV-1"``, ``"CustCode:ACME"``...), or None."""
        prefix, rest = split_key(key)
        if prefix == "VendorInv":
            vend, _, inv = rest.partition("/")
            return self.ap_invoice(vend, inv)
        if prefix == "Attend":
            empl, _, day = rest.partition("/")
            return self.attendance_day(int(empl), date.fromisoformat(day))
        if prefix == "Company":
            return self.company_defaults()
        getter: Callable[[Any], Any] = {
            "Billing": self.ar_invoice,
            "DelTicket": self.packing_list_invoice,
            "Receiver": self.receiver_bill,
            "CustCode": self.customer,
            "VendCode": self.vendor,
            "EmplCode": lambda code: self.employee(int(code)),
            "Estim": self.part,
            "Terms": lambda code: _first(self.terms([code])),
            "GLAccounts": lambda code: _first(self.gl_accounts([code])),
            "TaxCode": lambda code: _first(self.tax_codes([code])),
        }[prefix]
        return getter(rest)

    # ------------------------------------------------------------------ query building

    def _t(self, entity: str) -> Table:
        return self.layout.table(entity)

    def _col(self, entity: str, name: str, label: str | None = None) -> ColumnElement[Any]:
        """A mapped column labelled by its E2 name (or ``label``); NULL when switched off."""
        if self.layout.has(entity, name):
            return self._t(entity).c[name].label(label or name)
        return null().label(label or name)

    def _cols(self, entity: str, names: Iterable[str] | None = None) -> list[ColumnElement[Any]]:
        return [self._col(entity, n) for n in (names or DEFAULT_COLUMNS[entity])]

    def _where(self, entity: str) -> list[ColumnElement[bool]]:
        """The entity's extra SQL filter from the mapping, if any."""
        where = self.layout[entity].where
        return [text(f"({where})")] if where else []  # type: ignore[list-item]

    def _rows_where(self, entity: str) -> list[ColumnElement[bool]]:
        """The entity's extra filter where its table is joined to another.

        Applied through a key subquery on the table alone, so the filter's
        unqualified names stay its own (``InvoiceNo`` is also on the header).
        """
        where = self.layout[entity].where
        if not where:
            return []
        t = self._t(entity)
        alone = t.alias(f"{entity}_where")
        return [t.c[ID].in_(select(alone.c[ID]).where(text(f"({where})")))]

    def _unexported(self, entity: str) -> ColumnElement[bool]:
        col = self._t(entity).c.Exported
        return or_(col.is_(None), col.not_in(["Y", "y"]))

    def _pages(self, table: Table, query: Select[Any]) -> Iterator[Rows]:
        """Run ``query`` in chunks by keyset pagination on ``table``'s identity key."""
        key = table.c[ID]
        last: int | None = None
        while True:
            q = query if last is None else query.where(key > last)
            q = q.order_by(key).limit(self.chunk_size)
            with self.engine.connect() as conn:
                rows = _dicts(conn.execute(q))
            if rows:
                yield rows
            if len(rows) < self.chunk_size:
                return
            last = rows[-1][ROW_ID]

    def _list(
        self, entity: str, key: str | None, codes: Iterable[Any] | None, changed_since: datetime | None
    ) -> Iterator[Row]:
        t = self._t(entity)
        query = select(t.c[ID].label(ROW_ID), *self._cols(entity)).where(*self._where(entity))
        if changed_since is not None and self.layout.has(entity, "LastModDate"):
            query = query.where(t.c.LastModDate >= changed_since)
        if codes is None or key is None:
            batches: Iterable[Sequence[Any]] = [()]
        else:
            batches = _batches(sorted(set(codes), key=str), IN_BATCH) or []
        for batch in batches:
            q = query.where(t.c[key].in_(batch)) if batch else query
            for rows in self._pages(t, q):
                yield from rows

    def _txn_where(self, spec: _Txn, flt: TxnFilter) -> list[ColumnElement[bool]]:
        h, d = self._t(spec.header), self._t(spec.lines)
        conds = self._where(spec.header)
        if flt.only_unexported and self.layout.has(spec.header, "Exported"):
            conds.append(self._unexported(spec.header))
        if spec.date_col is not None:
            col = h.c[spec.date_col]
            if flt.date_from is not None:
                conds.append(col >= datetime.combine(flt.date_from, time()))
            if flt.date_to is not None:
                conds.append(col < datetime.combine(flt.date_to + timedelta(days=1), time()))
        if flt.changed_since is not None:
            changed = []
            if self.layout.has(spec.header, "LastModDate"):
                changed.append(h.c.LastModDate >= flt.changed_since)
            if self.layout.has(spec.lines, "LastModDate"):
                changed.append(exists().where(*self._link(spec), d.c.LastModDate >= flt.changed_since))
            conds.append(or_(*changed) if changed else literal(True))
        return conds

    def _link(self, spec: _Txn) -> list[ColumnElement[bool]]:
        h, d = self._t(spec.header), self._t(spec.lines)
        return [h.c[a] == d.c[b] for a, b in spec.links]

    def _headers(
        self,
        spec: _Txn,
        flt: TxnFilter,
        extra: Sequence[ColumnElement[bool]],
        more: Sequence[ColumnElement[Any]] = (),
    ) -> Iterator[Rows]:
        h = self._t(spec.header)
        query = select(h.c[ID].label(ROW_ID), *self._cols(spec.header), *more).where(
            *self._txn_where(spec, flt), *extra
        )
        yield from self._pages(h, query)

    def _lines(
        self,
        spec: _Txn,
        headers: Rows,
        more: Sequence[ColumnElement[Any]] = (),
        joins: Callable[[Any], Any] | None = None,
    ) -> dict[int, list[Row]]:
        """The lines of a chunk of headers, by header key, in line order: one query per 1,000 headers."""
        h, d = self._t(spec.header), self._t(spec.lines)
        source = d.join(h, and_(*self._link(spec)))
        if joins is not None:
            source = joins(source)
        order = [d.c[c] for c in spec.line_order if self.layout.has(spec.lines, c)]
        found: dict[int, list[Row]] = defaultdict(list)
        for batch in _batches([r[ROW_ID] for r in headers], IN_BATCH):
            query = (
                select(h.c[ID].label(HDR_ID), *self._cols(spec.lines), *more)
                .select_from(source)
                .where(h.c[ID].in_(batch), *self._rows_where(spec.lines))
                .order_by(h.c[ID], *order, d.c[ID])
            )
            with self.engine.connect() as conn:
                for row in _dicts(conn.execute(query)):
                    found[row[HDR_ID]].append(row)
        return found

    # ------------------------------------------------------------------ readers per kind

    def _billing(self, flt: TxnFilter, extra: Sequence[ColumnElement[bool]]) -> Iterator[ArInvoice]:
        h, cust = self._t("Billing"), self._t("CustCode")
        more = [self._lookup("CustCode", "CurrencyCode", cust.c.CustCode == h.c.CustCode,
                             "CustCurrencyCode")]
        for heads in self._headers(BILLING, flt, extra, more):
            lines = self._lines(BILLING, heads)
            for head in heads:
                yield _billing_invoice(head, lines.get(head[ROW_ID], []))

    def _packing(self, flt: TxnFilter, extra: Sequence[ColumnElement[bool]]) -> Iterator[ArInvoice]:
        h, d = self._t("DelTicket"), self._t("DelTicketDet")
        cust, od, part = self._t("CustCode"), self._t("OrderDet"), self._t("Estim")
        more_head = [
            self._lookup("CustCode", col, cust.c.CustCode == h.c.CustCode, f"Cust{col}")
            for col in ("TermsCode", "TaxCode", "CurrencyCode")
        ]
        order_price = (
            select(od.c.UnitPrice)
            .where(od.c.JobNo == d.c.JobNo, d.c.JobNo != "", *self._where("OrderDet"))
            .order_by(od.c[ID])
            .limit(1)
            .scalar_subquery()
            .label("OrderPrice")
        )
        more_line = [
            order_price,
            self._col("Estim", "Price1"),
            self._col("Estim", "GLCode", "PartSalesAcct"),
            self._col("Estim", "IsTaxable", "PartTaxable"),
        ]

        def with_part(source: Any) -> Any:
            return source.outerjoin(part, part.c.PartNo == d.c.PartNo)

        for heads in self._headers(PACKING, flt, extra, more_head):
            lines = self._lines(PACKING, heads, more_line, with_part)
            for head in heads:
                yield _packing_invoice(head, lines.get(head[ROW_ID], []))

    def _lookup(self, entity: str, col: str, on: ColumnElement[bool], label: str) -> ColumnElement[Any]:
        """A correlated single-value lookup, NULL when the column is switched off."""
        if not self.layout.has(entity, col):
            return null().label(label)
        t = self._t(entity)
        return select(t.c[col]).where(on).order_by(t.c[ID]).limit(1).scalar_subquery().label(label)

    def _vendor_inv(self, flt: TxnFilter, extra: Sequence[ColumnElement[bool]]) -> Iterator[ApInvoice]:
        for heads in self._headers(VENDOR_INV, flt, extra):
            lines = self._lines(VENDOR_INV, heads)
            for head in heads:
                yield _ap_invoice(head, lines.get(head[ROW_ID], []))

    def _receiver(
        self, flt: TxnFilter, extra: Sequence[ColumnElement[bool]], exported: Container[str]
    ) -> Iterator[ReceiverBill]:
        d, po = self._t("ReceiverDet"), self._t("PODet")
        on = and_(po.c.PONum == d.c.PONum, po.c.PartNo == d.c.PartNo, *self._where("PODet"))
        more = [
            self._lookup("PODet", "UnitCost", on, "UnitCost"),
            self._lookup("PODet", "GLCode", on, "GLCode"),
        ]
        has_column = self.layout.has("Receiver", "Exported")
        more_head = [] if not has_column else [self._t("Receiver").c.Exported.label("Exported")]
        for heads in self._headers(RECEIVER, flt, extra, more_head):
            lines = self._lines(RECEIVER, heads, more)
            for head in heads:
                bill = _receiver_bill(head, lines.get(head[ROW_ID], []), exported, has_column)
                if not (flt.only_unexported and bill.exported):
                    yield bill

    def _attend(self, flt: TxnFilter, extra: Sequence[ColumnElement[bool]]) -> Iterator[AttendanceDay]:
        for heads in self._headers(ATTEND, flt, extra):
            keep = []
            for head in heads:
                day = v.text_date(head["TicketDate"])
                if day is None:
                    log.warning(
                        "Attend row %s: unreadable TicketDate %r, skipped", head[ROW_ID], head["TicketDate"]
                    )
                elif flt.covers(day):
                    keep.append((head, day))
            if not keep:
                continue
            lines = self._lines(ATTEND, [h for h, _ in keep])
            for head, day in keep:
                yield _attendance_day(head, day, lines.get(head[ROW_ID], []))


# ---------------------------------------------------------------------- row -> record

# Made as their classes make them, a step cheaper (see :func:`records.builder`): a
# planning pass builds a record per document and one per line.
_ArLine = builder(ArLine)
_ArInvoice = builder(ArInvoice)
_ApInvoice = builder(ApInvoice)
_ApExpenseLine = builder(ApExpenseLine)
_ReceiverBill = builder(ReceiverBill)
_ReceiverLine = builder(ReceiverLine)
_Address = builder(Address)


def _dicts(result: Result[Any]) -> list[Row]:
    """The rows of ``result`` as plain dicts by column label: read by name many times each,
    and a dict answers faster than a SQLAlchemy row mapping."""
    keys = list(result.keys())
    # fetchall: one call for the page, where iterating fetches (and checks) row by row.
    return [dict(zip(keys, row)) for row in result.fetchall()]  # noqa: B905 - a row has every key


def _first(records: Iterator[Any]) -> Any:
    return next(records, None)


def _batches(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _last_mod(head: Row, lines: Rows) -> datetime | None:
    stamps = [s for s in (head["LastModDate"], *(ln["LastModDate"] for ln in lines)) if s is not None]
    return max(stamps) if stamps else None


def _billing_invoice(h: Row, lines: Rows) -> ArInvoice:
    ar_lines = tuple(
        _ArLine(
            line_no=v.integer(ln["InvItemNo"]) or n,
            part_no=v.text(ln["PartNo"]),
            description=v.text(ln["PartDesc"]),
            quantity=v.quantity(ln["QtyShipped"]),
            unit_price=v.rate(ln["UnitPrice"]),
            amount=v.money(ln["LineTotal"]),
            job_no=v.text(ln["JobNo"]),
            taxable=_taxable(ln["IsTaxable"], ln["TaxStatus"]),
            sales_acct=v.text(ln["SalesAcct"]),
            unit=v.text(ln["Unit"]),
            disc_pct=v._decimal(ln["DiscPct"]) or None,
        )
        for n, ln in enumerate(lines, 1)
    )
    po = next((p for p in (v.text(ln["PONum"]) for ln in lines) if p), None)
    return _ArInvoice(
        source="billing",
        invoice_no=v.text(h["InvoiceNo"]) or "",
        cust_code=v.text(h["CustCode"]) or "",
        txn_date=v.day(h["InvDate"]),  # type: ignore[arg-type]
        terms_code=v.text(h["TermsCode"]),
        tax_code=v.text(h["TaxCode"]),
        po_number=po,
        ship_address=_address(h, v.text(h["ShipToName"]), BILLING_SHIP_TO),
        ship_via=v.text(h["ShipVia"]),
        lines=ar_lines,
        shipping_charges=v.money(h["ShippingChgs"]),
        freight_charges=Decimal("0.00"),
        sales_tax=v.money(h["SalesTaxChgs"]),
        total=v.money(h["InvoiceTotal"]),
        notes=v.text(h["Notes"]),
        exported=v.flag(h["Exported"]),
        last_mod=_last_mod(h, lines),
        due_date=v.day(h["NetDueDate"]),
        ar_acct=v.text(h["ARAcct"]),
        freight_acct=v.text(h["FreightAcct"]),
        sales_tax_acct=v.text(h["TaxAcct"]),
        del_ticket_no=v.text(h["DelTicketNo"]),
        paid=v.money(h["AmtPaidSoFar"]),
        currency_code=v.text(h["CurrencyCode"]),
        exchange_rate=v._decimal(h["ExchRate"]),
        customer_currency=v.text(h["CustCurrencyCode"]),
    )


def _taxable(bit: object, status: object) -> bool:
    """``IsTaxable`` when set, else ``TaxStatus`` (``Y`` / ``T`` = taxable)."""
    return bool(bit) if bit is not None else v.flag(status)


def _packing_line(n: int, ln: Row) -> ArLine:
    qty = v.quantity(ln["Qty2Ship"])
    price = v.rate(ln["OrderPrice"]) if ln["OrderPrice"] is not None else v.rate(ln["Price1"])
    amount = (qty * price).quantize(v.CENT, ROUND_HALF_UP) if price is not None else Decimal("0.00")
    taxable = ln["IsTaxable"] if ln["IsTaxable"] is not None else ln["PartTaxable"]
    return _ArLine(
        line_no=v.integer(ln["DTItemNo"]) or n,
        part_no=v.text(ln["PartNo"]),
        description=v.text(ln["PartDesc"]),
        quantity=qty,
        unit_price=price,
        amount=amount,
        job_no=v.text(ln["JobNo"]),
        taxable=bool(taxable),
        sales_acct=v.text(ln["PartSalesAcct"]),
        unit=v.text(ln["Unit"]),
    )


def _packing_invoice(h: Row, lines: Rows) -> ArInvoice:
    ar_lines = tuple(_packing_line(n, ln) for n, ln in enumerate(lines, 1))
    shipping = v.money(h["ShippingChgs"]) + v.money(h["HandlingChg"])
    freight = v.money(h["FreightCharge"])
    po = v.text(h["CustPONum"]) or next((p for p in (v.text(ln["CustPONum"]) for ln in lines) if p), None)
    return _ArInvoice(
        source="packing_list",
        invoice_no=v.text(h["DelTicketNo"]) or "",
        cust_code=v.text(h["CustCode"]) or "",
        txn_date=v.day(h["ShipDate"]),  # type: ignore[arg-type]
        terms_code=v.text(h["CustTermsCode"]),
        tax_code=v.text(h["CustTaxCode"]),
        customer_currency=v.text(h["CustCurrencyCode"]),
        po_number=po,
        ship_address=_address(h, v.text(h["ShipToName"]), PACKING_SHIP_TO),
        ship_via=v.text(h["ShipVia"]),
        lines=ar_lines,
        shipping_charges=shipping,
        freight_charges=freight,
        sales_tax=Decimal("0.00"),
        total=sum((ln.amount for ln in ar_lines), Decimal("0.00")) + shipping + freight,
        notes=None,
        exported=v.flag(h["Exported"]),
        last_mod=_last_mod(h, lines),
        del_ticket_no=v.text(h["DelTicketNo"]),
    )


def _ap_invoice(h: Row, lines: Rows) -> ApInvoice:
    return _ApInvoice(
        vend_code=v.text(h["VendCode"]) or "",
        invoice_no=v.text(h["InvoiceNo"]) or "",
        txn_date=v.day(h["InvDate"]),  # type: ignore[arg-type]
        due_date=v.day(h["NetDueDate"]),
        terms_code=v.text(h["TermsCode"]),
        ap_acct=v.text(h["APAcct"]),
        total=v.money(h["InvoiceTotal"]),
        shipping_charges=v.money(h["ShippingChgs"]),
        sales_tax=v.money(h["SalesTaxChgs"]),
        memo=v.text(h["Notes"]),
        lines=tuple(_ApExpenseLine(v.text(ln["GLAcct"]), v.money(ln["Amount"])) for ln in lines),
        exported=v.flag(h["Exported"]),
        last_mod=_last_mod(h, lines),
        receiver_no=v.text(h["ReceiverNo"]),
        freight_acct=v.text(h["FreightAcct"]),
        sales_tax_acct=v.text(h["SalesTaxAcct"]),
        paid=v.money(h["AmtPaidSoFar"]),
    )


def _receiver_bill(h: Row, lines: Rows, exported: Container[str], has_column: bool) -> ReceiverBill:
    receiver_no = v.text(h["ReceiverNo"]) or ""
    flagged = (f"Receiver:{receiver_no}" in exported) or (has_column and v.flag(h["Exported"]))
    return _ReceiverBill(
        receiver_no=receiver_no,
        vend_code=v.text(h["VendCode"]),
        po_num=v.text(h["PONum"]),
        packing_slip=v.text(h["PackingSlipNo"]),
        txn_date=v.day(h["ReceiveDate"]),  # type: ignore[arg-type]
        shipping_charges=v.money(h["ShippingChgs"]),
        lines=tuple(
            _ReceiverLine(
                part_no=v.text(ln["PartNo"]),
                description=v.text(ln["PartDesc"]),
                quantity=v.quantity(ln["Qty2Receive"]),
                unit_cost=v.rate(ln["UnitCost"]),
                gl_code=v.text(ln["GLCode"]),
                job_no=v.text(ln["JobNo"]),
                unit=v.text(ln["Unit"]),
            )
            for ln in lines
        ),
        exported=bool(flagged),
        last_mod=_last_mod(h, lines),
        billed=v.flag(h["Billed"]),
    )


def _attendance_day(h: Row, day: date, lines: Rows) -> AttendanceDay:
    return AttendanceDay(
        empl_code=int(h["EmplCode"]),
        empl_name=v.text(h["EmplName"]),
        ticket_date=day,
        punches=tuple(_punch(ln, day) for ln in lines),
        exported=v.flag(h["Exported"]),
        last_mod=_last_mod(h, lines),
    )


def _clock(row: Row, prefix: str, which: str, default_day: date) -> datetime | None:
    clock = v.text_time(row[f"{prefix}Clock{which}Time"])
    if clock is None:
        return None
    day = v.text_date(row[f"{prefix}Clock{which}Date"]) or default_day
    return datetime.combine(day, time()) + clock


def _punch(ln: Row, ticket_day: date) -> Punch:
    """One AttendDet row: adjusted times where set, else actual ones.

    A row without any clock time (a holiday or vacation entry, say) starts at
    midnight of the ticket date and lasts its hours. A clock-out earlier than
    the clock-in without its own date is taken as the next day (night shift).
    """
    prefix = "Adj" if v.text(ln["AdjClockInTime"]) else "Act"
    total = ln["TotAdjTime"] if prefix == "Adj" else ln["TotActTime"]
    clock_in = _clock(ln, prefix, "In", ticket_day)
    start = clock_in or datetime.combine(ticket_day, time())
    clock_out = _clock(ln, prefix, "Out", start.date())
    if clock_out is not None and clock_out < start and not v.text(ln[f"{prefix}ClockOutDate"]):
        clock_out += timedelta(days=1)
    if total:
        hours = v.money(total)
    elif clock_out is not None:
        hours = v.money((clock_out - start).total_seconds() / 3600)
    else:
        hours = Decimal("0.00")
    if clock_in is None and clock_out is None:
        clock_out = start + timedelta(hours=float(hours))
    return Punch(
        clock_in=start,
        clock_out=clock_out,
        hours=hours,
        pay_rate_code=v.integer(ln["PayRateCode"]) or 1,
        attend_code=v.integer(ln["AttendCode"]),
        overtime=v.flag(ln["OverTime"]),
        comments=v.text(ln["Comments"]),
        gl_acct=v.text(ln["GLAcct"]),
    )


# Address columns, in Address order: line 1, line 2, city, state, ZIP, country (None: no column).
AddressColumns = tuple[str | None, str | None, str | None, str | None, str | None, str | None]
BILLING_SHIP_TO: AddressColumns = ("SAddr1", "SAddr2", "SCity", "SSt", "SZip", "Country")
PACKING_SHIP_TO: AddressColumns = ("ShipAddr1", "ShipAddr2", "ShipCity", "ShipSt", "ShipZIP", "Country")
CUSTOMER_BILL_TO: AddressColumns = ("BAddr1", "BAddr2", "BCity", "BState", "BZIPCode", "BCountry")
VENDOR_REMIT_TO: AddressColumns = ("RAddr1", "RAddr2", "RCity", "RState", "RZipCode", "RCountry")
EMPLOYEE_HOME: AddressColumns = ("Addr1", None, "City", "State", "ZIPCode", None)


def _address(row: Row, name: str | None, columns: AddressColumns) -> Address:
    return _Address(name, *(None if col is None else v.text(row[col]) for col in columns))


def _customer(r: Row) -> Customer:
    name = v.text(r["CustName"]) or v.text(r["CustCode"]) or ""
    return Customer(
        cust_code=v.text(r["CustCode"]) or "",
        name=name,
        qb_name=v.text(r["QBCustCode"]) or name,
        terms_code=v.text(r["TermsCode"]),
        tax_code=v.text(r["TaxCode"]),
        address=_address(r, name, CUSTOMER_BILL_TO),
        phone=v.text(r["Phone"]),
        fax=v.text(r["FAX"]),
        contact=v.text(r["Contact1"]),
        active=_active(r["Active"]),
        last_mod=r["LastModDate"],
        currency_code=v.text(r["CurrencyCode"]),
    )


def _active(value: object) -> bool:
    """``Active``: only an explicit ``N`` makes a record inactive (NULL counts as active)."""
    return not (isinstance(value, str) and value.strip().upper() == "N")


def _vendor(r: Row) -> Vendor:
    name = v.text(r["VendName"]) or v.text(r["VendCode"]) or ""
    return Vendor(
        vend_code=v.text(r["VendCode"]) or "",
        name=name,
        qb_name=v.text(r["QBVendCode"]) or name,
        terms_code=v.text(r["TermsCode"]),
        address=_address(r, name, VENDOR_REMIT_TO),
        phone=v.text(r["Phone"]),
        account_number=v.text(r["VendAcctNum"]),
        is_1099=v.flag(r["Ten99"]),
        tax_id=v.text(r["FedIDNum"]),
        gl_acct=v.text(r["GLAcct1"]),
        active=_active(r["Active"]),
        last_mod=r["LastModDate"],
        fax=v.text(r["FAX"]),
    )


def split_name(name: str) -> tuple[str | None, str]:
    """``"Last, First"`` or ``"First Middle Last"`` -> (first, last)."""
    if "," in name:
        last, _, first = name.partition(",")
        return (first.strip() or None), last.strip()
    words = name.split()
    if len(words) < 2:
        return None, name.strip()
    return " ".join(words[:-1]), words[-1]


def _employee(r: Row) -> Employee:
    code = int(r["EmplCode"])
    name = v.text(r["EmplName"]) or str(code)
    first, last = split_name(name)
    rates = {i: v.rate(r[f"Rate{i}"]) for i in range(1, 11)}
    return Employee(
        empl_code=code,
        name=name,
        first_name=first,
        last_name=last,
        address=_address(r, name, EMPLOYEE_HOME),
        phone=v.text(r["Phone"]),
        hire_date=v.day(r["HireDate"]),
        pay_rates={i: rate for i, rate in rates.items() if rate},  # type: ignore[misc]
        active=_active(r["Active"]),
        last_mod=r["LastModDate"],
        short_name=v.text(r["EmplShortName"]),
    )


def _part(r: Row) -> Part:
    return Part(
        part_no=v.text(r["PartNo"]) or "",
        description=v.text(r["Descrip"]),
        price=v.rate(r["Price1"]),
        cost=v.rate(r["StockingCost"]),
        sales_acct=v.text(r["GLCode"]),
        purch_acct=v.text(r["PurchGLCode"]),
        taxable=bool(r["IsTaxable"]),
        active=_active(r["Active"]),
        last_mod=r["LastModDate"],
        unit=v.text(r["StockUnit"]),
        revision=v.text(r["Revision"]),
        prod_code=v.text(r["ProdCode"]),
    )


def _terms(r: Row) -> Terms:
    pct = v.rate(r["DiscPerc"])
    return Terms(
        code=v.text(r["TermsCode"]) or "",
        description=v.text(r["Descrip"]),
        net_due_days=v.integer(r["NetDueDays"]),
        disc_days=v.integer(r["DiscDays"]),
        disc_pct=pct if pct else None,
        last_mod=r["LastModDate"],
    )


#: QuickBooks account types guessed from words of ``AcctCode``, first match wins.
_TYPE_WORDS: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"BANK", "CASH", "CHECKING"}), "Bank"),
    (frozenset({"AR", "RECEIVABLE", "RECEIVABLES"}), "AccountsReceivable"),
    (frozenset({"AP", "PAYABLE", "PAYABLES"}), "AccountsPayable"),
    (frozenset({"FIXED"}), "FixedAsset"),
    (frozenset({"COGS", "COST"}), "CostOfGoodsSold"),
    (frozenset({"OTHERINCOME"}), "OtherIncome"),
    (frozenset({"OTHEREXPENSE"}), "OtherExpense"),
    (frozenset({"ASSET", "ASSETS", "INVENTORY"}), "OtherCurrentAsset"),
    (frozenset({"LIABILITY", "LIABILITIES", "LIAB"}), "OtherCurrentLiability"),
    (frozenset({"EQUITY", "CAPITAL"}), "Equity"),
    (frozenset({"INCOME", "SALES", "REVENUE"}), "Income"),
    (frozenset({"EXPENSE", "EXPENSES"}), "Expense"),
)
#: ... else from the first digit of the account number (the usual chart of accounts).
_TYPE_DIGITS = {
    "1": "OtherCurrentAsset",
    "2": "OtherCurrentLiability",
    "3": "Equity",
    "4": "Income",
    "5": "CostOfGoodsSold",
    "6": "Expense",
    "7": "Expense",
    "8": "OtherIncome",
    "9": "OtherExpense",
}


def account_type(number: str, acct_code: str | None) -> str:
    """A QuickBooks ``AccountType`` hint for a JobBOSS2 GL account (see :class:`GlAccount`)."""
    code = (acct_code or "").upper().replace("OTHER ", "OTHER")
    words = set(code.replace("-", " ").replace("/", " ").split())
    for keys, qb_type in _TYPE_WORDS:
        if words & keys:
            return qb_type
    return _TYPE_DIGITS.get(number.strip()[:1], "Expense")


def _gl_account(r: Row) -> GlAccount:
    number = v.text(r["GLAcctNum"]) or ""
    code = v.text(r["AcctCode"])
    return GlAccount(
        number=number,
        description=v.text(r["Descrip"]),
        acct_code=code,
        account_type=account_type(number, code),
        active=_active(r["Active"]),
        last_mod=r["LastModDate"],
    )


def _tax_code(r: Row) -> TaxCode:
    factor = v._decimal(r["TaxFactor"])
    # TaxFactor is a fraction (0.0825) in some builds, a percentage (8.25) in others.
    pct = None if factor is None else factor * 100 if abs(factor) < 1 else factor
    return TaxCode(
        code=v.text(r["TaxCode"]) or "",
        description=v.text(r["Descrip"]),
        rate=None if pct is None else pct.quantize(Decimal("0.0001")).normalize(),
        account=v.text(r["TaxAcct"]),
        active=_active(r["Active"]),
        last_mod=r["LastModDate"],
    )


def _company(r: Row) -> CompanyDefaults:
    items = {i: v.text(r[f"Payroll{i}"]) for i in range(1, 11)}
    return CompanyDefaults(
        ar_acct=v.text(r["AR"]),
        ap_acct=v.text(r["AP"]),
        freight_acct=v.text(r["Freight"]),
        sales_tax_acct=v.text(r["SalesTax"]),
        payroll_items={i: name for i, name in items.items() if name},  # type: ignore[misc]
        default_qb_item_type=v.text(r["DefaultQBItemType"]),
        last_mod=r["LastModDate"],
    )
