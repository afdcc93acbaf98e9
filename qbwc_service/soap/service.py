"""spyne plumbing: Intuit's QBWC operations over :class:`~.callbacks.QbwcCallbacks`.

SOAP 1.1, document/literal, namespace ``http://developer.intuit.com/``.
Operation, parameter and result names, their order and types follow Intuit's
WSDLs exactly: strings are optional non-nillable ``xs:string``,
qbXMLMajorVers / qbXMLMinorVers / receiveResponseXMLResult are required
``xs:int``, and authenticateResult is an ``ArrayOfString`` of ``string``
elements. spyne drops an element whose value is ``None``; the Web Connector
expects an element, so every string result goes out as ``""`` at worst.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from lxml import etree
from spyne import Application, Array, Fault, Integer32, ServiceBase, Unicode, rpc
from spyne import const as spyne_const
from spyne.const.http import HTTP_405
from spyne.error import RequestNotAllowed
from spyne.protocol.soap import Soap11
from spyne.server.wsgi import WsgiApplication

from qbwc_service.soap.callbacks import QbwcCallbacks
from qbwc_service.soap.calllog import log_call
from qbwc_service.soap.guard import PARSED_ENVELOPE
from qbwc_service.sync.contract import RequestContext

NAMESPACE = "http://developer.intuit.com/"
SERVICE_NAME = "QBWebConnectorSvc"
BINDING_NAME = "QBWebConnectorSvcSoap"
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP_NS = "http://schemas.xmlsoap.org/wsdl/soap/"

XS_INT_MIN, XS_INT_MAX = -(2**31), 2**31 - 1

String = Unicode(min_occurs=0, nillable=False)
Int = Integer32(min_occurs=1, nillable=False)
ArrayOfString = Array(Unicode(nillable=True), type_name="ArrayOfString")


def _call(ctx: Any, operation: str, params: dict[str, Any],
          fn: Callable[[QbwcCallbacks], Any]) -> Any:
    """Run one callback against the application's handler and log it."""
    callbacks: QbwcCallbacks = ctx.udc
    remote = _remote_addr(ctx)
    started = time.perf_counter()
    result = fn(callbacks)
    log_call(operation, params, result, (time.perf_counter() - started) * 1000, remote)
    return result


def _remote_addr(ctx: Any) -> str:
    env = getattr(ctx.transport, "req_env", None) or {}
    return str(env.get("REMOTE_ADDR", ""))


def _s(value: str | None) -> str:
    return value or ""


def _xs_int(name: str, value: int | None) -> int:
    """*value* of an ``xs:int`` parameter (0 when absent); outside xs:int's range a Client fault."""
    if value is None:
        return 0
    if not XS_INT_MIN <= value <= XS_INT_MAX:
        raise Fault("Client", f"{name} must be an xs:int (from {XS_INT_MIN} to {XS_INT_MAX}); "
                              f"got a number of {len(str(abs(value)))} digits")
    return value


class QBWebConnectorSvc(ServiceBase):
    """The operations the QuickBooks Web Connector calls.

    spyne takes element names from the Python parameter names, hence Intuit's
    camelCase, and types from ``@rpc`` (annotations would not be read).
    """

    @rpc(_returns=String)
    def serverVersion(ctx):  # noqa: ANN001, ANN201
        return _s(_call(ctx, "serverVersion", {}, lambda cb: cb.server_version()))

    @rpc(String, _returns=String)
    def clientVersion(ctx, strVersion):  # noqa: ANN001, ANN201
        return _s(_call(ctx, "clientVersion", {"strVersion": strVersion},
                        lambda cb: cb.client_version(_s(strVersion))))

    @rpc(String, String, _returns=ArrayOfString)
    def authenticate(ctx, strUserName, strPassword):  # noqa: ANN001, ANN201
        answer = _call(ctx, "authenticate", {"strUserName": strUserName, "strPassword": strPassword},
                       lambda cb: cb.authenticate(_s(strUserName), _s(strPassword), _remote_addr(ctx)))
        return [_s(item) for item in answer]

    @rpc(String, String, String, String, Int, Int, _returns=String)
    def sendRequestXML(ctx, ticket, strHCPResponse, strCompanyFileName,  # noqa: ANN001, ANN201
                       qbXMLCountry, qbXMLMajorVers, qbXMLMinorVers):  # noqa: ANN001
        request = RequestContext(hcp_response=_s(strHCPResponse), company_file=_s(strCompanyFileName),
                                 country=_s(qbXMLCountry),
                                 major_version=_xs_int("qbXMLMajorVers", qbXMLMajorVers),
                                 minor_version=_xs_int("qbXMLMinorVers", qbXMLMinorVers))
        params = {"ticket": ticket, "strHCPResponse": strHCPResponse,
                  "strCompanyFileName": strCompanyFileName, "qbXMLCountry": qbXMLCountry,
                  "qbXMLMajorVers": qbXMLMajorVers, "qbXMLMinorVers": qbXMLMinorVers}
        return _s(_call(ctx, "sendRequestXML", params,
                        lambda cb: cb.send_request_xml(_s(ticket), request)))

    @rpc(String, String, String, String, _returns=Int)
    def receiveResponseXML(ctx, ticket, response, hresult, message):  # noqa: ANN001, ANN201
        params = {"ticket": ticket, "response": response, "hresult": hresult, "message": message}
        return _call(ctx, "receiveResponseXML", params,
                     lambda cb: cb.receive_response_xml(_s(ticket), _s(response), _s(hresult),
                                                        _s(message)))

    @rpc(String, String, String, _returns=String)
    def connectionError(ctx, ticket, hresult, message):  # noqa: ANN001, ANN201
        params = {"ticket": ticket, "hresult": hresult, "message": message}
        return _s(_call(ctx, "connectionError", params,
                        lambda cb: cb.connection_error(_s(ticket), _s(hresult), _s(message))))

    @rpc(String, _returns=String)
    def getLastError(ctx, ticket):  # noqa: ANN001, ANN201
        return _s(_call(ctx, "getLastError", {"ticket": ticket},
                        lambda cb: cb.get_last_error(_s(ticket))))

    @rpc(String, _returns=String)
    def closeConnection(ctx, ticket):  # noqa: ANN001, ANN201
        return _s(_call(ctx, "closeConnection", {"ticket": ticket},
                        lambda cb: cb.close_connection(_s(ticket))))

    @rpc(String, String, _returns=String)
    def getInteractiveURL(ctx, wcTicket, sessionID):  # noqa: ANN001, ANN201
        return _s(_call(ctx, "getInteractiveURL", {"wcTicket": wcTicket, "sessionID": sessionID},
                        lambda cb: cb.get_interactive_url(_s(wcTicket), _s(sessionID))))

    @rpc(String, _returns=String)
    def interactiveDone(ctx, wcTicket):  # noqa: ANN001, ANN201
        return _s(_call(ctx, "interactiveDone", {"wcTicket": wcTicket},
                        lambda cb: cb.interactive_done(_s(wcTicket))))

    @rpc(String, String, _returns=String)
    def interactiveRejected(ctx, wcTicket, reason):  # noqa: ANN001, ANN201
        return _s(_call(ctx, "interactiveRejected", {"wcTicket": wcTicket, "reason": reason},
                        lambda cb: cb.interactive_rejected(_s(wcTicket), _s(reason))))


