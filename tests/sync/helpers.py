"""Assertions over the stand-in's final state and the queue (not a test module)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from qbwc_service.jobboss.reader import TxnFilter
from qbwc_service.qbxml.text import clean
from qbwc_service.queue.models import Job, NameMapEntry
from qbwc_service.simulator.quickbooks import QuickBooksCompany


def qb_records(qb: QuickBooksCompany, ret: str) -> list[dict[str, Any]]:
    return [rec for _r, rec in qb.state.all((ret,))]


def ref_counts(qb: QuickBooksCompany, ret: str) -> Counter[str]:
    return Counter(rec.get("RefNumber", "") for rec in qb_records(qb, ret))


def jobs(world: Any, kind: str | None = None) -> list[Job]:
    with world.sessions() as db:
        stmt = select(Job).order_by(Job.id)
        if kind:
            stmt = stmt.where(Job.kind == kind)
        return list(db.scalars(stmt))


def name_map(world: Any, kind: str) -> dict[str, str]:
    """JobBOSS2 key -> the QuickBooks name the name map gives it, for one kind."""
    with world.sessions() as db:
        return dict(db.execute(select(NameMapEntry.source_key, NameMapEntry.qb_name).where(
            NameMapEntry.kind == kind)).all())


def failed_keys(world: Any, kind: str) -> dict[str, str]:
    """Record key -> reason, for transactions that failed or wait blocked."""
    return {f"{j.source_table}:{j.source_key}": j.error_message or j.blocked_reason
            for j in jobs(world, kind) if j.status in ("error", "blocked")}


def line_total(rec: dict[str, Any], lines_key: str) -> Decimal:
    lines = rec.get(lines_key) or []
    if isinstance(lines, dict):
        lines = [lines]
    return sum((Decimal(line.get("Amount", "0")) for line in lines), Decimal("0"))


def assert_invoices_synced(world: Any, expected: list[Any]) -> int:
    """Every expected JobBOSS2 invoice is in QuickBooks exactly once with the right customer,
    lines and total, and flagged exported; or it failed with a reason and stayed unexported."""
    qb = world.quickbooks
    by_ref: dict[str, list[dict[str, Any]]] = {}
    for rec in qb_records(qb, "InvoiceRet"):
        by_ref.setdefault(rec["RefNumber"], []).append(rec)
    failed = failed_keys(world, "invoice.add")
    flags = {inv.key: inv.exported for inv in _all_invoices(world, expected)}
    # A customer or invoice number too long for QuickBooks goes under its name map entry.
    customers = {c.cust_code: clean(c.qb_name) for c in world.reader.customers()}
    customers.update(name_map(world, "customer"))
    numbers = name_map(world, "invoice")
    created = 0
    for inv in expected:
        if inv.key in failed:
            assert failed[inv.key], inv.key
            assert numbers.get(inv.invoice_no, inv.invoice_no) not in by_ref, \
                f"{inv.key} failed yet is in QuickBooks"
            assert not flags[inv.key], f"{inv.key} failed yet is flagged exported"
            continue
        found = by_ref.get(numbers.get(inv.invoice_no, inv.invoice_no), [])
        assert len(found) == 1, f"{inv.key}: {len(found)} copies in QuickBooks"
        rec = found[0]
        assert rec["CustomerRef"]["FullName"].casefold() == clean(customers[inv.cust_code]).casefold()
        # JobBOSS2's tax is a line of its own (on the tax code's item), after the charges.
        charges = [c for c in (inv.shipping_charges, inv.freight_charges, inv.sales_tax) if c]
        lines = rec.get("InvoiceLineRet") or []
        assert len(lines) == len(inv.lines) + len(charges), inv.key
        expected_total = sum((line.amount for line in inv.lines), Decimal("0")) + sum(charges, Decimal(0))
        assert line_total(rec, "InvoiceLineRet") == expected_total.quantize(Decimal("0.01"))
        assert Decimal(rec["Subtotal"]) == expected_total.quantize(Decimal("0.01"))
        # QuickBooks' total is JobBOSS2's InvoiceTotal to the cent: the header tax item is 0 %.
        assert Decimal(rec["Subtotal"]) + Decimal(rec["SalesTaxTotal"]) == inv.total, inv.key
        if inv.sales_tax:
            assert Decimal(lines[-1]["Amount"]) == inv.sales_tax, inv.key
        assert flags[inv.key], f"{inv.key} is in QuickBooks but not flagged exported"
        created += 1
    return created


def _all_invoices(world: Any, expected: list[Any]) -> list[Any]:
    source = expected[0].source if expected else "billing"
    read = world.reader.ar_invoices if source == "billing" else world.reader.packing_list_invoices
    return list(read(TxnFilter(only_unexported=False)))
