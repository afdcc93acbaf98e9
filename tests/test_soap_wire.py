"""The SOAP service on the wire (webtest): Intuit's shapes, WSDL, XML safety, logging."""

from __future__ import annotations

import logging
import time

import pytest
import webtest
from lxml import etree
from soap_support import (
    NS,
    SAMPLES,
    SOAP_ENV,
    ScriptedEngine,
    soap_envelope,
    soap_headers,
    soap_result,
)
from sqlalchemy import select

from qbwc_service import accounts, config, wsgi
from qbwc_service.queue.db import transaction
from qbwc_service.queue.models import AuthFailure, QbwcSession
from qbwc_service.soap.callbacks import EXPIRED_TEXT

XSD = "http://www.w3.org/2001/XMLSchema"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"


@pytest.fixture
def cfg(config_file):
    return config.load(config_file)


@pytest.fixture
def engine_stub():
    return ScriptedEngine()


@pytest.fixture
def app(cfg, sessions, engine_stub):
    with transaction(sessions) as db:
        accounts.create_user(db, "username", "password", company_file="C:\\shop.qbw")
    return webtest.TestApp(wsgi.create_app(cfg, engine_stub, sessions=sessions))


def post(app, operation, status=200, **params):
    return app.post("/qbwc", soap_envelope(operation, **params), headers=soap_headers(operation),
                    status=status)


def test_raw_authenticate_as_the_web_connector_sends_it(app):
    body = (SAMPLES / "03-authenticate.request.xml").read_bytes()
    response = app.post("/qbwc", body, headers={
        "Content-Type": "text/xml; charset=utf-8",
        "SOAPAction": '"http://developer.intuit.com/authenticate"'})
    assert response.status_int == 200
    assert response.content_type == "text/xml"
    result = soap_result(response.body, "authenticate")
    strings = result.findall(f"{{{NS}}}string")
    assert [s.tag for s in result] == [f"{{{NS}}}string"] * 2
    assert len(strings[0].text) >= 22
    assert strings[1].text == "C:\\shop.qbw"


def test_nvu_comes_back_as_two_strings_with_an_empty_ticket(app):
    result = soap_result(post(app, "authenticate", strUserName="username",
                              strPassword="nope").body, "authenticate")
    values = [s.text or "" for s in result.findall(f"{{{NS}}}string")]
    assert values == ["", "nvu"]
    assert all(s.get(XSI_NIL) is None for s in result)


@pytest.mark.parametrize("operation,params", [
    ("serverVersion", {}),
    ("clientVersion", {"strVersion": "2.3.0.215"}),
    ("getLastError", {"ticket": "unknown"}),
    ("closeConnection", {"ticket": "unknown"}),
    ("connectionError", {"ticket": "unknown", "hresult": "0x80040401", "message": "m"}),
    ("sendRequestXML", {"ticket": "unknown", "strHCPResponse": "", "strCompanyFileName": "",
                        "qbXMLCountry": "US", "qbXMLMajorVers": "13", "qbXMLMinorVers": "0"}),
    ("getInteractiveURL", {"wcTicket": "unknown", "sessionID": "1"}),
    ("interactiveDone", {"wcTicket": "unknown"}),
    ("interactiveRejected", {"wcTicket": "unknown", "reason": "no"}),
])
def test_every_string_result_is_an_element_never_nil(app, operation, params):
    result = soap_result(post(app, operation, **params).body, operation)
    assert result.get(XSI_NIL) is None
    assert isinstance(result.text or "", str)


def test_unknown_ticket_answers(app):
    assert soap_result(post(app, "getLastError", ticket="nope").body, "getLastError").text == EXPIRED_TEXT
    result = soap_result(post(app, "receiveResponseXML", ticket="nope", response="<QBXML/>",
                              hresult="", message="").body, "receiveResponseXML")
    assert result.text == "-1"
    result = soap_result(post(app, "sendRequestXML", ticket="nope", strHCPResponse="",
                              strCompanyFileName="", qbXMLCountry="US", qbXMLMajorVers="13",
                              qbXMLMinorVers="0").body, "sendRequestXML")
    assert (result.text or "") == ""


