"""Job state changes for a whole qbXML message, with their audit rows written in bulk.

:func:`qbwc_service.queue.jobs.transition` writes one audit row per change,
and the INSERT of each row first flushes every pending change of the ORM
session: applying one message of 50 responses costs hundreds of statements.
:class:`Changes` makes the same changes to the job objects and keeps the
audit rows; :meth:`Changes.flush` writes them in one INSERT, in the order
they happened. Its :meth:`~Changes.transition`, :meth:`~Changes.add_warning`,
:meth:`~Changes.block_dependents` and :meth:`~Changes.unblock_dependents`
mirror those of :mod:`qbwc_service.queue.jobs` exactly (``tests/sync``
compares them edge by edge); the cascades read the dependency graph a level
at a time instead of one query per job.

Anything that writes audit rows by itself (``jobs.audit``,
``jobs.add_dependency``...) must come after :meth:`Changes.flush`, so the
trail keeps its order.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from qbwc_service.queue import jobs as jobs_mod
from qbwc_service.queue.models import AuditEvent, Job, JobDependency, utcnow
from qbwc_service.queue.states import JobStatus

_FAILED = [s.value for s in jobs_mod.FAILED_STATES]
#: Ids per ``IN`` list.
_CHUNK = 500


class Changes:
    """Job transitions and audit events of one unit of work, audit rows kept until :meth:`flush`."""

    def __init__(self, db: Session) -> None:
        self.db = db
        self.events: list[dict[str, Any]] = []

    # ------------------------------------------------------------ the jobs API, buffered

    def transition(self, job: Job, new_status: str, *, reason: str = "", event: str | None = None,
                   run_id: int | None = None, at: datetime | None = None) -> None:
        """:func:`qbwc_service.queue.jobs.transition`, the audit row kept for :meth:`flush`."""
        dst, now = jobs_mod.move(job, new_status, reason=reason, run_id=run_id, at=at)
        self.audit(user_id=job.user_id, event=event or jobs_mod.DEFAULT_EVENTS[dst], job=job,
                   run_id=run_id if run_id is not None else job.run_id, detail=reason, at=now)

    def audit(self, *, user_id: int | None, event: str, record_key: str = "",
              job: Job | None = None, run_id: int | None = None, detail: str = "",
              at: datetime | None = None) -> None:
        """:func:`qbwc_service.queue.jobs.audit`, kept for :meth:`flush`."""
        key = record_key or (jobs_mod.record_key(job) if job is not None else "")
        self.events.append(dict(
            created_at=at or utcnow(), user_id=user_id, job_id=job.id if job is not None else None,
            run_id=run_id, record_key=key[:200], event=event, detail=detail))

    def add_warning(self, job: Job, message: str, *, run_id: int | None = None) -> None:
        """:func:`qbwc_service.queue.jobs.add_warning`, kept for :meth:`flush`."""
        job.warnings = [*(job.warnings or []), message]
        self.audit(user_id=job.user_id, event=jobs_mod.WARNING, job=job,
                   run_id=run_id if run_id is not None else job.run_id, detail=message)

    def flush(self) -> None:
        """Write the audit rows kept so far, in one INSERT."""
        if self.events:
            rows, self.events = self.events, []
            self.db.execute(insert(AuditEvent), rows)

    # ------------------------------------------------------------ cascades

    def block_dependents(self, job: Job, reason: str, *, run_id: int | None = None) -> list[Job]:
        """:func:`qbwc_service.queue.jobs.block_dependents`, reading the graph a level at a time.

        Only pending jobs can be blocked and a cascade only ever blocks, so the
        jobs pending now are all it can reach; they are visited in the same
        order, each checked again when its turn comes.
        """
        graph = self._dependents_graph([job], JobStatus.PENDING.value)
        blocked: list[Job] = []
        todo = [job]
        while todo:
            failed = todo.pop()
            why = jobs_mod._blocked_reason(failed, reason if failed is job else "")
            for dep in graph.get(failed.id, ()):
                if dep.status != JobStatus.PENDING.value:
                    continue
                self.transition(dep, JobStatus.BLOCKED, reason=why, run_id=run_id)
                blocked.append(dep)
                todo.append(dep)
        return blocked

    def unblock_dependents(self, job: Job) -> list[Job]:
        """:func:`qbwc_service.queue.jobs.unblock_dependents`, without a query per dependent.

        Works on ids: a cascade only ever releases blocked jobs, so the blocked
        dependents and the failed dependencies read up front stay right once
        the released ones are taken out; only the jobs released are loaded.
        """
        graph = self._id_graph([job.id], JobStatus.BLOCKED.value)
        reached = [dep for deps in graph.values() for dep in deps]
        if not reached:
            return []
        failed_deps = self._failed_dependency_ids(reached)
        released: list[Job] = []
        done: set[int] = set()
        todo = [job]
        while todo:
            fixed = todo.pop()
            for dep_id in graph.get(fixed.id, ()):
                if dep_id in done or any(other not in done for other in failed_deps.get(dep_id, ())):
                    continue
                dep = self.db.get(Job, dep_id)
                assert dep is not None
                self.transition(dep, JobStatus.PENDING, event=jobs_mod.UNBLOCKED,
                                reason=f"{fixed.kind} {jobs_mod.record_key(fixed)} is {fixed.status}")
                done.add(dep_id)
                released.append(dep)
                todo.append(dep)
        return released

    def _id_graph(self, roots: list[int], status: str) -> dict[int, list[int]]:
        """``job id -> ids of its dependents in ``status`` (by id)``, for all reachable that way."""
        graph: dict[int, list[int]] = {}
        frontier = roots
        while frontier:
            found: list[int] = []
            for start in range(0, len(frontier), _CHUNK):
                rows = self.db.execute(
                    select(JobDependency.depends_on_id, JobDependency.job_id)
                    .join(Job, Job.id == JobDependency.job_id)
                    .where(JobDependency.depends_on_id.in_(frontier[start:start + _CHUNK]),
                           Job.status == status)
                    .order_by(Job.id))
                for parent, dep in rows:
                    graph.setdefault(parent, []).append(dep)
                    found.append(dep)
            frontier = [i for i in dict.fromkeys(found) if i not in graph]
            for i in frontier:
                graph[i] = []
        return graph

    def _failed_dependency_ids(self, job_ids: list[int]) -> dict[int, list[int]]:
        """``job id -> ids of its dependencies in a failed state``."""
        out: dict[int, list[int]] = {}
        ids = list(dict.fromkeys(job_ids))
        for start in range(0, len(ids), _CHUNK):
            rows = self.db.execute(
                select(JobDependency.job_id, JobDependency.depends_on_id)
                .join(Job, Job.id == JobDependency.depends_on_id)
                .where(JobDependency.job_id.in_(ids[start:start + _CHUNK]), Job.status.in_(_FAILED)))
            for job_id, dep in rows:
                out.setdefault(job_id, []).append(dep)
        return out

    def _dependents_graph(self, roots: Iterable[Job], status: str) -> dict[int, list[Job]]:
        """``job id -> its dependents in ``status`` (by id)``, for everything reachable that way."""
        ids = self._id_graph([root.id for root in roots], status)
        reached = list(dict.fromkeys(i for deps in ids.values() for i in deps))
        loaded: dict[int, Job] = {}
        for start in range(0, len(reached), _CHUNK):
            loaded.update((job.id, job) for job in self.db.scalars(
                select(Job).where(Job.id.in_(reached[start:start + _CHUNK]))))
        return {parent: [loaded[i] for i in deps] for parent, deps in ids.items()}
