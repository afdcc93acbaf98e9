"""A zeep client built from Intuit's own WSDLs drives the service over HTTP."""

from __future__ import annotations

import pytest
from soap_support import CLASSIC, QBXML_REQUEST, TROUBLESHOOT, ScriptedEngine, intuit_client

from qbwc_service import accounts, config, wsgi
from qbwc_service.queue.db import transaction
from qbwc_service.server import run_in_thread


@pytest.fixture
def engine_stub():
    return ScriptedEngine(percent=100)


@pytest.fixture
def server(config_file, sessions, engine_stub):
    with transaction(sessions) as db:
        accounts.create_user(db, "shop", "correct horse", company_file="C:\\Co\\shop.qbw")
    app = wsgi.create_app(config.load(config_file), engine_stub, sessions=sessions)
    with run_in_thread(app) as running:
        yield running


def test_every_troubleshoot_wsdl_callback_gets_typed_answers(server, engine_stub):
    _client, svc = intuit_client(TROUBLESHOOT, server.url + "/qbwc")
    version = svc.serverVersion()
    assert isinstance(version, str) and version.startswith("qbwc-service")
    # zeep reads an empty element as None; test_soap_wire checks the element is there, not nil.
    assert (svc.clientVersion("2.3.0.215") or "") == ""
    assert svc.clientVersion("1.0.0.1") == "O:2.1.0.30"
    nvu = svc.authenticate("shop", "wrong")
    assert [s or "" for s in nvu] == ["", "nvu"]
    answer = svc.authenticate("shop", "correct horse")
    assert isinstance(answer, list)
    ticket, company = answer
    assert isinstance(ticket, str) and len(ticket) >= 22
    assert company == "C:\\Co\\shop.qbw"
    request = svc.sendRequestXML(ticket, "", "C:\\Co\\shop.qbw", "US", 13, 0)
    assert request == QBXML_REQUEST
    percent = svc.receiveResponseXML(ticket, "<QBXML><QBXMLMsgsRs/></QBXML>", "", "")
    assert percent == 100 and type(percent) is int
    assert svc.connectionError(ticket, "0x80040401", "Could not access QuickBooks.") == "done"
    last = svc.getLastError(ticket)
    assert isinstance(last, str) and "Could not access QuickBooks." in last
    assert svc.closeConnection(ticket) == "OK: 1 record sent"
    # After closeConnection the ticket is dead.
    assert svc.receiveResponseXML(ticket, "", "", "") == -1
    assert "expired" in svc.getLastError(ticket).lower()
    assert engine_stub.names() == ["has_work", "next_request", "apply_response", "connection_error",
                                   "close"]


def test_classic_wsdl_session(server, engine_stub):
    _client, svc = intuit_client(CLASSIC, server.url + "/qbwc")
    ticket, company = svc.authenticate("shop", "correct horse")
    assert company == "C:\\Co\\shop.qbw"
    assert svc.sendRequestXML(ticket, "", "", "CA", 13, 0) == QBXML_REQUEST
    assert engine_stub.calls[-1][1].country == "CA"
    assert svc.receiveResponseXML(ticket, "<QBXML/>", "", "") == 100
    assert svc.closeConnection(ticket) == "OK: 1 record sent"


def test_none_and_noop_through_zeep(config_file, sessions):
    with transaction(sessions) as db:
        accounts.create_user(db, "idle", "pw")
    app = wsgi.create_app(config.load(config_file), ScriptedEngine(work=False, request=""),
                          sessions=sessions)
    with run_in_thread(app) as running:
        _client, svc = intuit_client(TROUBLESHOOT, running.url + "/qbwc")
        ticket, answer = svc.authenticate("idle", "pw")
        assert answer == "none"
        assert (svc.sendRequestXML(ticket, "", "", "US", 13, 0) or "") == ""
        assert svc.getLastError(ticket) == "NoOp"
