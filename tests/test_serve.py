"""``qbwc-service serve`` as a real process, over HTTP and HTTPS (self-signed certificate)."""

from __future__ import annotations

import json
import ssl
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import zeep
from soap_support import (
    CLI,
    NS,
    ServeProcess,
    self_signed_cert,
    soap_envelope,
    soap_headers,
    soap_result,
    wsdl_path,
)
from zeep.transports import Transport

from qbwc_service import accounts, config, wsgi
from qbwc_service.queue.db import transaction
from qbwc_service.server import run_in_thread

TROUBLESHOOT_BINDING = "{http://developer.intuit.com/}TroubleshootWebServiceFSSoap"
CLASSIC_BINDING = "{http://developer.intuit.com/}QBWebConnectorSvcSoap"
@pytest.fixture
def user(sessions) -> None:
    with transaction(sessions) as db:
        accounts.create_user(db, "shop", "pw-1", company_file="C:\\Co\\shop.qbw")


@pytest.fixture
def served(config_file, user) -> Iterator[ServeProcess]:
    proc = ServeProcess(config_file)
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    return self_signed_cert(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def tls_config(config_file: Path, certificate) -> Path:
    cert, key = certificate
    config_file.write_text(config_file.read_text(encoding="utf-8").replace(
        "[logging]", f'[server]\ntls_cert = "{cert.as_posix()}"\ntls_key = "{key.as_posix()}"\n\n[logging]'),
        encoding="utf-8")
    return config_file


def test_serve_answers_every_callback_from_intuits_wsdl(served):
    """The Done-when check: zeep, built from Intuit's WSDL, against a running `serve`."""
    svc = zeep.Client(str(wsdl_path("TroubleshootWebServiceFS.wsdl"))).create_service(
        TROUBLESHOOT_BINDING, served.url + "/qbwc")
    assert svc.serverVersion().startswith("qbwc-service")
    assert (svc.clientVersion("2.3.0.215") or "") == ""
    assert svc.clientVersion("2.0.0.1").startswith("O:")
    assert svc.authenticate("shop", "nope") in (["", "nvu"], [None, "nvu"])
    ticket, answer = svc.authenticate("shop", "pw-1")
    assert isinstance(ticket, str) and len(ticket) >= 22
    # Whatever the default sync engine decides, every answer has the protocol's type.
    assert answer in ("none", "C:\\Co\\shop.qbw")
    request = svc.sendRequestXML(ticket, "", "C:\\Co\\shop.qbw", "US", 13, 0)
    assert request is None or isinstance(request, str)
    percent = svc.receiveResponseXML(ticket, "", "0x80040400", "QuickBooks found an error")
    assert type(percent) is int and percent <= 100
    assert isinstance(svc.connectionError(ticket, "0x80040401", "Could not access QuickBooks."), str)
    assert isinstance(svc.getLastError(ticket), str)
    assert isinstance(svc.closeConnection(ticket), str)
    assert svc.receiveResponseXML(ticket, "", "", "") == -1  # closed

    classic = zeep.Client(str(wsdl_path("QBWebConnectorSvc.wsdl"))).create_service(
        CLASSIC_BINDING, served.url + "/qbwc")
    ticket, _ = classic.authenticate("shop", "pw-1")
    assert isinstance(classic.closeConnection(ticket), str)


def test_serve_healthz_wsdl_and_clean_shutdown(served):
    with urllib.request.urlopen(served.url + "/healthz", timeout=10) as response:
        assert json.load(response) == {"status": "ok", "database": True}
    with urllib.request.urlopen(served.url + "/qbwc?wsdl", timeout=10) as response:
        assert b'targetNamespace="http://developer.intuit.com/"' in response.read()
    assert served.stop() == 0  # SIGTERM stops it cleanly


def test_serve_over_tls_with_a_self_signed_certificate(tls_config, certificate, user):
    cert, _key = certificate
    proc = ServeProcess(tls_config, "--host", "127.0.0.1")
    try:
        assert proc.url.startswith("https://127.0.0.1:")
        trusted = ssl.create_default_context(cafile=str(cert))
        with urllib.request.urlopen(proc.url + "/healthz", timeout=10, context=trusted) as response:
            assert json.load(response)["database"] is True
        # Without trusting our certificate, verification fails: it is real TLS.
        with pytest.raises(urllib.error.URLError) as excinfo:
            urllib.request.urlopen(proc.url + "/healthz", timeout=10,
                                   context=ssl.create_default_context())
        assert isinstance(excinfo.value.reason, ssl.SSLCertVerificationError)
        # The Web Connector's view: SOAP over HTTPS, certificate verified.
        session = requests.Session()
        session.trust_env = False  # else REQUESTS_CA_BUNDLE would override session.verify
        session.verify = str(cert)
        svc = zeep.Client(str(wsdl_path("TroubleshootWebServiceFS.wsdl")),
                          transport=Transport(session=session)).create_service(
            TROUBLESHOOT_BINDING, proc.url + "/qbwc")
        ticket, _ = svc.authenticate("shop", "pw-1")
        assert len(ticket) >= 22
        assert isinstance(svc.closeConnection(ticket), str)
    finally:
        assert proc.stop() == 0


def test_run_in_thread_with_tls(config_file, sessions, certificate):
    cert, key = certificate
    app = wsgi.create_app(config.load(config_file), sessions=sessions)
    with run_in_thread(app, "127.0.0.1", 0, tls=(cert, key)) as running:
        assert running.url.startswith("https://127.0.0.1:")
        response = requests.post(running.url + "/qbwc", data=soap_envelope("serverVersion"),
                                 headers=soap_headers("serverVersion"), verify=str(cert), timeout=10)
        assert response.status_code == 200
        assert soap_result(response.content, "serverVersion").text.startswith("qbwc-service")
        # Old protocols are refused.
        old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        old.load_verify_locations(str(cert))
        old.maximum_version = ssl.TLSVersion.TLSv1_1
        old.minimum_version = ssl.TLSVersion.TLSv1
        with pytest.raises((ssl.SSLError, urllib.error.URLError, ConnectionError)):
            urllib.request.urlopen(running.url + "/healthz", timeout=10, context=old)
    with pytest.raises(requests.ConnectionError):
        requests.get(running.url + "/healthz", verify=str(cert), timeout=5)


def test_serve_refuses_a_missing_certificate(config_file, tmp_path):
    config_file.write_text(config_file.read_text(encoding="utf-8") +
                           f'\n[server]\ntls_cert = "{(tmp_path / "no.pem").as_posix()}"\n'
                           f'tls_key = "{(tmp_path / "no.key").as_posix()}"\n', encoding="utf-8")
    result = subprocess.run([*CLI, "--config", str(config_file), "serve", "--port", "0"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "'server.tls_cert'" in result.stderr and "no.pem" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_refuses_an_unreadable_certificate_naming_the_keys(config_file, tmp_path):
    (tmp_path / "bad.pem").write_text("not a certificate\n", encoding="utf-8")
    config_file.write_text(config_file.read_text(encoding="utf-8") +
                           '\n[server]\ntls_cert = "bad.pem"\ntls_key = "bad.pem"\n', encoding="utf-8")
    result = subprocess.run([*CLI, "--config", str(config_file), "serve", "--port", "0"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "'server.tls_cert'" in result.stderr and "Traceback" not in result.stderr


def test_soap_namespace_constant_matches_intuit():
    assert NS == "http://developer.intuit.com/"
