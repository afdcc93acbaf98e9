"""SOAP edge figures: authenticate cost (scrypt), and callback round trips next to the floor.

Run: ``.venv/bin/python bench/soap_bench.py [--calls N] [--rounds R]``. Uses a
temporary SQLite queue, the in-thread cheroot server and a scripted engine
that does no work, so the figures are the SOAP layer's own overhead (parse,
ticket check, session row update, serialise) plus HTTP on localhost. Next to
it, in the same process and interleaved round by round, the floor
(:mod:`floor_app`: a bare lxml WSGI handler, no database) answers the same
calls, and so does our SOAP layer alone (guard, fast path, spyne behind it)
over callbacks that skip the ticket check's database work. Printed per
callback and server: the median round's milliseconds per call on the client
(wall, HTTP included) and the CPU milliseconds per call inside the WSGI
application (``time.thread_time``; other load on the machine barely changes
it), and each over the floor, the wall ratio next to the target (2x: what the
Web Connector waits for; the CPU ratio of ours compares the ticket check's
database round trip with no database at all).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import requests
from floor_app import FloorApp
from lxml import etree

from qbwc_service import accounts, config, wsgi
from qbwc_service.queue import db
from qbwc_service.server import run_in_thread
from qbwc_service.soap.callbacks import QbwcCallbacks
from qbwc_service.soap.fastpath import FastSoap
from qbwc_service.soap.guard import XmlGuard
from qbwc_service.soap.service import create_soap_app
from qbwc_service.sync.contract import IdleEngine

NS = "http://developer.intuit.com/"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
#: Ours within this factor of the bare lxml handler, per call (issue 17).
TARGET_RATIO = 2.0
CALLBACKS = ("sendRequestXML", "receiveResponseXML")
MAX_BODY = 64 * 1024 * 1024
#: The servers, each answering the same calls: ours, our SOAP layer alone, the bare lxml floor.
SERVERS = ("ours", "soap layer", "floor")


class EchoEngine(IdleEngine):
    def has_work(self, db, user):
        return True

    def next_request(self, db, session, ctx):
        return "<?xml version=\"1.0\"?><?qbxml version=\"13.0\"?><QBXML/>"

    def apply_response(self, db, session, response, hresult, message):
        return 50


class NoDatabase(QbwcCallbacks):
    """The two timed callbacks without the ticket check: what the SOAP layer alone costs."""

    def send_request_xml(self, ticket, ctx):
        return EchoEngine().next_request(None, None, ctx)

    def receive_response_xml(self, ticket, response, hresult, message):
        return 50


def soap_layer(sessions: Any) -> Any:
    """Our SOAP stack as ``create_app`` builds it (guard, fast path, spyne), over :class:`NoDatabase`."""
    callbacks = NoDatabase(sessions, EchoEngine())
    return XmlGuard(FastSoap(create_soap_app(callbacks, MAX_BODY), callbacks), MAX_BODY)


class CpuTimed:
    """WSGI middleware adding up the CPU time of the serving thread inside the app, per operation."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.cpu: dict[str, float] = defaultdict(float)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        operation = environ.get("HTTP_SOAPACTION", "").strip('"').removeprefix(NS)
        started = time.thread_time()
        try:
            return list(self.app(environ, start_response))
        finally:
            self.cpu[operation] += time.thread_time() - started


def envelope(op: str, **params: str) -> bytes:
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV})
    body = etree.SubElement(env, f"{{{SOAP_ENV}}}Body")
    el = etree.SubElement(body, f"{{{NS}}}{op}", nsmap={None: NS})
    for name, value in params.items():
        etree.SubElement(el, f"{{{NS}}}{name}").text = value
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")


def timed(session: requests.Session, url: str, op: str, n: int, **params: str) -> list[float]:
    body, headers = envelope(op, **params), {"Content-Type": "text/xml; charset=utf-8",
                                             "SOAPAction": f'"{NS}{op}"'}
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        response = session.post(url, data=body, headers=headers, timeout=30)
        out.append((time.perf_counter() - t0) * 1000)
        response.raise_for_status()
    return out


