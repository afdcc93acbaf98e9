"""Exactly once: Web Connector and QuickBooks failures at random points, then normal sessions.

Each session of the lossy run fails, at a random sendRequestXML (the first one
included, which carries the verification queries of what an earlier crash
lost), in one of four ways:

* ``lost``: the Web Connector dies with the request; QuickBooks never sees it;
* ``done_then_lost``: QuickBooks processes the request, then the Web Connector
  dies: the records exist, the service never hears of them;
* ``done_then_hresult``: QuickBooks processes the request but the Web Connector
  passes an hresult instead of the response;
* ``no_close``: the response arrives, then the Web Connector dies before
  closeConnection.

The outcome is compared with a second user (its own JobBOSS2 copy, its own
QuickBooks) synced without a single failure: the same invoices, bills and time
records, each exactly once, and the same JobBOSS2 Exported flags. Both runs are
also held to fixed figures of the demo database (:data:`EXPECTED`), so a
mistake that every run makes alike shows too.
"""

from __future__ import annotations

import contextlib
import random
import shutil
from collections import Counter
from decimal import Decimal
from typing import Any

from sqlalchemy import create_engine, func, select, text

from qbwc_service import accounts
from qbwc_service.queue.db import transaction
from qbwc_service.queue.models import AuditEvent, Job
from qbwc_service.simulator.quickbooks import QbXmlParseFailure, QuickBooksCompany
from qbwc_service.simulator.webconnector import EmulatorOptions, SessionResult, WebConnector
from sync.conftest import PASSWORD, World
from sync.helpers import jobs, qb_records

FAILURES = ("lost", "done_then_lost", "done_then_hresult", "no_close")
#: JobBOSS2 tables with an Exported flag and the columns that identify a row.
FLAGGED = {"Billing": "InvoiceNo", "VendorInv": "VendCode || '/' || InvoiceNo",
           "Attend": "EmplCode || '/' || TicketDate"}


#: What a clean sync of the demo database (seed 7, anchored 2026-01-31, the week up to it,
#: time and attendance on) puts in QuickBooks, with names too long for QuickBooks refused
#: (``names.customer`` and ``names.item`` = ``error``, the behaviour before the name map).
#: The week holds 45 unexported invoices: 3 wait for ever, 2 on the customer whose
#: 57-character name QuickBooks cannot hold (NWAPA) and 1 on the 45-character part
#: number; the 11 vendor invoices and the 190 closed punches of 93 attendance days all go.
#: The invoice subtotal is the 42 invoices' InvoiceTotal: their lines and charges (2,389,499.70)
#: plus JobBOSS2's SalesTaxChgs (85,141.09), which is a line of its own under the 0 % header
#: tax item (so QuickBooks' Subtotal + SalesTaxTotal is InvoiceTotal to the cent).
EXPECTED: dict[str, object] = {
    "invoices": 42, "invoice subtotal": Decimal("2474640.79"), "blocked invoices": 3,
    "bills": 11, "bill total": Decimal("28960.08"), "time": 190,
}
#: Exported flags the sync sets per JobBOSS2 table (one per invoice, vendor invoice, day).
EXPECTED_FLAGS: dict[str, int] = {"Billing": 42, "VendorInv": 11, "Attend": 93}


class WebConnectorDied(Exception):
    """The emulated Web Connector stopped between two calls."""


