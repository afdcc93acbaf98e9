"""Write back to JobBOSS2: exported flags, paid invoices, and "Set Begin".

Every write is one short transaction on one row (or, for Set Begin, one
statement per table; for the ``..._many`` methods, one transaction per
batch of rows), touches only the columns named below, and is idempotent:
writing what is already there changes nothing and returns ``False`` (or a
count of 0, or the key in :attr:`BatchResult.unchanged`).

Columns written, and nothing else:

* :meth:`JobBossWriter.mark_exported` (and ``mark_exported_many``): ``Exported = 'Y'``;
* :meth:`JobBossWriter.mark_paid` (and ``mark_paid_many``): ``AmtPaidSoFar = InvoiceTotal``, ``PymtDate``,
  ``PymtStatus`` (the letter is configurable, ``jobboss.paid_status_code``);
* :meth:`JobBossWriter.set_begin`: ``Exported = 'Y'`` on the transactions dated
  before the begin date (``Billing``, ``DelTicket``, ``VendorInv``, ``Attend``);
  lists are never touched.

``LastModDate`` / ``LastModUser`` are left alone on purpose: they record
edits made in JobBOSS2, and the sync's changed-since polling would otherwise
see its own flag as a change and read every exported record again.

Receivers have no ``Exported`` column: marking one is a no-op returning
``False`` (their state lives in the queue's ID map) unless the mapping names
a ``Receiver.Exported`` column. Failures raise (a SQLAlchemy error, or
:class:`RecordNotFound`); the caller keeps the write-back owed and retries,
the QuickBooks result is already stored on its side.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Table,
    and_,
    case,
    func,
    or_,
    select,
    update,
)

from qbwc_service.jobboss import values as v
from qbwc_service.jobboss.connect import jobboss_engine
from qbwc_service.jobboss.layout import ID, JobBossLayout, load_layout
from qbwc_service.jobboss.records import split_key

#: Entity names accepted, as E2 tables or record words -> the E2 table.
ENTITY_ALIASES: dict[str, str] = {
    "billing": "Billing", "ar_invoice": "Billing", "invoice": "Billing",
    "deltickets": "DelTicket", "delticket": "DelTicket", "packing_list": "DelTicket",
    "vendorinv": "VendorInv", "ap_invoice": "VendorInv", "vendor_invoice": "VendorInv", "bill": "VendorInv",
    "receiver": "Receiver", "receiver_bill": "Receiver",
    "attend": "Attend", "attendance": "Attend", "time": "Attend",
}

#: Transactions Set Begin marks, with the column holding their date (None: text date).
BEGIN_TABLES: dict[str, str | None] = {
    "Billing": "InvDate", "DelTicket": "ShipDate", "VendorInv": "InvDate", "Attend": None,
}
PAYABLE = ("Billing", "VendorInv")
UPDATE_BATCH = 500
#: Keys matched per statement by the ``..._many`` methods (two-column keys are ORed pairs).
MATCH_BATCH = 200


@dataclass
class BatchResult:
    """What a ``..._many`` write did, per key as given."""

    changed: list[Any] = field(default_factory=list)  # at least one row was written
    unchanged: list[Any] = field(default_factory=list)  # already so: nothing written
    missing: list[Any] = field(default_factory=list)  # no row has the key
    #: key -> the watched columns before and after the write (keys with a row; the same
    #: values twice when nothing was written). Only for writes that watch columns.
    before: dict[Any, dict[str, Any]] = field(default_factory=dict)
    after: dict[Any, dict[str, Any]] = field(default_factory=dict)


class RecordNotFound(LookupError):
    """No JobBOSS2 row has the given key."""


def resolve_entity(name: str) -> str:
    """``"billing"`` / ``"ar_invoice"`` / ``"Billing"`` -> ``"Billing"``."""
    table = ENTITY_ALIASES.get(name.lower())
    if table is None:
        raise ValueError(f"not a JobBOSS2 transaction: {name!r} "
                         f"(one of Billing, DelTicket, VendorInv, Receiver, Attend)")
    return table


class JobBossWriter:
    """Writes the sync's results back into one JobBOSS2 database.

    ``key`` arguments take a record (anything with ``.key``), a record key
    (``"Billing:INV-1001"``, ``"VendorInv:ACME/8841"``, ``"Attend:12/2026-10-01"``)
    or the bare natural key (``"INV-1001"``, ``("ACME", "8841")``).
    """

    def __init__(self, url_or_engine: str | os.PathLike[str] | Engine, layout: Any = None) -> None:
        self.engine = jobboss_engine(url_or_engine)
        self.layout: JobBossLayout = load_layout(layout)

    def mark_exported(self, entity: str, key: Any) -> bool:
        """Set ``Exported = 'Y'``. True if the row changed, False if it already was.

        Raises :class:`RecordNotFound` if no row has the key.
        """
        table_name = resolve_entity(entity)
        if not self.layout.has(table_name, "Exported"):
            return False  # receivers: tracked in the queue's ID map
        t = self.layout.table(table_name)
        with self.engine.begin() as conn:
            match = self._match(conn, table_name, key)
            done = conn.execute(update(t).where(match, _unexported(t)).values(Exported="Y")).rowcount
            if not done:
                self._require(conn, t, match, table_name, key)
        return bool(done)

    def mark_paid(self, entity: str, key: Any, paid_on: date, status_code: str) -> bool:
        """Mark an AR (``Billing``) or AP (``VendorInv``) invoice paid in full on ``paid_on``.

        Sets ``AmtPaidSoFar = InvoiceTotal``, ``PymtDate = paid_on`` and
        ``PymtStatus = status_code``. True if the row changed.
        """
        table_name, t, needed, values = self._paid_update(entity, paid_on, status_code)
        with self.engine.begin() as conn:
            match = self._match(conn, table_name, key)
            done = conn.execute(update(t).where(match, needed).values(**values)).rowcount
            if not done:
                self._require(conn, t, match, table_name, key)
        return bool(done)

    def _paid_update(self, entity: str, paid_on: date, status_code: str
                     ) -> tuple[str, Table, ColumnElement[bool], dict[str, Any]]:
        """The table, its rows still to mark and the values of a paid-in-full write-back."""
        table_name = resolve_entity(entity)
        if table_name not in PAYABLE:
            raise ValueError(f"{table_name} has no payment columns (only Billing and VendorInv)")
        if len(status_code) != 1:
            raise ValueError("status_code must be one character")
        t = self.layout.table(table_name)
        return (table_name, t, *_paid(t, paid_on, status_code))

    def mark_exported_many(self, entity: str, keys: Iterable[Any]) -> BatchResult:
        """:meth:`mark_exported` for many keys of one table, in one short transaction.

        Only the rows not exported yet are written. Keys naming no row come
        back in :attr:`BatchResult.missing` (the others are still written);
        a malformed key raises ``ValueError`` before anything is written.
        """
        table_name = resolve_entity(entity)
        keys = list(keys)
        if not self.layout.has(table_name, "Exported"):
            return BatchResult(unchanged=keys)  # receivers: tracked in the queue's ID map
        t = self.layout.table(table_name)
        return self._write_many(table_name, keys, _unexported(t), {"Exported": "Y"}, watch=("Exported",))

    def mark_paid_many(self, entity: str, keys: Iterable[Any], paid_on: date,
                       status_code: str) -> BatchResult:
        """:meth:`mark_paid` for many keys of one table, in one short transaction."""
        table_name, _table, needed, values = self._paid_update(entity, paid_on, status_code)
        return self._write_many(table_name, list(keys), needed, values, watch=PAYMENT_COLUMNS)

    def set_begin(self, before: date) -> dict[str, int]:
        """"Set Begin": mark every transaction dated before ``before`` as exported.

        Returns the rows changed per E2 table (already exported rows are not
        counted). Lists are never touched; receivers only if the mapping names
        a ``Receiver.Exported`` column.
        """
        tables = dict(BEGIN_TABLES)
        if self.layout.has("Receiver", "Exported"):
            tables["Receiver"] = "ReceiveDate"
        cutoff = datetime.combine(before, time())
        counts: dict[str, int] = {}
        for table_name, date_col in tables.items():
            t = self.layout.table(table_name)
            if date_col is None:
                counts[table_name] = self._begin_text_dates(t, before)
                continue
            with self.engine.begin() as conn:
                counts[table_name] = conn.execute(
                    update(t).where(t.c[date_col] < cutoff, _unexported(t)).values(Exported="Y")).rowcount
        return counts

    # ------------------------------------------------------------------ helpers

    def _begin_text_dates(self, t: Table, before: date) -> int:
        """Set Begin on ``Attend``, whose date is text: find the rows in Python, update by key."""
        ids = [row_id for row_id, day in self._text_dates(t, _unexported(t))
               if day is not None and day < before]
        changed = 0
        for i in range(0, len(ids), UPDATE_BATCH):
            with self.engine.begin() as conn:
                changed += conn.execute(update(t).where(t.c[ID].in_(ids[i:i + UPDATE_BATCH]),
                                                        _unexported(t)).values(Exported="Y")).rowcount
        return changed

    def _text_dates(self, t: Table, *where: ColumnElement[bool]) -> Iterator[tuple[int, date | None]]:
        last = None
        while True:
            q = select(t.c[ID], t.c.TicketDate).where(*where)
            if last is not None:
                q = q.where(t.c[ID] > last)
            with self.engine.connect() as conn:
                rows = conn.execute(q.order_by(t.c[ID]).limit(5000)).all()
            for row_id, raw in rows:
                yield row_id, v.text_date(raw)
            if len(rows) < 5000:
                return
            last = rows[-1][0]

    def _match(self, conn: Any, table_name: str, key: Any) -> ColumnElement[bool]:
        """The WHERE clause selecting the row ``key`` names."""
        t = self.layout.table(table_name)
        natural = _natural(table_name, key)
        if table_name == "Billing":
            return t.c.InvoiceNo == natural[0]
        if table_name == "DelTicket":
            return t.c.DelTicketNo == natural[0]
        if table_name == "Receiver":
            return t.c.ReceiverNo == natural[0]
        if table_name == "VendorInv":
            return (t.c.VendCode == natural[0]) & (t.c.InvoiceNo == natural[1])
        # Attend: TicketDate is text in an undocumented format; find the row by its parsed date.
        empl, day = int(natural[0]), natural[1]
        day = day if isinstance(day, date) else date.fromisoformat(str(day))
        rows = conn.execute(select(t.c[ID], t.c.TicketDate).where(t.c.EmplCode == empl)).all()
        ids = [row_id for row_id, raw in rows if v.text_date(raw) == day]
        return t.c[ID].in_(ids) if ids else t.c[ID].is_(None)

    def _write_many(self, table_name: str, keys: list[Any], needed: ColumnElement[bool],
                    values: dict[str, Any], watch: Sequence[str] = ()) -> BatchResult:
        """Write ``values`` on the rows of ``keys`` that satisfy ``needed``; report per key
        (with the ``watch`` columns before and after, for the audit trail)."""
        t = self.layout.table(table_name)
        # Malformed keys raise ValueError here, before anything is written.
        naturals = [_canonical(table_name, _natural(table_name, key)) for key in keys]
        result = BatchResult()
        with self.engine.begin() as conn:
            rows = self._rows_of(conn, t, table_name, naturals, needed)
            ids = sorted({row_id for found in rows.values() for row_id, todo in found if todo})
            every = sorted({row_id for found in rows.values() for row_id, _todo in found})
            before = self._watched(conn, t, every, watch)
            for i in range(0, len(ids), UPDATE_BATCH):
                conn.execute(update(t).where(t.c[ID].in_(ids[i:i + UPDATE_BATCH]), needed)
                             .values(**values))
            after = self._watched(conn, t, ids, watch)
        for key, natural in zip(keys, naturals, strict=True):
            found = rows.get(_fold(natural), [])
            bucket = (result.changed if any(todo for _id, todo in found) else
                      result.unchanged if found else result.missing)
            bucket.append(key)
            if watch and found:
                first = found[0][0]
                result.before[key] = before[first]
                result.after[key] = after.get(first, before[first])
        return result

    @staticmethod
    def _watched(conn: Connection, t: Table, ids: Sequence[Any],
                 watch: Sequence[str]) -> dict[Any, dict[str, Any]]:
        """Row id -> the ``watch`` columns of the rows ``ids``."""
        out: dict[Any, dict[str, Any]] = {}
        if not watch:
            return out
        for i in range(0, len(ids), UPDATE_BATCH):
            stmt = select(t.c[ID], *(t.c[c] for c in watch)).where(t.c[ID].in_(ids[i:i + UPDATE_BATCH]))
            for row_id, *found in conn.execute(stmt):
                out[row_id] = dict(zip(watch, found, strict=True))
        return out

    def _rows_of(self, conn: Connection, t: Table, table_name: str,
                 naturals: Sequence[tuple[Any, ...]],
                 needed: ColumnElement[bool]) -> dict[tuple[str, ...], list[tuple[Any, bool]]]:
        """Folded natural key -> ``(identity key, whether it satisfies needed)`` of its rows."""
        out: dict[tuple[str, ...], list[tuple[Any, bool]]] = {}
        unique = list(dict.fromkeys(naturals))
        flag = case((needed, 1), else_=0)
        if table_name == "Attend":
            self._attend_rows(conn, t, unique, flag, out)
            return out
        columns = _KEY_COLUMNS[table_name]
        for i in range(0, len(unique), MATCH_BATCH):
            chunk = unique[i:i + MATCH_BATCH]
            # Each key column IN its values: one statement shape the driver caches, where an OR
            # of (a AND b) per key is compiled afresh. Pairs it matches beyond the keys are dropped.
            wanted = {_fold(n) for n in chunk}
            match = and_(*(t.c[c].in_(sorted({n[k] for n in chunk}))
                           for k, c in enumerate(columns)))
            stmt = select(t.c[ID], flag, *(t.c[c] for c in columns)).where(match)
            for row_id, todo, *values in conn.execute(stmt):
                folded = _fold(tuple(values))
                if folded in wanted:
                    out.setdefault(folded, []).append((row_id, bool(todo)))
        return out

    @staticmethod
    def _attend_rows(conn: Connection, t: Table, naturals: list[tuple[Any, ...]],
                     flag: ColumnElement[int],
                     out: dict[tuple[str, ...], list[tuple[Any, bool]]]) -> None:
        """Attendance rows: TicketDate is text, so the day is matched in Python (see ``_match``)."""
        wanted = set(naturals)
        employees = sorted({empl for empl, _day in wanted})
        for i in range(0, len(employees), UPDATE_BATCH):
            stmt = select(t.c[ID], flag, t.c.EmplCode, t.c.TicketDate).where(
                t.c.EmplCode.in_(employees[i:i + UPDATE_BATCH]))
            for row_id, todo, empl, raw in conn.execute(stmt):
                day = v.text_date(raw)
                if (int(empl), day) in wanted:
                    out.setdefault(_fold((int(empl), day)), []).append((row_id, bool(todo)))

    @staticmethod
    def _require(conn: Any, t: Table, match: ColumnElement[bool], table_name: str, key: Any) -> None:
        if not conn.execute(select(func.count()).select_from(t).where(match)).scalar():
            raise RecordNotFound(f"{table_name}: no row for {key!r}")


#: The natural key columns of each table matched by key (``Attend`` is matched apart).
_KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "Billing": ("InvoiceNo",), "DelTicket": ("DelTicketNo",), "Receiver": ("ReceiverNo",),
    "VendorInv": ("VendCode", "InvoiceNo"),
}


def _canonical(table_name: str, natural: tuple[Any, ...]) -> tuple[Any, ...]:
    """Attendance keys as (employee number, date); other keys as they are."""
    if table_name != "Attend":
        return natural
    empl, day = natural
    return int(empl), day if isinstance(day, date) else date.fromisoformat(str(day))


def _fold(natural: tuple[Any, ...]) -> tuple[str, ...]:
    """A natural key as the database compares it (SQL Server: any case, trailing blanks ignored)."""
    out = []
    for value in natural:
        if isinstance(value, date) and not isinstance(value, datetime):
            out.append(value.isoformat())
        else:
            out.append(str(value).rstrip().casefold())
    return tuple(out)


def _paid(t: Table, paid_on: date, status_code: str) -> tuple[ColumnElement[bool], dict[str, Any]]:
    """(rows that still need it, values) for marking an invoice paid in full on ``paid_on``.

    A NULL ``InvoiceTotal`` counts as 0: writing NULL into ``AmtPaidSoFar``
    would erase what was there and never compare equal, so the row would be
    written again on every retry.

    Only invoices not paid yet are written: one JobBOSS2 already holds as paid in full
    (``AmtPaidSoFar`` reaching ``InvoiceTotal``, either sign) keeps its real ``PymtDate``,
    ``AmtPaidSoFar`` and ``PymtStatus``, unless it owes nothing and has neither a payment date
    nor the status. Once written, a row is paid, so a retry writes nothing.
    """
    paid_at = datetime.combine(paid_on, time())
    total = func.coalesce(t.c.InvoiceTotal, 0.0)
    paid = t.c.AmtPaidSoFar
    owing = or_(paid.is_(None), and_(total >= 0, paid < total), and_(total < 0, paid > total))
    # Nothing owed (a zero total) and no payment date: only the status is written, once.
    unmarked = and_(t.c.PymtDate.is_(None),
                    or_(t.c.PymtStatus.is_(None), t.c.PymtStatus != status_code))
    needed = or_(owing, unmarked)
    return needed, {"AmtPaidSoFar": total, "PymtDate": paid_at, "PymtStatus": status_code}


#: The payment columns a paid write-back reports before and after (with the total it pays).
PAYMENT_COLUMNS = ("AmtPaidSoFar", "PymtDate", "PymtStatus", "InvoiceTotal")


def _unexported(t: Table) -> ColumnElement[bool]:
    return or_(t.c.Exported.is_(None), t.c.Exported.not_in(["Y", "y"]))


def _natural(table_name: str, key: Any) -> tuple[Any, ...]:
    """A key (record, record key, bare key or tuple) -> the natural key values."""
    key = getattr(key, "key", key)
    if isinstance(key, tuple):
        return key
    key = str(key)
    if ":" in key:
        try:
            prefix, rest = split_key(key)
        except ValueError:
            prefix, rest = "", key
        if prefix:
            if prefix != table_name:
                raise ValueError(f"key {key!r} does not name a {table_name} row")
            key = rest
    if table_name in ("VendorInv", "Attend"):
        first, sep, second = key.partition("/")
        if not sep:
            raise ValueError(f"{table_name} key must be 'code/number': {key!r}")
        return first, second
    return (key,)
