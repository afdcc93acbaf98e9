"""The Web Connector emulator drives full sessions against a running server over HTTP."""

from __future__ import annotations

import pytest
import requests
from mini_engine import MiniEngine, queue_customers
from sim_support import CheckedCompany, StepClock
from sqlalchemy import select

from qbwc_service import accounts, config
from qbwc_service.queue.db import transaction
from qbwc_service.queue.models import Job
from qbwc_service.server import run_in_thread
from qbwc_service.simulator.quickbooks import product_for
from qbwc_service.simulator.webconnector import Call, EmulatorOptions, WebConnector, run_concurrent
from qbwc_service.wsgi import create_app

PASSWORD = "correct horse 42"
FAST = {"noop_pause": 0.01}


@pytest.fixture
def engine_and_server(config_file, sessions):
    engine = MiniEngine()
    app = create_app(config.load(config_file), engine, sessions=sessions)
    with run_in_thread(app, threads=4) as server:
        yield engine, server.url + "/qbwc"


@pytest.fixture
def url(engine_and_server):
    return engine_and_server[1]


@pytest.fixture
def mini(engine_and_server):
    return engine_and_server[0]


def add_user(sessions, name, *customers):
    with transaction(sessions) as db:
        user = accounts.create_user(db, name, PASSWORD)
        queue_customers(db, user, *customers)


def company():
    return CheckedCompany.fresh(clock=StepClock())


def customer_names(qb):
    return sorted(r["Name"] for r in qb.state.records.get("CustomerRet", {}).values())


def test_full_session_runs_the_loop_until_100(url, sessions):
    add_user(sessions, "shop", "Acme", "Beta", "Gamma")
    qb = company()
    lines = []
    connector = WebConnector(url, qb, EmulatorOptions(**FAST), printer=lines.append)
    result = connector.run_session("shop", PASSWORD)
    assert result.outcome == "finished" and result.progress == 100
    assert result.call_names == ["clientVersion", "authenticate", "sendRequestXML", "receiveResponseXML",
                                 "sendRequestXML", "receiveResponseXML", "closeConnection"]
    assert result.close_message == "OK: 3 customer(s) added"
    assert customer_names(qb) == ["Acme", "Beta", "Gamma"]
    with transaction(sessions) as db:
        ids = {j.source_key: j.qb_list_id for j in db.scalars(select(Job))}
    assert ids == {r["Name"]: r["ListID"] for r in qb.state.records["CustomerRet"].values()}
    first_send = result.calls[2]
    assert first_send.args["qbXMLCountry"] == "'US'" and "HostQueryRs" in first_send.args["strHCPResponse"]
    assert result.calls[4].args["strHCPResponse"] == "''"
    assert any("sendRequestXML" in line and "CustomerAddRq" in line for line in lines)
    assert result.counts["receiveResponseXML"] == 2


def test_no_work_and_bad_password_stop_after_authenticate(url, sessions):
    add_user(sessions, "idle")
    add_user(sessions, "busy", "Acme")
    connector = WebConnector(url, company(), EmulatorOptions(**FAST))
    idle = connector.run_session("idle", PASSWORD)
    wrong = connector.run_session("busy", "not the password")
    assert (idle.outcome, idle.call_names) == ("none", ["clientVersion", "authenticate", "closeConnection"])
    assert (wrong.outcome, wrong.call_names) == ("nvu", ["clientVersion", "authenticate", "closeConnection"])


def test_noop_pauses_and_asks_again(url, sessions, mini):
    add_user(sessions, "shop", "Acme")
    mini.noops = 2
    result = WebConnector(url, company(), EmulatorOptions(**FAST)).run_session("shop", PASSWORD)
    assert result.outcome == "finished"
    assert result.call_names[2:] == ["sendRequestXML", "getLastError", "sendRequestXML", "getLastError",
                                     "sendRequestXML", "receiveResponseXML", "closeConnection"]
    assert result.calls[2].args["strHCPResponse"] != "''"  # the HCP response rides on the first call only


def test_noop_limit_counts_pauses_in_a_row_not_per_session(url, sessions, mini):
    add_user(sessions, "shop", "A1", "A2", "A3", "A4", "A5", "A6", "A7")
    mini.noop_each = True
    qb = company()
    result = WebConnector(url, qb, EmulatorOptions(max_noops=3, **FAST)).run_session("shop", PASSWORD)
    assert result.counts["getLastError"] > 3  # one pause before each of the four messages, and the end
    assert result.outcome == "finished" and len(customer_names(qb)) == 7
    assert result.call_names[-1] == "closeConnection"


