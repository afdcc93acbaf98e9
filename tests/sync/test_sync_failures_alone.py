"""Failures that must stay with their own record, end to end through the Web Connector.

* a request that does not validate against the XSD fails alone ("does not
  validate"); the others of its message go;
* an attendance day is flagged exported only once every punch of it is in
  QuickBooks;
* a write-back whose JobBOSS2 row vanished stays open with the reason;
* an answer whose Ret lacks its TxnID / ListID fails the job and leaves no
  empty ID behind.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest
from lxml import etree
from sqlalchemy import create_engine, select, text

from qbwc_service import xmlsafe
from qbwc_service.qbxml import build as qb_build
from qbwc_service.queue.models import AuditEvent, IdMapEntry, Job, Message, WriteBack
from qbwc_service.simulator.quickbooks import QuickBooksCompany, Status, dispatch
from qbwc_service.simulator.quickbooks.handlers.common import failure
from sync.helpers import jobs, qb_records, ref_counts


def _jobboss_sql(world, sql: str, **params: object) -> list[tuple]:
    engine = create_engine(f"sqlite:///{world.jobboss}")
    try:
        with engine.begin() as conn:
            result = conn.execute(text(sql), params)
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


def _invoice_jobs(world) -> list[Job]:
    return sorted(jobs(world, "invoice.add"), key=lambda j: (j.priority, j.id))


# ---------------------------------------------------------------- XSD check of the message


def _build_without_customer_ref(monkeypatch, ref_number: str) -> None:
    """The builder forgets the CustomerRef (required by the XSD) of invoice ``ref_number``."""
    real_build = qb_build.build_request_element

    def build(request, version, country, request_id, warnings):
        element = real_build(request, version, country, request_id, warnings)
        invoice = element.find("InvoiceAdd")
        if invoice is not None and invoice.findtext("RefNumber") == ref_number:
            invoice.remove(invoice.find("CustomerRef"))
        return element

    monkeypatch.setattr(qb_build, "build_request_element", build)


def test_a_request_that_does_not_validate_fails_alone_and_the_others_go(world, monkeypatch):
    world.set(sync__batch_size="6")
    world.plan()
    victim = _invoice_jobs(world)[1]
    ref_number = victim.source_key
    _build_without_customer_ref(monkeypatch, ref_number)
    assert world.sync_until_idle()[-1].outcome == "none"

    by_id = {j.id: j for j in jobs(world, "invoice.add")}
    assert by_id[victim.id].status == "error"
    assert "does not validate" in by_id[victim.id].error_message
    assert "CustomerRef" in by_id[victim.id].error_message
    qb = world.quickbooks
    assert ref_counts(qb, "InvoiceRet")[ref_number] == 0
    invalid = [j for j in by_id.values() if "does not validate" in (j.error_message or "")]
    assert [j.id for j in invalid] == [victim.id]
    # Its neighbours of the same batch went, in a message the victim is not part of.
    neighbours = [j for j in _invoice_jobs(world)[:6] if j.id != victim.id and j.status == "done"]
    assert len(neighbours) >= 3
    assert all(ref_counts(qb, "InvoiceRet")[j.source_key] == 1 for j in neighbours)
    with world.sessions() as db:
        sent = [xmlsafe.parse(xml) for xml in db.scalars(select(Message.request_xml))]
    refs_sent = [e.text for root in sent for e in root.iter("RefNumber") if e.getparent().tag == "InvoiceAdd"]
    assert ref_number not in refs_sent and refs_sent


def test_an_engine_that_skips_validation_is_caught_by_quickbooks(world, monkeypatch):
    """Without the service's own check the stand-in fails the whole message: nothing of it is done."""
    world.set(sync__batch_size="6")
    world.plan()
    victim = _invoice_jobs(world)[1]
    _build_without_customer_ref(monkeypatch, victim.source_key)
    monkeypatch.setattr("qbwc_service.sync.running.engine.validation_errors", lambda *a, **k: [])
    world.session()
    states = {j.id: j.status for j in jobs(world, "invoice.add")}
    batch = [j.id for j in _invoice_jobs(world)[:6]]
    assert all(states[i] != "done" for i in batch)  # the whole message failed in QuickBooks
    assert not qb_records(world.quickbooks, "InvoiceRet")


# ---------------------------------------------------------------- attendance days


def _refuse(monkeypatch, matches: Callable[[etree._Element], bool], status: Status) -> None:
    """The stand-in refuses every request ``matches`` accepts, with ``status``."""
    real_answer = dispatch.answer

    def answer(company, request):
        return failure(request, status) if matches(request) else real_answer(company, request)

    monkeypatch.setattr(dispatch, "answer", answer)


def _attend_exported(world, day_key: str) -> bool:
    empl, day = day_key.split("/")
    rows = _jobboss_sql(world, "SELECT TicketDate, Exported FROM Attend WHERE EmplCode = :e", e=empl)
    # TicketDate is text, MM/DD/YYYY in the demo database.
    found = [exported for ticket, exported in rows
             if datetime.strptime(str(ticket).strip()[:10], "%m/%d/%Y").date() == date.fromisoformat(day)]
    assert len(found) == 1, (day_key, rows)
    return (found[0] or "").strip() == "Y"  # unset: "N", blank or NULL


