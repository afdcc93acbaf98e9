"""Admin actions on the queue, as functions and as ``qbwc-service queue`` commands."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from qbwc_service.cli import main
from qbwc_service.queue import jobs, messages, ops
from qbwc_service.queue.models import AuditEvent, Job, Message, Run


def fail(db, job, reason="3000: broken"):
    jobs.transition(db, job, "sent")
    jobs.transition(db, job, "error", reason=reason)
    jobs.block_dependents(db, job, reason)


def test_retry_requeues_and_releases_dependents(sessions, plan):
    with sessions.begin() as db:
        customer = plan(db, "C", area="lists", kind="customer.ensure")
        invoice = plan(db, "I", depends_on=[customer])
        fail(db, customer)
        assert invoice.status == "blocked"
        requeued = ops.retry_job(db, customer, actor="admin ann")
        assert [j.id for j in requeued] == [customer.id]
        assert (customer.status, customer.attempts, customer.error_message) == ("pending", 0, "")
        assert invoice.status == "pending"
        detail = db.scalar(select(AuditEvent.detail).where(AuditEvent.event == "retried"))
        assert detail == "retried by admin ann"


def test_retrying_a_blocked_job_retries_its_failed_dependency(sessions, plan):
    with sessions.begin() as db:
        vendor = plan(db, "V", area="lists", kind="vendor.ensure")
        bill = plan(db, "B", area="ap", depends_on=[vendor])
        fail(db, vendor)
        requeued = ops.retry_job(db, bill)
        assert [j.id for j in requeued] == [vendor.id]
        assert vendor.status == "pending" and bill.status == "pending"


def test_retry_all_errors_of_one_area(sessions, plan, user_id, make_user):
    other = make_user("other")
    with sessions.begin() as db:
        ar = [plan(db, f"A{n}") for n in range(2)]
        ap = plan(db, "P", area="ap")
        theirs = plan(db, "O", user_id=other)
        for job in (*ar, ap, theirs):
            fail(db, job)
        retried = ops.retry_errors(db, user_id=user_id, area="ar")
        assert sorted(j.id for j in retried) == sorted(j.id for j in ar)
        assert ap.status == "error" and theirs.status == "error"
        assert all(j.status == "pending" for j in ar)


def test_skip_and_cancel_block_dependents(sessions, plan):
    with sessions.begin() as db:
        item = plan(db, "PART", area="lists", kind="item.ensure")
        invoice = plan(db, "I", depends_on=[item])
        ops.skip_job(db, item, actor="admin")
        assert item.status == "skipped"
        assert invoice.status == "blocked" and "skipped by admin" in invoice.blocked_reason
        ops.retry_job(db, item)
        assert invoice.status == "pending"
        ops.cancel_job(db, item)
        assert item.status == "cancelled" and invoice.status == "blocked"
        with pytest.raises(ops.OpsError, match="blocked by a cancelled job"):
            ops.retry_job(db, invoice)


@pytest.mark.parametrize(("status", "action", "message"), [
    ("done", "retry", "cannot be retried (QuickBooks already has the record)"),
    ("sent", "skip", "cannot be skipped while QuickBooks has it"),
    ("done", "cancel", "cannot be cancelled"),
    ("pending", "retry", "cannot be retried (it is waiting to be sent)"),
])
def test_illegal_actions_explain_themselves(sessions, plan, status, action, message):
    with sessions.begin() as db:
        job = plan(db, "X")
        if status != "pending":
            jobs.transition(db, job, "sent")
        if status == "done":
            jobs.transition(db, job, "done")
        with pytest.raises(ops.OpsError) as err:
            ops.ACTIONS[action](db, job)
        assert message in str(err.value)
        assert job.status == status


@pytest.mark.parametrize("action", ["retry", "skip", "cancel"])
def test_a_job_whose_response_was_lost_is_left_to_the_verify_lookup(sessions, plan, action):
    """QuickBooks may hold a ``verify`` job's record: re-sent it would double, skipped or
    cancelled it would stay unexported in JobBOSS2 and be planned and sent again."""
    with sessions.begin() as db:
        job = plan(db, "X")
        jobs.transition(db, job, "sent")
        jobs.transition(db, job, "verify")
        with pytest.raises(ops.OpsError, match="asks QuickBooks"):
            ops.ACTIONS[action](db, job)
        assert job.status == "verify"


def test_a_skipped_job_can_be_cancelled(sessions, plan):
    with sessions.begin() as db:
        job = plan(db, "X")
        ops.skip_job(db, job)
        ops.cancel_job(db, job)
        assert job.status == "cancelled"


def test_an_admin_action_leaves_past_run_reports_alone(sessions, plan, user_id):
    with sessions.begin() as db:
        run = Run(user_id=user_id)
        db.add(run)
        db.flush()
        job = plan(db, "X")
        jobs.transition(db, job, "sent", run_id=run.id)
        jobs.transition(db, job, "error", reason="3000: broken", run_id=run.id)
        ops.retry_job(db, job)
        ops.skip_job(db, job)
        events = dict(db.execute(select(AuditEvent.event, AuditEvent.run_id)
                                 .where(AuditEvent.job_id == job.id)).all())
        assert events["error"] == run.id
        assert events["retried"] is None and events["skipped"] is None


def test_filters_select_the_right_rows(sessions, plan, user_id, make_user):
    other = make_user("other")
    with sessions.begin() as db:
        a = plan(db, "INV-100")
        b = plan(db, "INV-200", area="ap")
        c = plan(db, "CUST-1", area="lists", user_id=other)
        fail(db, b)
    with sessions() as db:
        def ids(**kw):
            page, total = ops.list_jobs(db, ops.JobFilter(**kw))
            assert total == len(page)
            return [j.id for j in page]
        assert ids() == [c.id, b.id, a.id]  # newest first
        assert ids(user_id=other) == [c.id]
        assert ids(status="error") == [b.id]
        assert ids(area="ar") == [a.id]
        assert ids(text="inv-") == [b.id, a.id]
        assert ids(text="T:CUST") == [c.id]
        assert ids(text="%") == []  # LIKE wildcards are literal
        today = a.created_at.date()
        assert ids(day_from=today, day_to=today) == [c.id, b.id, a.id]
        from datetime import timedelta
        assert ids(day_to=today - timedelta(days=1)) == []
        page, total = ops.list_jobs(db, offset=1, limit=1)
        assert ([j.id for j in page], total) == ([b.id], 3)


def test_audit_search_and_job_detail(sessions, plan):
    with sessions.begin() as db:
        cust = plan(db, "ACME", area="lists", kind="customer.ensure")
        inv = plan(db, "INV-9", depends_on=[cust])
        messages.keep_request(db, [inv], "<QBXML>request</QBXML>", user_id=inv.user_id)
        fail(db, inv, "3140: bad ref")
    with sessions() as db:
        events, total = ops.search_audit(db, "inv-9")
        assert total == len(events) == 3
        assert [e.event for e in events] == ["error", "sent", "planned"]
        detail = ops.job_detail(db, db.get(Job, inv.id))
        assert detail["record_key"] == "T:INV-9"
        assert [d["id"] for d in detail["depends_on"]] == [cust.id]
        assert detail["request_xml"] == "<QBXML>request</QBXML>"
        assert detail["error_message"] == "3140: bad ref"
        assert detail["payload"] == {"key": "INV-9"} and detail["message_id"] == inv.message_id
        json.dumps(detail)


def test_queue_cli(config_file, sessions, plan):
    with sessions.begin() as db:
        ok = plan(db, "INV-1")
        bad = plan(db, "INV-2", area="ap")
        fail(db, bad, "3140: no vendor")
    run = CliRunner()

    def cli(*args):
        return run.invoke(main, ["--config", str(config_file), "queue", *args])

    listed = cli("list", "--user", "shop", "--status", "error", "--json")
    assert listed.exit_code == 0, listed.output
    assert [j["id"] for j in json.loads(listed.output)] == [bad.id]
    assert "INV-1" in cli("list", "--area", "ar").output
    assert "INV-1" not in cli("list", "--area", "ap").output
    shown = cli("show", str(bad.id))
    assert "3140: no vendor" in shown.output and "T:INV-2" in shown.output
    assert json.loads(cli("show", str(bad.id), "--json").output)["status"] == "error"

    retried = cli("retry", "--all-errors", "--area", "ap")
    assert retried.exit_code == 0 and "1 job(s)" in retried.output
    assert cli("skip", str(ok.id)).exit_code == 0
    assert cli("retry", str(ok.id)).exit_code == 0
    assert cli("cancel", str(ok.id)).exit_code == 0
    with sessions() as db:
        assert db.get(Job, bad.id).status == "pending"
        assert db.get(Job, ok.id).status == "cancelled"
        events = list(db.scalars(select(AuditEvent.event).where(AuditEvent.job_id == ok.id)
                                 .order_by(AuditEvent.id)))
        assert events == ["planned", "skipped", "retried", "cancelled"]

    illegal = cli("retry", str(ok.id))
    assert illegal.exit_code != 0 and "cannot be retried" in illegal.output
    assert cli("show", "9999").exit_code != 0
    assert "no user 'ghost'" in cli("list", "--user", "ghost").output
    assert cli("retry").exit_code == 2


def test_a_job_shows_its_own_request_and_response_from_the_kept_message(config_file, sessions, plan,
                                                                        user_id):
    """The engine keeps a message once, with its response; every job of the message
    shows its own part of it (found by requestID), not "not sent yet"."""
    from qbwc_service.queue import dequeue
    from qbwc_service.queue.models import QbwcSession

    with sessions.begin() as db:
        session = QbwcSession(ticket_hash="t" * 64, user_id=user_id)
        db.add(session)
        db.flush()
        planned = [plan(db, f"INV{n}") for n in range(3)]
        sent = dequeue.claim_batch(db, user_id=user_id, session_id=session.id, limit=3)
        assert [j.id for j in sent] == [j.id for j in planned]
        parts = [(f'<InvoiceAddRq requestID="{j.request_id}"><InvoiceAdd><RefNumber>INV{n}'
                  f'</RefNumber></InvoiceAdd></InvoiceAddRq>',
                  f'<InvoiceAddRs requestID="{j.request_id}" statusCode="0"><InvoiceRet>'
                  f'<TxnID>T{n}</TxnID></InvoiceRet></InvoiceAddRs>') for n, j in enumerate(sent)]
        first = messages.keep_request(
            db, sent, '<?xml version="1.0" encoding="utf-8"?><?qbxml version="13.0"?>'
            '<QBXML><QBXMLMsgsRq onError="continueOnError">'
            + "".join(rq for rq, _ in parts) + "</QBXMLMsgsRq></QBXML>",
            user_id=user_id, session_id=session.id)
        messages.keep_response(db, [first], '<QBXML><QBXMLMsgsRs>' + "".join(rs for _, rs in parts)
                               + "</QBXMLMsgsRs></QBXML>")
        later = plan(db, "LATE")  # never sent: nothing to show
        unbuilt = plan(db, "BAD")  # claimed with them, but its request could not be built
        unbuilt.session_id, unbuilt.sent_at = session.id, sent[0].sent_at
        unbuilt.request_id = str(unbuilt.id)
        # Sent again alone in a later message: it shows that one, the first stays kept.
        again = sent[2]
        messages.keep_request(db, [again], f'<QBXML><QBXMLMsgsRq><InvoiceQueryRq requestID='
                                           f'"{again.request_id}"/></QBXMLMsgsRq></QBXML>',
                              user_id=user_id, session_id=session.id)
        ids = [j.id for j in sent]
    with sessions() as db:
        for n, job_id in enumerate(ids[:2]):
            detail = ops.job_detail(db, db.get(Job, job_id))
            assert detail["request_xml"] == parts[n][0]
            assert detail["response_xml"] == parts[n][1]
        request, response = messages.exchanged_xml(db, db.get(Job, ids[2]))
        assert "InvoiceQueryRq" in request and response == ""
        assert db.get(Message, first).request_xml.count("InvoiceAddRq requestID=") == 3
        assert messages.exchanged_xml(db, db.get(Job, later.id)) == ("", "")
        assert messages.exchanged_xml(db, db.get(Job, unbuilt.id)) == ("", "")
    shown = CliRunner().invoke(main, ["--config", str(config_file), "queue", "show", str(ids[1])])
    assert "<RefNumber>INV1</RefNumber>" in shown.output and "INV0" not in shown.output


def test_retrying_a_skipped_job_retries_what_it_needs_or_waits_blocked(sessions, plan):
    """A job is never left pending behind a failed dependency, where it would never go."""
    with sessions.begin() as db:
        customer = plan(db, "C", area="lists", kind="customer.ensure")
        invoice = plan(db, "I", depends_on=[customer])
        fail(db, customer)
        ops.skip_job(db, invoice)
        requeued = ops.retry_job(db, invoice)
        assert sorted(j.id for j in requeued) == sorted([invoice.id, customer.id])
        assert (invoice.status, customer.status) == ("pending", "pending")

        vendor = plan(db, "V", area="lists", kind="vendor.ensure")
        bill = plan(db, "B", area="ap", depends_on=[vendor])
        ops.cancel_job(db, vendor)
        ops.skip_job(db, bill)
        assert ops.retry_job(db, bill) == []
        assert bill.status == "blocked" and "vendor.ensure T:V" in bill.blocked_reason


def test_unknown_users_jobs_days_and_choices_are_named(sessions, plan, user_id):
    from datetime import date

    with sessions.begin() as db:
        assert ops.user_by_name(db, "shop").id == user_id
        with pytest.raises(ops.OpsError) as err:
            ops.user_by_name(db, "nobody")
        assert str(err.value) == "no user 'nobody' (see `qbwc-service user list`)"
        job = plan(db, "X")
        assert ops.get_job(db, job.id) is job
        with pytest.raises(ops.OpsError, match=f"^no job {job.id + 1}$"):
            ops.get_job(db, job.id + 1)
    assert ops.parse_day(None) is None and ops.parse_day("") is None
    assert ops.parse_day(" 2026-01-02 ") == date(2026, 1, 2)
    with pytest.raises(ops.OpsError, match=r"^'2026-13-01' is not a date \(YYYY-MM-DD\)$"):
        ops.parse_day("2026-13-01")
    assert ops.check_choice("ar", ops.AREAS, "area") == "ar"
    assert ops.check_choice("", ops.AREAS, "area") is None
    assert ops.check_choice(None, ops.AREAS, "area") is None
    with pytest.raises(ops.OpsError) as err:
        ops.check_choice("zz", ops.AREAS, "area")
    assert str(err.value) == "unknown area 'zz'; choose from: lists, ar, ap, time"


def test_text_filters_take_like_wildcards_literally(sessions, plan):
    with sessions.begin() as db:
        under = plan(db, "A_B")
        plan(db, "AXB")
        slash = plan(db, "C\\D")
        plan(db, "CD")
    with sessions() as db:
        def ids(text):
            return [j.id for j in ops.list_jobs(db, ops.JobFilter(text=text))[0]]
        assert ids("a_b") == [under.id]
        assert ids("C\\D") == [slash.id]
        assert [e.record_key for e in ops.search_audit(db, "a_b")[0]] == ["T:A_B"]


def test_a_job_and_an_event_as_json(sessions, plan):
    with sessions.begin() as db:
        job = plan(db, "I9")
        jobs.transition(db, job, "sent")
        job.qb_list_id, job.qb_txn_id = "L-1", "T-1"
        data = ops.job_as_dict(job)
        assert data["qb_id"] == "T-1" and data["record_key"] == "T:I9"
        assert (data["status"], data["attempts"], data["area"], data["kind"]) == ("sent", 1, "ar", "ar.add")
        assert data["sent_at"] == job.sent_at.isoformat() and data["done_at"] is None
        assert (data["session_id"], data["run_id"], data["user_id"]) == (None, None, job.user_id)
        assert "payload" not in data
        full = ops.job_as_dict(job, full=True)
        assert full["payload"] == {"key": "I9"} and full["message_id"] is None
        job.qb_txn_id = ""
        assert ops.job_as_dict(job)["qb_id"] == "L-1"
        event = ops.job_events(db, job)[-1]
        assert ops.event_as_dict(event) == {
            "id": event.id, "at": event.created_at.isoformat(), "event": "sent",
            "record_key": "T:I9", "job_id": job.id, "run_id": None, "detail": ""}


def test_runs_and_audit_pages_per_user(sessions, plan, user_id, make_user):
    other = make_user("other")
    with sessions.begin() as db:
        runs = [Run(user_id=user_id), Run(user_id=other), Run(user_id=user_id)]
        db.add_all(runs)
        db.flush()
        mine = plan(db, "M")
        plan(db, "O", user_id=other)
        jobs.transition(db, mine, "sent")
    with sessions() as db:
        page, total = ops.list_runs(db, user_id=user_id)
        assert ([r.id for r in page], total) == ([runs[2].id, runs[0].id], 2)
        page, total = ops.list_runs(db, offset=1, limit=1)
        assert ([r.id for r in page], total) == ([runs[1].id], 3)
        assert ops.run_session(db, runs[0].id) is None
        events, total = ops.search_audit(db, user_id=user_id)
        assert [e.event for e in events] == ["sent", "planned"] and total == 2
        events, total = ops.search_audit(db, offset=1, limit=1)
        assert [e.event for e in events] == ["planned"] and total == 3


def test_skipping_and_cancelling_name_the_admin(sessions, plan):
    with sessions.begin() as db:
        item = plan(db, "PART", area="lists", kind="item.ensure")
        invoice = plan(db, "I", depends_on=[item])
        ops.skip_job(db, item, actor="ann")
        assert [e.detail for e in ops.job_events(db, item)][-1] == "skipped by ann"
        assert invoice.blocked_reason.endswith(": skipped by ann")
        ops.cancel_job(db, item)
        assert [e.detail for e in ops.job_events(db, item)][-1] == "cancelled"


def test_retrying_every_error_of_every_user(sessions, plan, user_id, make_user):
    other = make_user("other")
    with sessions.begin() as db:
        failed = [plan(db, "A"), plan(db, "B", area="ap"), plan(db, "C", user_id=other)]
        for job in failed:
            fail(db, job)
        assert sorted(j.id for j in ops.retry_errors(db)) == sorted(j.id for j in failed)
        assert {j.status for j in failed} == {"pending"}
        assert (failed[0].error_code, failed[0].error_message, failed[0].not_before) == ("", "", None)
