"""Planning again: records QuickBooks already holds, and records changed since they were planned."""

from __future__ import annotations

import sqlite3

from sqlalchemy import select

from qbwc_service.queue.db import transaction
from qbwc_service.queue.models import AuditEvent, Job, WriteBack
from qbwc_service.sync.planning import idmap
from sync.helpers import jobs


def _invoices(world, status: str = "pending") -> list[Job]:
    return [j for j in jobs(world, "invoice.add") if j.status == status]


def test_records_quickbooks_holds_owe_their_export_flag_once(world):
    world.plan()
    held = _invoices(world)[:3]
    with transaction(world.sessions) as db:
        user_id = world.user(db).id
        for number, job in enumerate(held):
            idmap.remember(db, user_id, "invoice", f"Billing:{job.source_key}", f"TXN-{number}")
        for job in held:  # out of the way, as if sent: the ID map decides now
            db.get(Job, job.id).status = "done"
    again = world.plan()
    assert again.already_in_quickbooks == 3 and again.writebacks == 3 and again.total == 0
    assert world.plan().writebacks == 0  # still open: not owed a second time
    with world.sessions() as db:
        owed = db.execute(select(WriteBack.source_table, WriteBack.source_key, WriteBack.action)).all()
    assert sorted(tuple(row) for row in owed) == sorted(
        ("Billing", job.source_key, "exported") for job in held)


def test_a_changed_record_replaces_the_version_still_waiting(world):
    world.plan()
    first = {j.source_key: j for j in _invoices(world)}
    changed = sorted(first)[:2]
    with sqlite3.connect(world.jobboss) as conn:
        conn.executemany('UPDATE "Billing" SET "Notes" = ? WHERE "InvoiceNo" = ?',
                         [(f"changed {key}", key) for key in changed])
    again = world.plan()
    assert again.replaced == 2 and again.planned == {"invoice.add": 2} and again.unchanged > 0
    now = {j.source_key: j for j in _invoices(world)}
    for key in changed:
        assert now[key].id != first[key].id and now[key].source_version != first[key].source_version
        assert now[key].payload["record"]["notes"] == f"changed {key}"
    with world.sessions() as db:
        cancelled = db.execute(select(AuditEvent.record_key, AuditEvent.detail).where(
            AuditEvent.event == "cancelled")).all()
        statuses = {job.source_key: job.status for job in db.scalars(select(Job).where(
            Job.id.in_([first[key].id for key in changed])))}
    assert sorted(tuple(row) for row in cancelled) == [
        (f"Billing:{key}", f"replaced by version {now[key].source_version}") for key in changed]
    assert statuses == dict.fromkeys(changed, "cancelled")
