"""Applying one QuickBooks answer to one planned job, without a Web Connector session.

Each test plans the demo window, puts one job in ``sent`` as a message would,
applies a hand-made answer and reads what the queue, the ID map, the audit
trail and the write-backs owed say afterwards.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from qbwc_service.qbxml.parse import RequestResult, RetInfo
from qbwc_service.queue import jobs as jobs_mod
from qbwc_service.queue.db import transaction
from qbwc_service.queue.models import AuditEvent, IdMapEntry, Job, JobDependency, WriteBack
from qbwc_service.sync import settings as settings_mod
from qbwc_service.sync.kinds import registry
from qbwc_service.sync.kinds.payload import Phase
from qbwc_service.sync.planning import idmap
from qbwc_service.sync.running import apply

NOW = datetime(2026, 2, 2, 9, 30, tzinfo=UTC)
CUSTOMER = "BESTFIX"
ITEM = "BRKT-4690-C"


def _job(db: Session, kind: str, key: str | None = None, phase: Phase | None = None) -> Job:
    stmt = select(Job).where(Job.kind == kind).order_by(Job.id)
    if key is not None:
        stmt = stmt.where(Job.source_key == key)
    job = db.scalars(stmt).first()
    assert job is not None, (kind, key)
    if phase is not None:
        registry.set_payload(job, registry.payload_of(job).but(phase=phase))
    job.status = "sent"  # as claimed into a message
    job.request_id = str(job.id)
    return job


def _result(job: Job, code: int = 0, message: str = "Status OK", rets: tuple[RetInfo, ...] = (),
            severity: str = "") -> RequestResult:
    return RequestResult(request_id=job.request_id, rs_name="Rs", status_code=code,
                         status_severity=severity or ("Info" if code == 0 else "Error"),
                         status_message=message, rets=list(rets))


class Ensures:
    """Stands in for the dependency planner: hands back the job it was given, records the needs."""

    def __init__(self, job: Job | None = None) -> None:
        self.job, self.needs = job, []

    def __call__(self, db: Session, user_id: int, need: object) -> Job:
        self.needs.append(need)
        assert self.job is not None
        return self.job


def _apply(db: Session, job: Job, result: RequestResult, ensure: Ensures | None = None,
           run_id: int | None = None) -> apply.Outcome:
    ac = apply.ApplyContext(db=db, run_id=run_id, settings=settings_mod.get_settings(db, job.user_id),
                            now=NOW, ensure=ensure or Ensures())
    apply.preload(ac, [job])
    outcome = apply.apply_result(ac, job, result)
    ac.flush()
    db.flush()
    return outcome


def _events(db: Session, job: Job) -> list[tuple[str, str]]:
    return [(e.event, e.detail) for e in db.scalars(
        select(AuditEvent).where(AuditEvent.job_id == job.id).order_by(AuditEvent.id))]


def _dependents(db: Session, job: Job) -> list[Job]:
    return list(db.scalars(select(Job).join(JobDependency, JobDependency.job_id == Job.id)
                           .where(JobDependency.depends_on_id == job.id).order_by(Job.id)))


# ---------------------------------------------------------------- list records


def test_a_name_query_adopts_its_own_record_among_several(shop):
    with transaction(shop) as db:
        job = _job(db, "customer.ensure", CUSTOMER)
        name = registry.payload_of(job).name
        rets = (RetInfo("CustomerRet", list_id="80-9", full_name="Someone Else"),
                RetInfo("CustomerRet", list_id="80-1", edit_sequence="77", full_name=name.upper()))
        outcome = _apply(db, job, _result(job, 500, "some names were not found", rets, "Warn"))
        noun = registry.job_kind(job.kind).noun
        assert (outcome.event, outcome.area, outcome.noun) == ("adopted", "lists", noun)
        assert (job.status, job.qb_list_id, job.qb_edit_sequence) == ("done", "80-1", "77")
        row = idmap.lookup(db, job.user_id, "customer", CUSTOMER)
        assert (row.qb_id, row.qb_name, row.edit_sequence) == ("80-1", name.upper(), "77")
        assert row.source_version == registry.payload_of(job).fingerprint
        events = _events(db, job)
        assert ("adopted", f"80-1 {name.upper()}") in events
        assert not [e for e in events if e[0] == "warning"]  # a 500 speaks of the other names


def test_a_name_query_finding_only_other_names_goes_on_to_add(shop):
    with transaction(shop) as db:
        job = _job(db, "customer.ensure", CUSTOMER)
        name = registry.payload_of(job).name
        rets = (RetInfo("CustomerRet", list_id="80-9", full_name="Someone Else"),)
        outcome = _apply(db, job, _result(job, 500, "not all found", rets, "Warn"))
        assert outcome.event is None and outcome.area == "lists"
        assert job.status == "pending" and registry.payload_of(job).phase is Phase.ADD
        assert _events(db, job)[-1][1] == f"{name!r} is not in QuickBooks: adding it"
        assert idmap.lookup(db, job.user_id, "customer", CUSTOMER) is None


def test_an_added_record_is_created_and_a_warning_status_is_kept(shop):
    with transaction(shop) as db:
        job = _job(db, "customer.ensure", CUSTOMER, Phase.ADD)
        ret = RetInfo("CustomerRet", list_id="80-2", edit_sequence="1", name="Best")
        outcome = _apply(db, job, _result(job, 530, "the name was shortened", (ret,), "Warn"))
        assert outcome.event == "created" and job.status == "done" and job.qb_list_id == "80-2"
        events = _events(db, job)
        assert ("warning", "530: the name was shortened") in events
        assert ("created", "80-2 Best") in events
        assert idmap.lookup(db, job.user_id, "customer", CUSTOMER).qb_name == "Best"
        assert not db.scalars(select(WriteBack)).all()  # list records owe JobBOSS2 nothing


def test_an_added_record_without_name_in_its_answer_keeps_the_planned_name(shop):
    with transaction(shop) as db:
        job = _job(db, "customer.ensure", CUSTOMER, Phase.ADD)
        _apply(db, job, _result(job, 0, "Status OK", (RetInfo("CustomerRet", list_id="80-3"),)))
        assert idmap.lookup(db, job.user_id, "customer", CUSTOMER).qb_name == registry.payload_of(job).name
        assert ("created", "80-3") in _events(db, job)
        assert not [e for e in _events(db, job) if e[0] == "warning"]  # status 0 is no warning


@pytest.mark.parametrize(("rets", "reason"), [
    ((RetInfo("CustomerRet", list_id=" ", full_name="X"),),
     "QuickBooks answered 0 with a CustomerRet without its ListID"),
    ((), "QuickBooks answered 0 without a record"),
])
def test_a_success_without_the_list_id_fails_the_job(shop, rets, reason):
    with transaction(shop) as db:
        job = _job(db, "customer.ensure", CUSTOMER, Phase.ADD)
        waiting = _dependents(db, job)
        outcome = _apply(db, job, _result(job, 0, "Status OK", rets))
        assert outcome.event == "error"
        assert (job.status, job.error_message, job.error_code) == ("error", reason, "")
        assert not job.qb_list_id
        assert idmap.lookup(db, job.user_id, "customer", CUSTOMER) is None
        assert waiting and all(d.status == "blocked" for d in waiting)


def test_a_refusal_fails_the_job_with_its_code_and_blocks_its_dependents(shop):
    with transaction(shop) as db:
        job = _job(db, "customer.ensure", CUSTOMER, Phase.ADD)
        waiting = _dependents(db, job)
        outcome = _apply(db, job, _result(job, 3210, "the address is too long"))
        assert (outcome.event, outcome.area) == ("error", "lists")
        assert (job.status, job.error_code) == ("error", "3210")
        assert job.error_message == "3210: the address is too long"
        assert waiting and all(d.status == "blocked" and "3210: the address is too long" in d.blocked_reason
                               for d in waiting)


def test_a_done_list_record_releases_what_it_blocked(shop):
    with transaction(shop) as db:
        job = _job(db, "customer.ensure", CUSTOMER, Phase.ADD)
        waiting = _dependents(db, job)
        for dep in waiting:
            dep.status, dep.blocked_reason = "blocked", "waiting"
        _apply(db, job, _result(job, 0, "Status OK", (RetInfo("CustomerRet", list_id="80-4"),)))
        assert waiting and all(d.status == "pending" for d in waiting)
        released = ("unblocked", f"customer.ensure CustCode:{CUSTOMER} is done")
        assert all(released in _events(db, d) for d in waiting)


def test_a_name_in_use_is_looked_up_once_to_adopt_it(shop):
    with transaction(shop) as db:
        job = _job(db, "customer.ensure", CUSTOMER, Phase.ADD)
        outcome = _apply(db, job, _result(job, 3100, "The name is already in use"))
        payload = registry.payload_of(job)
        assert outcome.event is None and job.status == "pending"
        assert (payload.phase, payload.adopt_tries) == (Phase.QUERY, 1)
        assert _events(db, job)[-1][1] == "the name is in use: looking it up to adopt it"
        job.status = "sent"
        registry.set_payload(job, payload.but(phase=Phase.ADD))
        outcome = _apply(db, job, _result(job, 3100, "The name is already in use"))
        assert outcome.event == "error" and job.status == "error"
        assert job.error_message.startswith("3100: The name is already in use (QuickBooks holds that name")
        assert job.error_code == "3100"


def test_a_name_in_use_fails_a_transaction_at_once(shop):
    with transaction(shop) as db:
        job = _job(db, "invoice.add")
        outcome = _apply(db, job, _result(job, 3100, "in use"))
        assert outcome.event == "error" and job.error_message.startswith("3100: in use (QuickBooks holds")


def test_a_transient_refusal_is_retried_later_until_the_retries_are_used_up(shop):
    with transaction(shop) as db:
        job = _job(db, "customer.ensure", CUSTOMER, Phase.ADD)
        outcome = _apply(db, job, _result(job, 3175, "the list is in use"))
        assert outcome.event is None and job.status == "pending"
        assert registry.payload_of(job).retries == 1
        assert job.not_before.replace(tzinfo=UTC) == NOW + timedelta(seconds=30)
        assert ("retry_later", "3175: the list is in use; retry after 09:30:30") in _events(db, job)
        job.status = "sent"
        _apply(db, job, _result(job, 3180, "modified by another user"))
        assert registry.payload_of(job).retries == 2
        assert job.not_before.replace(tzinfo=UTC) == NOW + timedelta(seconds=60)
        job.status = "sent"
        registry.set_payload(job, registry.payload_of(job).but(retries=4))
        outcome = _apply(db, job, _result(job, 3176, "in use by another user"))
        assert outcome.event == "error" and job.status == "error"
        assert job.error_message == "3176: in use by another user (gave up after 4 retries)"
        assert job.error_code == "3176"


def test_a_stale_edit_sequence_fails_an_add(shop):
    with transaction(shop) as db:
        job = _job(db, "customer.ensure", CUSTOMER, Phase.ADD)
        _apply(db, job, _result(job, 3200, "edit sequence out of date"))
        assert job.status == "error" and job.error_message == "3200: edit sequence out of date"


def test_a_missing_sales_tax_item_is_added_and_one_that_cannot_be_is_remembered_as_absent(shop):
    with transaction(shop) as db:
        job = _job(db, "sales_tax.ensure")
        need = registry.need_of(registry.payload_of(job))
        outcome = _apply(db, job, _result(job, 1, "no match", (), "Info"))
        assert outcome.event is None and job.status == "pending"  # the service adds tax items
        assert registry.payload_of(job).phase is Phase.ADD
        assert _events(db, job)[-1][1] == f"{need.name!r} is not in QuickBooks: adding it"

        # An add that cannot be built (a Canadian file, a code missing from TaxCode): absent,
        # and what waited on it goes on without it.
        waiting = _dependents(db, job)
        for dep in waiting:
            dep.status, dep.blocked_reason = "blocked", "waiting"
        jobs_mod.transition(db, job, "sent")
        ac = apply.ApplyContext(db=db, run_id=None, now=NOW, ensure=Ensures(),
                                settings=settings_mod.get_settings(db, job.user_id))
        apply.preload(ac, [job])
        outcome = apply.mark_absent(ac, job, "cannot exist in QuickBooks (no TaxCode row)")
        ac.flush()
        db.flush()
        assert (outcome.event, outcome.area) == ("skipped", "lists")
        assert job.status == "done"
        row = idmap.lookup(db, job.user_id, "sales_tax", need.key)
        assert (row.qb_id, row.qb_name) == ("", need.name)
        events = _events(db, job)
        assert ("warning", f"sales tax {need.name!r} cannot exist in QuickBooks (no TaxCode row); "
                           "transactions are sent without it") in events
        assert ("skipped", "absent from QuickBooks") in events
        assert waiting and all(d.status == "pending" for d in waiting)


def test_a_verify_that_finds_nothing_sends_the_record_again(shop):
    with transaction(shop) as db:
        job = _job(db, "customer.ensure", CUSTOMER, Phase.VERIFY)
        outcome = _apply(db, job, _result(job, 1, "no match", (), "Info"))
        assert outcome.event is None and job.status == "pending"
        assert registry.payload_of(job).phase is Phase.ADD
        assert _events(db, job)[-1][1] == "not found in QuickBooks: it will be sent again"
        invoice = _job(db, "invoice.add", phase=Phase.VERIFY)
        _apply(db, invoice, _result(invoice, 1, "no match", (), "Info"))
        assert invoice.status == "pending" and registry.payload_of(invoice).phase is Phase.ADD


def test_a_verify_that_finds_the_record_adopts_it(shop):
    with transaction(shop) as db:
        job = _job(db, "customer.ensure", CUSTOMER, Phase.VERIFY)
        name = registry.payload_of(job).name
        outcome = _apply(db, job, _result(job, 0, "Status OK", (RetInfo("CustomerRet", list_id="80-5",
                                                                         name=name),)))
        assert outcome.event == "adopted" and job.qb_list_id == "80-5"


# ---------------------------------------------------------------- transactions


def test_a_created_invoice_owes_its_write_backs(shop):
    with transaction(shop) as db:
        job = _job(db, "invoice.add")
        ret = RetInfo("InvoiceRet", txn_id="T-1", edit_sequence="5", ref_number=job.source_key)
        outcome = _apply(db, job, _result(job, 0, "Status OK", (ret,)))
        assert (outcome.event, outcome.area, outcome.noun) == ("created", "ar", "invoice")
        assert (job.status, job.qb_txn_id, job.qb_edit_sequence) == ("done", "T-1", "5")
        row = idmap.lookup(db, job.user_id, registry.job_kind(job.kind).entity, jobs_mod.record_key(job))
        assert (row.qb_id, row.qb_name, row.edit_sequence, row.source_version) == (
            "T-1", job.source_key, "5", job.source_version)
        assert ("created", f"T-1 {job.source_key}") in _events(db, job)
        owed = db.scalars(select(WriteBack).where(WriteBack.job_id == job.id)).all()
        assert [(w.action, w.source_table, w.source_key, w.attempts, w.done_at) for w in owed] == [
            ("exported", job.source_table, job.source_key, 0, None)]
        assert owed[0].created_at.replace(tzinfo=UTC) == NOW and owed[0].user_id == job.user_id


def test_a_paid_write_back_is_owed_only_when_the_setting_asks(shop):
    with transaction(shop) as db:
        settings_mod.set_settings(db, db.scalars(select(Job.user_id)).first(),
                                  {"options.mark_ar_paid": "true"})
    with transaction(shop) as db:
        job = _job(db, "invoice.add")
        _apply(db, job, _result(job, 0, "Status OK", (RetInfo("InvoiceRet", txn_id="T-2"),)))
        owed = db.scalars(select(WriteBack.action).where(WriteBack.job_id == job.id)).all()
        assert sorted(owed) == ["exported", "paid"]


def test_a_transaction_without_its_txn_id_fails_and_owes_nothing(shop):
    with transaction(shop) as db:
        job = _job(db, "bill.add")
        ret = RetInfo("BillRet", list_id="not-a-txn", ref_number=job.source_key)
        outcome = _apply(db, job, _result(job, 0, "Status OK", (ret,)))
        assert outcome.event == "error" and outcome.area == "ap"
        assert job.error_message == "QuickBooks answered 0 with a BillRet without its TxnID"
        assert not db.scalars(select(WriteBack)).all()
        assert not db.scalars(select(IdMapEntry).where(IdMapEntry.entity == "bill")).all()


def _invalid_reference(name: str) -> str:
    return f'There is an invalid reference to QuickBooks Item "{name}" in the Invoice.'


def test_an_unknown_reference_is_ensured_again_and_the_job_waits_for_it(shop):
    with transaction(shop) as db:
        item = db.scalars(select(Job).where(Job.kind == "item.ensure", Job.source_key == ITEM)).one()
        job = next(j for j in _dependents(db, item) if j.kind == "invoice.add")
        job.status, job.request_id = "sent", str(job.id)
        idmap.remember(db, job.user_id, "item", ITEM, "80-77", name=ITEM)
        db.execute(JobDependency.__table__.delete().where(JobDependency.job_id == job.id,
                                                          JobDependency.depends_on_id == item.id))
        ensures = Ensures(item)
        message = _invalid_reference(ITEM.lower())
        outcome = _apply(db, job, _result(job, 3140, message), ensures)
        assert outcome.event is None and job.status == "pending"
        assert [(n.entity, n.key) for n in ensures.needs] == [("item", ITEM)]
        assert idmap.lookup(db, job.user_id, "item", ITEM) is None
        assert item.id in [d.depends_on_id for d in db.scalars(
            select(JobDependency).where(JobDependency.job_id == job.id))]
        assert registry.payload_of(job).replans == 1
        assert _events(db, job)[-1][1] == f"3140: {message}; re-creating {ITEM!r} first"


def test_an_unknown_reference_fails_after_the_replans_or_when_it_names_nothing_of_the_job(shop):
    with transaction(shop) as db:
        job = _job(db, "invoice.add")
        ensures = Ensures()
        _apply(db, job, _result(job, 3140, _invalid_reference("NOT-ON-THIS-INVOICE")), ensures)
        assert job.status == "error" and job.error_code == "3140" and not ensures.needs
        other = db.scalars(select(Job).where(Job.kind == "invoice.add", Job.id != job.id)).first()
        other.status, other.request_id = "sent", str(other.id)
        part = next(n for n in registry.payload_of(other).record["lines"] if n.get("part_no"))["part_no"]
        registry.set_payload(other, registry.payload_of(other).but(replans=apply.MAX_REPLANS))
        _apply(db, other, _result(other, 3140, _invalid_reference(part)), ensures)
        assert other.status == "error" and not ensures.needs
        assert other.error_message == "3140: " + _invalid_reference(part)


def test_a_verify_finds_its_invoice_by_ref_number_and_date_among_others(shop):
    with transaction(shop) as db:
        job = _job(db, "invoice.add", phase=Phase.VERIFY)
        record = registry.payload_of(job).record
        day = date.fromisoformat(record["txn_date"])
        rets = (RetInfo("InvoiceRet", txn_id="T-8", ref_number=job.source_key,
                        txn_date=day - timedelta(days=1)),
                RetInfo("InvoiceRet", txn_id="T-9", ref_number=job.source_key.lower(), txn_date=day))
        outcome = _apply(db, job, _result(job, 0, "Status OK", rets))
        assert (outcome.event, job.status, job.qb_txn_id) == ("adopted", "done", "T-9")
        owed = db.scalars(select(WriteBack.action).where(WriteBack.job_id == job.id)).all()
        assert owed == ["exported"]  # adopted: QuickBooks holds it, so JobBOSS2 is flagged too
        other = db.scalars(select(Job).where(Job.kind == "invoice.add", Job.id != job.id)).first()
        other.status, other.request_id = "sent", str(other.id)
        registry.set_payload(other, registry.payload_of(other).but(phase=Phase.VERIFY))
        _apply(db, other, _result(other, 0, "Status OK", rets))  # none of them is this one
        assert other.status == "pending" and registry.payload_of(other).phase is Phase.ADD


# ---------------------------------------------------------------- changes to list records


def _mod_job(db: Session, phase: Phase) -> Job:
    """The customer's ensure job made a Mod job of the same record (as a changed customer plans)."""
    job = _job(db, "customer.ensure", CUSTOMER, phase)
    job.kind = "customer.mod"
    return job