def login(http: requests.Session, url: str, user: str, password: str) -> str:
    answer = http.post(url, data=envelope("authenticate", strUserName=user, strPassword=password),
                       headers={"Content-Type": "text/xml"}, timeout=30)
    return etree.fromstring(answer.content).findtext(f".//{{{NS}}}string") or ""


def calls(ticket: str) -> dict[str, dict[str, str]]:
    """The parameters of each timed callback (a ~1.7 KB receiveResponseXML)."""
    rs = '<CustomerAddRs statusCode="0"/>' * 50
    return {
        "sendRequestXML": {"ticket": ticket, "strHCPResponse": "", "strCompanyFileName": "",
                           "qbXMLCountry": "US", "qbXMLMajorVers": "13", "qbXMLMinorVers": "0"},
        "receiveResponseXML": {"ticket": ticket, "response": f"<QBXML><QBXMLMsgsRs>{rs}</QBXMLMsgsRs>"
                                                            "</QBXML>", "hresult": "", "message": ""},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=100, help="calls per callback per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "qbwc-service.toml"
        path.write_text('[logging]\nlevel = "WARNING"\n', encoding="utf-8")
        cfg = config.load(path)
        db.upgrade(cfg.database_url)
        sessions = db.session_factory(db.make_engine(cfg.database_url))
        with db.transaction(sessions) as dbs:
            accounts.create_user(dbs, "bench", "pw")
        apps = {"ours": CpuTimed(wsgi.create_app(cfg, EchoEngine(), sessions=sessions)),
                "soap layer": CpuTimed(soap_layer(sessions)),
                "floor": CpuTimed(FloorApp(records=10**9))}
        with run_in_thread(apps["ours"]) as ours, run_in_thread(apps["soap layer"]) as layer, \
                run_in_thread(apps["floor"]) as floor:
            urls = {"ours": ours.url + "/qbwc", "soap layer": layer.url + "/", "floor": floor.url + "/"}
            http = requests.Session()
            auth = timed(http, urls["ours"], "authenticate", 10, strUserName="bench", strPassword="pw")
            params = {name: calls(login(http, url, "bench", "pw") if name != "soap layer" else "t" * 43)
                      for name, url in urls.items()}
            wall: dict[tuple[str, str], list[float]] = defaultdict(list)
            cpu: dict[tuple[str, str], list[float]] = defaultdict(list)
            for _round in range(args.rounds + 1):  # the first round warms up and is dropped
                for name in SERVERS:
                    for op in CALLBACKS:
                        before = apps[name].cpu[op]
                        times = timed(http, urls[name], op, args.calls, **params[name][op])
                        if _round:
                            wall[name, op].append(statistics.median(times))
                            cpu[name, op].append(1000 * (apps[name].cpu[op] - before) / args.calls)
    print(f"authenticate (scrypt): median {statistics.median(auth):.2f} ms   n={len(auth)}")
    print(f"per call, median of {args.rounds} interleaved rounds of {args.calls} calls "
          "(wall on the client with HTTP; CPU inside the WSGI app):")
    for op in CALLBACKS:
        medians = {name: (statistics.median(wall[name, op]), statistics.median(cpu[name, op]))
                   for name in SERVERS}
        floor_wall, floor_cpu = medians["floor"]
        print(f"  {op}:")
        for name in SERVERS:
            ours_wall, ours_cpu = medians[name]
            ratio = (f"   /bare: wall {ours_wall / floor_wall:4.2f}x (target <= {TARGET_RATIO:.0f}x), "
                     f"CPU {ours_cpu / floor_cpu:4.2f}x" if name != "floor" else "")
            print(f"    {name if name != 'floor' else 'bare lxml':10s} {ours_wall:6.3f} ms "
                  f"(CPU {ours_cpu:6.3f}){ratio}")

if __name__ == "__main__":
    main()
