"""Planning again: records QuickBooks already holds, and records changed since they were planned."""

from __future__ import annotations

import sqlite3

from sqlalchemy import select

from qbwc_service.jobboss.reader import ALL, JobBossReader, TxnFilter
from qbwc_service.queue.db import transaction
from qbwc_service.queue.models import AuditEvent, Job, WriteBack
from qbwc_service.sync import settings as settings_mod
from qbwc_service.sync.planning import idmap, planner
from sync.conftest import WINDOW
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


def test_sync_start_reads_exported_documents_only_where_quickbooks_holds_some(world, monkeypatch):
    """Exported documents matter to ``sync start`` only when QuickBooks holds some (changed
    after export): with none held, they are not read, and the plan is the same."""
    asked: list[bool] = []
    real = JobBossReader.ar_invoices

    def spy(self, flt=ALL):
        asked.append(flt.only_unexported)
        return real(self, flt)

    monkeypatch.setattr(JobBossReader, "ar_invoices", spy)
    flt = TxnFilter(date_from=WINDOW[0], date_to=WINDOW[1], only_unexported=True)
    exported = [inv for inv in world.reader.ar_invoices(flt) if inv.source == "billing"][:2]
    with sqlite3.connect(world.jobboss) as conn:  # flagged before the service, say
        conn.executemany('UPDATE "Billing" SET "Exported" = \'Y\' WHERE "InvoiceNo" = ?',
                         [(inv.invoice_no,) for inv in exported])
    asked.clear()
    with world.sessions() as db:  # reading every exported document too, rolled back
        user = world.user(db)
        reading_all = planner.Planner(db, user, settings_mod.get_settings(db, user.id),
                                      world.reader)
        reading_all.transactions(flt)
        assert asked == [False]
        db.rollback()
    asked.clear()
    first = world.plan()
    assert asked == [True]
    assert first.lines() == reading_all.result.lines() and first.total > 0
    assert not {inv.invoice_no for inv in exported} & {j.source_key for j in jobs(world)}

    with transaction(world.sessions) as db:
        idmap.remember(db, world.user(db).id, "invoice", exported[0].key, "TXN-1",
                       source_version=exported[0].fingerprint())
    asked.clear()
    again = world.plan()
    assert asked == [False]  # QuickBooks holds one: the exported documents are compared
    assert again.total == 0 and again.changed_after_export == 0