class LossyConnector(WebConnector):
    """A Web Connector that fails, once, at its ``fail_at``-th sendRequestXML."""

    def __init__(self, *args: Any, failure: str, fail_at: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.failure, self.fail_at = failure, fail_at
        if failure in ("lost", "done_then_lost"):
            self.options.crash_after = fail_at

    def _call(self, result: SessionResult, name: str, **args: Any) -> Any:
        value = super()._call(result, name, **args)
        sends = result.counts.get("sendRequestXML", 0)
        if name == "sendRequestXML" and value and value != "NoOp" and sends == self.fail_at \
                and self.failure == "done_then_lost":
            with contextlib.suppress(QbXmlParseFailure):
                self.quickbooks.process(value)
        if name == "receiveResponseXML" and sends == self.fail_at and self.failure == "no_close":
            raise WebConnectorDied
        return value

    def _quickbooks_answer(self, send_number: int, request: str) -> tuple[str, str, str]:
        if send_number == self.fail_at and self.failure == "done_then_hresult":
            with contextlib.suppress(QbXmlParseFailure):
                self.quickbooks.process(request)
            return "", "0x80040408", "QuickBooks stopped while processing the request."
        return super()._quickbooks_answer(send_number, request)


def _configure(world: World) -> None:
    world.set(sync__batch_size="4", items__time_and_attendance="true", names__customer="error",
              names__item="error")
    world.plan()


def _exported_flags(world: World) -> dict[str, set[str]]:
    engine = create_engine(f"sqlite:///{world.jobboss}")
    try:
        with engine.connect() as conn:
            return {table: {str(row[0]).strip() for row in conn.execute(text(
                f"SELECT {key} FROM {table} WHERE Exported = 'Y'"))}
                for table, key in FLAGGED.items()}
    finally:
        engine.dispose()


def _outcome(qb: QuickBooksCompany) -> dict[str, Counter[str]]:
    return {
        "invoices": Counter(r["RefNumber"] for r in qb_records(qb, "InvoiceRet")),
        "invoice totals": Counter(f"{r['RefNumber']}={r['Subtotal']}" for r in qb_records(qb, "InvoiceRet")),
        "bills": Counter(f"{r['VendorRef']['FullName']}/{r.get('RefNumber', '')}={r['AmountDue']}"
                         for r in qb_records(qb, "BillRet")),
        "time": Counter(f"{r.get('Notes', '')}={r.get('Duration', '')}"
                        for r in qb_records(qb, "TimeTrackingRet")),
    }


def _figures(world: World, qb: QuickBooksCompany) -> dict[str, object]:
    """The :data:`EXPECTED` figures of one synced user."""
    return {
        "invoices": len(qb_records(qb, "InvoiceRet")),
        "invoice subtotal": sum((Decimal(r["Subtotal"]) for r in qb_records(qb, "InvoiceRet")), Decimal(0)),
        "blocked invoices": _count_jobs(world, "invoice.add", "blocked"),
        "bills": len(qb_records(qb, "BillRet")),
        "bill total": sum((Decimal(r["AmountDue"]) for r in qb_records(qb, "BillRet")), Decimal(0)),
        "time": len(qb_records(qb, "TimeTrackingRet")),
    }


def _count_jobs(world: World, kind: str, status: str) -> int:
    with world.sessions() as db:
        return db.scalar(select(func.count()).select_from(Job).where(
            Job.user_id == world.user(db).id, Job.kind == kind, Job.status == status)) or 0


def _new_flags(before: dict[str, set[str]], after: dict[str, set[str]]) -> dict[str, int]:
    assert all(before[table] <= after[table] for table in before)  # a flag is never taken back
    return {table: len(after[table] - before[table]) for table in after}


def _why(world: World) -> list[str]:
    """What became of the jobs that did not end done (for a failure message)."""
    return [f"{j.kind} {j.source_key} {j.status}: {j.error_message or j.blocked_reason}"
            for j in jobs(world) if j.status != "done"][:20]


def _reference(world: World, demo_template: Any, tmp_path: Any) -> tuple[World, QuickBooksCompany]:
    """The same data synced by another user without any failure."""
    jobboss = tmp_path / "reference.sqlite3"
    shutil.copy(demo_template, jobboss)
    with transaction(world.sessions) as db:
        accounts.create_user(db, "reference", PASSWORD, jobboss_url=str(jobboss))
    ref = World(sessions=world.sessions, server=world.server, jobboss=jobboss, user_name="reference")
    _configure(ref)
    assert ref.sync_until_idle(limit=15)[-1].outcome == "none"
    return ref, ref.qb()


def test_random_failures_leave_no_duplicate_and_nothing_missing(world, demo_template, tmp_path):
    rng = random.Random(20260131)
    flags_before = _exported_flags(world)
    _configure(world)
    qb = world.qb()
    seen: Counter[str] = Counter()
    for n in range(80):
        failure = FAILURES[n % len(FAILURES)] if n < 8 else rng.choice(FAILURES)
        connector = LossyConnector(world.server.url + "/qbwc", qb,
                                   EmulatorOptions(noop_pause=0.01),
                                   failure=failure, fail_at=rng.randint(1, 6))
        try:
            result = connector.run_session(world.user_name, PASSWORD)
        except WebConnectorDied:
            seen[failure] += 1
            continue
        if result.outcome in ("crashed", "error"):
            seen[failure] += 1
        if result.outcome == "none":
            break
    assert all(seen[f] >= 2 for f in FAILURES), seen
    assert sum(seen.values()) >= 15, seen
    assert world.sync_until_idle(limit=15)[-1].outcome == "none"
    assert not [j for j in jobs(world) if j.status in ("sent", "verify", "pending")]

    _ref, ref_qb = _reference(world, demo_template, tmp_path)
    assert _figures(_ref, ref_qb) == EXPECTED
    assert _figures(world, qb) == EXPECTED, _why(world)
    assert _new_flags(flags_before, _exported_flags(_ref)) == EXPECTED_FLAGS
    assert _new_flags(flags_before, _exported_flags(world)) == EXPECTED_FLAGS
    got, want = _outcome(qb), _outcome(ref_qb)
    for what in want:
        dupes = {k: n for k, n in got[what].items() if n > 1}
        assert not dupes, f"duplicate {what}: {dupes}"
        assert got[what] == want[what], f"{what}: missing {want[what] - got[what]}, " \
                                        f"extra {got[what] - want[what]}; why: {_why(world)}"
    assert sum(want["invoices"].values()) > 10 and want["bills"] and want["time"]
    assert _exported_flags(world) == _exported_flags(_ref)
    # Some lost transactions really were in QuickBooks: found by verification, not re-sent.
    with world.sessions() as db:
        adopted = db.scalar(select(func.count()).select_from(AuditEvent).join(
            Job, Job.id == AuditEvent.job_id).where(
                AuditEvent.event == "adopted", Job.user_id == world.user(db).id,
                Job.kind.in_(["invoice.add", "bill.add", "time.add"])))
    assert adopted and adopted > 0
