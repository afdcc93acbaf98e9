"""The floor of a one-request-per-round-trip QBWC server: a bare lxml WSGI app.

No queue, no database, no SOAP library: it parses each body with lxml,
answers every Web Connector callback with the least the protocol allows, and
hands out one CustomerAdd per sendRequestXML (a new name each time, so the
QuickBooks stand-in adds a customer instead of refusing a duplicate) until
it has sent *records* of them. What a real service costs per record above
this is its own work. Used by ``soap_bench.py`` and ``floor_bench.py``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from lxml import etree

NS = "http://developer.intuit.com/"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
TICKET = "floor-ticket"
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


def customer_add(number: int) -> str:
    """A qbXML CustomerAdd request for customer *number*, built with lxml."""
    qbxml = etree.Element("QBXML")
    msgs = etree.SubElement(qbxml, "QBXMLMsgsRq", onError="continueOnError")
    add = etree.SubElement(etree.SubElement(msgs, "CustomerAddRq", requestID=str(number)), "CustomerAdd")
    etree.SubElement(add, "Name").text = f"Floor customer {number}"
    etree.SubElement(add, "CompanyName").text = f"Floor customer {number} Inc."
    body = etree.tostring(qbxml, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?><?qbxml version="13.0"?>{body}'


class FloorApp:
    """The WSGI app; *records* CustomerAdds per session (one session at a time)."""

    def __init__(self, records: int) -> None:
        self.records = records
        self.sent = 0
        self.answered = 0
        self._lock = threading.Lock()
        self.answers: dict[str, Callable[[etree._Element], Any]] = {
            "serverVersion": lambda _op: "floor",
            "clientVersion": lambda _op: "",
            "authenticate": self._authenticate,
            "sendRequestXML": self._send,
            "receiveResponseXML": self._receive,
            "connectionError": lambda _op: "done",
            "getLastError": lambda _op: "",
            "closeConnection": lambda _op: "OK",
        }

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        root = etree.fromstring(environ["wsgi.input"].read(length), PARSER)
        operation = root.find(f"{{{SOAP_ENV}}}Body")[0]
        name = etree.QName(operation).localname
        answer = self.answers[name](operation)
        body = self._envelope(name, answer)
        start_response("200 OK", [("Content-Type", "text/xml; charset=utf-8"),
                                  ("Content-Length", str(len(body)))])
        return [body]

    def _authenticate(self, _op: etree._Element) -> list[str]:
        with self._lock:
            self.sent = self.answered = 0
        return [TICKET, ""]

    def _send(self, _op: etree._Element) -> str:
        with self._lock:
            if self.sent >= self.records:
                return ""
            self.sent += 1
            number = self.sent
        return customer_add(number)

    def _receive(self, _op: etree._Element) -> int:
        with self._lock:
            self.answered += 1
            return 100 if self.answered >= self.records else 100 * self.answered // self.records

    @staticmethod
    def _envelope(name: str, answer: Any) -> bytes:
        envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV, "tns": NS})
        response = etree.SubElement(etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body"),
                                    f"{{{NS}}}{name}Response")
        result = etree.SubElement(response, f"{{{NS}}}{name}Result")
        if isinstance(answer, list):
            for item in answer:
                etree.SubElement(result, f"{{{NS}}}string").text = item
        else:
            result.text = str(answer)
        return etree.tostring(envelope, xml_declaration=True, encoding="utf-8")
