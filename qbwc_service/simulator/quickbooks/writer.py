"""Writing qbXML responses with lxml, in the schema's element order."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lxml import etree

from qbwc_service.simulator.quickbooks.errors import Status
from qbwc_service.simulator.quickbooks.records import Record
from qbwc_service.simulator.quickbooks.schema_order import index

XML_DECLARATION = '<?xml version="1.0" ?>\n'


def ret_element(name: str, record: Record, include: Iterable[str] | None = None) -> etree._Element:
    """The ``…Ret`` element *name* for *record*; *include* limits the top-level children."""
    decl = index().global_decl(name)
    element = etree.Element(name)
    wanted = set(include) if include else None
    _fill(element, decl, record, wanted)
    return element


def _fill(parent: etree._Element, decl: etree._Element, record: Record,
          wanted: set[str] | None = None) -> None:
    for child in index().children(decl):
        if child.name not in record or (wanted is not None and child.name not in wanted):
            continue
        value = record[child.name]
        for item in value if isinstance(value, list) else [value]:
            _append(parent, child.name, child.node, item)


def _append(parent: etree._Element, name: str, decl: etree._Element | None, value: Any) -> None:
    element = etree.SubElement(parent, name)
    if isinstance(value, dict):
        if decl is not None:
            _fill(element, decl, value)
    else:
        element.text = str(value)


def rs_element(request: etree._Element, rs_name: str, status: Status,
               rets: Iterable[etree._Element] = (), **attributes: str | int) -> etree._Element:
    """A ``…Rs`` answering *request*: requestID echoed, status set, Rets appended."""
    rs = etree.Element(rs_name)
    if request.get("requestID") is not None:
        rs.set("requestID", request.get("requestID"))
    rs.set("statusCode", str(status.code))
    rs.set("statusSeverity", status.severity)
    rs.set("statusMessage", status.message)
    for key, value in attributes.items():
        rs.set(key, str(value))
    for ret in rets:
        rs.append(ret)
    return rs


def message(responses: Iterable[etree._Element], **attributes: str) -> str:
    """A whole response document, ``<?xml version="1.0" ?>`` then ``QBXML/QBXMLMsgsRs``."""
    root = etree.Element("QBXML")
    msgs = etree.SubElement(root, "QBXMLMsgsRs")
    for key, value in attributes.items():
        msgs.set(key, value)
    for rs in responses:
        msgs.append(rs)
    # ASCII output: anything beyond it travels as a character reference, like QuickBooks' own.
    body = etree.tostring(root, encoding="ascii", pretty_print=True).decode("ascii")
    return XML_DECLARATION + body
