"""The buffered job changes of ``sync.changes`` do exactly what ``queue.jobs`` does.

Each case builds the same jobs twice (two users), changes one copy with
``queue.jobs`` and the other with :class:`~qbwc_service.sync.changes.Changes`,
and compares every job column and every audit row.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from qbwc_service import accounts
from qbwc_service.queue import jobs as jobs_mod
from qbwc_service.queue.db import transaction
from qbwc_service.queue.models import AuditEvent, Job
from qbwc_service.queue.states import TRANSITIONS, JobStatus
from qbwc_service.sync.changes import Changes

AT = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
# (updated_at is left out: queue.jobs flushes between changes, so the column's onupdate
# default may stamp the flush time over the transition time.)
COMPARED = ("status", "blocked_reason", "error_message", "done_at", "sent_at", "attempts",
            "run_id", "warnings")


def _users(db):
    return (accounts.create_user(db, "old-way", "password-old-1").id,
            accounts.create_user(db, "new-way", "password-new-1").id)


def _make(db, user_id: int, name: str, status: str, deps: list[Job] = ()) -> Job:
    job = jobs_mod.add_job(db, user_id=user_id, area="lists" if name.startswith("L") else "ar",
                           kind="item.ensure" if name.startswith("L") else "invoice.add",
                           source_table="Part" if name.startswith("L") else "Billing",
                           source_key=name, source_version="1", payload={}, depends_on=deps)
    job.status = status
    if status == JobStatus.ERROR.value:
        job.error_message = f"{name} failed"
    db.flush()
    return job


def _snapshot(db, user_id: int) -> tuple[dict, list]:
    jobs = {j.source_key: j for j in db.scalars(select(Job).where(Job.user_id == user_id))}
    names = {j.id: name for name, j in jobs.items()}

    def norm(text: str) -> str:  # job ids differ between the two copies: name them
        return re.sub(r"\(job (\d+),", lambda m: f"(job {names[int(m.group(1))]},", text or "")

    state = {name: {c: (norm(getattr(j, c)) if c == "blocked_reason" else getattr(j, c))
                    for c in COMPARED} for name, j in jobs.items()}
    events = [(names.get(e.job_id), e.record_key, e.event, norm(e.detail), e.run_id, e.created_at)
              for e in db.scalars(select(AuditEvent).where(AuditEvent.user_id == user_id)
                                  .order_by(AuditEvent.id))]
    return state, events


def _flushed(db, changes: Changes, old_user: int, new_user: int):
    """Both users' snapshots once everything is written: ``(old, new)``."""
    changes.flush()
    db.flush()
    return _snapshot(db, old_user), _snapshot(db, new_user)


@pytest.mark.parametrize(("src", "dst"), [(s, d) for s, ds in TRANSITIONS.items() for d in sorted(ds)])
def test_transition_matches_queue_jobs(sessions, src, dst):
    with transaction(sessions) as db:
        old_user, new_user = _users(db)
        old = _make(db, old_user, "I1", src.value)
        new = _make(db, new_user, "I1", src.value)
        jobs_mod.transition(db, old, dst, reason="because", run_id=None, at=AT)
        changes = Changes(db)
        changes.transition(new, dst, reason="because", run_id=None, at=AT)
        jobs_mod.add_warning(db, old, "a warning")
        changes.add_warning(new, "a warning")
        (old_state, old_events), (new_state, new_events) = _flushed(db, changes, old_user, new_user)
    assert new_state == old_state
    assert [e[:5] for e in new_events] == [e[:5] for e in old_events]
    # planned and warning events are stamped "now"; the transition's carries its time
    assert [e[5] == AT for e in new_events] == [e[5] == AT for e in old_events]


def _random_graph(rng: random.Random) -> list[tuple[str, str, list[str]]]:
    """(name, status, names of dependencies), in an order that creates dependencies first
    but otherwise mixes list records and invoices, so job ids do not follow the graph."""
    statuses = ["pending", "pending", "pending", "blocked", "blocked", "done", "error", "sent"]
    lists_ = [f"L{i}" for i in range(rng.randint(3, 6))]
    deps = {name: rng.sample(lists_[:i], k=min(i, rng.randint(0, 2)))
            for i, name in enumerate(lists_)}
    for i in range(rng.randint(4, 10)):
        deps[f"I{i}"] = rng.sample(lists_, k=rng.randint(1, 3))
    order: list[str] = []
    waiting = list(deps)
    rng.shuffle(waiting)
    while waiting:
        ready = next(n for n in waiting if all(d in order for d in deps[n]))
        waiting.remove(ready)
        order.append(ready)
    return [(name, rng.choice(statuses), deps[name]) for name in order]


def _build(db, user_id: int, graph) -> dict[str, Job]:
    jobs: dict[str, Job] = {}
    for name, status, deps in graph:
        jobs[name] = _make(db, user_id, name, status, [jobs[d] for d in deps])
    return jobs


@pytest.mark.parametrize("seed", range(12))
def test_cascades_match_queue_jobs(sessions, seed):
    rng = random.Random(seed)
    graph = _random_graph(rng)
    with transaction(sessions) as db:
        old_user, new_user = _users(db)
        old = _build(db, old_user, graph)
        new = _build(db, new_user, graph)
        changes = Changes(db)
        lists_ = [name for name, _s, _d in graph if name.startswith("L")]
        for step in range(4):
            name = rng.choice(lists_)
            if step % 2 == 0 and old[name].status in ("pending", "sent"):
                jobs_mod.transition(db, old[name], JobStatus.ERROR, reason="boom", at=AT)
                jobs_mod.block_dependents(db, old[name], "boom")
                changes.transition(new[name], JobStatus.ERROR, reason="boom", at=AT)
                changes.block_dependents(new[name], "boom")
            elif old[name].status in ("pending", "sent", "blocked", "error"):
                target = JobStatus.DONE if old[name].status in ("pending", "sent") else JobStatus.PENDING
                jobs_mod.transition(db, old[name], target, at=AT)
                jobs_mod.unblock_dependents(db, old[name])
                changes.transition(new[name], target, at=AT)
                changes.unblock_dependents(new[name])
            changes.flush()
        (old_state, old_events), (new_state, new_events) = _flushed(db, changes, old_user, new_user)
    assert new_state == old_state
    assert [e[:5] for e in new_events] == [e[:5] for e in old_events]
