"""Answering the Web Connector's calls straight from the guard's parsed envelope.

spyne stays the service definition (:class:`~.service.QBWebConnectorSvc`: the
operations, their parameters and types, the WSDL), but running a call
through it costs several times what the call's own work does (its method
contexts, event hooks, generic (de)serialisers). :class:`FastSoap` sits
between :class:`~.guard.XmlGuard` and spyne's WSGI application: for a
request in the plain shape the Web Connector sends (one operation of the
service in the Body, no Header, each parameter at most once as a text-only
element, integers as plain digits) it reads the parameters the way spyne
would, calls the same operation function spyne calls, and writes the answer
as spyne writes it (same bytes: same prefixes, elements and faults).
Anything else goes to spyne unchanged, so its answers (and faults) to odd
requests stay exactly what they were; which operations exist, and their
parameters and results, are read from spyne's descriptors of the service.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from lxml import etree
from spyne import Array, Fault, Integer, ServiceBase, Unicode

from qbwc_service.soap.callbacks import QbwcCallbacks
from qbwc_service.soap.guard import PARSED_ENVELOPE, SOAP_ENV
from qbwc_service.soap.service import NAMESPACE, QBWebConnectorSvc

#: spyne's loggers for a fault raised by an operation (client faults) and for a failure.
client_log = logging.getLogger("spyne.application.client")
server_log = logging.getLogger("spyne.application.server")

#: The prefixes spyne's Soap11 writes.
ENV_PREFIX, TNS_PREFIX = "soap11env", "tns"
#: What spyne reads as an integer without hesitation; anything else (spaces, ``+``, ``_``,
#: non-ASCII digits, words) is left to spyne, which may read it or fault.
PLAIN_INT = re.compile(r"-?[0-9]+", re.ASCII)
CONTENT_TYPE = "text/xml; charset=utf-8"

Environ = dict[str, Any]
Reader = Callable[[str | None], Any]


class _Unplain(Exception):
    """The request is not in the plain shape: spyne answers it."""


@dataclass(frozen=True)
class _Transport:
    req_env: Environ


@dataclass(frozen=True)
class _CallContext:
    """The parts of spyne's method context the operation functions read."""

    udc: QbwcCallbacks
    transport: _Transport


@dataclass(frozen=True)
class Operation:
    """One operation of the service, as spyne describes it."""

    name: str
    function: Callable[..., Any]
    #: Parameter element tag -> (position, reader of its text).
    params: dict[str, tuple[int, Reader]]
    result_tag: str
    #: Tag of the items of an array result (``None``: a single value).
    item_tag: str | None

    @classmethod
    def from_descriptor(cls, descriptor: Any, namespace: str) -> Operation:
        params = {}
        for position, (name, kind) in enumerate(descriptor.in_message._type_info.items()):
            params[f"{{{namespace}}}{name}"] = (position, _reader(kind))
        ((result_name, result_kind),) = descriptor.out_message._type_info.items()
        item_tag = None
        if issubclass(result_kind, Array):
            ((item_name, _item_kind),) = result_kind._type_info.items()
            item_tag = f"{{{namespace}}}{item_name}"
        return cls(descriptor.name, descriptor.function, params, f"{{{namespace}}}{result_name}",
                   item_tag)

    def arguments(self, element: etree._Element) -> list[Any]:
        """The function's arguments from the operation *element*: ``None`` for an absent one."""
        values: list[Any] = [None] * len(self.params)
        seen = set()
        for child in element:
            param = self.params.get(child.tag) if isinstance(child.tag, str) else None
            if param is None or child.tag in seen or len(child) or child.attrib:
                raise _Unplain
            seen.add(child.tag)
            position, read = param
            values[position] = read(child.text)
        return values


def _reader(kind: type) -> Reader:
    if issubclass(kind, Unicode):
        return lambda text: text or ""
    if issubclass(kind, Integer):
        return _plain_int
    raise TypeError(f"no fast reader for {kind}")


