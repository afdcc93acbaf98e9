"""The sync engine driven in process: sessions against the QuickBooks stand-in, no SOAP, no server.

Each test plans the demo window (a copy of a queue planned once), opens a
Web Connector session row and calls :class:`JobBossSync` the way the SOAP edge
does: ``next_request`` / ``apply_response`` until nothing is left, ``close``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from qbwc_service import accounts, xmlsafe
from qbwc_service.qbxml import build as qb_build
from qbwc_service.qbxml.validate import validation_errors
from qbwc_service.queue import lost as lost_mod
from qbwc_service.queue.db import transaction
from qbwc_service.queue.models import AuditEvent, Job, QbwcSession, Run, WriteBack
from qbwc_service.simulator.quickbooks import QuickBooksCompany
from qbwc_service.sync import settings as settings_mod
from qbwc_service.sync.contract import RequestContext
from qbwc_service.sync.kinds.context import BuildError
from qbwc_service.sync.running import engine as engine_mod
from qbwc_service.sync.running.engine import JobBossSync

NOW = datetime(2026, 2, 2, 9, 30, tzinfo=UTC)


@dataclass
class Drive:
    """One QuickBooks company and the engine's sessions against it."""

    sessions: sessionmaker[Session]
    qb: QuickBooksCompany = field(default_factory=QuickBooksCompany.fresh)
    engine: JobBossSync = field(default_factory=lambda: JobBossSync(clock=lambda: NOW))
    sent: list[str] = field(default_factory=list)
    progress: list[int] = field(default_factory=list)

    def open(self, db: Session, versions: tuple[str, ...] = ("13.0",)) -> QbwcSession:
        user = accounts.require_user(db, "shop")
        session = QbwcSession(ticket_hash=f"t{len(self.sent)}-{datetime.now().timestamp()}",
                              user_id=user.id, host_info={"supported_qbxml_versions": list(versions),
                                                          "country": "US"})
        db.add(session)
        db.flush()
        return session

    def ctx(self, major: int = 13, minor: int = 0) -> RequestContext:
        return RequestContext(hcp_response=self.qb.hcp_response(), company_file="company.qbw",
                              country="US", major_version=major, minor_version=minor)

    def round_trip(self, session_id: int, answer=None) -> str:
        with transaction(self.sessions) as db:
            session = db.get(QbwcSession, session_id)
            xml = self.engine.next_request(db, session, self.ctx())
        if not xml:
            return xml
        self.sent.append(xml)
        response = answer(xml) if answer else self.qb.process(xml)
        with transaction(self.sessions) as db:
            session = db.get(QbwcSession, session_id)
            self.progress.append(self.engine.apply_response(db, session, response, "", ""))
        return xml

    def session(self, limit: int = 60) -> str:
        with transaction(self.sessions) as db:
            session_id = self.open(db).id
        for _ in range(limit):
            if not self.round_trip(session_id):
                break
        with transaction(self.sessions) as db:
            return self.engine.close(db, db.get(QbwcSession, session_id))


def _statuses(db: Session) -> Counter[tuple[str, str]]:
    return Counter((j.kind, j.status) for j in db.scalars(select(Job)))


def _jobs(db: Session, kind: str) -> list[Job]:
    return list(db.scalars(select(Job).where(Job.kind == kind).order_by(Job.priority, Job.id)))


def _events(db: Session, event: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.event == event).order_by(AuditEvent.id)))


def _requests(xml: str) -> list[tuple[str, str]]:
    """(request element, requestID) of each request of a message."""
    root = xmlsafe.parse(xml)
    return [(rq.tag, rq.get("requestID")) for rq in root.find("QBXMLMsgsRq")]


def _on_error(xml: str) -> str:
    return xmlsafe.parse(xml).find("QBXMLMsgsRq").get("onError")


