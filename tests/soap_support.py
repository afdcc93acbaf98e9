"""Helpers shared by the SOAP, serve and security tests (not a test module)."""

from __future__ import annotations

import os
import queue
import re
import shutil
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import zeep
from lxml import etree
from sqlalchemy.orm import Session

from qbwc_service.queue.models import QbwcSession, User
from qbwc_service.sync.contract import RequestContext

PACKAGE_WSDL = Path(__file__).resolve().parent.parent / "qbwc_service" / "simulator" / "wsdl"
SAMPLES = Path(__file__).resolve().parent / "data" / "soap"
NS = "http://developer.intuit.com/"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
QBXML_REQUEST = ('<?xml version="1.0" encoding="utf-8"?><?qbxml version="13.0"?><QBXML>'
                 '<QBXMLMsgsRq onError="stopOnError"><CustomerQueryRq requestID="1"/></QBXMLMsgsRq>'
                 '</QBXML>')


TROUBLESHOOT = ("TroubleshootWebServiceFS.wsdl", "{http://developer.intuit.com/}TroubleshootWebServiceFSSoap")
CLASSIC = ("QBWebConnectorSvc.wsdl", "{http://developer.intuit.com/}QBWebConnectorSvcSoap")


def wsdl_path(name: str) -> Path:
    """One of Intuit's WSDLs, as shipped in the package."""
    return PACKAGE_WSDL / name


def intuit_client(wsdl: tuple[str, str], url: str):
    """zeep on Intuit's WSDL file, pointed at our endpoint instead of Intuit's address."""
    client = zeep.Client(str(wsdl_path(wsdl[0])))
    return client, client.create_service(wsdl[1], url)


@dataclass
class ScriptedEngine:
    """A sync engine with scripted answers that records what it was asked."""

    work: bool = True
    request: str = QBXML_REQUEST
    percent: int = 100
    fail_on: str = ""
    calls: list[tuple[str, object]] = field(default_factory=list)

    def _maybe_fail(self, name: str) -> None:
        if self.fail_on == name:
            raise RuntimeError(f"scripted failure in {name}")

    def has_work(self, db: Session, user: User) -> bool:
        self.calls.append(("has_work", user.name))
        self._maybe_fail("has_work")
        return self.work

    def next_request(self, db: Session, session: QbwcSession, ctx: RequestContext) -> str:
        self.calls.append(("next_request", ctx))
        self._maybe_fail("next_request")
        if not self.request:
            session.last_error = "NoOp"
        return self.request

    def apply_response(self, db: Session, session: QbwcSession, response: str, hresult: str,
                       message: str) -> int:
        self.calls.append(("apply_response", (response, hresult, message)))
        self._maybe_fail("apply_response")
        if self.percent < 0:
            session.last_error = "QuickBooks said no"
        return self.percent

    def connection_error(self, db: Session, session: QbwcSession, hresult: str, message: str) -> str:
        self.calls.append(("connection_error", (hresult, message)))
        session.last_error = f"could not open QuickBooks: {message}"
        return "done"

    def close(self, db: Session, session: QbwcSession) -> str:
        self.calls.append(("close", session.id))
        return "OK: 1 record sent"

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


def soap_envelope(operation: str, **params: str) -> bytes:
    """A SOAP 1.1 request as the Web Connector sends it (document/literal), built with lxml."""
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV})
    body = etree.SubElement(env, f"{{{SOAP_ENV}}}Body")
    op = etree.SubElement(body, f"{{{NS}}}{operation}", nsmap={None: NS})
    for name, value in params.items():
        etree.SubElement(op, f"{{{NS}}}{name}").text = value or None  # "" -> <name/>
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")


def soap_headers(operation: str) -> dict[str, str]:
    return {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{NS}{operation}"'}


def soap_result(body: bytes, operation: str) -> etree._Element:
    """The ``<operation>Result`` element of a SOAP response (asserting the envelope shape)."""
    root = etree.fromstring(body)
    response = root.find(f"{{{SOAP_ENV}}}Body/{{{NS}}}{operation}Response")
    assert response is not None, body
    result = response.find(f"{{{NS}}}{operation}Result")
    assert result is not None, body
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def self_signed_cert(folder: Path) -> tuple[Path, Path]:
    """A throwaway certificate + key for localhost / 127.0.0.1 (openssl CLI)."""
    openssl = shutil.which("openssl")
    assert openssl, "the openssl command is needed (Debian package openssl)"
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


CLI = [sys.executable, "-m", "qbwc_service"]
STARTUP_SECONDS = 60


class ServeProcess:
    """A running ``qbwc-service serve``; its URL is read from the line it prints when ready."""

    def __init__(self, config_path: Path, *extra: str) -> None:
        self.proc = subprocess.Popen([*CLI, "--config", str(config_path), "serve", "--port", "0", *extra],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        self.url = self._wait_for_url()

    def _pump(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.put(line)
        self.lines.put("")

    def _wait_for_url(self) -> str:
        seen = []
        while True:
            try:
                line = self.lines.get(timeout=STARTUP_SECONDS)
            except queue.Empty:
                self.stop()
                pytest.fail(f"serve did not start: {''.join(seen)}")
            seen.append(line)
            match = re.search(r"listening on (\S+)", line)
            if match:
                return match.group(1)
            if line == "":
                pytest.fail(f"serve exited: {''.join(seen)}")

    def stop(self) -> int:
        self.proc.terminate()
        try:
            return self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()
