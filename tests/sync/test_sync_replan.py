"""A list record QuickBooks refused, fixed in JobBOSS2, planned again; its invoices follow."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, select, text

from qbwc_service.jobboss.reader import TxnFilter
from qbwc_service.queue import jobs as jobs_mod
from qbwc_service.queue.db import transaction
from qbwc_service.queue.models import AuditEvent, Job
from qbwc_service.queue.states import JobStatus
from qbwc_service.sync.planning import replan
from qbwc_service.sync.planning.dependencies import DependencyPlanner
from qbwc_service.sync.settings import get_settings
from sync.helpers import jobs, qb_records

LONG = "NWAPA"  # the demo customer whose name is longer than QuickBooks' 41 characters
#: QuickBooks refuses that name only when the name map may not shorten it.
REFUSE_LONG_NAMES = {"names__customer": "error"}
SHORT = "Northwestern Aerospace"


def _set_qb_name(world: Any, code: str, name: str) -> None:
    engine = create_engine(f"sqlite:///{world.jobboss}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE CustCode SET QBCustCode = :n WHERE CustCode = :c"),
                     {"n": name, "c": code})
    engine.dispose()


def _their_invoices(world: Any) -> tuple[list[Any], Any, Any]:
    mine = [i for i in world.reader.ar_invoices(TxnFilter(only_unexported=True))
            if i.cust_code == LONG]
    assert mine, "the demo data has invoices for the long-named customer"
    return mine, min(i.txn_date for i in mine), max(i.txn_date for i in mine)


def _invoice_jobs(world: Any, invoices: list[Any]) -> dict[str, Job]:
    keys = {i.key for i in invoices}
    return {f"{j.source_table}:{j.source_key}": j for j in jobs(world, "invoice.add")
            if f"{j.source_table}:{j.source_key}" in keys and j.status != "cancelled"}


def _events(world: Any, job_id: int) -> list[str]:
    with world.sessions() as db:
        return list(db.scalars(select(AuditEvent.event).where(AuditEvent.job_id == job_id)
                               .order_by(AuditEvent.id)))


def test_fixed_customer_name_is_planned_again_and_its_invoices_created_once(world):
    world.set(items__vendor_invoices="false", **REFUSE_LONG_NAMES)
    mine, first, last = _their_invoices(world)
    world.plan(first, last)
    world.sync_until_idle()
    [failed] = [j for j in jobs(world, "customer.ensure") if j.source_key == LONG]
    assert failed.status == "error"
    waiting = _invoice_jobs(world, mine)
    assert len(waiting) == len(mine)
    assert all(j.status == "blocked" and LONG in j.blocked_reason for j in waiting.values())

    # Not fixed yet: planning again changes nothing.
    unchanged = world.plan(first, last)
    assert unchanged.fixed_lists == 0 and unchanged.total == 0

    _set_qb_name(world, LONG, SHORT)
    fixed = world.plan(first, last)
    assert fixed.fixed_lists == 1 and fixed.ensure_jobs == 1
    assert "1 fixed list records planned again" in fixed.lines()
    [old, new] = [j for j in jobs(world, "customer.ensure") if j.source_key == LONG]
    assert (old.id, old.status) == (failed.id, "cancelled")
    assert new.status == "pending" and new.payload["name"] == SHORT
    assert _events(world, old.id)[-1] == jobs_mod.REPLANNED
    released = _invoice_jobs(world, mine)
    assert {j.id for j in released.values()} == {j.id for j in waiting.values()}
    for job in released.values():
        assert job.status == "pending"
        assert _events(world, job.id)[-1] == jobs_mod.UNBLOCKED
    with world.sessions() as db:
        for job in released.values():
            assert [d.id for d in jobs_mod.dependencies(db, job)
                    if d.kind == "customer.ensure"] == [new.id]

    world.sync_until_idle()
    assert [j.status for j in jobs(world, "customer.ensure") if j.id == new.id] == ["done"]
    customers = [r for r in qb_records(world.quickbooks, "CustomerRet") if r["Name"] == SHORT]
    assert len(customers) == 1
    by_ref: dict[str, list[dict[str, Any]]] = {}
    for rec in qb_records(world.quickbooks, "InvoiceRet"):
        by_ref.setdefault(rec["RefNumber"], []).append(rec)
    flags = {i.key: i.exported for i in world.reader.ar_invoices(TxnFilter(only_unexported=False))}
    for inv in mine:
        [rec] = by_ref.get(inv.invoice_no, [])
        assert rec["CustomerRef"]["ListID"] == customers[0]["ListID"]
        assert rec["CustomerRef"]["FullName"] == SHORT
        assert flags[inv.key], inv.key
    assert all(j.status == "done" for j in _invoice_jobs(world, mine).values())

    # Nothing left to pick up: planning again is a no-op.
    after = world.plan(first, last)
    assert after.fixed_lists == 0 and after.total == 0


def _plan_and_fail_customer(world: Any) -> tuple[list[Any], int]:
    """Plan the long-named customer's invoices and fail its ensure job as QuickBooks would."""
    world.set(items__vendor_invoices="false")
    mine, first, last = _their_invoices(world)
    world.plan(first, last)
    with transaction(world.sessions) as db:
        ensure = db.scalars(select(Job).where(Job.kind == "customer.ensure",
                                              Job.source_key == LONG)).one()
        jobs_mod.transition(db, ensure, JobStatus.ERROR, reason="name too long")
        jobs_mod.block_dependents(db, ensure, "name too long")
        return mine, ensure.id