def test_a_day_whose_second_punch_fails_is_not_flagged_exported(world, monkeypatch):
    world.set(items__time_and_attendance="true", sync__batch_size="10")
    world.plan()
    days: dict[str, list[Job]] = {}
    for job in jobs(world, "time.add"):
        days.setdefault(job.payload["parent_key"], []).append(job)
    two_punch = sorted(key for key, punches in days.items() if len(punches) == 2)
    assert len(two_punch) >= 2, "the demo window needs days with two punches"
    victim_day, control_day = two_punch[0], two_punch[1]
    second = max(days[victim_day], key=lambda j: j.source_key)
    marker = f"JB2:{second.source_table}:{second.source_key}"
    _refuse(monkeypatch, lambda rq: rq.tag == "TimeTrackingAddRq"
            and (rq.findtext("TimeTrackingAdd/Notes") or "").split(" ")[0] == marker,
            Status(3210, 'The "Notes" field has an invalid value.'))
    assert world.sync_until_idle()[-1].outcome == "none"

    states = {j.id: j.status for j in jobs(world, "time.add")}
    first = min(days[victim_day], key=lambda j: j.source_key)
    assert (states[first.id], states[second.id]) == ("done", "error")
    notes = [r.get("Notes", "").split(" ")[0] for r in qb_records(world.quickbooks, "TimeTrackingRet")]
    assert f"JB2:{first.source_table}:{first.source_key}" in notes and marker not in notes
    assert not _attend_exported(world, victim_day)
    assert all(states[j.id] == "done" for j in days[control_day])
    assert _attend_exported(world, control_day)
    with world.sessions() as db:
        keys = set(db.scalars(select(WriteBack.source_key).where(WriteBack.source_table == "Attend")))
    assert victim_day not in keys and control_day in keys


# ---------------------------------------------------------------- write-backs


def test_a_billing_row_deleted_before_its_write_back_leaves_it_open_with_the_reason(world):
    world.plan()
    invoices = _invoice_jobs(world)
    assert len(invoices) >= 3
    gone = invoices[0].source_key
    assert _jobboss_sql(world, "SELECT COUNT(*) FROM Billing WHERE InvoiceNo = :n", n=gone) == [(1,)]
    _jobboss_sql(world, "DELETE FROM Billing WHERE InvoiceNo = :n", n=gone)
    assert world.sync_until_idle()[-1].outcome == "none"

    assert ref_counts(world.quickbooks, "InvoiceRet")[gone] == 1  # QuickBooks has it
    with world.sessions() as db:
        rows = {w.source_key: w for w in db.scalars(select(WriteBack).where(
            WriteBack.source_table == "Billing", WriteBack.action == "exported"))}
        failed_events = list(db.scalars(select(AuditEvent).where(
            AuditEvent.event == "writeback_failed", AuditEvent.record_key == f"Billing:{gone}")))
    assert rows[gone].done_at is None and rows[gone].attempts >= 1
    assert "no row" in rows[gone].last_error and gone in rows[gone].last_error
    assert failed_events and gone in failed_events[0].detail
    done = [key for key, row in rows.items() if row.done_at is not None]
    assert len(done) >= 2  # the others of the same batch were written
    exported = _jobboss_sql(world, "SELECT InvoiceNo FROM Billing WHERE Exported = 'Y'")
    flagged = {row[0].strip() for row in exported}
    assert set(done) <= flagged


# ---------------------------------------------------------------- answers without an ID


class IdlessAnswers(QuickBooksCompany):
    """A stand-in that leaves out the TxnID / ListID of the Rets naming one of ``targets``."""

    targets: frozenset[str] = frozenset()

    def process(self, request_xml: str) -> str:
        root = xmlsafe.parse(super().process(request_xml))
        for ret in root.iter():
            if not str(ret.tag).endswith("Ret"):
                continue
            if (ret.findtext("RefNumber") or ret.findtext("Name") or "") in self.targets:
                for tag in ("TxnID", "ListID"):
                    for node in ret.findall(tag):
                        ret.remove(node)
        return '<?xml version="1.0" ?>\n' + etree.tostring(root, encoding="unicode")


@pytest.mark.parametrize("what", ["invoice", "customer"])
def test_an_answer_without_its_id_fails_the_job_and_writes_no_empty_id(world, what):
    world.plan()
    invoice = _invoice_jobs(world)[0]
    customer_name = next(r.qb_name for r in world.reader.customers()
                         if r.cust_code == invoice.payload["record"]["cust_code"])
    qb = IdlessAnswers.fresh("US")
    qb.targets = frozenset({invoice.source_key if what == "invoice" else customer_name})
    world.quickbooks = qb
    world.sync_until_idle()

    id_field = "TxnID" if what == "invoice" else "ListID"
    all_jobs = jobs(world)
    if what == "invoice":
        failed = next(j for j in all_jobs if j.id == invoice.id)
    else:
        failed = next(j for j in all_jobs if j.kind.startswith("customer")
                      and j.payload.get("name") == customer_name)
    assert failed.status == "error"
    assert f"without its {id_field}" in failed.error_message
    assert not failed.qb_txn_id and not failed.qb_list_id
    with world.sessions() as db:
        empty = [(e.entity, e.source_key)
                 for e in db.scalars(select(IdMapEntry).where(IdMapEntry.qb_id == ""))]
        flagged = db.scalars(select(WriteBack).where(WriteBack.source_key == invoice.source_key)).all()
    assert not [e for e in empty if e[0] in ("invoice", "customer")], empty
    assert not flagged
    if what == "customer":  # the invoice waits for its customer, it is not sent without it
        assert next(j for j in all_jobs if j.id == invoice.id).status == "blocked"