def _plain_int(text: str | None) -> int | None:
    if not text:
        return None  # spyne reads an empty integer element as absent
    if not PLAIN_INT.fullmatch(text):
        raise _Unplain
    try:
        return int(text)
    except ValueError:  # more digits than Python converts (4300): spyne's fault says so
        raise _Unplain from None


class FastSoap:
    """WSGI app: the operations of *service* answered directly, the rest by *spyne_app*."""

    def __init__(self, spyne_app: Any, callbacks: QbwcCallbacks,
                 service: type[ServiceBase] = QBWebConnectorSvc, namespace: str = NAMESPACE) -> None:
        self.spyne_app = spyne_app
        self.callbacks = callbacks
        self.namespace = namespace
        self.operations = {f"{{{namespace}}}{name}": Operation.from_descriptor(descriptor, namespace)
                           for name, descriptor in service.public_methods.items()}
        self._nsmap = {ENV_PREFIX: SOAP_ENV, TNS_PREFIX: namespace}

    def __call__(self, environ: Environ, start_response: Any) -> Iterable[bytes]:
        root = environ.get(PARSED_ENVELOPE)
        answer = None
        if root is not None:
            try:
                answer = self.answer(root, environ)
            except _Unplain:
                answer = None
        if answer is None:
            return self.spyne_app(environ, start_response)
        status, body = answer
        start_response(status, [("Content-Type", CONTENT_TYPE), ("Content-Length", str(len(body)))])
        return [body]

    def answer(self, root: etree._Element, environ: Environ) -> tuple[str, bytes]:
        """(HTTP status, body) for the plain request *root*; :class:`_Unplain` for any other."""
        operation, element = self._operation(root)
        args = operation.arguments(element)
        try:
            result = operation.function(_CallContext(self.callbacks, _Transport(environ)), *args)
            # An answer XML cannot carry (a control character) is a Server fault here; spyne
            # would send an envelope without a Body.
            return "200 OK", self._response(operation, result)
        except Fault as fault:
            client_log.exception(fault)
            return "500 Internal Server Error", self._fault(fault)
        except Exception as exc:
            server_log.critical(exc, exc_info=True)
            return "500 Internal Server Error", self._fault(Fault("Server", "Internal Error"))

    def _operation(self, root: etree._Element) -> tuple[Operation, etree._Element]:
        if root.tag != f"{{{SOAP_ENV}}}Envelope" or len(root) != 1:
            raise _Unplain
        body = root[0]
        if body.tag != f"{{{SOAP_ENV}}}Body" or len(body) != 1 or body.attrib:
            raise _Unplain
        element = body[0]
        operation = self.operations.get(element.tag) if isinstance(element.tag, str) else None
        if operation is None or element.attrib:
            raise _Unplain
        return operation, element

    def _response(self, operation: Operation, result: Any) -> bytes:
        envelope, body = self._envelope()
        response = etree.SubElement(body, f"{{{self.namespace}}}{operation.name}Response")
        if result is not None:  # spyne writes no element for None
            element = etree.SubElement(response, operation.result_tag)
            if operation.item_tag is None:
                element.text = str(result)
            else:
                for item in result:
                    etree.SubElement(element, operation.item_tag).text = item
        return _serialise(envelope)

    def _fault(self, fault: Fault) -> bytes:
        envelope, body = self._envelope(with_tns=False)
        element = etree.SubElement(body, f"{{{SOAP_ENV}}}Fault")
        etree.SubElement(element, "faultcode").text = f"{ENV_PREFIX}:{fault.faultcode}"
        etree.SubElement(element, "faultstring").text = fault.faultstring
        etree.SubElement(element, "faultactor").text = fault.faultactor or ""
        return _serialise(envelope)

    def _envelope(self, with_tns: bool = True) -> tuple[etree._Element, etree._Element]:
        nsmap = self._nsmap if with_tns else {ENV_PREFIX: SOAP_ENV}
        envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap=nsmap)
        return envelope, etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body")


def _serialise(envelope: etree._Element) -> bytes:
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")