def test_a_session_over_the_wire(app, engine_stub):
    ticket = soap_result(post(app, "authenticate", strUserName="username", strPassword="password").body,
                         "authenticate")[0].text
    hcp = etree.fromstring((SAMPLES / "04-sendRequestXML.first.request.xml").read_bytes()).findtext(
        f".//{{{NS}}}strHCPResponse")
    xml = soap_result(post(app, "sendRequestXML", ticket=ticket, strHCPResponse=hcp,
                           strCompanyFileName="C:\\shop.qbw", qbXMLCountry="US", qbXMLMajorVers="13",
                           qbXMLMinorVers="0").body, "sendRequestXML").text
    assert xml == engine_stub.request
    ctx = engine_stub.calls[1][1]
    assert (ctx.major_version, ctx.minor_version, ctx.country) == (13, 0, "US")
    assert ctx.hcp_response == hcp
    response = etree.fromstring((SAMPLES / "05-receiveResponseXML.request.xml").read_bytes()).findtext(
        f".//{{{NS}}}response")
    percent = soap_result(post(app, "receiveResponseXML", ticket=ticket, response=response, hresult="",
                               message="").body, "receiveResponseXML")
    assert percent.text == "100"
    assert engine_stub.calls[2][1][0] == response
    text = soap_result(post(app, "closeConnection", ticket=ticket).body, "closeConnection").text
    assert text == "OK: 1 record sent"


# -- the WSDL we publish --------------------------------------------------------------------


@pytest.fixture
def wsdl(app):
    return etree.fromstring(app.get("/qbwc?wsdl").body)


def _element(wsdl, name):
    found = wsdl.find(f".//{{{XSD}}}schema/{{{XSD}}}element[@name='{name}']")
    assert found is not None, name
    type_name = found.get("type").split(":")[1]
    return wsdl.find(f".//{{{XSD}}}schema/{{{XSD}}}complexType[@name='{type_name}']")


def _children(complex_type):
    return [(el.get("name"), el.get("type"), el.get("minOccurs", "1"))
            for el in complex_type.iter(f"{{{XSD}}}element")]


def test_wsdl_matches_intuits_operations_parameters_and_types(wsdl):
    assert wsdl.get("targetNamespace") == NS
    schema = wsdl.find(f".//{{{XSD}}}schema")
    assert schema.get("elementFormDefault") == "qualified"
    s, i = "xs:string", "xs:int"
    expected = {
        "serverVersion": [],
        "clientVersion": [("strVersion", s, "0")],
        "authenticate": [("strUserName", s, "0"), ("strPassword", s, "0")],
        "sendRequestXML": [("ticket", s, "0"), ("strHCPResponse", s, "0"),
                           ("strCompanyFileName", s, "0"), ("qbXMLCountry", s, "0"),
                           ("qbXMLMajorVers", i, "1"), ("qbXMLMinorVers", i, "1")],
        "receiveResponseXML": [("ticket", s, "0"), ("response", s, "0"), ("hresult", s, "0"),
                               ("message", s, "0")],
        "connectionError": [("ticket", s, "0"), ("hresult", s, "0"), ("message", s, "0")],
        "getLastError": [("ticket", s, "0")],
        "closeConnection": [("ticket", s, "0")],
        "getInteractiveURL": [("wcTicket", s, "0"), ("sessionID", s, "0")],
        "interactiveDone": [("wcTicket", s, "0")],
        "interactiveRejected": [("wcTicket", s, "0"), ("reason", s, "0")],
    }
    for op, params in expected.items():
        assert _children(_element(wsdl, op)) == params, op
        result = _children(_element(wsdl, f"{op}Response"))
        assert [r[0] for r in result] == [f"{op}Result"], op
    assert _children(_element(wsdl, "receiveResponseXMLResponse")) == [
        ("receiveResponseXMLResult", i, "1")]
    assert _children(_element(wsdl, "authenticateResponse")) == [
        ("authenticateResult", "tns:ArrayOfString", "0")]
    array = schema.find(f"{{{XSD}}}complexType[@name='ArrayOfString']")
    (string,) = array.iter(f"{{{XSD}}}element")
    assert (string.get("name"), string.get("type"), string.get("minOccurs"),
            string.get("maxOccurs")) == ("string", "xs:string", "0", "unbounded")


