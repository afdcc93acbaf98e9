"""Storage that does not grow for ever: old messages pruned (``db prune``, daily by ``serve``),
huge requests and responses kept cut short with their size and SHA-256."""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta

import pytest
import webtest
from click.testing import CliRunner
from soap_support import ScriptedEngine, ServeProcess, soap_envelope, soap_headers, soap_result
from sqlalchemy import select

from qbwc_service import accounts, config, wsgi
from qbwc_service.cli import main
from qbwc_service.queue import jobs, messages, retention
from qbwc_service.queue.db import transaction
from qbwc_service.queue.models import AdminSession, Job, Message, utcnow

OLD, RECENT = utcnow() - timedelta(days=120), utcnow() - timedelta(days=10)


@pytest.fixture
def kept(sessions):
    """Messages: old and done, old but its job still sent, recent; admin logins old and live."""
    with transaction(sessions) as db:
        user = accounts.create_user(db, "shop", "pw", is_admin=True)

        def job(key, status):
            made = jobs.add_job(db, user_id=user.id, area="ar", kind="invoice.add", source_table="Billing",
                                source_key=key, source_version="1", payload={})
            for step in {"done": ["sent", "done"], "sent": ["sent"], "pending": []}[status]:
                jobs.transition(db, made, step)
            return made

        done, sent, fresh = job("INV-1", "done"), job("INV-2", "sent"), job("INV-3", "done")
        ids = {name: messages.keep_request(db, [j], f"<QBXML>{name}</QBXML>", user_id=user.id, at=at)
               for name, j, at in (("old", done, OLD), ("open", sent, OLD), ("recent", fresh, RECENT))}
        db.add_all([AdminSession(token_hash="a" * 64, user_id=user.id, created_at=OLD - timedelta(hours=12),
                                 expires_at=OLD),
                    AdminSession(token_hash="b" * 64, user_id=user.id, created_at=utcnow(),
                                 expires_at=utcnow() + timedelta(hours=12))])
        return {**ids, "done_job": done.id}


def _messages(sessions):
    with sessions() as db:
        return set(db.scalars(select(Message.id)))


def test_prune_removes_old_messages_but_not_those_of_jobs_still_open(sessions, kept):
    pruned = retention.prune(sessions, 90)
    assert (pruned.messages, pruned.admin_sessions) == (1, 1)
    assert _messages(sessions) == {kept["open"], kept["recent"]}
    with sessions() as db:
        assert db.get(Job, kept["done_job"]).message_id is None  # the job stays, without its message
        assert [s.token_hash[0] for s in db.scalars(select(AdminSession))] == ["b"]
    assert retention.prune(sessions, 90).messages == 0


def test_keeping_zero_days_keeps_everything(sessions, kept):
    assert retention.prune(sessions, 0).messages == 0
    assert len(_messages(sessions)) == 3


def test_db_prune_command_uses_the_setting_or_days(config_file, sessions, kept):
    with config_file.open("a", encoding="utf-8") as fh:
        fh.write("\n[storage]\nkeep_messages_days = 200\n")
    run = CliRunner().invoke(main, ["--config", str(config_file), "db", "prune"])
    assert run.exit_code == 0, run.output
    assert "pruned 0 message(s)" in run.output and "200 days" in run.output
    run = CliRunner().invoke(main, ["--config", str(config_file), "db", "prune", "--days", "5"])
    assert "pruned 2 message(s)" in run.output
    assert _messages(sessions) == {kept["open"]}


def test_serve_prunes_when_it_starts_and_then_daily(config_file, sessions, kept):
    server = ServeProcess(config_file)
    try:
        deadline = time.monotonic() + 60
        while kept["old"] in _messages(sessions) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        server.stop()
    assert _messages(sessions) == {kept["open"], kept["recent"]}


