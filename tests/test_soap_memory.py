"""Large SOAP bodies from anyone (no valid ticket needed): each parsed once, a few at a time,
memory bounded and given back, the server answering other requests meanwhile.

The figures for eight 48 MB bodies are ``bench/memory_bench.py``'s; these tests use smaller
bodies and bounds far from both the old and the new behaviour, so a busy machine does not
change their outcome.
"""

from __future__ import annotations

import io
import sys
import threading
import time
from pathlib import Path
from xml.sax.saxutils import unescape

import psutil
import pytest
import requests
import webtest
from soap_support import NS, ScriptedEngine, ServeProcess, soap_envelope, soap_headers, soap_result
from spyne.protocol.soap import soap11

from qbwc_service import accounts, config, wsgi, xmlsafe
from qbwc_service.queue.db import transaction
from qbwc_service.soap import body
from qbwc_service.soap.admission import LARGE_BYTES, LargeBodies
from qbwc_service.soap.guard import PARSED_ENVELOPE, XmlGuard

MB = 2**20
#: One QuickBooks record as it travels inside <response>: escaped.
RECORD = "&lt;CustomerRet&gt;&lt;Name&gt;Big&lt;/Name&gt;&lt;/CustomerRet&gt;"


def large_response(megabytes: float, ticket: str = "no-such-ticket") -> bytes:
    """A receiveResponseXML body of about *megabytes* MB."""
    head = (f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope '
            f'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
            f'<receiveResponseXML xmlns="{NS}"><ticket>{ticket}</ticket><response>')
    tail = "</response><hresult/><message/></receiveResponseXML></soap:Body></soap:Envelope>"
    return (head + RECORD * int(megabytes * MB / len(RECORD)) + tail).encode("utf-8")


@pytest.fixture
def app(config_file, sessions):
    with transaction(sessions) as db:
        accounts.create_user(db, "username", "password", company_file="C:\\shop.qbw")
    engine = ScriptedEngine(percent=42)
    return webtest.TestApp(wsgi.create_app(config.load(config_file), engine, sessions=sessions)), engine


def test_each_body_is_parsed_once_and_spyne_never_parses_it_again(app, monkeypatch):
    test_app, engine = app

    def reparsed(*args, **kwargs):
        raise AssertionError("spyne parsed the body a second time")

    parses = []
    parse_file = xmlsafe.parse_file
    monkeypatch.setattr(soap11, "_parse_xml_string", reparsed)
    monkeypatch.setattr(xmlsafe, "parse_file", lambda *a, **kw: parses.append(1) or parse_file(*a, **kw))
    monkeypatch.setattr(xmlsafe, "parse", lambda *a, **kw: reparsed())
    answer = test_app.post("/qbwc", soap_envelope("authenticate", strUserName="username",
                                                  strPassword="password"),
                           headers=soap_headers("authenticate"))
    ticket = soap_result(answer.body, "authenticate")[0].text
    big = large_response(2, ticket)
    result = test_app.post("/qbwc", big, headers=soap_headers("receiveResponseXML"))
    assert soap_result(result.body, "receiveResponseXML").text == "42"
    assert engine.calls[-1][1][0] == unescape(RECORD) * int(2 * MB / len(RECORD))  # all of it
    assert len(parses) == 2


def test_a_large_body_is_spooled_to_disk_not_held_in_memory():
    data = b"x" * (3 * MB)
    environ = {"wsgi.input": io.BytesIO(data), "CONTENT_LENGTH": str(len(data))}
    with body.spooled(environ, 4 * MB) as stream:
        assert stream.fileno() >= 0  # a real file: only a file on disk has a descriptor
        assert stream.read() == data
    small = {"wsgi.input": io.BytesIO(b"<x/>"), "CONTENT_LENGTH": "4"}
    with body.spooled(small, 4 * MB) as stream:
        assert stream.read() == b"<x/>"
    with pytest.raises(body.BodyTooLarge):
        chunked = {"wsgi.input": io.BytesIO(data)}  # no Content-Length
        with body.spooled(chunked, MB):
            pass


def test_large_bodies_take_turns_and_the_rest_are_refused_at_once():
    """One turn, one waiting; a third large body is refused without waiting; small ones pass."""
    release, inside = threading.Event(), threading.Semaphore(0)
    seen: list[bool] = []

    def slow_app(environ, start_response):
        seen.append(environ.get(PARSED_ENVELOPE) is not None)
        inside.release()
        release.wait(timeout=30)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"done"]

    waiting = threading.Semaphore(0)

    class Watched(LargeBodies):
        def turn(self):
            waiting.release()
            return super().turn()

    guard = webtest.TestApp(XmlGuard(slow_app, 64 * MB, Watched(1, wait_seconds=30)))
    big = soap_envelope("clientVersion", strVersion="9" * (LARGE_BYTES + 10))
    statuses: list[int] = []

    def post():
        statuses.append(guard.post("/", big, headers=soap_headers("clientVersion"),
                                   expect_errors=True).status_int)

    first, second = threading.Thread(target=post), threading.Thread(target=post)
    first.start()
    assert inside.acquire(timeout=30)  # the first has its turn and is being answered
    second.start()
    assert waiting.acquire(timeout=30) and waiting.acquire(timeout=30)  # the second waits for its turn
    refused = guard.post("/", big, headers=soap_headers("clientVersion"), expect_errors=True)
    assert refused.status_int == 503 and refused.headers["Retry-After"]
    assert b"busy" in refused.body
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert statuses == [200, 200]
    assert seen == [True, True]


def test_a_large_body_waiting_too_long_for_its_turn_is_refused():
    gate = LargeBodies(1, wait_seconds=0.05)
    with gate.turn() as first:
        assert first
        with gate.turn() as second:
            assert not second


def _rss_settles(process: psutil.Process, below: int, seconds: float = 10) -> int:
    deadline = time.monotonic() + seconds
    while True:
        rss = process.memory_info().rss
        if rss < below or time.monotonic() > deadline:
            return rss
        time.sleep(0.1)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc for the peak RSS")
def test_concurrent_large_bodies_without_a_ticket_keep_memory_bounded_and_give_it_back(config_file):
    server = ServeProcess(config_file)
    try:
        process = psutil.Process(server.proc.pid)
        requests.get(server.url + "/healthz", timeout=30)
        before = process.memory_info().rss
        data = large_response(24)
        statuses: list[int | str] = []

        def post():
            try:
                statuses.append(requests.post(server.url + "/qbwc", data=data, timeout=300,
                                              headers=soap_headers("receiveResponseXML")).status_code)
            except requests.RequestException as exc:
                statuses.append(type(exc).__name__)

        threads = [threading.Thread(target=post) for _ in range(4)]
        for thread in threads:
            thread.start()
        health = requests.get(server.url + "/healthz", timeout=30)
        for thread in threads:
            thread.join(timeout=300)
        peak = _peak_rss(process.pid)
        after = _rss_settles(process, before + 40 * MB)
    finally:
        server.stop()
    assert health.status_code == 200
    assert sorted(statuses) in ([200] * 4, [200, 200, 200, 503], [200, 200, 503, 503])
    # Before: four bodies of 24 MB took ~320 MB more at the peak and kept most of it.
    assert peak - before < 160 * MB, f"peak grew {(peak - before) / MB:.0f} MB"
    assert after - before < 40 * MB, f"{(after - before) / MB:.0f} MB kept after the bodies"


def _peak_rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")
