"""``qbwc-service reconcile``: QuickBooks read back page by page and compared with JobBOSS2."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal

from click.testing import CliRunner
from sqlalchemy import func, select

from qbwc_service.cli import main
from qbwc_service.queue.models import Job, ReconcileDoc, ReconcileQuery
from qbwc_service.sync.reconcile import types

from .conftest import WINDOW, World

FROM, TO = (str(day) for day in WINDOW)


def _cli(config_file, *args: str):
    result = CliRunner().invoke(main, ["--config", str(config_file), *args])
    assert result.exit_code == 0, result.output
    return result.output


def _report(config_file) -> dict:
    return json.loads(_cli(config_file, "reconcile", "--user", "shop", "--report", "--json"))


def _not_sent(world: World) -> int:
    """Invoices and bills that never reached QuickBooks (refused): only in JobBOSS2 too."""
    with world.sessions() as db:
        return db.scalar(select(func.count()).select_from(Job).where(
            Job.area.in_(("ar", "ap")), Job.status != "done")) or 0


def _by_number(report: dict) -> dict[tuple[str, str], dict]:
    return {(d["qb_type"], d["number"]): d for d in report["documents"]}


def test_reconcile_reads_quickbooks_and_reports_every_case(world: World, config_file,
                                                           monkeypatch) -> None:
    world.plan()
    world.sync_until_idle()
    qb = world.qb()
    invoices = list(qb.state.table("InvoiceRet").values())
    bills = list(qb.state.table("BillRet").values())
    assert len(invoices) >= 4 and bills

    # Small pages, so the iterator must be followed across round trips.
    monkeypatch.setattr(types, "PAGE_SIZE", 3)
    assert "planned" in _cli(config_file, "reconcile", "--user", "shop", "--from", FROM, "--to", TO)
    not_read = _cli(config_file, "reconcile", "--user", "shop", "--report")
    assert "not been read yet" in not_read

    # Behind the service's back: a total changed, an invoice deleted in QuickBooks, one
    # deleted in JobBOSS2, one invoice entered by hand in QuickBooks.
    changed, gone_in_qb, gone_in_jb = invoices[0], invoices[1], invoices[2]
    qb_total = Decimal(changed["Subtotal"]) + Decimal(changed["SalesTaxTotal"])
    qb.alter("InvoiceRet", changed["TxnID"], Subtotal=str(Decimal(changed["Subtotal"]) + 10))
    qb.delete("InvoiceRet", gone_in_qb["TxnID"])
    with sqlite3.connect(world.jobboss) as jb:
        assert jb.execute("DELETE FROM BillingDet WHERE InvoiceNo = ?",
                          (gone_in_jb["RefNumber"],)).rowcount >= 0
        assert jb.execute("DELETE FROM Billing WHERE InvoiceNo = ?",
                          (gone_in_jb["RefNumber"],)).rowcount == 1
    by_hand = dict(invoices[3], TxnID="9999-1", RefNumber="HAND-1")
    qb.state.put("InvoiceRet", "9999-1", by_hand)

    result = world.session()
    assert result.outcome == "finished", result.last_error
    with world.sessions() as db:
        queries = list(db.scalars(select(ReconcileQuery)))
        assert {q.status for q in queries} == {"done"}
        invoice_query = next(q for q in queries if q.txn_type == "Invoice")
        held = len(qb.state.table("InvoiceRet"))
        assert invoice_query.pages == -(-held // 3)  # every page read, none twice
        stored = db.scalars(select(ReconcileDoc.txn_id).where(ReconcileDoc.txn_type == "Invoice")).all()
        assert sorted(stored) == sorted(qb.state.table("InvoiceRet"))

    report = _report(config_file)
    docs = _by_number(report)
    different = docs[("Invoice", changed["RefNumber"])]
    assert different["status"] == "different"
    total = next(d for d in different["differences"] if d["field"] == "total")
    assert Decimal(total["quickbooks"]) == qb_total + 10
    with sqlite3.connect(world.jobboss) as jb:
        jobboss_total = jb.execute("SELECT InvoiceTotal FROM Billing WHERE InvoiceNo = ?",
                                   (changed["RefNumber"],)).fetchone()[0]
    assert Decimal(total["jobboss"]) == Decimal(str(jobboss_total)).quantize(Decimal("0.01"))
    assert docs[("Invoice", gone_in_qb["RefNumber"])]["status"] == "only in JobBOSS2"
    only_qb = docs[("Invoice", gone_in_jb["RefNumber"])]
    assert only_qb["status"] == "only in QuickBooks" and only_qb["txn_id"] == gone_in_jb["TxnID"]
    assert ("Invoice", "HAND-1") not in docs and report["entered_in_quickbooks"] == 1
    equal = [d for d in report["documents"] if d["status"] == "equal"]
    assert equal and all(Decimal(d["jobboss_total"]) == Decimal(d["quickbooks_total"]) for d in equal)
    assert any(d["qb_type"] == "Bill" for d in equal)
    credits = {(d["qb_type"], d["status"]) for d in report["documents"]
               if d["qb_type"] in ("CreditMemo", "VendorCredit")}
    assert credits == {(t, "equal") for t in ("CreditMemo", "VendorCredit")
                       if qb.state.table(t + "Ret")}
    # Numbers sent under a name map entry (too long for QuickBooks) pair and compare as sent.
    assert not [d for d in report["documents"] for x in d["differences"] if x["field"] == "number"]
    counts = report["counts"]
    assert counts["different"] >= 1 and counts["only in JobBOSS2"] == 1 + _not_sent(world)
    assert counts["only in QuickBooks"] == 1

    text = _cli(config_file, "reconcile", "--user", "shop", "--report")
    assert f"{counts['equal']} equal" in text and changed["RefNumber"] in text


def test_a_lost_answer_reads_the_query_again_from_the_first_page(world: World, config_file,
                                                                 monkeypatch) -> None:
    world.plan()
    world.sync_until_idle()
    monkeypatch.setattr(types, "PAGE_SIZE", 2)
    _cli(config_file, "reconcile", "--user", "shop", "--from", FROM, "--to", TO)
    crashed = world.session(crash_after=2)  # a page read, the next answer lost
    assert crashed.outcome == "crashed"
    assert world.session().outcome == "finished"
    with world.sessions() as db:
        assert {q.status for q in db.scalars(select(ReconcileQuery))} == {"done"}
        stored = db.scalars(select(ReconcileDoc.txn_id).where(ReconcileDoc.txn_type == "Bill")).all()
    assert sorted(stored) == sorted(world.qb().state.table("BillRet"))  # each once
    assert _report(config_file)["counts"]["only in JobBOSS2"] == _not_sent(world)


def test_reconcile_usage_errors(config_file, world: World) -> None:
    runner = CliRunner()
    both = runner.invoke(main, ["--config", str(config_file), "reconcile", "--user", "shop",
                                "--from", FROM, "--to", TO, "--report"])
    assert both.exit_code != 0 and "--report" in both.output
    backwards = runner.invoke(main, ["--config", str(config_file), "reconcile", "--user", "shop",
                                     "--from", TO, "--to", FROM])
    assert backwards.exit_code == 1 and "before" in backwards.output
    none_yet = runner.invoke(main, ["--config", str(config_file), "reconcile", "--user", "shop",
                                    "--report"])
    assert none_yet.exit_code == 1 and "no reconciliation" in none_yet.output


def test_the_admin_page_plans_a_reconciliation_and_shows_its_report(world: World, tmp_path) -> None:
    import webtest

    from qbwc_service import accounts
    from qbwc_service.admin import create_app
    from qbwc_service.config import from_mapping
    from qbwc_service.queue.db import transaction

    world.plan()
    world.sync_until_idle()
    with transaction(world.sessions) as db:
        accounts.create_user(db, "ann", "secret-pw", is_admin=True)
    config = from_mapping({"admin": {"secret_key": "test-secret"}}, tmp_path / "qbwc-service.toml")
    app = webtest.TestApp(create_app(config, world.sessions))
    form = app.get("/login").forms[0]
    form["name"], form["password"] = "ann", "secret-pw"
    form.submit()

    page = app.get("/reconcile?user=shop")
    assert "No reconciliation yet" in page.text
    plan_form = page.forms["plan"]
    plan_form["from"], plan_form["to"] = TO, FROM  # backwards: refused, said next to the form
    assert "is before" in plan_form.submit().follow().text
    plan_form = app.get("/reconcile?user=shop").forms["plan"]
    plan_form["from"], plan_form["to"] = FROM, TO
    assert "not been read yet" in plan_form.submit().follow().text

    changed = next(iter(world.qb().state.table("InvoiceRet").values()))
    world.qb().alter("InvoiceRet", changed["TxnID"], Subtotal=str(Decimal(changed["Subtotal"]) + 1))
    assert world.session().outcome == "finished"
    shown = app.get("/reconcile?user=shop&status=different")
    assert changed["RefNumber"] in shown.text and "total: JobBOSS2" in shown.text
    assert "equal</td>" not in shown.text  # the filter keeps only the differences
    assert app.get("/reconcile?user=shop&status=bogus", status=400)
