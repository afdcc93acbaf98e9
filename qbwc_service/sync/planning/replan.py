"""List records fixed in JobBOSS2 after QuickBooks refused them.

A customer whose name cannot fit, a part number longer than QuickBooks
allows, a name clash (3100 on another list)...: the record's ensure job ends
in ``error`` and every transaction that needs it waits ``blocked``. The
accountant fixes the record in JobBOSS2 (``CustCode.QBCustCode`` set to a
shorter QuickBooks name, for example). The blocked transactions did not
change, so ordinary planning has nothing to add; this module is what picks
the fix up, on every planning pass (``sync start``, auto planning at
authenticate, the admin's Start button):

1. one query for this user's failed ensure jobs (``error``, or ``cancelled``
   while something still waits blocked on it); nothing more when none;
2. each one whose JobBOSS2 record now has another fingerprint than the one
   planned gets an ensure job for the new version
   (:meth:`~qbwc_service.sync.planning.dependencies.DependencyPlanner.plan_changed`:
   it queries QuickBooks by the new name and adopts or adds);
3. the failed job's dependents now depend on the new job, and the blocked
   ones go back to ``pending`` (``unblocked``), to be sent once it is done;
4. the failed job is retired (``cancelled``, event ``replanned``).

A record that did not change is left alone: an admin's retry of the failed
job re-sends it as planned.
"""

from __future__ import annotations

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session, aliased

from qbwc_service.queue import jobs as jobs_mod
from qbwc_service.queue.areas import LISTS
from qbwc_service.queue.models import Job, JobDependency
from qbwc_service.queue.states import JobStatus
from qbwc_service.sync.kinds import registry
from qbwc_service.sync.kinds.base import SourceRecord
from qbwc_service.sync.kinds.context import Need
from qbwc_service.sync.planning.dependencies import DependencyPlanner, RecordLookup

#: States of a replaced job that it leaves for ``cancelled`` (one already cancelled stays).
_RETIRABLE = {JobStatus.ERROR.value, JobStatus.PENDING.value, JobStatus.BLOCKED.value}


def failed_ensure_jobs(db: Session, user_id: int) -> list[Job]:
    """This user's ensure jobs that failed: ``error``, or ``cancelled`` with blocked dependents.

    One query. A cancelled job nothing waits for is an admin's decision (or
    one this module already replaced) and is left alone.
    """
    waiting = aliased(Job)
    has_blocked = exists().where(and_(
        JobDependency.depends_on_id == Job.id, waiting.id == JobDependency.job_id,
        waiting.status == JobStatus.BLOCKED.value))
    return list(db.scalars(select(Job).where(
        Job.user_id == user_id, Job.area == LISTS.name, Job.kind.in_(registry.ensure_kinds()),
        or_(Job.status == JobStatus.ERROR.value,
            and_(Job.status == JobStatus.CANCELLED.value, has_blocked))).order_by(Job.id)))


def replan_fixed_lists(db: Session, user_id: int, deps: DependencyPlanner,
                       lookup: RecordLookup) -> int:
    """Plan again the failed list records changed in JobBOSS2; returns how many."""
    failed = failed_ensure_jobs(db, user_id)
    if not failed:
        return 0
    by_entity: dict[str, list[Job]] = {}
    for job in failed:
        by_entity.setdefault(registry.payload_of(job).entity, []).append(job)
    count = 0
    for entity, group in by_entity.items():
        records = lookup(entity, sorted({j.source_key for j in group}))
        for job in group:
            record = records.get(job.source_key)
            if record is None or record.fingerprint() == registry.payload_of(job).fingerprint:
                continue  # gone from JobBOSS2, or not fixed yet
            if _replan(db, job, record, deps):
                count += 1
    return count


def _replan(db: Session, old: Job, record: SourceRecord, deps: DependencyPlanner) -> bool:
    planned = registry.payload_of(old)
    need = Need(planned.entity, old.source_key, planned.name or old.source_key)
    new, _created = deps.plan_changed(need, record)
    if new.id == old.id or new.status not in (JobStatus.PENDING.value, JobStatus.BLOCKED.value):
        return False  # this version was planned and failed before: an admin's retry is the way
    why = (f"{jobs_mod.record_key(old)} changed in JobBOSS2: planned again as job {new.id}"
           f" ({registry.payload_of(new).name})")
    replace_job(db, old, new, why)
    return True


def replace_job(db: Session, old: Job, new: Job, why: str) -> None:
    """``new`` takes the place of the failed or waiting ensure job ``old``.

    What waited on ``old`` waits on ``new`` (blocked ones go back to
    ``pending``); ``old`` is retired (``cancelled``, event ``replanned``).
    """
    _move_dependents(db, old, new)
    if old.status in _RETIRABLE:
        jobs_mod.transition(db, old, JobStatus.CANCELLED, reason=why, event=jobs_mod.REPLANNED)
    else:
        jobs_mod.audit(db, user_id=old.user_id, event=jobs_mod.REPLANNED, job=old, detail=why)
    released = []
    for dep in jobs_mod.dependents(db, new, [JobStatus.BLOCKED]):
        if new.status == JobStatus.BLOCKED.value or jobs_mod.has_failed_dependency(db, dep):
            continue
        jobs_mod.transition(db, dep, JobStatus.PENDING, event=jobs_mod.UNBLOCKED,
                            reason=f"waiting for job {new.id} now: {why}")
        released.append(dep)
    for dep in released:  # and what waited on them in turn
        jobs_mod.unblock_dependents(db, dep)


def _move_dependents(db: Session, old: Job, new: Job) -> None:
    """Whatever depended on ``old`` depends on ``new`` instead."""
    db.flush()
    already = select(JobDependency.job_id).where(JobDependency.depends_on_id == new.id)
    db.execute(update(JobDependency).where(JobDependency.depends_on_id == old.id,
                                           JobDependency.job_id.not_in(already),
                                           JobDependency.job_id != new.id)
               .values(depends_on_id=new.id).execution_options(synchronize_session=False))
    db.execute(JobDependency.__table__.delete().where(JobDependency.depends_on_id == old.id))