def test_a_mod_reads_the_edit_sequence_then_updates(shop):
    with transaction(shop) as db:
        job = _mod_job(db, Phase.READ)
        ret = RetInfo("CustomerRet", list_id="80-6", edit_sequence="9", full_name="Best")
        outcome = _apply(db, job, _result(job, 0, "Status OK", (ret,)))
        payload = registry.payload_of(job)
        assert outcome.event is None and job.status == "pending"
        assert (payload.phase, payload.edit_sequence, payload.ret_type) == (Phase.MOD, "9", "CustomerRet")
        assert _events(db, job)[-1][1] == "read the current EditSequence"
        job.status = "sent"
        outcome = _apply(db, job, _result(job, 0, "Status OK", (RetInfo("CustomerRet", list_id="80-6",
                                                                         edit_sequence="10"),)))
        assert (outcome.event, job.status, job.qb_edit_sequence) == ("updated", "done", "10")
        assert idmap.lookup(db, job.user_id, "customer", CUSTOMER).edit_sequence == "10"


def test_a_mod_without_an_edit_sequence_in_the_answer_reads_none(shop):
    with transaction(shop) as db:
        job = _mod_job(db, Phase.READ)
        _apply(db, job, _result(job, 0, "Status OK", (RetInfo("CustomerRet", list_id="80-6"),)))
        assert registry.payload_of(job).edit_sequence == ""


