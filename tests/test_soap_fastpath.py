"""The fast path answers plain calls exactly as spyne does, and leaves every other request to spyne."""

from __future__ import annotations

import re

import pytest
import webtest
from lxml import etree
from soap_support import (
    CLASSIC,
    NS,
    SAMPLES,
    SOAP_ENV,
    TROUBLESHOOT,
    ScriptedEngine,
    intuit_client,
    soap_envelope,
    soap_headers,
    soap_result,
)

from qbwc_service import accounts
from qbwc_service.queue.db import transaction
from qbwc_service.server import run_in_thread
from qbwc_service.soap.callbacks import QbwcCallbacks
from qbwc_service.soap.fastpath import FastSoap
from qbwc_service.soap.guard import XmlGuard
from qbwc_service.soap.service import create_soap_app

MAX_BODY = 1024 * 1024
SEND_PARAMS = {"strHCPResponse": "", "strCompanyFileName": "C:\\shop.qbw", "qbXMLCountry": "US",
               "qbXMLMajorVers": "13", "qbXMLMinorVers": "0"}


class Counting:
    """A WSGI app that counts the requests it passes on to *app*."""

    def __init__(self, app):
        self.app = app
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.app(environ, start_response)


class Stacks:
    """The same callbacks behind spyne alone and behind the fast path (in front of spyne)."""

    def __init__(self, callbacks: QbwcCallbacks) -> None:
        self.callbacks = callbacks
        self.spyne_behind_fast = Counting(create_soap_app(callbacks, MAX_BODY))
        self.fast = webtest.TestApp(XmlGuard(FastSoap(self.spyne_behind_fast, callbacks), MAX_BODY))
        self.spyne = webtest.TestApp(XmlGuard(create_soap_app(callbacks, MAX_BODY), MAX_BODY))

    def both(self, body: bytes, operation: str = "", headers: dict[str, str] | None = None):
        """(spyne's response, the fast path's response) to the same request, spyne's first."""
        headers = headers if headers is not None else soap_headers(operation)
        return tuple(app.post("/", body, headers=headers, expect_errors=True)
                     for app in (self.spyne, self.fast))

    def login(self, app: webtest.TestApp) -> str:
        body = soap_envelope("authenticate", strUserName="username", strPassword="password")
        return soap_result(app.post("/", body, headers=soap_headers("authenticate")).body,
                           "authenticate")[0].text


@pytest.fixture
def engine_stub():
    return ScriptedEngine()


@pytest.fixture
def stacks(sessions, engine_stub):
    with transaction(sessions) as db:
        accounts.create_user(db, "username", "password", company_file="C:\\shop.qbw")
    return Stacks(QbwcCallbacks(sessions, engine_stub))


def assert_same(spyne, fast):
    assert (fast.status, sorted(fast.headerlist), fast.body) == (
        spyne.status, sorted(spyne.headerlist), spyne.body)


# -- the plain calls: same bytes, and spyne not involved --------------------------------------


@pytest.mark.parametrize("operation,params", [
    ("serverVersion", {}),
    ("clientVersion", {"strVersion": "2.3.0.215"}),
    ("clientVersion", {"strVersion": "1.0"}),
    ("clientVersion", {}),
    ("sendRequestXML", SEND_PARAMS),
    ("receiveResponseXML", {"response": "<QBXML><QBXMLMsgsRs/></QBXML>", "hresult": "", "message": ""}),
    ("receiveResponseXML", {"response": "", "hresult": "0x80040400", "message": "QuickBooks said no"}),
    ("connectionError", {"hresult": "0x80040408", "message": "Could not start QuickBooks."}),
    ("getLastError", {}),
    ("getInteractiveURL", {"sessionID": "7"}),
    ("interactiveDone", {}),
    ("interactiveRejected", {"reason": "no"}),
])
def test_each_callback_answers_the_same_bytes_as_spyne(stacks, operation, params):
    ticket = stacks.login(stacks.fast)
    ticket_name = "wcTicket" if operation.startswith("interactive") or operation == "getInteractiveURL" \
        else "ticket"
    if operation not in ("serverVersion", "clientVersion"):
        params = {ticket_name: ticket, **params}
    spyne, fast = stacks.both(soap_envelope(operation, **params), operation)
    assert spyne.status_int == 200
    assert_same(spyne, fast)
    assert stacks.spyne_behind_fast.calls == 0


