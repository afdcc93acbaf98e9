"""WSGI middleware that refuses unsafe or oversized XML before spyne sees it.

Every POST body is read (up to a size limit) and parsed once, with the rules
of :mod:`qbwc_service.xmlsafe`: a DOCTYPE, an entity declaration or reference,
or malformed XML is answered with a SOAP 1.1 ``Client`` fault (HTTP 500, as
SOAP 1.1 prescribes for faults); a body over the limit gets HTTP 413 with a
fault body. A SOAPAction header that names another operation than the body
holds is a ``Client`` fault too (an empty or absent SOAPAction is fine).
Single text nodes may exceed libxml2's 10 MB default: the ``response`` of
receiveResponseXML is one text node holding QuickBooks' whole answer, and the
body size limit already bounds it. Nothing is expanded, nothing is fetched,
nothing raises past here. The body goes on to spyne without the header's
charset, so spyne reads it in the encoding the document itself declares,
exactly as it was checked here.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterable
from typing import Any

from lxml import etree

from qbwc_service import xmlsafe

log = logging.getLogger(__name__)

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
CHUNK = 64 * 1024

StartResponse = Any
Environ = dict[str, Any]


class BodyTooLarge(Exception):
    pass


class XmlGuard:
    """Wraps a SOAP WSGI app; see the module docstring."""

    def __init__(self, app: Any, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD", "GET").upper() != "POST":
            return self.app(environ, start_response)
        try:
            body = read_body(environ, self.max_body_bytes)
        except BodyTooLarge:
            log.warning("refused a request from %s: body over %d bytes",
                        environ.get("REMOTE_ADDR", "?"), self.max_body_bytes)
            return fault_response(start_response, "413 Payload Too Large",
                                  f"Request body exceeds {self.max_body_bytes} bytes.")
        try:
            root = xmlsafe.parse(body, huge_text=True)
            check_soap_action(root, environ.get("HTTP_SOAPACTION", ""))
        except xmlsafe.UnsafeXMLError as exc:
            log.warning("refused a request from %s: %s", environ.get("REMOTE_ADDR", "?"), exc)
            return fault_response(start_response, "500 Internal Server Error",
                                  f"Request refused: {exc}")
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        # The document's own encoding (BOM or declaration) is what was just checked; a charset
        # in the header would make spyne decode the same bytes differently, or crash on a bad one.
        environ["CONTENT_TYPE"] = strip_charset(environ.get("CONTENT_TYPE", ""))
        return self.app(environ, start_response)


def check_soap_action(root: etree._Element, soap_action: str) -> None:
    """Refuse a SOAPAction that names another operation than the body's first element.

    Compared on the operation name (the part after the last ``/``, ``#`` or ``:``),
    so ``"http://developer.intuit.com/authenticate"`` and ``"urn:authenticate"``
    both match ``<authenticate>``; documents that are not SOAP 1.1 envelopes are
    left for spyne to refuse.
    """
    action = soap_action.strip().strip('"').strip()
    operation = _body_operation(root)
    if not action or operation is None:
        return
    named = re.split(r"[/#:]", action)[-1]
    if named != operation:
        raise xmlsafe.UnsafeXMLError(
            f"SOAPAction {action!r} does not match the operation {operation!r} in the body")


def _body_operation(root: etree._Element) -> str | None:
    """Local name of the first element in the envelope's Body, if any."""
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        return None
    body = root.find(f"{{{SOAP_ENV}}}Body")
    child = next((c for c in body if isinstance(c.tag, str)), None) if body is not None else None
    return etree.QName(child).localname if child is not None else None


def strip_charset(content_type: str) -> str:
    """*content_type* without its ``charset`` parameter: ``text/xml; charset=x`` -> ``text/xml``."""
    params = [p for p in content_type.split(";") if not p.strip().lower().startswith("charset=")]
    return ";".join(params).strip()


def read_body(environ: Environ, limit: int) -> bytes:
    """The request body, or :class:`BodyTooLarge` once it passes *limit* bytes."""
    stream = environ["wsgi.input"]
    length_text = (environ.get("CONTENT_LENGTH") or "").strip()
    if length_text.isdigit():
        length = int(length_text)
        if length > limit:
            raise BodyTooLarge
        return _read_exactly(stream, length)
    # No length (chunked): read until the end, but never more than the limit.
    parts: list[bytes] = []
    total = 0
    while chunk := stream.read(CHUNK):
        total += len(chunk)
        if total > limit:
            raise BodyTooLarge
        parts.append(chunk)
    return b"".join(parts)


def _read_exactly(stream: Any, length: int) -> bytes:
    parts: list[bytes] = []
    remaining = length
    while remaining > 0:
        chunk = stream.read(min(CHUNK, remaining))
        if not chunk:
            break
        parts.append(chunk)
        remaining -= len(chunk)
    return b"".join(parts)


def fault_envelope(message: str, code: str = "Client") -> bytes:
    """A SOAP 1.1 fault envelope, built with lxml."""
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV})
    body = etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body")
    fault = etree.SubElement(body, f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(fault, "faultcode").text = f"soap:{code}"
    etree.SubElement(fault, "faultstring").text = message
    return etree.tostring(envelope, xml_declaration=True, encoding="utf-8")


def fault_response(start_response: StartResponse, status: str, message: str) -> list[bytes]:
    body = fault_envelope(message)
    start_response(status, [("Content-Type", "text/xml; charset=utf-8"),
                            ("Content-Length", str(len(body)))])
    return [body]