def test_a_stale_edit_sequence_reads_it_again(shop):
    with transaction(shop) as db:
        job = _mod_job(db, Phase.MOD)
        outcome = _apply(db, job, _result(job, 3200, "edit sequence out of date"))
        assert outcome.event is None and job.status == "pending"
        assert registry.payload_of(job).phase is Phase.READ
        assert _events(db, job)[-1][1] == "EditSequence out of date: reading it again"


def test_a_record_gone_from_quickbooks_fails_its_mod_and_is_forgotten(shop):
    with transaction(shop) as db:
        job = _mod_job(db, Phase.READ)
        name = registry.payload_of(job).name
        idmap.remember(db, job.user_id, "customer", CUSTOMER, "80-6", name=name)
        outcome = _apply(db, job, _result(job, 1, "no match", (), "Info"))
        assert outcome.event == "error" and job.status == "error"
        assert job.error_message == f"customer {name!r} is no longer in QuickBooks"
        assert idmap.lookup(db, job.user_id, "customer", CUSTOMER) is None


def test_a_list_record_no_one_may_add_fails_with_the_hint(shop):
    with transaction(shop) as db:
        job = _job(db, "sales_tax.ensure")
        job.kind = "payroll_item.ensure"
        registry.set_payload(job, registry.payload_of(job).but(entity="payroll_item", name="Hourly"))
        outcome = _apply(db, job, _result(job, 1, "no match", (), "Info"))
        assert outcome.event == "error"
        hint = registry.list_kind("payroll_item").missing_hint
        assert job.error_message == f"payroll item 'Hourly' is not in QuickBooks; {hint}"


