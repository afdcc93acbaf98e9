"""``qbwc-service simulate`` and ``qbwc-service demo``."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from mini_engine import MiniEngine, queue_customers

from qbwc_service import accounts, config
from qbwc_service.cli import main
from qbwc_service.queue.db import transaction
from qbwc_service.server import run_in_thread
from qbwc_service.simulator.demo_db import HARD_CASES
from qbwc_service.wsgi import create_app


@pytest.fixture
def url(config_file, sessions):
    with transaction(sessions) as db:
        user = accounts.create_user(db, "shop", "s3cret pass")
        queue_customers(db, user, "Acme", "Beta", "Gamma")
    app = create_app(config.load(config_file), MiniEngine(), sessions=sessions)
    with run_in_thread(app, threads=4) as server:
        yield server.url + "/qbwc"


def test_simulate_runs_a_session_and_keeps_state(url, tmp_path):
    state = tmp_path / "qb.json"
    args = ["simulate", "--url", url, "--user", "shop", "--password-stdin", "--state", str(state)]
    result = CliRunner().invoke(main, args, input="s3cret pass\n")
    assert result.exit_code == 0, result.output
    assert "sendRequestXML(" in result.output and "receiveResponseXML(" in result.output
    assert "user shop: finished" in result.output and "closeConnection x1" in result.output
    names = sorted(r["Name"] for r in json.loads(state.read_text())["records"]["CustomerRet"].values())
    assert names == ["Acme", "Beta", "Gamma"]
    again = CliRunner().invoke(main, args + ["--quiet"], input="s3cret pass\n")
    assert again.exit_code == 0 and "user shop: none" in again.output


def test_simulate_crash_and_bad_password(url):
    crash = CliRunner().invoke(main, ["simulate", "--url", url, "--user", "shop", "--password-stdin",
                                      "--crash-after", "1", "-q"], input="s3cret pass\n")
    assert crash.exit_code == 0 and "crashed" in crash.output and "closeConnection" not in crash.output
    wrong = CliRunner().invoke(main, ["simulate", "--url", url, "--user", "shop", "--password-stdin"],
                               input="nope\n")
    assert wrong.exit_code == 1 and "user shop: nvu" in wrong.output


def simulate(*extra: str, url: str = "http://127.0.0.1:9/qbwc"):
    args = ["simulate", "--url", url, "--user", "shop", "--password-stdin", *extra]
    return CliRunner().invoke(main, args, input="s3cret pass\n")


def test_simulate_refuses_a_state_file_it_cannot_use_before_any_call(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    result = simulate("--state", str(broken))
    assert result.exit_code == 2 and "is not a QuickBooks stand-in state file" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    result = simulate("--state", str(tmp_path / "no such folder" / "qb.json"))
    assert result.exit_code == 2 and "does not exist" in result.output
    assert "clientVersion" not in result.output


def test_simulate_keeps_a_state_file_to_its_country(url, tmp_path):
    state = tmp_path / "qb.json"
    assert simulate("--state", str(state), "--country", "CA", "-q", url=url).exit_code == 0
    assert json.loads(state.read_text())["country"] == "CA"
    result = simulate("--state", str(state), "--country", "US", url=url)
    assert result.exit_code == 2 and "holds a CA company" in result.output


def test_simulate_against_a_dead_server_is_a_clear_error():
    result = simulate("--quiet")
    assert result.exit_code == 1 and "session against http://127.0.0.1:9/qbwc failed" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_demo_syncs_the_demo_database_and_prints_a_readable_report(tmp_path):
    folder = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--dir", str(folder), "--port", "0"])
    assert result.exit_code == 0, result.output
    state = json.loads((folder / "quickbooks-company.json").read_text())
    assert state["records"].get("InvoiceRet")
    out = result.output
    assert "outcomes: finished" in out and "Run 1 of demo" in out
    # Reads as a sync report, without the SOAP trace (that is --verbose).
    assert "Sync report" in out and "sessions:           1. finished, " in out
    # Tax and credits in plain words: what QuickBooks holds, money first.
    assert "in QuickBooks:" in out and "sales tax included: " in out
    assert "credit memos (JobBOSS2 billings below zero) crediting customers" in out
    assert "sendRequestXML" not in out and "authenticate(" not in out
    assert f"qbwc-service --config {folder / 'qbwc-service.toml'} queue list --status error" in out
    assert f"QuickBooks stand-in state: {folder / 'quickbooks-company.json'}" in out
    # Every section is there, the long ones cut short with the command that lists everything.
    for header in ("Created (", "Warnings (", "Errors ("):
        assert header in out
    assert f"more: qbwc-service --config {folder / 'qbwc-service.toml'} report" in out
    assert len(out.splitlines()) < 150, out
    # With default settings nothing waits on a name too long for QuickBooks: each is shortened,
    # a warning that the full report lists.
    assert "Errors (0)" in out and "(blocked)" not in out
    full = CliRunner().invoke(main, ["--config", str(folder / "qbwc-service.toml"), "report"])
    assert full.exit_code == 0, full.output
    shortened = [line for line in full.output.splitlines() if ": name map: " in line]
    assert {line.split(": name map: ")[0].split("] ")[1] for line in shortened} == {
        f"CustCode:{HARD_CASES['long_name_customer']}", f"Estim:{HARD_CASES['long_part_no']}"}


def test_quickbooks_summary_says_tax_and_credits_in_plain_words():
    from qbwc_service.simulator.demo import quickbooks_summary
    from qbwc_service.simulator.quickbooks import QuickBooksCompany

    qb = QuickBooksCompany.fresh("US")
    tax_item = next(rec for _r, rec in qb.state.all(("ItemSalesTaxRet",)))
    tax_ref = {"FullName": tax_item.get("FullName") or tax_item["Name"]}
    qb.state.put("InvoiceRet", "T-1", {"Subtotal": "108.25", "SalesTaxTotal": "0.00", "InvoiceLineRet": [
        {"ItemRef": {"FullName": "Machining"}, "Amount": "100.00"},
        {"ItemRef": tax_ref, "Amount": "8.25"}]})
    qb.state.put("CreditMemoRet", "T-2", {"TotalAmount": "54.13", "SalesTaxTotal": "0.00",
                                          "CreditMemoLineRet": [{"ItemRef": tax_ref, "Amount": "4.13"}]})
    lines = quickbooks_summary(qb)
    assert lines[0].startswith("1 invoices totalling 108.25, sales tax included: 8.25")
    assert lines[1] == ("1 credit memos (JobBOSS2 billings below zero) crediting customers 54.13, "
                        "sales tax 4.13")
    assert lines[2] == "0 bills totalling 0.00"


def test_demo_serve_prints_the_state_file_and_the_qwc(monkeypatch, tmp_path):
    """With --serve the summary (sessions, stand-in state) is printed too, before serving."""
    import threading
    from types import SimpleNamespace

    from qbwc_service.simulator import demo as demo_mod

    done = threading.Thread(target=lambda: None)
    done.start()
    done.join()
    fake = demo_mod.DemoResult(folder=tmp_path, config_path=tmp_path / "c.toml",
                               jobboss_path=tmp_path / "j.sqlite3", state_path=tmp_path / "qb.json",
                               user="demo", password="pw", url="http://localhost:1/qbwc",
                               qwc_path=tmp_path / "demo.qwc", report_text="report",
                               server=SimpleNamespace(thread=done, stop=lambda: None))
    monkeypatch.setattr(demo_mod, "run_demo", lambda *a, **k: fake)
    result = CliRunner().invoke(main, ["demo", "--dir", str(tmp_path), "--serve"])
    assert result.exit_code == 0, result.output
    assert f"QuickBooks stand-in state: {fake.state_path}" in result.output
    assert f"Web Connector file: {fake.qwc_path}" in result.output and "password: pw" in result.output


def test_demo_qwc_names_localhost_for_a_real_web_connector(tmp_path):
    """The Web Connector's plain-http exception is for localhost; the .qwc must say so."""
    from lxml import etree

    from qbwc_service.queue import db
    from qbwc_service.simulator.demo import DEMO_USER, DemoResult, prepare, write_qwc

    result: DemoResult = prepare(tmp_path, seed=0, scale=1)
    cfg = config.load(result.config_path)
    sessions = db.session_factory(db.make_engine(cfg.database_url))
    with transaction(sessions) as dbs:
        accounts.create_user(dbs, DEMO_USER, "pw")
    result.url = "http://127.0.0.1:4321/qbwc"
    qwc = etree.parse(str(write_qwc(sessions, result, cfg))).getroot()
    assert qwc.findtext("AppURL") == "http://localhost:4321/qbwc"
    assert qwc.findtext("AppSupport") == "http://localhost:4321/support"