def test_wsdl_soap_binding_is_document_literal_with_intuits_soap_actions(wsdl):
    soap = "http://schemas.xmlsoap.org/wsdl/soap/"
    binding = wsdl.find(f"{{{WSDL}}}binding")
    assert binding.get("name") == "QBWebConnectorSvcSoap"
    assert binding.find(f"{{{soap}}}binding").get("style") == "document"
    for op in binding.findall(f"{{{WSDL}}}operation"):
        action = op.find(f"{{{soap}}}operation").get("soapAction")
        assert action == NS + op.get("name")
        assert op.find(f"{{{WSDL}}}input/{{{soap}}}body").get("use") == "literal"


# -- XML safety -------------------------------------------------------------------------------

BOMB = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
        + b"".join(b' <!ENTITY lol%d "%s">\n' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                   for i in range(1, 10))
        + b']>\n<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        b'<clientVersion xmlns="http://developer.intuit.com/"><strVersion>&lol9;</strVersion>'
        b'</clientVersion></soap:Body></soap:Envelope>')
EXTERNAL = (b'<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
            b'<authenticate xmlns="http://developer.intuit.com/"><strUserName>&xxe;</strUserName>'
            b'<strPassword>x</strPassword></authenticate></soap:Body></soap:Envelope>')
PLAIN_DOCTYPE = (b'<?xml version="1.0"?><!DOCTYPE soap:Envelope>'
                 + soap_envelope("serverVersion").split(b"?>", 1)[1])
PARAMETER_ENTITY = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:1/x.dtd">'
                    b' %p;]><x/>')


@pytest.mark.parametrize("body", [BOMB, EXTERNAL, PLAIN_DOCTYPE, PARAMETER_ENTITY, b"<not xml",
                                  b"\x00\x01garbage"],
                         ids=["entity-bomb", "external-entity", "doctype", "parameter-entity",
                              "malformed", "binary"])
def test_unsafe_or_malformed_xml_gets_a_soap_fault(app, engine_stub, body):
    started = time.monotonic()
    response = app.post("/qbwc", body, headers=soap_headers("clientVersion"), expect_errors=True)
    assert time.monotonic() - started < 5
    assert response.status_int in (400, 413, 500)
    root = etree.fromstring(response.body)
    fault = root.find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    assert fault is not None
    assert fault.findtext("faultcode").endswith("Client")
    assert b"root:" not in response.body and b"lollollol" not in response.body
    assert engine_stub.calls == []


def test_oversized_body_is_refused_before_parsing(cfg, sessions, monkeypatch):
    monkeypatch.setitem(cfg.values, "server.max_request_mb", 1)
    app = webtest.TestApp(wsgi.create_app(cfg, ScriptedEngine(), sessions=sessions))
    big = soap_envelope("clientVersion", strVersion="9" * (1024 * 1024 + 10))
    response = app.post("/qbwc", big, headers=soap_headers("clientVersion"), expect_errors=True)
    assert response.status_int == 413
    assert etree.fromstring(response.body).find(f".//{{{SOAP_ENV}}}Fault") is not None


