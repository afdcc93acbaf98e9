"""WSGI middleware that refuses unsafe or oversized XML before spyne sees it.

Every POST body is read (up to a size limit) and parsed once with
:mod:`qbwc_service.xmlsafe`: a DOCTYPE, an entity declaration or reference,
or malformed XML is answered with a SOAP 1.1 ``Client`` fault (HTTP 500, as
SOAP 1.1 prescribes for faults); a body over the limit gets HTTP 413 with a
fault body. Nothing is expanded, nothing is fetched, nothing raises past here.
The body goes on to spyne without the header's charset, so spyne reads it in
the encoding the document itself declares, exactly as it was checked here.
"""

from __future__ import annotations

import io
import logging
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
            xmlsafe.parse(body)
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