@pytest.mark.parametrize(("args", "traced"), [((), False), (("--verbose",), True), (("-v", "-q"), False)])
def test_demo_prints_the_soap_trace_only_with_verbose(monkeypatch, tmp_path, args, traced):
    """The emulator's per-call lines reach the output through the printer the CLI hands over."""
    from qbwc_service.simulator import demo as demo_mod

    def fake_run_demo(*_a, printer=None, **_k):
        if printer is not None:
            printer("sendRequestXML() -> <qbXML 50xInvoiceAddRq>")
        return demo_mod.DemoResult(folder=tmp_path, config_path=tmp_path / "c.toml",
                                   jobboss_path=tmp_path / "j.sqlite3", state_path=tmp_path / "qb.json",
                                   user="demo", password="pw", url="http://127.0.0.1:8080/qbwc",
                                   report_text="report")

    monkeypatch.setattr(demo_mod, "run_demo", fake_run_demo)
    result = CliRunner().invoke(main, ["demo", "--dir", str(tmp_path), *args])
    assert result.exit_code == 0, result.output
    assert ("sendRequestXML()" in result.output) is traced
    assert ("Sync report" in result.output) is not traced


def test_demo_port_falls_back_when_busy_and_says_so(tmp_path):
    import socket

    from qbwc_service import config as config_mod
    from qbwc_service.queue import db
    from qbwc_service.simulator.demo import prepare, start_server

    result = prepare(tmp_path, seed=0, scale=1)
    sessions = db.session_factory(db.make_engine(config_mod.load(result.config_path).database_url))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        running, note = start_server(config_mod.load(result.config_path), sessions, port)
        try:
            assert not running.url.endswith(f":{port}")
            assert note.startswith(f"port {port} is busy") and running.url.rsplit(":", 1)[1] in note
        finally:
            running.stop()
    free, note = start_server(config_mod.load(result.config_path), sessions, 0)
    free.stop()
    assert note == ""


def test_demo_port_default_is_fixed():
    from qbwc_service.simulator.demo import DEFAULT_PORT

    port = next(p for p in main.commands["demo"].params if p.name == "port")
    assert port.default == DEFAULT_PORT == 8080
