"""Hand-built qbXML requests for the simulator tests (lxml, not the service's builders)."""

from __future__ import annotations

from lxml import etree

from qbwc_service import xmlsafe


def el(tag: str, *children: etree._Element | str, **attrs: str) -> etree._Element:
    """An element; string children become its text."""
    node = etree.Element(tag, **attrs)
    for child in children:
        if isinstance(child, str):
            node.text = child
        else:
            node.append(child)
    return node


def ref(tag: str, full_name: str | None = None, list_id: str | None = None) -> etree._Element:
    return el(tag, el("ListID", list_id)) if list_id else el(tag, el("FullName", full_name))


def message(*requests: etree._Element, version: str = "13.0", on_error: str = "stopOnError") -> str:
    root = el("QBXML", el("QBXMLMsgsRq", *requests, onError=on_error))
    body = etree.tostring(root, encoding="ascii").decode("ascii")
    return f'<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="{version}"?>\n{body}'


def customer_add(name: str, request_id: str = "1", *extra: etree._Element) -> etree._Element:
    return el("CustomerAddRq", el("CustomerAdd", el("Name", name), *extra), requestID=request_id)


def responses(response_xml: str) -> list[etree._Element]:
    return list(xmlsafe.parse(response_xml).find("QBXMLMsgsRs"))


def status(rs: etree._Element) -> int:
    return int(rs.get("statusCode"))