def test_prune_daily_repeats_until_stopped(sessions, kept):
    stop = retention.prune_daily(sessions, 90, every=timedelta(seconds=0.05))
    try:
        deadline = time.monotonic() + 30
        while kept["old"] in _messages(sessions) and time.monotonic() < deadline:
            time.sleep(0.05)
        with transaction(sessions) as db:  # an old message appearing later goes at the next round
            user_id = db.get(Job, kept["done_job"]).user_id
            late = messages.keep_request(db, [], "<QBXML>late</QBXML>", user_id=user_id, at=OLD)
        while late in _messages(sessions) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
    assert _messages(sessions) == {kept["open"], kept["recent"]}


def test_a_huge_text_is_kept_cut_short_with_its_size_and_hash():
    text = "<QBXML>" + "é" * 700_000 + "</QBXML>"  # 1.4 MB in UTF-8
    whole = text.encode("utf-8")
    kept = messages.bounded(text, 1024 * 1024)
    assert kept.size == len(whole) and kept.sha256 == hashlib.sha256(whole).hexdigest()
    assert len(kept.text.encode("utf-8")) < 1024 * 1024 + 200
    assert kept.text.startswith("<QBXML>éé")
    assert f"kept the first 1048576 of {len(whole)} bytes" in kept.text and kept.sha256 in kept.text
    small = messages.bounded("<QBXML/>", 1024)
    assert small.text == "<QBXML/>" and small.size == 8


def test_messages_over_storage_max_message_kb_are_stored_cut_short(config_file, sessions):
    """Through the service: a 3 MB response of QuickBooks is stored as its first 64 KB."""
    with config_file.open("a", encoding="utf-8") as fh:
        fh.write("\n[storage]\nmax_message_kb = 64\n")
    with transaction(sessions) as db:
        user = accounts.create_user(db, "shop", "pw")
        job = jobs.add_job(db, user_id=user.id, area="ar", kind="invoice.add", source_table="Billing",
                           source_key="INV-9", source_version="1", payload={})
        jobs.transition(db, job, "sent")

    class Keeping(ScriptedEngine):
        """Keeps the request and the response as the sync engine does."""

        def next_request(self, db, session, ctx):
            request = super().next_request(db, session, ctx)
            sent = list(db.scalars(select(Job)))
            messages.keep_request(db, sent, request + "<!--" + "x" * 100_000 + "-->",
                                  user_id=session.user_id, session_id=session.id)
            return request

        def apply_response(self, db, session, response, hresult, message):
            messages.keep_response(db, [j.message_id for j in db.scalars(select(Job))], response)
            return super().apply_response(db, session, response, hresult, message)

    app = webtest.TestApp(wsgi.create_app(config.load(config_file), Keeping(), sessions=sessions))
    login = app.post("/qbwc", soap_envelope("authenticate", strUserName="shop", strPassword="pw"),
                     headers=soap_headers("authenticate"))
    ticket = soap_result(login.body, "authenticate")[0].text
    app.post("/qbwc", soap_envelope("sendRequestXML", ticket=ticket, strHCPResponse="",
                                    strCompanyFileName="", qbXMLCountry="US", qbXMLMajorVers="13",
                                    qbXMLMinorVers="0"), headers=soap_headers("sendRequestXML"))
    response = "<QBXML><QBXMLMsgsRs>" + "<X>y</X>" * 400_000 + "</QBXMLMsgsRs></QBXML>"
    app.post("/qbwc", soap_envelope("receiveResponseXML", ticket=ticket, response=response, hresult="",
                                    message=""), headers=soap_headers("receiveResponseXML"))
    with sessions() as db:
        row = db.scalars(select(Message)).one()
    assert row.response_bytes == len(response) and len(row.response_xml) < 64 * 1024 + 200
    assert row.response_sha256 == hashlib.sha256(response.encode()).hexdigest()
    assert row.request_bytes > 100_000 and len(row.request_xml) < 64 * 1024 + 200
    assert "kept the first 65536 of" in row.response_xml