#: What the demo window leaves (its hard cases fail, and what waits for them is blocked).
EXPECTED = Counter({
    ("item.ensure", "done"): 144, ("invoice.add", "done"): 42, ("customer.ensure", "done"): 22,
    ("bill.add", "done"): 11, ("vendor.ensure", "done"): 10, ("account.ensure", "done"): 8,
    ("qb_account.ensure", "done"): 4, ("terms.ensure", "done"): 4, ("sales_tax.ensure", "done"): 5,
    ("invoice.add", "blocked"): 3, ("customer.ensure", "error"): 1, ("item.ensure", "error"): 1,
    ("qb_item.ensure", "done"): 1})


def test_a_session_sends_the_window_in_batches_and_reports_it(shop):
    drive = Drive(shop)
    summary = drive.session()
    # 192 list records: the 186 the invoices and bills name, the 4 sales tax items of their
    # tax codes, the 0 % header tax item and the tax agency vendor it is paid to.
    assert summary == ("42 invoices, 11 bills, 192 list records created; 6 already in QuickBooks; "
                       "26 warnings; 2 errors; 3 blocked by a failed record (report 1)")
    with shop() as db:
        assert _statuses(db) == EXPECTED
        run = db.scalars(select(Run)).one()
        assert run.round_trips == len(drive.sent) == 11
        assert run.status == "errors"
        # Every transaction done owes JobBOSS2 its flag, and the session wrote them all.
        owed = db.scalars(select(WriteBack)).all()
        assert len(owed) == 53 and all(w.done_at is not None for w in owed)
        session = db.scalars(select(QbwcSession)).one()
        assert session.run_id == run.id and session.qbxml_version == "13.0" and session.qb_country == "US"
        assert session.host_info["tax_codes"] == {"taxable": "Tax", "non_taxable": "Non"}
    # Progress climbs and reaches 100 only with the last answer.
    assert drive.progress == sorted(drive.progress) and drive.progress[-1] == 100
    assert all(0 < p < 100 for p in drive.progress[:-1])
    # Lists first, the shared name queries of one list in one request; then the transactions.
    first = _requests(drive.sent[0])
    assert first and all(tag.endswith("QueryRq") for tag, _ in first)
    assert any(rid.startswith("L") for _, rid in first)
    assert all(_on_error(xml) == "continueOnError" for xml in drive.sent)
    assert any(tag == "InvoiceAddRq" for xml in drive.sent for tag, _ in _requests(xml))
    batch = settings_mod.defaults()["sync.batch_size"]
    assert all(len(_requests(xml)) <= batch for xml in drive.sent)


def test_has_work_until_everything_is_sent(shop):
    drive = Drive(shop)
    with transaction(shop) as db:
        assert drive.engine.has_work(db, accounts.require_user(db, "shop")) is True
    drive.session()
    with transaction(shop) as db:
        assert drive.engine.has_work(db, accounts.require_user(db, "shop")) is False


def test_small_batches_go_one_area_at_a_time(shop):
    with transaction(shop) as db:
        settings_mod.set_settings(db, accounts.require_user(db, "shop").id, {"sync.batch_size": "7"})
    drive = Drive(shop)
    drive.session(limit=200)
    with shop() as db:
        assert _statuses(db) == EXPECTED
    for xml in drive.sent:
        assert len(_requests(xml)) <= 7
        kinds = {tag.removesuffix("Rq") for tag, _ in _requests(xml)}
        assert not ({"InvoiceAdd", "BillAdd"} <= kinds)  # one area per message


def test_a_quickbooks_that_speaks_no_known_version_gets_nothing(shop):
    drive = Drive(shop)
    with transaction(shop) as db:
        session = drive.open(db, versions=("1.0",))
        assert drive.engine.next_request(db, session, drive.ctx(1, 0)) == ""
        assert session.last_error.startswith("This QuickBooks cannot be synced: ")
        assert session.run_id is None
        assert not db.scalars(select(Job).where(Job.status == "sent")).all()


