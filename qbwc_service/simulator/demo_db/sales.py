"""The demo's sales: 1,000 customer orders per unit of scale over six months, each with its
packing list and (but for the last few days') its Customer Billing invoice.

Every draw from the area's random stream happens in a fixed order, so a seed
always gives the same database.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, NamedTuple

from qbwc_service.simulator.demo_db.data import SHIP_VIA, TAX_CODES, TERMS
from qbwc_service.simulator.demo_db.writer import ts

if TYPE_CHECKING:
    from qbwc_service.simulator.demo_db.generator import Generator, Part

ORDER_COLS = "OrderNo CustCode CustDesc PONum DateEnt TermsCode Status LastModDate"
ORDER_LINE_COLS = "OrderNo ItemNo JobNo PartNo PartDesc QtyOrdered UnitPrice Unit DueDate Status LastModDate"
PACKING_COLS = (
    "DelTicketNo OrderNo CustCode CustPONum ShipDate Status ShippingChgs FreightCharge HandlingChg "
    "ShipToName ShipAddr1 ShipAddr2 ShipCity ShipSt ShipZIP Country ShipVia Exported LastModDate"
)
PACKING_LINE_COLS = (
    "DelTicketNo DTItemNo JobNo PartNo PartDesc Qty2Ship Qty2Stock QtyFromStock Unit CustPONum "
    "IsTaxable LastModDate"
)
INVOICE_COLS = (
    "InvoiceNo CustCode CustDesc InvDate TermsCode TaxCode SalesTaxChgs ShippingChgs FreightAcct "
    "ARAcct TaxAcct InvoiceTotal AmtPaidSoFar PymtStatus PymtDate NetDueDate DelTicketNo "
    "ShipToName SAddr1 SAddr2 SCity SSt SZip Country ShipVia SalesID CurrencyCode ExchRate Notes "
    "InvPosted Exported LastModDate"
)
INVOICE_LINE_COLS = (
    "InvoiceNo InvItemNo PartNo PartDesc JobNo QtyOrd QtyShipped QtyCancel Unit UnitPrice "
    "LineTotal SalesAcct TaxStatus IsTaxable PONum DelTicketNo DelTicketDate LastModDate"
)
TAX_RATES = {code: factor for code, _desc, factor, _acct in TAX_CODES}
NET_DAYS = {code: net for code, _desc, _pct, _disc, net in TERMS}
NOTES = [None] * 8 + ["Rush order & expedite", 'Per "Rev C" drawing\r\nCert required',
                      "Remise 5 % — accordée"]


class Line(NamedTuple):
    item: int
    part_no: str
    desc: str
    qty: int
    unit_price: float
    total: float
    acct: str
    taxable: bool
    job: str | None
    price: float | None  # the part's list price (None: it has none)


@dataclass(frozen=True)
class Sale:
    """One order as drawn: its customer, dates, lines and totals."""

    day: date
    code: str
    name: str
    terms: str | None
    tax: str | None
    inv_no: str
    order_no: str
    dt_no: str
    po: str | None
    credit: bool
    stock_only: bool  # shipped from stock: no job, no order line
    when: datetime
    stamp: str | None
    lines: list[Line]
    shipping: float
    sales_tax: float
    total: float
    exported: str | None
    paid: bool
    due: date
    ship: tuple[str | None, ...]
    via: str | None
    notes: str | None


def write(g: Generator) -> None:
    r = g.rng("ar")
    n = 1000 * g.scale
    days = sorted(g.anchor - timedelta(days=r.randint(0, 182)) for _ in range(n))
    priced_parts = [p for p in g.parts if p[3] is not None]
    # Packing lists of the last days not billed yet: extra to the n invoices.
    extra = [g.anchor - timedelta(days=r.randint(0, 3)) for _ in range(max(5, n // 100))]
    entries = sorted([(d, True) for d in days] + [(d, False) for d in extra], key=lambda e: e[0])
    billed_no = 0
    for i, (day, billed) in enumerate(entries):
        sale = _draw(g, r, day, i, billed_no, priced_parts)
        billed_no += billed
        # Order and packing list come first; the most recent packing lists are not billed yet.
        _order(g, r, sale)
        ship_day = _packing_list(g, r, sale)
        if billed:
            _invoice(g, r, sale, ship_day)


def _customer(g: Generator, r: random.Random) -> tuple[str, str, str | None, str | None]:
    """A few customers buy most: a Pareto pick most of the time."""
    if r.random() < 0.7:
        return g.customers[min(int(r.paretovariate(1.2)) - 1, len(g.customers) - 1)]
    return r.choice(g.customers)


def _draw(g: Generator, r: random.Random, day: date, i: int, inv_number: int,
          priced_parts: list[Part]) -> Sale:
    code, name, terms, tax = _customer(g, r)
    order_no = f"{200001 + i}"
    po = None if r.random() < 0.15 else f"PO {r.randint(1000, 99999)}"
    credit = r.random() < 0.01
    stock_only = r.random() < 0.05
    when = datetime.combine(day, time(r.randint(7, 16), r.randint(0, 59)))
    stamp = g.stamp(r, when)
    if (g.anchor - day).days > 60 and r.random() < 0.02:
        stamp = g.stamp(r, g.anchor - timedelta(days=r.randint(0, 5)))  # edited lately
    lines = _lines(g, r, order_no, credit, stock_only, priced_parts)
    taxable_total = sum((ln.total for ln in lines if ln.taxable), 0.0)
    shipping = 0.0 if credit or r.random() < 0.5 else round(r.uniform(8, 150), 2)
    sales_tax = round(taxable_total * TAX_RATES.get(tax or "", 0.0), 2)
    total = round(sum(ln.total for ln in lines) + shipping + sales_tax, 2)
    exported = g.exported(r, day, 60)
    paid = (g.anchor - day).days > 45 and r.random() < 0.8 and not credit
    a = g.address(r)
    no_ship = code == "BARE" or r.random() < 0.05
    ship = ((None,) * 7 if no_ship
            else (name[:30], a["Addr1"], a["Addr2"], a["City"], a["State"], a["Zip"], a["Country"]))
    return Sale(day=day, code=code, name=name, terms=terms, tax=tax, inv_no=f"INV-{100001 + inv_number}",
                order_no=order_no, dt_no=f"DT{300001 + i}", po=po, credit=credit,
                stock_only=stock_only, when=when, stamp=stamp, lines=lines, shipping=shipping,
                sales_tax=sales_tax, total=total, exported=exported, paid=paid,
                due=day + timedelta(days=NET_DAYS.get(terms or "", 30)), ship=ship,
                via=r.choice(SHIP_VIA), notes=r.choice(NOTES))


def _lines(g: Generator, r: random.Random, order_no: str, credit: bool, stock_only: bool,
           priced_parts: list[Part]) -> list[Line]:
    lines = []
    for item in range(1, r.randint(1, 10) + 1):
        part_no, desc, acct, price, taxable = r.choice(priced_parts if r.random() < 0.97 else g.parts)
        qty = r.choice([1, 2, 5, 10, 25, 50, 100, 4, 8, 12])
        if r.random() < 0.02:
            qty = 0
        if credit:
            qty = -qty
        unit_price = price if price is not None else round(r.uniform(20, 200), 2)
        unit_price = round(unit_price * r.uniform(0.95, 1.1), 2)
        job = None if stock_only else f"{order_no}-{item}"
        lines.append(Line(item, part_no, desc, qty, unit_price, round(qty * unit_price, 2), acct,
                          taxable, job, price))
    return lines


def _order(g: Generator, r: random.Random, s: Sale) -> None:
    g.w.add("Orders", ORDER_COLS, (s.order_no, s.code, s.name[:30], s.po,
                                   ts(s.day - timedelta(days=r.randint(5, 40))), s.terms, "C", s.stamp))
    if not s.stock_only:
        g.w.many("OrderDet", ORDER_LINE_COLS, (
            (s.order_no, ln.item, ln.job, ln.part_no, ln.desc, ln.qty, ln.unit_price, "EA", ts(s.day),
             "C", s.stamp) for ln in s.lines))


def _packing_list(g: Generator, r: random.Random, s: Sale) -> date:
    """The packing list of the order; returns its ship day."""
    ship_day = s.day - timedelta(days=r.choice([0, 0, 0, 1, 2]))
    handling = 0.0 if r.random() < 0.9 else 15.0
    g.w.add("DelTicket", PACKING_COLS, (
        s.dt_no, s.order_no, s.code, s.po, ts(ship_day), "S", s.shipping, 0.0, handling, *s.ship,
        s.via, g.exported(r, ship_day, 60), s.stamp))
    g.w.many("DelTicketDet", PACKING_LINE_COLS, (
        (s.dt_no, ln.item, ln.job, ln.part_no, ln.desc, ln.qty, 0, ln.qty if s.stock_only else 0,
         "EA", s.po, int(ln.taxable) if r.random() < 0.9 else None, s.stamp) for ln in s.lines))
    return ship_day


def _invoice(g: Generator, r: random.Random, s: Sale, ship_day: date) -> None:
    paid_on = ts(s.day + timedelta(days=r.randint(10, 40))) if s.paid else None
    g.w.add("Billing", INVOICE_COLS, (
        s.inv_no, s.code, s.name[:30], ts(s.when), s.terms, s.tax, s.sales_tax, s.shipping, "4100",
        "1100", "2100", s.total, s.total if s.paid else 0.0, "P" if s.paid else "O", paid_on,
        ts(s.due), s.dt_no, *s.ship, s.via, r.choice(["JD", "MK", None]), "USD", 1.0, s.notes, "Y",
        s.exported, s.stamp))
    g.w.many("BillingDet", INVOICE_LINE_COLS, (
        (s.inv_no, ln.item, ln.part_no, ln.desc, ln.job, ln.qty, ln.qty, 0, "EA", ln.unit_price,
         ln.total, ln.acct, "Y" if ln.taxable else "N", int(ln.taxable) if r.random() < 0.95 else None,
         s.po, s.dt_no, ts(ship_day), s.stamp) for ln in s.lines))
