"""Records as plain data, and the reading of request aggregates into them.

A record is the JSON-friendly form of a ``…Ret``: a dict from element name to
a string (leaf), a dict (aggregate) or a list of those (repeated element).
Keys starting with ``_`` are bookkeeping and never written out.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

Record = dict[str, Any]

#: Elements that may repeat inside the aggregates the stand-in reads; always kept as lists.
REPEATED = frozenset({
    "InvoiceLineAdd", "InvoiceLineGroupAdd", "CreditMemoLineAdd", "CreditMemoLineGroupAdd",
    "CreditMemoLineRet", "ExpenseLineAdd", "ItemLineAdd", "ItemGroupLineAdd",
    "InvoiceLineRet", "ExpenseLineRet", "ItemLineRet", "PrefillAccountRef", "Earnings",
    "ShipToAddress", "DataExt", "LinkToTxnID", "SetCredit", "AdditionalContactRef", "Contacts",
    "InvoiceLineMod", "CreditMemoLineMod", "ExpenseLineMod", "ItemLineMod",
})


def element_to_record(element: etree._Element) -> Record:
    """Read an aggregate into a record (text of leaves kept verbatim)."""
    record: Record = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        value: Any = element_to_record(child) if len(child) else (child.text or "")
        if child.tag in REPEATED:
            record.setdefault(child.tag, []).append(value)
        elif child.tag in record:
            existing = record[child.tag]
            record[child.tag] = (existing if isinstance(existing, list) else [existing]) + [value]
        else:
            record[child.tag] = value
    return record


def texts(element: etree._Element, tag: str) -> list[str]:
    """Text of every direct child named *tag*."""
    return [(c.text or "") for c in element if c.tag == tag]


def text(element: etree._Element | None, tag: str, default: str = "") -> str:
    if element is None:
        return default
    found = element.find(tag)
    return default if found is None else (found.text or "")