def test_a_failure_in_a_run_is_counted_in_that_run(shop):
    from qbwc_service.queue.models import Run

    with transaction(shop) as db:
        job = _job(db, "customer.ensure", CUSTOMER, Phase.ADD)
        run = Run(user_id=job.user_id, status="running", counts={})
        db.add(run)
        db.flush()
        waiting = _dependents(db, job)
        _apply(db, job, _result(job, 3210, "refused"), run_id=run.id)
        assert job.run_id == run.id
        rows = db.execute(select(AuditEvent.event, AuditEvent.run_id).where(
            AuditEvent.job_id.in_([job.id, *(d.id for d in waiting)]),
            AuditEvent.event.in_(["error", "blocked"]))).all()
        assert {tuple(r) for r in rows} == {("error", run.id), ("blocked", run.id)}


def test_an_attendance_day_is_owed_its_flag_once_every_punch_is_in(shop):
    from qbwc_service.sync.kinds.payload import JobPayload

    with transaction(shop) as db:
        user_id = db.scalars(select(Job.user_id)).first()
        kind = registry.job_kind("time.add")
        punches = [jobs_mod.add_job(db, user_id=user_id, area="time", kind="time.add", source_table="Attend",
                                    source_key=f"E1/2026-01-24#{n}", source_version="1", payload={})
                   for n in (1, 2, 3)]
        ac = apply.ApplyContext(db=db, run_id=None, settings=settings_mod.get_settings(db, user_id),
                                now=NOW, ensure=Ensures())
        first = punches[0]
        apply.queue_writebacks(ac, first, kind, JobPayload(phase=Phase.ADD))
        assert ac.writebacks == []  # the other punches of the day are not in QuickBooks yet
        punches[1].status = "done"
        punches[2].status = "cancelled"
        db.flush()
        apply.queue_writebacks(ac, first, kind, JobPayload(phase=Phase.ADD))
        assert [(w["source_table"], w["source_key"], w["action"], w["attempts"], w["job_id"])
                for w in ac.writebacks] == [("Attend", "E1/2026-01-24", "exported", 0, first.id)]
        ac.writebacks.clear()
        apply.queue_writebacks(ac, first, kind, JobPayload(phase=Phase.ADD, parent_key="E1/2026-01-25"))
        assert [w["source_key"] for w in ac.writebacks] == ["E1/2026-01-25"]
