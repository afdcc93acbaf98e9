"""WSGI middleware that refuses unsafe or oversized XML and parses each SOAP body once.

Every POST body is read in chunks into a spooled file (memory for small
bodies, a temporary file for large ones: :mod:`.body`) and parsed once from
there, with the rules of :mod:`qbwc_service.xmlsafe`: a DOCTYPE, an entity
declaration or reference, or malformed XML is answered with a SOAP 1.1
``Client`` fault (HTTP 500, as SOAP 1.1 prescribes for faults); a body over
the limit gets HTTP 413 with a fault body. A SOAPAction header that names
another operation than the body holds is a ``Client`` fault too (an empty or
absent SOAPAction is fine). Single text nodes may exceed libxml2's 10 MB
default (in bodies over :data:`~.admission.LARGE_BYTES`): the ``response`` of
receiveResponseXML is one text node holding QuickBooks' whole answer, and the
body size limit already bounds it. Nothing is expanded, nothing is fetched,
nothing raises past here.

The parsed envelope goes on in the WSGI environment (:data:`PARSED_ENVELOPE`)
to :mod:`.fastpath` and spyne, which read it instead of parsing the body again.
Bodies over :data:`~.admission.LARGE_BYTES` take turns (:mod:`.admission`):
a few at a time, a few more waiting, the rest answered 503 at once.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from lxml import etree

from qbwc_service import xmlsafe
from qbwc_service.soap import body
from qbwc_service.soap.admission import LARGE_BYTES, LargeBodies

log = logging.getLogger(__name__)

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
#: WSGI environment key of the parsed envelope (an lxml root element) handed to spyne.
PARSED_ENVELOPE = "qbwc_service.soap_envelope"
#: Seconds a client refused for being one large body too many is asked to wait.
BUSY_RETRY_SECONDS = 30

StartResponse = Any
Environ = dict[str, Any]


class XmlGuard:
    """Wraps a SOAP WSGI app; see the module docstring."""

    def __init__(self, app: Any, max_body_bytes: int, large: LargeBodies | None = None) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.large = large or LargeBodies(2)

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD", "GET").upper() != "POST":
            return self.app(environ, start_response)
        length = body.declared_length(environ)
        if length is not None and length > self.max_body_bytes:
            return self._too_large(environ, start_response)
        if length is not None and length <= LARGE_BYTES:
            return self._parse_and_answer(environ, start_response, large=False)
        with self.large.admitted() as admitted:
            if admitted:
                return self._parse_and_answer(environ, start_response, large=True)
            body.discard(environ, self.max_body_bytes)  # unread, the client might miss the answer
            log.warning("refused a large request from %s: %d large requests are in progress already",
                        _caller(environ), 2 * self.large.slots)
            return _busy(start_response)

    def _parse_and_answer(self, environ: Environ, start_response: StartResponse,
                          large: bool) -> Iterable[bytes]:
        try:
            with body.spooled(environ, self.max_body_bytes) as stream, self._turn(large) as turn:
                if not turn:
                    log.warning("refused a large request from %s: no turn within %.0f s",
                                _caller(environ), self.large.wait_seconds)
                    return _busy(start_response)
                try:
                    # A small body cannot hold a text node over libxml2's 10 MB limit, so it is
                    # parsed in one pass, without the huge mode's DOCTYPE pre-pass.
                    root = xmlsafe.parse_file(stream, huge_text=large)
                    check_soap_action(root, environ.get("HTTP_SOAPACTION", ""))
                except xmlsafe.UnsafeXMLError as exc:
                    log.warning("refused a request from %s: %s", _caller(environ), exc)
                    return fault_response(start_response, "500 Internal Server Error",
                                          f"Request refused: {exc}")
                return self._answer(environ, start_response, root)
        except body.BodyTooLarge:
            return self._too_large(environ, start_response)

    def _turn(self, large: bool) -> AbstractContextManager[bool]:
        return self.large.turn() if large else nullcontext(True)

    def _answer(self, environ: Environ, start_response: StartResponse,
                root: etree._Element) -> list[bytes]:
        """The SOAP app's whole answer to the parsed *root*; nothing of the request is kept after."""
        environ[PARSED_ENVELOPE] = root
        environ["wsgi.input"] = io.BytesIO(b"")
        environ["CONTENT_LENGTH"] = "0"
        # The document's own encoding (BOM or declaration) is what was just parsed; a charset in
        # the header would make spyne decode the same bytes differently, or crash on a bad one.
        environ["CONTENT_TYPE"] = strip_charset(environ.get("CONTENT_TYPE", ""))
        try:
            answer = self.app(environ, start_response)
            try:
                return list(answer)
            finally:
                close = getattr(answer, "close", None)
                if close is not None:
                    close()
        finally:
            del environ[PARSED_ENVELOPE]

    def _too_large(self, environ: Environ, start_response: StartResponse) -> list[bytes]:
        log.warning("refused a request from %s: body over %d bytes", _caller(environ),
                    self.max_body_bytes)
        return fault_response(start_response, "413 Payload Too Large",
                              f"Request body exceeds {self.max_body_bytes} bytes.")


def _caller(environ: Environ) -> str:
    return str(environ.get("REMOTE_ADDR", "?"))


def _busy(start_response: StartResponse) -> list[bytes]:
    return fault_response(start_response, "503 Service Unavailable",
                          "The server is busy with other large requests; try again later.",
                          code="Server", headers=[("Retry-After", str(BUSY_RETRY_SECONDS))])


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
    soap_body = root.find(f"{{{SOAP_ENV}}}Body")
    child = (next((c for c in soap_body if isinstance(c.tag, str)), None)
             if soap_body is not None else None)
    return etree.QName(child).localname if child is not None else None


def strip_charset(content_type: str) -> str:
    """*content_type* without its ``charset`` parameter: ``text/xml; charset=x`` -> ``text/xml``."""
    params = [p for p in content_type.split(";") if not p.strip().lower().startswith("charset=")]
    return ";".join(params).strip()


def fault_envelope(message: str, code: str = "Client") -> bytes:
    """A SOAP 1.1 fault envelope, built with lxml."""
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV})
    soap_body = etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body")
    fault = etree.SubElement(soap_body, f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(fault, "faultcode").text = f"soap:{code}"
    etree.SubElement(fault, "faultstring").text = message
    return etree.tostring(envelope, xml_declaration=True, encoding="utf-8")


def fault_response(start_response: StartResponse, status: str, message: str, code: str = "Client",
                   headers: list[tuple[str, str]] | None = None) -> list[bytes]:
    envelope = fault_envelope(message, code)
    start_response(status, [("Content-Type", "text/xml; charset=utf-8"),
                            ("Content-Length", str(len(envelope))), *(headers or [])])
    return [envelope]