def test_compact_call_lines_drop_what_every_call_repeats():
    args = {"ticket": "<ticket>", "strHCPResponse": "''", "strCompanyFileName": "'C:\\x.qbw'",
            "qbXMLCountry": "'US'", "qbXMLMajorVers": "13"}
    call = Call("sendRequestXML", args, "NoOp", 0.1)
    assert call.line(compact=True) == "sendRequestXML() -> 'NoOp'"
    assert "strCompanyFileName='C:" in call.line()
    answer = Call("receiveResponseXML", {"ticket": "<ticket>", "response": "''", "hresult": "'0x80040400'",
                                         "message": "'bad'"}, -1, 0.1)
    assert answer.line(compact=True) == "receiveResponseXML(hresult='0x80040400', message='bad') -> -1"


def test_a_dead_server_is_a_failed_session_not_a_blank_one():
    connector = WebConnector("http://127.0.0.1:9/qbwc", company(), EmulatorOptions(timeout=5, **FAST))
    lines: list[str] = []
    connector.printer = lines.append
    with pytest.raises(requests.exceptions.ConnectionError):
        connector.run_session("shop", PASSWORD)
    assert lines and lines[-1].startswith("user shop: failed,") and "last error:" in lines[-1]


def test_negative_progress_asks_get_last_error(url, sessions):
    add_user(sessions, "shop", "Acme")
    qb = company()
    WebConnector(url, qb, EmulatorOptions(**FAST))  # sets the product
    qb.inject_error("Acme", 3180)
    result = WebConnector(url, qb, EmulatorOptions(**FAST)).run_session("shop", PASSWORD)
    assert result.outcome == "error" and result.progress < 0
    assert result.call_names[-2:] == ["getLastError", "closeConnection"]
    assert "3180" in result.last_error and "modified by another user" in result.last_error


def test_crash_leaves_the_session_open_and_the_next_one_recovers(url, sessions):
    add_user(sessions, "shop", "Acme", "Beta")
    qb = company()
    crashed = WebConnector(url, qb, EmulatorOptions(crash_after=1, **FAST)).run_session("shop", PASSWORD)
    assert crashed.outcome == "crashed" and crashed.call_names[-1] == "sendRequestXML"
    assert "closeConnection" not in crashed.call_names and customer_names(qb) == []
    again = WebConnector(url, qb, EmulatorOptions(**FAST)).run_session("shop", PASSWORD)
    assert again.outcome == "finished" and customer_names(qb) == ["Acme", "Beta"]


def test_invalid_message_reaches_the_server_as_hresult(url, sessions, mini):
    add_user(sessions, "shop", "Acme")
    mini.broken_first = True
    qb = company()
    result = WebConnector(url, qb, EmulatorOptions(**FAST)).run_session("shop", PASSWORD)
    assert result.outcome == "error" and result.hresults_sent == 1 and result.responses == 0
    assert result.calls[3].args["hresult"] == "'0x80040400'"
    assert "0x80040400" in result.last_error and customer_names(qb) == []
    injected = EmulatorOptions(hresults={1: ("0x80040402", "Unexpected error")}, **FAST)
    result = WebConnector(url, qb, injected).run_session("shop", PASSWORD)
    assert "0x80040402" in result.last_error and customer_names(qb) == []
    assert WebConnector(url, qb, EmulatorOptions(**FAST)).run_session("shop", PASSWORD).outcome == "finished"
    assert customer_names(qb) == ["Acme"]


def test_company_file_that_cannot_be_opened(url, sessions):
    add_user(sessions, "shop", "Acme")
    options = EmulatorOptions(company_file_unavailable=True, **FAST)
    result = WebConnector(url, company(), options).run_session("shop", PASSWORD)
    assert result.outcome == "connection_error"
    assert result.call_names == ["clientVersion", "authenticate", "connectionError", "getLastError",
                                 "closeConnection"]
    assert "0x80040408" in result.last_error


def test_two_users_at_once(url, sessions):
    add_user(sessions, "north", "N1", "N2", "N3")
    add_user(sessions, "south", "S1", "S2", "S3")
    north, south = company(), company()
    results = run_concurrent(url, [("north", PASSWORD, north), ("south", PASSWORD, south)],
                             EmulatorOptions(**FAST))
    assert [r.outcome for r in results] == ["finished", "finished"]
    assert customer_names(north) == ["N1", "N2", "N3"] and customer_names(south) == ["S1", "S2", "S3"]


@pytest.mark.parametrize("country,version", [("US", "8.0"), ("CA", "13.0"), ("UK", "13.0")])
def test_versions_and_countries(url, sessions, country, version):
    add_user(sessions, "shop", "Acme")
    qb = CheckedCompany.fresh(country=country, clock=StepClock())
    options = EmulatorOptions(qb_version=version, country=country, **FAST)
    result = WebConnector(url, qb, options).run_session("shop", PASSWORD)
    assert result.outcome == "finished" and customer_names(qb) == ["Acme"]
    send = result.calls[2]
    assert send.args["qbXMLCountry"] == repr(country)
    assert send.args["qbXMLMajorVers"] == repr(product_for(country, version).qbxml_major_minor[0])
