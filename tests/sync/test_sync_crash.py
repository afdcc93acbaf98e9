"""Exactly once: Web Connector crashes at random points, then normal sessions.

A crash after sendRequestXML loses the response. Half the time (seeded) the
stand-in processes the request first, as a QuickBooks that finished its work
before the Web Connector died would: the records exist but the service never
hears of them. The next sessions must adopt them, not add them again.
"""

from __future__ import annotations

import contextlib
import random
from typing import Any

from sqlalchemy import func, select

from qbwc_service.jobboss.reader import TxnFilter
from qbwc_service.queue.models import AuditEvent, Job
from qbwc_service.simulator.quickbooks import QbXmlParseFailure
from qbwc_service.simulator.webconnector import EmulatorOptions, SessionResult, WebConnector
from sync.conftest import PASSWORD
from sync.helpers import assert_invoices_synced, failed_keys, jobs, ref_counts


class LossyConnector(WebConnector):
    """A Web Connector that may hand the last request to QuickBooks before it crashes."""

    def __init__(self, *args: Any, process_before_crash: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.process_before_crash = process_before_crash

    def _call(self, result: SessionResult, name: str, **args: Any) -> Any:
        value = super()._call(result, name, **args)
        crash_at = self.options.crash_after
        if (name == "sendRequestXML" and crash_at is not None and value and self.process_before_crash
                and result.counts.get("sendRequestXML", 0) >= crash_at):
            with contextlib.suppress(QbXmlParseFailure):
                self.quickbooks.process(value)
        return value


def test_random_crashes_leave_no_duplicate_and_nothing_missing(world):
    rng = random.Random(20260131)
    invoices = list(world.reader.ar_invoices(TxnFilter(date_from=world_window()[0],
                                                       date_to=world_window()[1])))
    world.set(sync__batch_size="4")
    world.plan()
    qb = world.qb()
    crashes = 0
    for _ in range(60):
        options = EmulatorOptions(noop_pause=0.01, crash_after=rng.randint(2, 8))
        connector = LossyConnector(world.server.url + "/qbwc", qb, options,
                                   process_before_crash=rng.random() < 0.5)
        result = connector.run_session(world.user_name, PASSWORD)
        crashes += result.outcome == "crashed"
        if result.outcome == "none":
            break
    assert crashes >= 5
    results = world.sync_until_idle(limit=15)
    assert results[-1].outcome == "none"
    # 0 duplicates.
    for ret in ("InvoiceRet", "BillRet"):
        dupes = {ref: n for ref, n in ref_counts(qb, ret).items() if n > 1}
        assert not dupes, f"duplicates in {ret}: {dupes}"
    notes = [rec.get("Notes", "") for _r, rec in qb.state.all(("TimeTrackingRet",))]
    assert len(notes) == len(set(notes))
    # 0 missing: every invoice is in QuickBooks once or failed for a reason of its own.
    assert assert_invoices_synced(world, invoices) > 0
    bills_failed = failed_keys(world, "bill.add")
    bill_counts = ref_counts(qb, "BillRet")
    for job in jobs(world, "bill.add"):
        key = f"{job.source_table}:{job.source_key}"
        if key not in bills_failed:
            assert job.status == "done", key
            assert bill_counts[job.source_key.split("/", 1)[1]] == 1
    assert not [j for j in jobs(world) if j.status in ("sent", "verify", "pending")]
    # Some lost transactions really were in QuickBooks: found by verification, not re-sent.
    with world.sessions() as db:
        adopted = db.scalar(select(func.count()).select_from(AuditEvent).join(
            Job, Job.id == AuditEvent.job_id).where(AuditEvent.event == "adopted",
                                                    Job.kind.in_(["invoice.add", "bill.add"])))
    assert adopted and adopted > 0


def world_window() -> tuple[Any, Any]:
    from sync.conftest import WINDOW

    return WINDOW
