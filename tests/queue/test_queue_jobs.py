"""Job planning, transitions, dependencies and the audit trail."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from qbwc_service.queue import jobs
from qbwc_service.queue.models import AuditEvent, Job
from qbwc_service.queue.states import IllegalTransition, JobStatus


def events(db, job: Job) -> list[str]:
    return list(db.scalars(select(AuditEvent.event).where(AuditEvent.job_id == job.id)
                           .order_by(AuditEvent.id)))


def test_add_job_is_idempotent_per_version(sessions, plan, user_id):
    with sessions.begin() as db:
        first = plan(db, "INV-1")
        again = jobs.add_job(db, user_id=user_id, area="ar", kind="ar.add", source_table="T",
                             source_key="INV-1", source_version="1", payload={}, priority=1)
        newer = plan(db, "INV-1", source_version="2")
        assert again is None
        assert newer.id != first.id
        assert first.status == "pending"
        assert events(db, first) == ["planned"]
        found, created = jobs.ensure_job(db, user_id=user_id, area="ar", kind="ar.add",
                                         source_table="T", source_key="INV-1",
                                         source_version="1", payload={})
        assert (found.id, created) == (first.id, False)
        assert db.scalar(select(func.count()).select_from(Job)) == 2


def test_concurrent_planners_never_duplicate(sessions, user_id):
    errors: list[BaseException] = []
    made: list[int] = []
    barrier = threading.Barrier(4)

    def planner() -> None:
        try:
            barrier.wait()
            for n in range(30):
                with sessions.begin() as db:
                    job = jobs.add_job(db, user_id=user_id, area="ar", kind="ar.add",
                                       source_table="T", source_key=f"K{n}", source_version="1",
                                       payload={}, priority=100)
                    if job is not None:
                        made.append(job.id)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=planner) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(made) == 30 == len(set(made))
    with sessions() as db:
        assert db.scalar(select(func.count()).select_from(Job)) == 30


def test_transition_sets_fields_and_audits(sessions, plan):
    with sessions.begin() as db:
        job = plan(db, "INV-2")
        jobs.transition(db, job, "sent")
        assert job.sent_at is not None and job.done_at is None
        jobs.transition(db, job, "error", reason="3120: customer missing")
        assert job.error_message == "3120: customer missing"
        assert job.done_at is not None
        jobs.transition(db, job, "pending", event=jobs.RETRIED, reason="by admin")
        assert job.done_at is None
        assert events(db, job) == ["planned", "sent", "error", "retried"]
        detail = db.scalar(select(AuditEvent.detail).where(AuditEvent.event == "error"))
        key = db.scalar(select(AuditEvent.record_key).where(AuditEvent.event == "error"))
        assert (detail, key) == ("3120: customer missing", "T:INV-2")


def test_done_defaults_to_created_and_records_run(sessions, plan):
    with sessions.begin() as db:
        job = plan(db, "INV-3")
        jobs.transition(db, job, "sent")
        jobs.transition(db, job, "done", run_id=None)
        other = plan(db, "INV-4")
        jobs.transition(db, other, "sent")
        jobs.transition(db, other, "done", event=jobs.ADOPTED)
        assert events(db, job)[-1] == "created"
        assert events(db, other)[-1] == "adopted"


def test_illegal_transition_leaves_job_untouched(sessions, plan):
    with sessions.begin() as db:
        job = plan(db, "INV-5")
        jobs.transition(db, job, "sent")
        jobs.transition(db, job, "done")
        with pytest.raises(IllegalTransition):
            jobs.transition(db, job, "pending")
        assert job.status == "done"
        assert events(db, job) == ["planned", "sent", "created"]


def test_failure_blocks_dependents_transitively_and_fix_releases_them(sessions, plan):
    with sessions.begin() as db:
        customer = plan(db, "CUST", area="lists", kind="customer.ensure")
        invoice = plan(db, "INV-6", depends_on=[customer])
        follow = plan(db, "INV-6-credit", depends_on=[invoice])
        unrelated = plan(db, "INV-7")
        jobs.transition(db, customer, "sent")
        jobs.transition(db, customer, "error", reason="3100 name in use")
        blocked = jobs.block_dependents(db, customer, "3100 name in use")
        assert {j.id for j in blocked} == {invoice.id, follow.id}
        assert invoice.status == follow.status == "blocked"
        assert "customer.ensure T:CUST" in invoice.blocked_reason
        assert "3100 name in use" in invoice.blocked_reason
        assert f"job {invoice.id}" in follow.blocked_reason
        assert unrelated.status == "pending"

        jobs.transition(db, customer, "pending", event=jobs.RETRIED)
        released = jobs.unblock_dependents(db, customer)
        assert {j.id for j in released} == {invoice.id, follow.id}
        assert invoice.status == follow.status == "pending"
        assert invoice.blocked_reason == ""
        assert events(db, invoice)[-2:] == ["blocked", "unblocked"]


def test_unblock_waits_for_every_failed_dependency(sessions, plan):
    with sessions.begin() as db:
        a = plan(db, "A", area="lists", kind="customer.ensure")
        b = plan(db, "B", area="lists", kind="item.ensure")
        inv = plan(db, "INV", depends_on=[a, b])
        for dep in (a, b):
            jobs.transition(db, dep, "sent")
            jobs.transition(db, dep, "error", reason="no")
            jobs.block_dependents(db, dep, "no")
        jobs.transition(db, a, "pending", event=jobs.RETRIED)
        assert jobs.unblock_dependents(db, a) == []
        assert inv.status == "blocked"
        jobs.transition(db, b, "pending", event=jobs.RETRIED)
        assert [j.id for j in jobs.unblock_dependents(db, b)] == [inv.id]


def test_dependency_on_failed_job_blocks_at_once(sessions, plan):
    with sessions.begin() as db:
        dep = plan(db, "V", area="lists", kind="vendor.ensure")
        jobs.transition(db, dep, "sent")
        jobs.transition(db, dep, "error", reason="bad name")
        bill = plan(db, "BILL", area="ap", depends_on=[dep])
        assert bill.status == "blocked"
        assert "bad name" in bill.blocked_reason
        jobs.add_dependency(db, bill, dep)  # twice is harmless
        assert [d.id for d in jobs.dependencies(db, bill)] == [dep.id]
        with pytest.raises(ValueError):
            jobs.add_dependency(db, bill, bill)


def test_add_warning_keeps_message(sessions, plan):
    with sessions.begin() as db:
        job = plan(db, "INV-8")
        jobs.add_warning(db, job, "memo shortened to 4095 characters", run_id=None)
        assert job.warnings == ["memo shortened to 4095 characters"]
        assert events(db, job)[-1] == "warning"
    with sessions() as db:
        assert db.get(Job, job.id).warnings == ["memo shortened to 4095 characters"]
        assert JobStatus(db.get(Job, job.id).status) is JobStatus.PENDING


def _run(db, user_id: int) -> int:
    from qbwc_service.queue.models import Run, utcnow

    run = Run(user_id=user_id, started_at=utcnow(), status="running", counts={})
    db.add(run)
    db.flush()
    return run.id


def test_what_a_blocked_job_says_it_waits_for(sessions, plan):
    with sessions.begin() as db:
        failed = plan(db, "C1", area="lists", kind="customer.ensure")
        head = f"waiting for customer.ensure T:C1 (job {failed.id}, pending)"
        assert jobs.blocked_reason(failed) == head
        assert jobs.blocked_reason(failed, "3100: in use") == head + ": 3100: in use"
        failed.blocked_reason = "waiting for another"
        assert jobs.blocked_reason(failed) == head + ": waiting for another"
        failed.error_message = "3210: refused"
        assert jobs.blocked_reason(failed) == head + ": 3210: refused"
        failed.source_table = ""
        assert jobs.record_key(failed) == "C1"


def test_dependencies_are_recorded_once_and_never_on_itself(sessions, plan):
    from qbwc_service.queue.models import JobDependency

    with sessions.begin() as db:
        customer = plan(db, "C2", area="lists", kind="customer.ensure")
        item = plan(db, "P2", area="lists", kind="item.ensure")
        invoice = plan(db, "I2", depends_on=[item, customer])
        jobs.add_dependency(db, invoice, customer)
        assert db.scalar(select(func.count()).select_from(JobDependency)) == 2
        assert [j.id for j in jobs.dependencies(db, invoice)] == [customer.id, item.id]
        assert [j.id for j in jobs.dependents(db, customer)] == [invoice.id]
        assert jobs.dependents(db, customer, ["blocked"]) == []
        assert [j.id for j in jobs.dependents(db, customer, [JobStatus.PENDING])] == [invoice.id]
        with pytest.raises(ValueError, match=f"job {invoice.id} cannot depend on itself"):
            jobs.add_dependency(db, invoice, invoice)
        assert not jobs.has_failed_dependency(db, invoice)
        jobs.transition(db, item, "sent")
        jobs.transition(db, item, "error", reason="3210: no")
        assert jobs.has_failed_dependency(db, invoice)
        assert not jobs.has_failed_dependency(db, customer)


def test_ensure_job_returns_the_planned_job_and_adds_what_it_needs(sessions, plan, user_id):
    with sessions.begin() as db:
        customer = plan(db, "C3", area="lists", kind="customer.ensure")
        fields = dict(user_id=user_id, area="ar", kind="ar.add", source_table="T", source_key="I3",
                      source_version="1", payload={"key": "I3"})
        job, created = jobs.ensure_job(db, **fields)
        assert created and job.status == "pending"
        again, created = jobs.ensure_job(db, **fields, depends_on=[customer])
        assert (again.id, created) == (job.id, False)
        assert [j.id for j in jobs.dependencies(db, job)] == [customer.id]
        assert jobs.find_job(db, user_id=user_id, kind="ar.add", source_key="I3",
                             source_version="1").id == job.id
        assert jobs.find_job(db, user_id=user_id, kind="ar.add", source_key="I3",
                             source_version="2") is None


def test_events_belong_to_the_run_unless_done_outside_it(sessions, plan, user_id):
    with sessions.begin() as db:
        run = _run(db, user_id)
        job = plan(db, "I4")
        jobs.transition(db, job, "sent", run_id=run)
        assert job.run_id == run and job.attempts == 1
        jobs.transition(db, job, "error", reason="")  # the job's run, no reason: no message
        jobs.transition(db, job, "pending", outside_run=True, reason="retried")
        jobs.add_warning(db, job, "name shortened")
        jobs.add_warning(db, job, "memo cut")
        assert job.warnings == ["name shortened", "memo cut"]
        rows = db.execute(select(AuditEvent.event, AuditEvent.run_id, AuditEvent.detail)
                          .where(AuditEvent.job_id == job.id).order_by(AuditEvent.id)).all()
        assert [tuple(r) for r in rows] == [
            ("planned", None, ""), ("sent", run, ""), ("error", run, ""), ("requeued", None, "retried"),
            ("warning", run, "name shortened"), ("warning", run, "memo cut")]
        assert job.error_message in ("", None)
        jobs.audit(db, user_id=user_id, event="area_stopped", record_key="area:" + "x" * 300,
                   run_id=run, detail="ar")
        key = db.scalar(select(AuditEvent.record_key).where(AuditEvent.event == "area_stopped"))
        assert key == ("area:" + "x" * 300)[:200]


def test_an_error_keeps_its_earlier_message_when_none_is_given(sessions, plan):
    with sessions.begin() as db:
        job = plan(db, "I5")
        jobs.transition(db, job, "sent")
        job.error_message = "3170: locked"
        jobs.transition(db, job, "error")
        assert job.error_message == "3170: locked"
        jobs.transition(db, job, "pending")
        assert job.done_at is None and job.blocked_reason == ""


def test_blocked_dependents_carry_the_reason_given_then_their_own(sessions, plan):
    with sessions.begin() as db:
        item = plan(db, "P6", area="lists", kind="item.ensure")
        invoice = plan(db, "I6", depends_on=[item])
        later = plan(db, "I7", depends_on=[invoice])
        jobs.transition(db, item, "sent")
        jobs.transition(db, item, "error", reason="3210: the stored message")
        blocked = jobs.block_dependents(db, item, "skipped by ann")
        assert [j.id for j in blocked] == [invoice.id, later.id]
        head = f"waiting for item.ensure T:P6 (job {item.id}, error)"
        assert invoice.blocked_reason == head + ": skipped by ann"
        assert later.blocked_reason == (f"waiting for ar.add T:I6 (job {invoice.id}, blocked): "
                                        + invoice.blocked_reason)
