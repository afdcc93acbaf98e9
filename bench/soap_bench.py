"""SOAP edge figures: authenticate cost (scrypt) and callback round trips over HTTP.

Run: ``.venv/bin/python bench/soap_bench.py [--calls N]``. Uses a temporary
SQLite queue, the in-thread cheroot server and a scripted engine that does no
work, so the figures are the SOAP layer's own overhead (parse, ticket check,
session row update, serialise) plus HTTP on localhost.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import requests
from lxml import etree

from qbwc_service import accounts, config, wsgi
from qbwc_service.queue import db
from qbwc_service.server import run_in_thread
from qbwc_service.sync.contract import IdleEngine

NS = "http://developer.intuit.com/"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"


class EchoEngine(IdleEngine):
    def has_work(self, db, user):
        return True

    def next_request(self, db, session, ctx):
        return "<?xml version=\"1.0\"?><?qbxml version=\"13.0\"?><QBXML/>"

    def apply_response(self, db, session, response, hresult, message):
        return 50


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "qbwc-service.toml"
        path.write_text('[logging]\nlevel = "WARNING"\n', encoding="utf-8")
        cfg = config.load(path)
        db.upgrade(cfg.database_url)
        sessions = db.session_factory(db.make_engine(cfg.database_url))
        with db.transaction(sessions) as dbs:
            accounts.create_user(dbs, "bench", "pw")
        with run_in_thread(wsgi.create_app(cfg, EchoEngine(), sessions=sessions)) as running:
            url = running.url + "/qbwc"
            http = requests.Session()
            auth = timed(http, url, "authenticate", 10, strUserName="bench", strPassword="pw")
            ticket = etree.fromstring(http.post(url, data=envelope(
                "authenticate", strUserName="bench", strPassword="pw"),
                headers={"Content-Type": "text/xml"}).content).findtext(f".//{{{NS}}}string")
            rs = '<CustomerAddRs statusCode="0"/>' * 50
            response = f"<QBXML><QBXMLMsgsRs>{rs}</QBXMLMsgsRs></QBXML>"
            send = timed(http, url, "sendRequestXML", args.calls, ticket=ticket, strHCPResponse="",
                         strCompanyFileName="", qbXMLCountry="US", qbXMLMajorVers="13", qbXMLMinorVers="0")
            recv = timed(http, url, "receiveResponseXML", args.calls, ticket=ticket, response=response,
                         hresult="", message="")
            for name, values in (("authenticate", auth), ("sendRequestXML", send),
                                 ("receiveResponseXML (~1.7 KB)", recv)):
                print(f"{name:32s} median {statistics.median(values):7.2f} ms   "
                      f"p95 {sorted(values)[int(len(values) * 0.95) - 1]:7.2f} ms   n={len(values)}")


if __name__ == "__main__":
    main()
