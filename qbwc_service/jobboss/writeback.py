"""Write back to JobBOSS2: exported flags, paid invoices, and "Set Begin".

Every write is one short transaction on one row (or, for Set Begin, one
statement per table), touches only the columns named below, and is
idempotent: writing what is already there changes nothing and returns
``False`` (or a count of 0).

Columns written, and nothing else:

* :meth:`JobBossWriter.mark_exported`: ``Exported = 'Y'``;
* :meth:`JobBossWriter.mark_paid`: ``AmtPaidSoFar = InvoiceTotal``, ``PymtDate``,
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
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import ColumnElement, Engine, Table, func, or_, select, update

from qbwc_service.jobboss import values as v
from qbwc_service.jobboss.connect import jobboss_engine
from qbwc_service.jobboss.mapping import ID, JobBossMapping, load_mapping
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

    def __init__(self, url_or_engine: str | os.PathLike[str] | Engine, mapping: Any = None) -> None:
        self.engine = jobboss_engine(url_or_engine)
        self.mapping: JobBossMapping = load_mapping(mapping)

    def mark_exported(self, entity: str, key: Any) -> bool:
        """Set ``Exported = 'Y'``. True if the row changed, False if it already was.

        Raises :class:`RecordNotFound` if no row has the key.
        """
        table_name = resolve_entity(entity)
        if not self.mapping.has(table_name, "Exported"):
            return False  # receivers: tracked in the queue's ID map
        t = self.mapping.table(table_name)
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
        table_name = resolve_entity(entity)
        if table_name not in PAYABLE:
            raise ValueError(f"{table_name} has no payment columns (only Billing and VendorInv)")
        if len(status_code) != 1:
            raise ValueError("status_code must be one character")
        t = self.mapping.table(table_name)
        paid_at = datetime.combine(paid_on, time())
        already = (t.c.AmtPaidSoFar == t.c.InvoiceTotal) & (t.c.PymtDate == paid_at) & \
            (t.c.PymtStatus == status_code)
        with self.engine.begin() as conn:
            match = self._match(conn, table_name, key)
            stmt = (update(t).where(match, or_(~already, t.c.AmtPaidSoFar.is_(None),
                                                t.c.PymtDate.is_(None), t.c.PymtStatus.is_(None)))
                    .values(AmtPaidSoFar=t.c.InvoiceTotal, PymtDate=paid_at, PymtStatus=status_code))
            done = conn.execute(stmt).rowcount
            if not done:
                self._require(conn, t, match, table_name, key)
        return bool(done)

    def set_begin(self, before: date) -> dict[str, int]:
        """"Set Begin": mark every transaction dated before ``before`` as exported.

        Returns the rows changed per E2 table (already exported rows are not
        counted). Lists are never touched; receivers only if the mapping names
        a ``Receiver.Exported`` column.
        """
        tables = dict(BEGIN_TABLES)
        if self.mapping.has("Receiver", "Exported"):
            tables["Receiver"] = "ReceiveDate"
        cutoff = datetime.combine(before, time())
        counts: dict[str, int] = {}
        for table_name, date_col in tables.items():
            t = self.mapping.table(table_name)
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
        t = self.mapping.table(table_name)
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

    @staticmethod
    def _require(conn: Any, t: Table, match: ColumnElement[bool], table_name: str, key: Any) -> None:
        if not conn.execute(select(func.count()).select_from(t).where(match)).scalar():
            raise RecordNotFound(f"{table_name}: no row for {key!r}")


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