def test_nothing_ready_sends_nothing_and_says_so(shop):
    later = datetime(2026, 3, 1, tzinfo=UTC)
    with transaction(shop) as db:
        for job in db.scalars(select(Job)):
            job.not_before = later
    drive = Drive(shop)
    with transaction(shop) as db:
        assert drive.engine.has_work(db, accounts.require_user(db, "shop")) is False
        session = drive.open(db)
        assert drive.engine.next_request(db, session, drive.ctx()) == ""
        assert session.last_error == "Nothing is ready to send to QuickBooks."
        assert drive.engine.close(db, session) == "nothing to sync (report 1)"


def test_a_message_quickbooks_could_not_process_is_verified_next(shop):
    drive = Drive(shop)
    with transaction(shop) as db:
        session = drive.open(db)
        xml = drive.engine.next_request(db, session, drive.ctx())
        sent = [j.id for j in db.scalars(select(Job).where(Job.status == "sent"))]
        assert sent and len(sent) >= len(_requests(xml))
        assert drive.engine.apply_response(db, session, "", "0x80040400", "bad message") == -101
        assert session.last_error == "QuickBooks could not process the request: 0x80040400: bad message"
        assert {db.get(Job, i).status for i in sent} == {"verify"}
        assert db.get(Job, sent[0]).error_message in ("", None)
        # The next request of the session looks them up before anything else.
        again = drive.engine.next_request(db, session, drive.ctx())
        assert {db.get(Job, i).status for i in sent} == {"sent"}
        assert sorted(rid for _, rid in _requests(again)) == sorted(rid for _, rid in _requests(xml))
        assert drive.engine.apply_response(db, session, "<QBXML><oops", "", "") == -101
        assert session.last_error.startswith("QuickBooks could not process the request: unreadable response")
        assert {db.get(Job, i).status for i in sent} == {"verify"}


@pytest.mark.parametrize("hresult", ["", "0", "0x0", "0x00000000", " 0 "])
def test_a_zero_hresult_is_no_failure(shop, hresult):
    drive = Drive(shop)
    with transaction(shop) as db:
        session = drive.open(db)
        xml = drive.engine.next_request(db, session, drive.ctx())
        percent = drive.engine.apply_response(db, session, drive.qb.process(xml), hresult, "")
        assert 0 < percent < 100 and session.last_error == ""


def test_a_request_missing_from_the_answer_goes_back_to_pending(shop):
    drive = Drive(shop)

    def drop_last(xml: str) -> str:
        response = xmlsafe.parse(drive.qb.process(xml))
        msgs = response.find("QBXMLMsgsRs")
        msgs.remove(msgs[-1])
        from lxml import etree
        return etree.tostring(response, encoding="unicode")

    with transaction(shop) as db:
        session_id = drive.open(db).id
    xml = drive.round_trip(session_id, drop_last)
    last_id = _requests(xml)[-1][1]
    with shop() as db:
        dropped = [j for j in db.scalars(select(Job)) if j.request_id == last_id]
        assert dropped and all(j.status == "pending" for j in dropped)
        reasons = [e.detail for e in _events(db, "requeued") if e.job_id == dropped[0].id]
        assert reasons == ["not processed: an earlier request of the message failed"]
        others = [j for j in db.scalars(select(Job).where(Job.request_id.is_not(None)))
                  if j.request_id != last_id]
        assert others and all(j.status != "sent" for j in others)


def test_jobs_a_dead_session_left_sent_are_verified_by_the_next(shop):
    drive = Drive(shop)
    with transaction(shop) as db:
        dead = drive.open(db)
        drive.engine.next_request(db, dead, drive.ctx())
        lost = [j.id for j in db.scalars(select(Job).where(Job.status == "sent"))]
    assert lost
    with transaction(shop) as db:
        fresh = drive.open(db)
        xml = drive.engine.next_request(db, fresh, drive.ctx())
        assert {db.get(Job, i).session_id for i in lost} == {fresh.id}
        assert {db.get(Job, i).status for i in lost} == {"sent"}
        assert len(_requests(xml)) >= 1
        verified = [e for e in _events(db, "verify") if e.job_id in lost]
        assert {e.job_id for e in verified} == set(lost)
        assert {e.detail for e in verified} == {lost_mod.REPLACED}


