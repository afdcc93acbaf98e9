"""The demo's purchases: AP invoices with their account lines, and PO receipts."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from qbwc_service.simulator.demo_db.data import EXPENSE_ACCTS, HARD_CASES
from qbwc_service.simulator.demo_db.writer import ts

if TYPE_CHECKING:
    from qbwc_service.simulator.demo_db.generator import Generator


def vendor_invoices(g: Generator) -> None:
    r, w = g.rng("ap"), g.w
    n = 300 * g.scale
    days = sorted(g.anchor - timedelta(days=r.randint(0, 182)) for _ in range(n))
    cols = (
        "VendCode InvoiceNo VendDesc InvDate ReceiverNo TermsCode NetDueDate DiscDate InvoiceTotal "
        "AmtPaidSoFar APAcct FreightAcct ShippingChgs SalesTaxCode SalesTaxChgs SalesTaxAcct PymtStatus "
        "PymtDate CheckNo HoldPymt Notes Exported LastModDate"
    )
    det_cols = "VendCode InvoiceNo GLAcct Amount TaxStatus LastModDate"
    shared = HARD_CASES["shared_vendor_invoice_no"]
    seen: set[tuple[str, str]] = set()
    for i, day in enumerate(days):
        code, name, terms = r.choice(g.vendors)
        inv_no = str(r.randint(10000, 999999)) + ("" if r.random() < 0.8 else f"-{r.randint(1, 9)}")
        if i < 2:  # the same invoice number from two vendors
            code, name, terms = next(v for v in g.vendors if v[0] == ("STEELCO", "FASTEN")[i])
            inv_no = shared
        if (code, inv_no) in seen:
            inv_no = f"{inv_no}-{i}"
        seen.add((code, inv_no))
        amounts = [round(r.uniform(15, 2500), 2) for _ in range(r.randint(1, 4))]
        if r.random() < 0.03:
            amounts.append(-round(r.uniform(5, 50), 2))  # a returned-goods credit line
        shipping = 0.0 if r.random() < 0.6 else round(r.uniform(10, 120), 2)
        total = round(sum(amounts) + shipping, 2)
        paid = (g.anchor - day).days > 40 and r.random() < 0.75
        stamp = g.stamp(r, day)
        w.add(
            "VendorInv",
            cols,
            (code, inv_no, name[:30], ts(day), None, terms, ts(day + timedelta(days=30)), None, total,
             total if paid else 0.0, "2000", "6600", shipping, None, 0.0, None, "P" if paid else "O",
             ts(day + timedelta(days=30)) if paid else None, f"{5000 + i}" if paid else None, "N",
             r.choice([None, None, None, "Tooling for job 200451 & 200452", "Qté livrée: 12 — OK"]),
             g.exported(r, day, 45), stamp),
        )
        w.many(
            "VendorInvDet",
            det_cols,
            (
                (code, inv_no, r.choice(EXPENSE_ACCTS) if r.random() > 0.02 else None, amt, "N", stamp)
                for amt in amounts
            ),
        )


def receivers(g: Generator) -> None:
    r, w = g.rng("receivers"), g.w
    n = 300 * g.scale
    days = sorted(g.anchor - timedelta(days=r.randint(0, 120)) for _ in range(n))
    cols = "ReceiverNo PONum VendCode PackingSlipNo ReceiveDate Status ShippingChgs Billed LastModDate"
    det_cols = (
        "ReceiverNo PONum PartNo PartDesc JobNo StepNo Qty2Receive Qty2Stock Qty2Reject Qty2Cancel "
        "Unit LastModDate"
    )
    po_cols = (
        "PONum ItemNo VendCode PartNo PartDesc JobNo QtyOrdered UnitCost GLCode Unit DueDate LastModDate"
    )
    for i, day in enumerate(days):
        code = r.choice(g.vendors)[0]
        po_num, rec_no = f"P{400001 + i}", f"R{500001 + i}"
        stamp = g.stamp(r, day)
        po_lines = []
        for item in range(1, r.randint(1, 5) + 1):
            part_no, desc, *_ = r.choice(g.parts)
            if any(p[0] == part_no for p in po_lines):
                continue
            qty = float(r.choice([10, 20, 50, 100, 250]))
            cost = round(r.uniform(0.5, 300), 4)
            po_lines.append((part_no, desc, qty, cost, item))
            w.add(
                "PODet",
                po_cols,
                (po_num, item, code, part_no, desc, r.choice([None, f"{200001 + i}-1"]), qty, cost,
                 r.choice(["1200", "5000", "5200"]), "EA", ts(day + timedelta(days=7)), stamp),
            )
        w.add(
            "Receiver",
            cols,
            (rec_no, po_num, code, r.choice([None, f"PS-{r.randint(10000, 99999)}"]), ts(day), "C",
             0.0 if r.random() < 0.7 else round(r.uniform(10, 90), 2),
             "Y" if (g.anchor - day).days > 30 and r.random() < 0.8 else "N", stamp),
        )
        for part_no, desc, qty, _cost, _item in po_lines:
            got = qty if r.random() < 0.8 else float(r.randint(1, int(qty)))
            w.add(
                "ReceiverDet",
                det_cols,
                (rec_no, po_num, part_no, desc, None, None, got, got, 0.0, 0.0, "EA", stamp),
            )
        if r.random() < 0.03:  # a part received that is on no PO line: no cost to find
            part_no, desc, *_ = r.choice(g.parts)
            if all(p[0] != part_no for p in po_lines):
                w.add(
                    "ReceiverDet",
                    det_cols,
                    (rec_no, po_num, part_no, desc, None, None, 1.0, 1.0, 0.0, 0.0, "EA", stamp),
                )