def test_an_unchanged_failed_record_is_not_planned_again(world):
    mine, failed_id = _plan_and_fail_customer(world)
    before = {j.id: j.status for j in jobs(world)}
    first, last = min(i.txn_date for i in mine), max(i.txn_date for i in mine)
    result = world.plan(first, last)
    assert result.fixed_lists == 0 and result.total == 0
    assert {j.id: j.status for j in jobs(world)} == before
    assert _events(world, failed_id)[-1] == "error"


def test_nothing_failed_means_no_jobboss_lookup(world):
    def refuse(_entity: str, _keys: list[str]) -> dict[str, Any]:
        raise AssertionError("looked up JobBOSS2 with nothing failed")

    world.plan()
    with transaction(world.sessions) as db:
        user = world.user(db)
        assert replan.failed_ensure_jobs(db, user.id) == []
        deps = DependencyPlanner(db, user.id, get_settings(db, user.id))
        assert replan.replan_fixed_lists(db, user.id, deps, refuse) == 0


def test_a_cancelled_record_with_blocked_dependents_is_planned_again_once_changed(world):
    mine, failed_id = _plan_and_fail_customer(world)
    with transaction(world.sessions) as db:
        jobs_mod.transition(db, db.get(Job, failed_id), JobStatus.CANCELLED, reason="by admin")
    _set_qb_name(world, LONG, SHORT)
    first, last = min(i.txn_date for i in mine), max(i.txn_date for i in mine)
    assert world.plan(first, last).fixed_lists == 1
    assert all(j.status == "pending" for j in _invoice_jobs(world, mine).values())
    assert _events(world, failed_id)[-1] == jobs_mod.REPLANNED
    assert world.plan(first, last).fixed_lists == 0  # nothing waits on the old job any more


def test_auto_sync_picks_the_fix_up_at_authenticate(world):
    mine, first, _last = _their_invoices(world)
    world.set(items__vendor_invoices="false", sync__type="auto", sync__begin=first.isoformat(),
              **REFUSE_LONG_NAMES)
    world.sync_until_idle()  # authenticate plans; the customer fails
    assert all(j.status == "blocked" for j in _invoice_jobs(world, mine).values())
    _set_qb_name(world, LONG, SHORT)
    world.sync_until_idle()  # no `sync start`: authenticate plans the fix
    assert all(j.status == "done" for j in _invoice_jobs(world, mine).values())
    names = [r["CustomerRef"]["FullName"] for r in qb_records(world.quickbooks, "InvoiceRet")
             if r["RefNumber"] in {i.invoice_no for i in mine}]
    assert names == [SHORT] * len(mine)