def test_closing_a_session_sends_its_unanswered_jobs_to_verify(shop):
    drive = Drive(shop)
    with transaction(shop) as db:
        idle = drive.open(db)
        assert drive.engine.close(db, idle) == "OK: nothing to sync"
        session = drive.open(db)
        drive.engine.next_request(db, session, drive.ctx())
        sent = [j.id for j in db.scalars(select(Job).where(Job.status == "sent"))]
        summary = drive.engine.close(db, session)
        assert {db.get(Job, i).status for i in sent} == {"verify"}
        assert "(report " in summary
        assert db.get(Run, session.run_id).ended_at is not None


def test_a_connection_error_ends_the_session(shop):
    drive = Drive(shop)
    with transaction(shop) as db:
        session = drive.open(db)
        assert drive.engine.connection_error(db, session, "0x80040408", "cannot open") == "done"
        assert session.last_error == "QuickBooks could not be opened: 0x80040408 cannot open"


# ---------------------------------------------------------------- requests that cannot go


def _invoice_keys(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as db:
        return [j.source_key for j in _jobs(db, "invoice.add")]


def test_an_invoice_that_cannot_be_built_fails_alone(shop, monkeypatch):
    victim = _invoice_keys(shop)[0]
    real = engine_mod.request_for

    def request_for(job, payload, mctx):
        if job.source_key == victim:
            raise BuildError(f"invoice {victim}: the terms are unknown")
        return real(job, payload, mctx)

    monkeypatch.setattr(engine_mod, "request_for", request_for)
    drive = Drive(shop)
    drive.session()
    with shop() as db:
        (job,) = [j for j in _jobs(db, "invoice.add") if j.source_key == victim]
        assert (job.status, job.error_message) == ("error", f"invoice {victim}: the terms are unknown")
        assert _statuses(db)[("invoice.add", "done")] == EXPECTED[("invoice.add", "done")] - 1
    assert not any(victim in xml for xml in drive.sent)


def test_a_request_that_does_not_validate_fails_alone_and_its_message_goes(shop, monkeypatch):
    victim = _invoice_keys(shop)[1]
    real = qb_build.build_request_element

    def build(request, version, country, request_id="1", warnings=None):
        element = real(request, version, country, request_id, warnings)
        invoice = element.find("InvoiceAdd")
        if invoice is not None and invoice.findtext("RefNumber") == victim:
            invoice.remove(invoice.find("CustomerRef"))
        return element

    monkeypatch.setattr(qb_build, "build_request_element", build)
    drive = Drive(shop)
    drive.session()
    with shop() as db:
        (job,) = [j for j in _jobs(db, "invoice.add") if j.source_key == victim]
        assert job.status == "error"
        assert job.error_message.startswith("the request does not validate: line ")
        assert "CustomerRef" in job.error_message
        assert _statuses(db)[("invoice.add", "done")] == EXPECTED[("invoice.add", "done")] - 1
    assert not any(f"<RefNumber>{victim}</RefNumber>" in xml for xml in drive.sent)
    assert all(validation_errors(xml, "13.0") == [] for xml in drive.sent)


def test_a_shared_name_query_that_cannot_be_built_asks_name_by_name(shop, monkeypatch):
    def names_query(kind, names, country):
        raise BuildError("one of the names is too long")

    monkeypatch.setattr(engine_mod, "names_query", names_query)
    drive = Drive(shop)
    drive.session()
    with shop() as db:
        assert _statuses(db) == EXPECTED
    assert not any(rid.startswith("L") for xml in drive.sent for _, rid in _requests(xml))


def test_a_missing_sales_tax_code_that_cannot_be_asked_for_is_left_out(shop, monkeypatch):
    real = engine_mod.request_for

    def request_for(job, payload, mctx):
        if job.kind == "sales_tax.ensure":
            raise BuildError("the code has no QuickBooks name")
        return real(job, payload, mctx)

    monkeypatch.setattr(engine_mod, "request_for", request_for)
    monkeypatch.setattr(engine_mod, "names_query", lambda *a: (_ for _ in ()).throw(BuildError("no")))
    drive = Drive(shop)
    drive.session()
    with shop() as db:
        taxes = _jobs(db, "sales_tax.ensure")
        assert taxes and all(j.status == "done" and not j.qb_list_id for j in taxes)
        warnings = [e.detail for e in _events(db, "warning") if e.job_id in {j.id for j in taxes}]
        assert len(warnings) == len(taxes)
        assert all("cannot exist in QuickBooks (the code has no QuickBooks name)" in w for w in warnings)
        assert not any(tag.startswith("ItemSalesTax") for xml in drive.sent for tag, _ in _requests(xml))


def test_quit_area_on_error_stops_the_invoices_at_the_first_refusal(shop):
    with transaction(shop) as db:
        settings_mod.set_settings(db, accounts.require_user(db, "shop").id,
                                  {"options.quit_area_on_error": "true"})
    victim = _invoice_keys(shop)[0]
    drive = Drive(shop)
    drive.qb.inject_error(victim, 3210)
    drive.session()
    with shop() as db:
        states = Counter(j.status for j in _jobs(db, "invoice.add"))
        assert states["error"] == 1 and states["pending"] >= 40
        assert _statuses(db)[("bill.add", "done")] == 11
        assert [e.detail for e in _events(db, "area_stopped")] == ["ar"]
    # The invoices left wait for the next run: this one is complete.
    assert drive.progress[-1] == 100
    # Transactions stop at the first error of their message; list records never stop.
    lists = [xml for xml in drive.sent if "InvoiceAddRq" not in xml and "BillAddRq" not in xml]
    assert lists and all(_on_error(xml) == "continueOnError" for xml in lists)
    assert all(_on_error(xml) == "stopOnError" for xml in drive.sent if xml not in lists)


def test_a_customer_that_cannot_be_asked_for_fails_alone_when_the_names_go_one_by_one(shop, monkeypatch):
    real = engine_mod.request_for

    def request_for(job, payload, mctx):
        if job.kind == "customer.ensure" and job.source_key == "BESTFIX":
            raise BuildError("customer BESTFIX: the name is unusable")
        return real(job, payload, mctx)

    monkeypatch.setattr(engine_mod, "request_for", request_for)
    monkeypatch.setattr(engine_mod, "names_query", lambda *a: (_ for _ in ()).throw(BuildError("no")))
    drive = Drive(shop)
    drive.session()
    with shop() as db:
        (job,) = [j for j in _jobs(db, "customer.ensure") if j.source_key == "BESTFIX"]
        assert (job.status, job.error_message) == ("error", "customer BESTFIX: the name is unusable")
        assert _statuses(db)[("customer.ensure", "done")] == EXPECTED[("customer.ensure", "done")] - 1


@pytest.mark.parametrize(("hcp", "expected"), [
    (None, {}),
    ("", {}),
    ("not xml", {}),
    ('<!DOCTYPE x [<!ENTITY a "b">]><QBXML/>', {}),
    ("<QBXML><QBXMLMsgsRs/></QBXML>", {}),
    ("\n  <QBXML><PreferencesRet><SalesTaxPreferences>"
     "<DefaultTaxableSalesTaxCodeRef><FullName>Tax</FullName></DefaultTaxableSalesTaxCodeRef>"
     "<DefaultNonTaxableSalesTaxCodeRef><FullName>Non</FullName></DefaultNonTaxableSalesTaxCodeRef>"
     "</SalesTaxPreferences></PreferencesRet></QBXML>", {"taxable": "Tax", "non_taxable": "Non"}),
    ("<QBXML><PreferencesRet><SalesTaxPreferences>"
     "<DefaultNonTaxableSalesTaxCodeRef><FullName>E</FullName></DefaultNonTaxableSalesTaxCodeRef>"
     "</SalesTaxPreferences></PreferencesRet></QBXML>", {"non_taxable": "E"}),
])
def test_the_default_tax_codes_are_read_from_the_preferences(hcp, expected):
    assert engine_mod._preferences(hcp or "").get("tax_codes", {}) == expected


def _taken_between_peek_and_claim(monkeypatch, how_many: int | None) -> list[int]:
    """The first message's claim finds ``how_many`` (None: all) of its jobs claimed by another
    session meanwhile, as a second process on SQLite can; returns their ids."""
    from qbwc_service.queue import dequeue

    real = dequeue.claim_jobs
    taken: list[int] = []

    def claim_jobs(db, jobs, **kw):
        if not taken:
            stolen = jobs if how_many is None else jobs[:how_many]
            other = QbwcSession(ticket_hash="other", user_id=kw["user_id"])
            db.add(other)
            db.flush()
            taken.extend(job.id for job in real(db, stolen, **{**kw, "session_id": other.id,
                                                                  "message_id": None, "own": None}))
        return real(db, jobs, **kw)

    monkeypatch.setattr(dequeue, "claim_jobs", claim_jobs)
    return taken


def test_jobs_another_session_claimed_meanwhile_are_left_out_of_the_message(shop, monkeypatch):
    from qbwc_service.queue.models import Message

    taken = _taken_between_peek_and_claim(monkeypatch, 2)
    drive = Drive(shop)
    with transaction(shop) as db:
        session_id = drive.open(db).id
    xml = drive.round_trip(session_id)
    with shop() as db:
        message = db.scalars(select(Message)).one()
        assert message.request_xml == xml and validation_errors(xml, "13.0") == []
        sent = list(db.scalars(select(Job).where(Job.session_id == session_id)))
        assert sent and {j.message_id for j in sent} == {message.id}
        for job in map(lambda i: db.get(Job, i), taken):
            assert job.session_id != session_id and job.message_id is None
            assert f'requestID="{job.request_id}"' not in xml
        assert {rid for _, rid in _requests(xml)} == {j.request_id for j in sent}


def test_a_message_whose_jobs_another_session_all_claimed_is_not_kept(shop, monkeypatch):
    from qbwc_service.queue.models import Message

    taken = _taken_between_peek_and_claim(monkeypatch, None)
    drive = Drive(shop)
    with transaction(shop) as db:
        session_id = drive.open(db).id
    xml = drive.round_trip(session_id)  # whatever else is ready goes instead, if anything
    with shop() as db:
        assert taken
        assert [m.request_xml for m in db.scalars(select(Message))] == ([xml] if xml else [])
        assert all(db.get(Job, i).message_id is None for i in taken)


def test_a_job_that_fails_to_build_never_points_at_the_message(shop, monkeypatch):
    victim = _invoice_keys(shop)[0]
    real = engine_mod.request_for

    def request_for(job, payload, mctx):
        if job.source_key == victim:
            raise BuildError("unbuildable")
        return real(job, payload, mctx)

    monkeypatch.setattr(engine_mod, "request_for", request_for)
    Drive(shop).session()
    with shop() as db:
        (job,) = [j for j in _jobs(db, "invoice.add") if j.source_key == victim]
        assert job.status == "error" and job.message_id is None
        done = [j for j in _jobs(db, "invoice.add") if j.status == "done"]
        assert done and all(j.message_id is not None for j in done)