class ParsedSoap11(Soap11):
    """SOAP 1.1 that takes the envelope :class:`~.guard.XmlGuard` already parsed.

    Without a parsed envelope in the request (spyne served without the
    guard) the body is parsed as usual.
    """

    def create_in_document(self, ctx: Any, charset: str | None = None) -> None:
        env = getattr(ctx.transport, "req_env", None) or {}
        root = env.get(PARSED_ENVELOPE)
        if root is None:
            super().create_in_document(ctx, charset)
            return
        if ctx.transport.get_request_content_type() is None:
            ctx.transport.resp_code = HTTP_405
            raise RequestNotAllowed("You must issue a POST request with the Content-Type header "
                                    "properly set.")
        ctx.in_string = []
        # No xml:id table: references between elements are a SOAP-encoding feature the Web
        # Connector never uses.
        ctx.in_document = (root, {})

    def generate_method_contexts(self, ctx: Any) -> Any:
        """The method's contexts (copies of *ctx*), with *ctx* itself emptied: spyne keeps it
        alive in a reference cycle, and with it the whole request, until a garbage collection."""
        contexts = super().generate_method_contexts(ctx)
        _forget_request(ctx)
        return contexts


def create_soap_app(callbacks: QbwcCallbacks, max_body_bytes: int) -> WsgiApplication:
    """The spyne WSGI application answering the Web Connector through *callbacks*.

    No spyne validation: its "soft" mode rejects an empty ``<strHCPResponse/>``
    (what the Web Connector sends after the first call) for a non-nillable
    string; values are normalised here instead (``None`` -> ``""``) and a
    non-integer qbXMLMajorVers still fails to parse into a Client fault.
    spyne's parser is already safe (no DTD loading, no entity resolution, no
    network); :mod:`.guard` in front refuses DOCTYPEs before it is reached, so
    ``huge_tree`` only lifts the 10 MB limit on one text node (a large
    QuickBooks response in receiveResponseXML) within the body size limit.
    """
    # spyne runs a full gc.collect() after a request at most once a second, to close
    # uploaded files early. We take no uploads, and on a serving process's heap each
    # collection costs tens of milliseconds; Python's own collector still runs.
    spyne_const.MIN_GC_INTERVAL = float("inf")
    application = Application(
        [QBWebConnectorSvc], tns=NAMESPACE, name=BINDING_NAME,
        in_protocol=ParsedSoap11(validator=None, resolve_entities=False, load_dtd=False,
                                 no_network=True, huge_tree=True),
        out_protocol=Soap11(),
    )

    def bind_callbacks(ctx: Any) -> None:
        ctx.udc = callbacks

    application.event_manager.add_listener("method_call", bind_callbacks)
    application.event_manager.add_listener("method_context_closed", _forget_request)
    wsgi = WsgiApplication(application, max_content_length=max_body_bytes,
                           block_length=64 * 1024)
    wsgi.event_manager.add_listener("wsdl", _intuit_soap_actions)
    return wsgi


def _forget_request(ctx: Any) -> None:
    """Drop the parsed request and its values as soon as the answer is made.

    spyne's method contexts sit in reference cycles, which only the cyclic
    garbage collector frees, so a large receiveResponseXML (its tree and its
    text) would stay in memory long after the answer went out.
    """
    for name in ("in_string", "in_document", "in_header_doc", "in_body_doc", "in_object",
                 "in_header"):
        setattr(ctx, name, None)


def _intuit_soap_actions(ctx: Any) -> None:
    """Write Intuit's SOAPAction values (``NAMESPACE + operation``) into our WSDL.

    spyne ignores SOAPAction when dispatching, but clients generated from our
    WSDL should send what the Web Connector sends.
    """
    root = etree.fromstring(ctx.transport.wsdl)
    for op in root.iter(f"{{{WSDL_SOAP_NS}}}operation"):
        parent = op.getparent()
        if parent is not None and parent.get("name"):
            op.set("soapAction", NAMESPACE + parent.get("name"))
    ctx.transport.wsdl = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
