"""Runs: one per Web Connector session that reached sendRequestXML.

A run's counts and report are read from the audit trail by
:mod:`qbwc_service.sync.reports`; this module opens and closes runs, counts
round trips and remembers which areas ``options.quit_area_on_error`` stopped
(an ``area_stopped`` audit event of the run, so every process sees it).
"""

from __future__ import annotations

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from qbwc_service.queue import jobs as jobs_mod
from qbwc_service.queue.models import AuditEvent, QbwcSession, Run, utcnow
from qbwc_service.sync import reports
from qbwc_service.sync.settings import SyncSettings


def start(db: Session, session: QbwcSession) -> Run:
    """Open the run of a session."""
    run = Run(user_id=session.user_id, started_at=utcnow(), status="running", counts={})
    db.add(run)
    db.flush()
    # What planning found changed or deleted after export, since the last run: this run's
    # report lists it.
    db.execute(update(AuditEvent).where(
        AuditEvent.user_id == session.user_id, AuditEvent.run_id.is_(None),
        AuditEvent.event.in_(jobs_mod.AFTER_EXPORT_EVENTS)).values(run_id=run.id))
    return run


def count_round_trip(db: Session, run_id: int | None) -> None:
    if run_id is not None:
        db.execute(update(Run).where(Run.id == run_id).values(round_trips=Run.round_trips + 1))


def stop_area(db: Session, user_id: int, run_id: int | None, area: str) -> None:
    """Stop ``area`` for the rest of the run (once)."""
    if run_id is None or area in stopped_areas(db, run_id):
        return
    jobs_mod.audit(db, user_id=user_id, event=jobs_mod.AREA_STOPPED, run_id=run_id,
                   record_key=f"area:{area}", detail=area)


def area_stopped(run_id: int | BindParameter[int], area: str) -> ColumnElement[bool]:
    """SQL condition: ``area`` was stopped in the run (to ask along with other questions)."""
    return exists(select(AuditEvent.id).where(
        AuditEvent.run_id == run_id, AuditEvent.event == jobs_mod.AREA_STOPPED,
        AuditEvent.detail == area))


def stopped_areas(db: Session, run_id: int | None) -> set[str]:
    if run_id is None:
        return set()
    return set(db.scalars(select(AuditEvent.detail).where(
        AuditEvent.run_id == run_id, AuditEvent.event == jobs_mod.AREA_STOPPED)))


def finish(db: Session, run_id: int, settings: SyncSettings) -> str:
    """Close the run, store its report; return the one-line summary."""
    run = db.get(Run, run_id)
    if run is None:
        return "OK"
    run.ended_at = utcnow()
    db.flush()
    report = reports.store_report(db, run_id, sections=())  # totals only: flat in run size
    run.status = "errors" if report.total(jobs_mod.ERROR) else "ok"
    return run.summary


def fail(db: Session, run_id: int, why: str) -> str:
    """Close a run that stopped before sending anything; ``why`` is its summary."""
    run = db.get(Run, run_id)
    if run is None:
        return why
    run.ended_at, run.status, run.summary = utcnow(), "failed", why
    return why