def test_a_whole_session_answers_the_same_as_spyne(stacks, engine_stub):
    answers = {}
    for name, app in (("spyne", stacks.spyne), ("fast", stacks.fast)):
        ticket = stacks.login(app)
        bodies = []
        for operation, params in (("sendRequestXML", SEND_PARAMS),
                                  ("receiveResponseXML", {"response": "<QBXML/>", "hresult": "",
                                                          "message": ""}),
                                  ("closeConnection", {}),
                                  ("receiveResponseXML", {"response": "<QBXML/>"}),
                                  ("getLastError", {})):
            response = app.post("/", soap_envelope(operation, ticket=ticket, **params),
                                headers=soap_headers(operation))
            bodies.append(response.body)
        answers[name] = bodies
    assert answers["fast"] == answers["spyne"]
    assert stacks.spyne_behind_fast.calls == 0
    assert engine_stub.names().count("close") == 2


def test_authenticate_answers_in_spynes_shape(stacks):
    body = soap_envelope("authenticate", strUserName="username", strPassword="password")
    spyne, fast = stacks.both(body, "authenticate")
    tickets = [soap_result(r.body, "authenticate")[0].text for r in (spyne, fast)]
    assert tickets[0] != tickets[1]
    assert fast.body.replace(tickets[1].encode(), tickets[0].encode()) == spyne.body
    refused = stacks.both(soap_envelope("authenticate", strUserName="username", strPassword="no"),
                          "authenticate")
    assert_same(*refused)
    assert b"<tns:string></tns:string><tns:string>nvu</tns:string>" in refused[1].body
    assert stacks.spyne_behind_fast.calls == 0


@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.glob("*.request.xml")))
def test_the_web_connectors_own_requests_take_the_fast_path(stacks, sample):
    """Pretty-printed, with its own namespace declarations, as the Web Connector sends them."""
    operation = sample.split("-")[1].split(".")[0]
    spyne, fast = stacks.both((SAMPLES / sample).read_bytes(), operation)
    assert spyne.status_int == 200
    if operation == "authenticate":  # a new ticket each time
        tickets = [soap_result(r.body, operation)[0].text for r in (spyne, fast)]
        fast.body = fast.body.replace(tickets[1].encode(), tickets[0].encode())
    assert_same(spyne, fast)
    assert stacks.spyne_behind_fast.calls == 0


def test_parameters_reach_the_callbacks_as_spyne_passes_them(stacks, engine_stub):
    """An empty string element is "", an absent one None (then ""), integers are ints."""
    for app in (stacks.spyne, stacks.fast):
        ticket = stacks.login(app)
        app.post("/", soap_envelope("sendRequestXML", ticket=ticket, strHCPResponse="",
                                    qbXMLMajorVers="13", qbXMLMinorVers="-2"),
                 headers=soap_headers("sendRequestXML"))
    spyne_ctx, fast_ctx = [ctx for name, ctx in engine_stub.calls if name == "next_request"]
    assert fast_ctx == spyne_ctx
    assert (fast_ctx.major_version, fast_ctx.minor_version, fast_ctx.country) == (13, -2, "")


def _zeep_session(url: str, wsdl: tuple[str, str]) -> list[object]:
    """Every callback of *wsdl* through zeep; the answers, with the ticket masked."""
    _client, svc = intuit_client(wsdl, url)
    answers: list[object] = []
    if wsdl == TROUBLESHOOT:
        answers += [svc.serverVersion(), svc.clientVersion("2.3.0.215"), svc.clientVersion("1.0")]
    answers.append(svc.authenticate("username", "wrong"))
    ticket, company = svc.authenticate("username", "password")
    answers += [company,
                svc.sendRequestXML(ticket, "", "C:\\shop.qbw", "US", 13, 0),
                svc.receiveResponseXML(ticket, "<QBXML><QBXMLMsgsRs/></QBXML>", "", ""),
                svc.connectionError(ticket, "0x80040408", "Could not start QuickBooks."),
                svc.getLastError(ticket), svc.closeConnection(ticket),
                svc.receiveResponseXML(ticket, "", "", ""), svc.getLastError(ticket)]
    return answers


@pytest.mark.parametrize("wsdl", [TROUBLESHOOT, CLASSIC], ids=["troubleshoot", "classic"])
def test_zeep_on_intuits_wsdl_gets_the_same_answers_through_the_fast_path(stacks, engine_stub, wsdl):
    answers = []
    for app in (stacks.spyne.app, stacks.fast.app):
        with run_in_thread(app) as running:
            answers.append(_zeep_session(running.url, wsdl))
    assert answers[1] == answers[0]
    assert answers[0][-7] == engine_stub.request and answers[0][-6] == 100
    assert stacks.spyne_behind_fast.calls == 0


