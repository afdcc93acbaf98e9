"""Microseconds per qbXML build, response parse and XSD validation.

Run: ``.venv/bin/python bench/qbxml_bench.py [repeats]``
"""

from __future__ import annotations

import sys
import timeit
from datetime import date
from decimal import Decimal

from qbwc_service.qbxml import requests as rq
from qbwc_service.qbxml.message import build_message
from qbwc_service.qbxml.parse import parse_response
from qbwc_service.qbxml.validate import _compiled, schema, validate

INVOICE = rq.InvoiceAdd(
    customer=rq.Ref.named("Acme Widgets:Job 1001"),
    txn_date=date(2024, 3, 1),
    ref_number="1001",
    bill_address=rq.Address(
        addr1="Acme Widgets Inc", addr2="100 Main St", city="Springfield", state="IL", postal_code="62701"
    ),
    po_number="PO-5566",
    terms=rq.Ref.named("Net 30"),
    memo="Job 1001 - Café order",
    external_guid="{3F2504E0-4F89-11D3-9A0C-0305E82C3301}",
    lines=tuple(
        rq.InvoiceLine(
            item=rq.Ref.named(f"PART-{n}"),
            desc=f"Machined part {n}, 6061-T6",
            quantity=Decimal(n),
            rate=Decimal("12.75"),
            amount=Decimal("12.75") * n,
            sales_tax_code=rq.Ref.named("Tax"),
        )
        for n in range(1, 11)
    ),
)

RESPONSE = """<?xml version="1.0" ?><QBXML><QBXMLMsgsRs>
<InvoiceAddRs requestID="1" statusCode="0" statusSeverity="Info" statusMessage="Status OK"><InvoiceRet>
<TxnID>1A2-1709251205</TxnID><TimeCreated>2024-03-01T09:00:05-06:00</TimeCreated>
<TimeModified>2024-03-01T09:00:05-06:00</TimeModified><EditSequence>1709251205</EditSequence>
<TxnNumber>17</TxnNumber><CustomerRef><ListID>80000001-1709251200</ListID><FullName>Acme</FullName></CustomerRef>
<TxnDate>2024-03-01</TxnDate><RefNumber>1001</RefNumber><IsPending>false</IsPending>
<IsFinanceCharge>false</IsFinanceCharge><Subtotal>701.25</Subtotal><SalesTaxPercentage>0.00</SalesTaxPercentage>
<SalesTaxTotal>0.00</SalesTaxTotal><AppliedAmount>0.00</AppliedAmount><BalanceRemaining>701.25</BalanceRemaining>
<IsPaid>false</IsPaid></InvoiceRet></InvoiceAddRs></QBXMLMsgsRs></QBXML>"""


def per_call_us(func, repeats: int) -> float:
    func()
    return min(timeit.repeat(func, number=repeats, repeat=5)) / repeats * 1e6


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    message = build_message([("1", INVOICE)]).xml
    # Compiled afresh, not the cached schema.
    load = timeit.timeit(lambda: _compiled.__wrapped__("13.0"), number=1) * 1e3
    schema("13.0")
    message16 = build_message([("1", INVOICE)], version="16.0").xml
    schema("16.0")
    build_us = per_call_us(lambda: build_message([("1", INVOICE)]), repeats)
    bare_us = per_call_us(lambda: build_message([("1", INVOICE)], check_schema=False), repeats)
    print(f"build InvoiceAdd, 10 lines : {build_us:9.1f} us  (the service's path: XSD check included)")
    print(f"  of which building alone  : {bare_us:9.1f} us  ({len(message)} bytes)")
    print(f"parse InvoiceAddRs        : {per_call_us(lambda: parse_response(RESPONSE), repeats):9.1f} us")
    validate_us = per_call_us(lambda: validate(message), repeats)
    print(f"validate (13.0 XSD)       : {validate_us:9.1f} us  (parse + check)")
    print(f"validate (16.0 XSD)       : {per_call_us(lambda: validate(message16), repeats):9.1f} us")
    print(f"schema load (once/process): {load:9.1f} ms")


if __name__ == "__main__":
    main()