@pytest.mark.parametrize("repeats", [400_000, 1_500_000])  # ~3 MB; ~12 MB in one text node
def test_large_qbxml_response_within_the_body_limit_is_accepted(app, engine_stub, repeats):
    """libxml2 refuses text nodes over 10 MB by default; the body limit (64 MB) is what counts."""
    ticket = soap_result(post(app, "authenticate", strUserName="username", strPassword="password").body,
                         "authenticate")[0].text
    response = "<QBXML><QBXMLMsgsRs>" + "<X>y</X>" * repeats + "</QBXMLMsgsRs></QBXML>"
    result = soap_result(post(app, "receiveResponseXML", ticket=ticket, response=response, hresult="",
                              message="").body, "receiveResponseXML")
    assert result.text == "100"
    assert len(engine_stub.calls[-1][1][0]) == len(response)


@pytest.mark.parametrize("action", ['"http://developer.intuit.com/authenticate"', '""', "",
                                    "http://developer.intuit.com/authenticate", '"urn:authenticate"'])
def test_soap_action_naming_the_body_operation_or_empty_is_accepted(app, action):
    response = app.post("/qbwc", soap_envelope("authenticate", strUserName="username", strPassword="x"),
                        headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": action})
    assert soap_result(response.body, "authenticate")[1].text == "nvu"


@pytest.mark.parametrize("action", ['"http://developer.intuit.com/closeConnection"', '"http://evil/x"'])
def test_soap_action_naming_another_operation_is_a_client_fault(app, engine_stub, action):
    body = soap_envelope("authenticate", strUserName="username", strPassword="password")
    response = app.post("/qbwc", body, expect_errors=True,
                        headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": action})
    assert response.status_int == 500
    fault = etree.fromstring(response.body).find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    assert fault.findtext("faultcode").endswith("Client")
    assert "does not match" in fault.findtext("faultstring")
    assert engine_stub.calls == []


def test_get_and_other_methods_on_qbwc_get_a_soap_fault(app):
    for method in (app.get, app.put, app.delete):
        response = method("/qbwc", expect_errors=True)
        assert response.status_int == 405
        assert etree.fromstring(response.body).find(f".//{{{SOAP_ENV}}}Fault") is not None


# -- odds and ends ----------------------------------------------------------------------------


def test_calls_are_logged_with_the_password_masked(app, caplog):
    caplog.set_level(logging.DEBUG, logger="qbwc_service")
    post(app, "authenticate", strUserName="username", strPassword="password")
    post(app, "authenticate", strUserName="username", strPassword="wrong-Pa55")
    text = caplog.text
    assert "authenticate(strUserName='username', strPassword=***)" in text
    assert "password'" not in text and "wrong-Pa55" not in text


def test_huge_parameters_are_cut_short_in_the_log(app, caplog):
    caplog.set_level(logging.DEBUG, logger="qbwc_service")
    post(app, "authenticate", strUserName="u" * 100_000, strPassword="x")
    post(app, "clientVersion", strVersion="9" * 100_000)
    assert "u" * 100_000 not in caplog.text and "9" * 100_000 not in caplog.text
    assert "(100002 chars)" in caplog.text
    assert max(len(record.getMessage()) for record in caplog.records) < 2000


def test_qbxml_bodies_are_logged_only_at_debug(app, caplog):
    ticket = soap_result(post(app, "authenticate", strUserName="username", strPassword="password").body,
                         "authenticate")[0].text
    caplog.set_level(logging.INFO, logger="qbwc_service")
    post(app, "receiveResponseXML", ticket=ticket, response="<QBXML><Secret/></QBXML>", hresult="",
         message="")
    assert "receiveResponseXML(" in caplog.text
    assert "<Secret/>" not in caplog.text
    assert ticket not in caplog.text
    caplog.clear()
    caplog.set_level(logging.DEBUG, logger="qbwc_service")
    post(app, "receiveResponseXML", ticket=ticket, response="<QBXML><Secret/></QBXML>", hresult="",
         message="")
    assert "<Secret/>" in caplog.text


def test_healthz_reports_the_database(app):
    response = app.get("/healthz")
    assert response.json == {"status": "ok", "database": True}


def test_healthz_degraded_when_the_database_is_down(cfg, tmp_path):
    from qbwc_service.queue import db

    broken = db.session_factory(db.make_engine(f"sqlite:///{tmp_path}/missing/dir/q.sqlite3"))
    app = webtest.TestApp(wsgi.create_app(cfg, ScriptedEngine(), sessions=broken))
    response = app.get("/healthz", status=503)
    assert response.json == {"status": "degraded", "database": False}


def test_other_paths_are_not_found_and_support_page_exists(app):
    app.get("/nope", status=404)
    assert "qbwc-service" in app.get("/support").text


def test_empty_string_elements_as_sent_after_the_first_call(app, engine_stub):
    ticket = soap_result(post(app, "authenticate", strUserName="username", strPassword="password").body,
                         "authenticate")[0].text
    body = soap_envelope("sendRequestXML", ticket=ticket, strHCPResponse="", strCompanyFileName="",
                         qbXMLCountry="", qbXMLMajorVers="13", qbXMLMinorVers="0")
    assert b"<strHCPResponse/>" in body
    xml = soap_result(app.post("/qbwc", body, headers=soap_headers("sendRequestXML")).body,
                      "sendRequestXML").text
    assert xml == engine_stub.request
    assert engine_stub.calls[-1][1].hcp_response == ""


def test_a_non_integer_version_is_a_client_fault(app, engine_stub):
    response = app.post("/qbwc", soap_envelope(
        "sendRequestXML", ticket="t", strHCPResponse="", strCompanyFileName="", qbXMLCountry="US",
        qbXMLMajorVers="thirteen", qbXMLMinorVers="0"), headers=soap_headers("sendRequestXML"),
        expect_errors=True)
    assert response.status_int == 500
    fault = etree.fromstring(response.body).find(f".//{{{SOAP_ENV}}}Fault")
    assert fault.findtext("faultcode").endswith("Client") or "Client" in fault.findtext("faultcode")
    assert engine_stub.calls == []


@pytest.mark.parametrize("value", ["2147483648", "-2147483649", "99999999999999999999999999"])
def test_an_xs_int_out_of_range_is_a_client_fault_never_a_stored_value(app, engine_stub, sessions, value):
    ticket = soap_result(post(app, "authenticate", strUserName="username", strPassword="password").body,
                         "authenticate")[0].text
    response = app.post("/qbwc", soap_envelope(
        "sendRequestXML", ticket=ticket, strHCPResponse="", strCompanyFileName="", qbXMLCountry="US",
        qbXMLMajorVers=value, qbXMLMinorVers="0"), headers=soap_headers("sendRequestXML"),
        expect_errors=True)
    assert response.status_int == 500
    fault = etree.fromstring(response.body).find(f".//{{{SOAP_ENV}}}Fault")
    assert "Client" in fault.findtext("faultcode")
    assert "qbXMLMajorVers must be an xs:int" in fault.findtext("faultstring")
    assert [name for name, _ in engine_stub.calls] == ["has_work"]
    with sessions() as db:
        assert db.scalars(select(QbwcSession.qbxml_version)).one() == ""


def test_the_largest_xs_int_is_accepted(app, engine_stub):
    ticket = soap_result(post(app, "authenticate", strUserName="username", strPassword="password").body,
                         "authenticate")[0].text
    post(app, "sendRequestXML", ticket=ticket, strHCPResponse="", strCompanyFileName="",
         qbXMLCountry="US", qbXMLMajorVers="2147483647", qbXMLMinorVers="-2147483648")
    ctx = engine_stub.calls[-1][1]
    assert (ctx.major_version, ctx.minor_version) == (2**31 - 1, -(2**31))


def test_spynes_own_parser_is_configured_safely(cfg, sessions):
    """Defence in depth: even without the guard in front, spyne does not expand entities."""
    from qbwc_service.soap.callbacks import QbwcCallbacks
    from qbwc_service.soap.service import create_soap_app

    soap = create_soap_app(QbwcCallbacks(sessions, ScriptedEngine()), 1024 * 1024)
    kwargs = soap.app.in_protocol.parser_kwargs
    # huge_tree only lifts the 10 MB limit on one text node; the guard refuses DOCTYPEs first.
    assert (kwargs["resolve_entities"], kwargs["load_dtd"], kwargs["no_network"]) == (False, False, True)
    bare = webtest.TestApp(soap)
    for body in (BOMB, EXTERNAL):
        response = bare.post("/", body, headers=soap_headers("clientVersion"), expect_errors=True)
        assert b"lollollol" not in response.body and b"root:" not in response.body


@pytest.mark.parametrize("encoding,content_type", [
    ("utf-16", "text/xml; charset=utf-8"),  # the header contradicts the document
    ("iso-8859-1", "text/xml; charset=no-such-charset"),
    ("utf-8", "text/xml; charset=no-such-charset"),
])
def test_the_documents_own_encoding_wins_over_the_header(app, encoding, content_type):
    """The guard and spyne read the same bytes the same way: no crash, no empty 500."""
    body = soap_envelope("clientVersion", strVersion="2.3.0.215").split(b"?>", 1)[1]
    body = f'<?xml version="1.0" encoding="{encoding}"?>'.encode() + body
    response = app.post("/qbwc", body.decode("utf-8").encode(encoding),
                        headers={**soap_headers("clientVersion"), "Content-Type": content_type})
    assert soap_result(response.body, "clientVersion") is not None


def _failed_logins(app, user, addr, times):
    for _ in range(times):
        app.post("/qbwc", soap_envelope("authenticate", strUserName=user, strPassword="wrong"),
                 headers={**soap_headers("authenticate"), "X-Forwarded-For": addr},
                 extra_environ={"REMOTE_ADDR": "10.9.9.9"})


def _login_answer(app, addr):
    response = app.post("/qbwc", soap_envelope("authenticate", strUserName="username",
                                               strPassword="password"),
                        headers={**soap_headers("authenticate"), "X-Forwarded-For": addr},
                        extra_environ={"REMOTE_ADDR": "10.9.9.9"})
    strings = soap_result(response.body, "authenticate").findall(f"{{{NS}}}string")
    return strings[1].text or ""


@pytest.mark.parametrize("proxies,locked_out", [(0, True), (1, False)])
def test_a_trusted_proxy_keeps_one_callers_failures_from_locking_out_the_rest(
        config_file, sessions, proxies, locked_out):
    """Behind one proxy, throttling counts the forwarded client address, not the proxy's."""
    with config_file.open("a", encoding="utf-8") as fh:
        fh.write(f"\n[server]\ntrusted_proxies = {proxies}\n\n[qbwc]\nmax_failures = 3\n")
    with transaction(sessions) as db:
        accounts.create_user(db, "username", "password", company_file="C:\\shop.qbw")
    app = webtest.TestApp(wsgi.create_app(config.load(config_file), ScriptedEngine(),
                                          sessions=sessions))
    # Eight failures: the address they count against waits 32 s before its next attempt.
    _failed_logins(app, "someone-else", "203.0.113.7", 8)
    assert (_login_answer(app, "198.51.100.4") == "nvu") is locked_out
    with sessions() as db:
        counted = {row.key for row in db.scalars(select(AuthFailure))}
    counted_as = "10.9.9.9" if locked_out else "203.0.113.7"  # the proxy's address, or the caller's
    assert counted == {f"qbwc:addr:{counted_as}", f"qbwc:pair:someone-else|{counted_as}"}


def test_paused_service_answers_clientversion_with_e(config_file, sessions):
    """qbwc.paused_message stops every Web Connector at clientVersion with that text."""
    with config_file.open("a", encoding="utf-8") as fh:
        fh.write('\n[qbwc]\npaused_message = "Upgrading until 6 pm"\n')
    app = webtest.TestApp(wsgi.create_app(config.load(config_file), ScriptedEngine(),
                                          sessions=sessions))
    result = soap_result(post(app, "clientVersion", strVersion="2.3.0.215").body, "clientVersion")
    assert result.text == "E:Upgrading until 6 pm"