# -- faults -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["2147483648", "-2147483649", "99999999999999999999999999"])
def test_an_xs_int_out_of_range_is_the_same_client_fault(stacks, engine_stub, value):
    ticket = stacks.login(stacks.fast)
    body = soap_envelope("sendRequestXML", ticket=ticket, **{**SEND_PARAMS, "qbXMLMajorVers": value})
    spyne, fast = stacks.both(body, "sendRequestXML")
    assert fast.status_int == 500
    assert_same(spyne, fast)
    fault = etree.fromstring(fast.body).find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    assert fault.findtext("faultcode") == "soap11env:Client"
    assert "qbXMLMajorVers must be an xs:int" in fault.findtext("faultstring")
    assert "next_request" not in engine_stub.names()
    assert stacks.spyne_behind_fast.calls == 0


def test_a_failing_callback_is_the_same_server_fault(stacks, monkeypatch):
    def broken(*_args):
        raise RuntimeError("database gone")

    monkeypatch.setattr(stacks.callbacks, "authenticate", broken)
    spyne, fast = stacks.both(soap_envelope("authenticate", strUserName="u", strPassword="p"),
                              "authenticate")
    assert fast.status_int == 500
    assert_same(spyne, fast)
    assert b"<faultcode>soap11env:Server</faultcode><faultstring>Internal Error</faultstring>" \
        in fast.body


def test_an_answer_xml_cannot_carry_is_a_server_fault(stacks, monkeypatch):
    """spyne sends an envelope without a Body for it; the fast path says what happened."""
    monkeypatch.setattr(stacks.callbacks, "get_interactive_url", lambda *_args: "a\x01b")
    response = stacks.fast.post("/", soap_envelope("getInteractiveURL", wcTicket="t"),
                                headers=soap_headers("getInteractiveURL"), expect_errors=True)
    assert response.status_int == 500
    assert b"<faultcode>soap11env:Server</faultcode><faultstring>Internal Error</faultstring>" \
        in response.body


# -- anything else goes to spyne ---------------------------------------------------------------


def _raw(operation: str, inner: str, header: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{SOAP_ENV}" '
            f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">{header}<soap:Body>'
            f'<{operation} xmlns="{NS}">{inner}</{operation}></soap:Body></soap:Envelope>').encode()


@pytest.mark.parametrize("body", [
    soap_envelope("sendRequestXML", ticket="t", **{**SEND_PARAMS, "qbXMLMajorVers": "thirteen"}),
    soap_envelope("sendRequestXML", ticket="t", **{**SEND_PARAMS, "qbXMLMajorVers": " +13 "}),
    soap_envelope("sendRequestXML", ticket="t", **{**SEND_PARAMS, "qbXMLMinorVers": "1_0"}),
    soap_envelope("sendRequestXML", ticket="t", **{**SEND_PARAMS, "qbXMLMajorVers": "9" * 5000}),
    _raw("getLastError", "<ticket>a</ticket><ticket>b</ticket>"),
    _raw("getLastError", '<ticket xsi:nil="true"/>'),
    _raw("getLastError", "<ticket><b>x</b></ticket>"),
    _raw("getLastError", "<ticket>t</ticket><unknown>1</unknown>"),
    _raw("getLastError", "<!-- a comment --><ticket>t</ticket>"),
    _raw("getLastError", "<ticket>t</ticket>", header="<soap:Header/>"),
    _raw("noSuchOperation", "<ticket>t</ticket>"),
    b'<?xml version="1.0"?><QBXML/>',
], ids=["word-int", "spaced-int", "underscore-int", "5000-digits", "duplicate", "nil", "nested",
        "unknown-param", "comment", "header", "unknown-operation", "not-soap"])
def test_requests_outside_the_plain_shape_get_spynes_own_answer(stacks, body):
    spyne, fast = stacks.both(body, headers={"Content-Type": "text/xml; charset=utf-8"})
    assert_same(spyne, fast)
    assert stacks.spyne_behind_fast.calls == 1


def test_a_request_without_content_type_gets_the_same_answer(stacks):
    body = soap_envelope("serverVersion")
    spyne, fast = (app.post("/", body, headers={"SOAPAction": f'"{NS}serverVersion"'},
                            content_type="", expect_errors=True) for app in (stacks.spyne, stacks.fast))
    assert_same(spyne, fast)
    assert spyne.status_int == 200


def test_the_wsdl_still_comes_from_spyne(stacks):
    wsdl = stacks.fast.get("/?wsdl")
    assert re.search(rb'name="QBWebConnectorSvcSoap"', wsdl.body)
    assert stacks.spyne_behind_fast.calls == 1
