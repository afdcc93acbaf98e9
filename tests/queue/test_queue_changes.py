"""The job state machine's changes: each edge's effects, buffered audit rows, and the cascades.

The cascades (:meth:`Changes.block_dependents`, :meth:`Changes.unblock_dependents`)
read the dependency graph a level at a time; they are checked here against a
plain model of what they must do, one job at a time: depth first, dependents
by id, each one's state read when its turn comes.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from qbwc_service import accounts
from qbwc_service.queue import jobs as jobs_mod
from qbwc_service.queue.db import transaction
from qbwc_service.queue.jobs import Changes
from qbwc_service.queue.models import AuditEvent, Job
from qbwc_service.queue.states import TRANSITIONS, JobStatus

AT = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
FINAL = {JobStatus.DONE, JobStatus.ERROR, JobStatus.SKIPPED, JobStatus.CANCELLED}
FAILED = {s.value for s in jobs_mod.FAILED_STATES}


def _user(db) -> int:
    return accounts.create_user(db, "shop", "password-shop-1").id


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


def _audit_rows(db, user_id: int) -> int:
    return db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.user_id == user_id))


@pytest.mark.parametrize("buffered", [False, True])
@pytest.mark.parametrize(("src", "dst"), [(s, d) for s, ds in TRANSITIONS.items() for d in sorted(ds)])
def test_each_edge_sets_its_fields_and_one_event(sessions, src, dst, buffered):
    with transaction(sessions) as db:
        user_id = _user(db)
        job = _make(db, user_id, "I1", src.value)
        before = _audit_rows(db, user_id)  # the planned event
        if buffered:
            changes = Changes(db)
            changes.transition(job, dst, reason="because", at=AT)
            changes.add_warning(job, "a warning")
            assert _audit_rows(db, user_id) == before  # kept until the flush
            changes.flush()
        else:
            jobs_mod.transition(db, job, dst, reason="because", at=AT)
            jobs_mod.add_warning(db, job, "a warning")
        db.flush()
        assert job.status == dst.value
        assert job.blocked_reason == ("because" if dst is JobStatus.BLOCKED else "")
        expected_error = "because" if dst is JobStatus.ERROR else (
            "I1 failed" if src is JobStatus.ERROR else "")
        assert job.error_message == expected_error
        assert job.done_at == (AT if dst in FINAL else None)
        assert job.sent_at == (AT if dst is JobStatus.SENT else None)
        assert job.attempts == (1 if dst is JobStatus.SENT else 0)
        assert job.warnings == ["a warning"]
        events = [(e.event, e.detail, e.record_key) for e in db.scalars(
            select(AuditEvent).where(AuditEvent.user_id == user_id).order_by(AuditEvent.id))]
        assert events == [(jobs_mod.PLANNED, "", "Billing:I1"),
                          (jobs_mod.DEFAULT_EVENTS[dst], "because", "Billing:I1"),
                          (jobs_mod.WARNING, "a warning", "Billing:I1")]
        stamped = db.scalars(select(AuditEvent.created_at).where(
            AuditEvent.user_id == user_id, AuditEvent.event == jobs_mod.DEFAULT_EVENTS[dst])).all()
        assert [t.replace(tzinfo=UTC) if t.tzinfo is None else t for t in stamped] == [AT]


def test_an_edge_the_machine_lacks_leaves_the_job_and_the_trail_alone(sessions):
    with transaction(sessions) as db:
        user_id = _user(db)
        job = _make(db, user_id, "I1", JobStatus.DONE.value)
        changes = Changes(db)
        with pytest.raises(ValueError, match="cannot go from done to pending"):
            changes.transition(job, JobStatus.PENDING)
        changes.flush()
        assert job.status == JobStatus.DONE.value and _audit_rows(db, user_id) == 1


# ---------------------------------------------------------------- the cascades against a model


class Model:
    """The cascades done one job at a time over plain values (what the queue must match)."""

    def __init__(self, jobs: dict[str, Job], graph: list[tuple[str, str, list[str]]]) -> None:
        self.ids = {name: job.id for name, job in jobs.items()}
        self.status = {name: job.status for name, job in jobs.items()}
        self.error = {name: job.error_message or "" for name, job in jobs.items()}
        self.blocked = {name: _named(jobs, job.blocked_reason) for name, job in jobs.items()}
        self.deps = {name: deps for name, _status, deps in graph}
        self.events: list[tuple[str, str, str]] = []

    def dependents(self, name: str, status: str) -> list[str]:
        found = [n for n, deps in self.deps.items() if name in deps and self.status[n] == status]
        return sorted(found, key=self.ids.__getitem__)

    def move(self, name: str, status: str, detail: str, event: str) -> None:
        self.status[name] = status
        self.blocked[name] = detail if status == "blocked" else ""
        if status == "error":
            self.error[name] = detail or self.error[name]
        self.events.append((name, event, detail))

    def why(self, failed: str, reason: str) -> str:
        kind = "item.ensure" if failed.startswith("L") else "invoice.add"
        table = "Part" if failed.startswith("L") else "Billing"
        text = f"waiting for {kind} {table}:{failed} (job {failed}, {self.status[failed]})"
        detail = reason or self.error[failed] or self.blocked[failed]
        return f"{text}: {detail}" if detail else text

    def block(self, root: str, reason: str) -> None:
        todo = [root]
        while todo:
            failed = todo.pop()
            why = self.why(failed, reason if failed == root else "")
            for dep in self.dependents(failed, "pending"):
                self.move(dep, "blocked", why, "blocked")
                todo.append(dep)

    def unblock(self, root: str) -> None:
        todo = [root]
        while todo:
            fixed = todo.pop()
            for dep in self.dependents(fixed, "blocked"):
                if any(self.status[d] in FAILED for d in self.deps[dep]):
                    continue
                kind = "item.ensure" if fixed.startswith("L") else "invoice.add"
                table = "Part" if fixed.startswith("L") else "Billing"
                self.move(dep, "pending", f"{kind} {table}:{fixed} is {self.status[fixed]}",
                          "unblocked")
                todo.append(dep)


def _named(jobs: dict[str, Job], text: str) -> str:
    """``text`` naming jobs as the model does (the queue numbers them)."""
    names = {job.id: name for name, job in jobs.items()}
    return re.sub(r"\(job (\d+),", lambda m: f"(job {names[int(m.group(1))]},", text or "")


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


@pytest.mark.parametrize("buffered", [False, True])
@pytest.mark.parametrize("seed", range(12))
def test_cascades_do_what_the_model_does(sessions, seed, buffered):
    rng = random.Random(seed)
    graph = _random_graph(rng)
    with transaction(sessions) as db:
        user_id = _user(db)
        jobs: dict[str, Job] = {}
        for name, status, deps in graph:
            jobs[name] = _make(db, user_id, name, status, [jobs[d] for d in deps])
        first_event = db.scalar(select(func.max(AuditEvent.id)))
        model = Model(jobs, graph)
        changes = Changes(db)
        lists_ = [name for name, _s, _d in graph if name.startswith("L")]
        for step in range(4):
            name = rng.choice(lists_)
            status = model.status[name]
            if step % 2 == 0 and status in ("pending", "sent"):
                model.move(name, "error", "boom", "error")
                model.block(name, "boom")
                if buffered:
                    changes.transition(jobs[name], JobStatus.ERROR, reason="boom", at=AT)
                    changes.block_dependents(jobs[name], "boom")
                else:
                    jobs_mod.transition(db, jobs[name], JobStatus.ERROR, reason="boom", at=AT)
                    jobs_mod.block_dependents(db, jobs[name], "boom")
            elif status in ("pending", "sent", "blocked", "error"):
                target = "done" if status in ("pending", "sent") else "pending"
                model.move(name, target, "", jobs_mod.DEFAULT_EVENTS[JobStatus(target)])
                model.unblock(name)
                if buffered:
                    changes.transition(jobs[name], target, at=AT)
                    changes.unblock_dependents(jobs[name])
                else:
                    jobs_mod.transition(db, jobs[name], target, at=AT)
                    jobs_mod.unblock_dependents(db, jobs[name])
            changes.flush()
        db.flush()
        names = {job.id: name for name, job in jobs.items()}
        assert {n: (j.status, _named(jobs, j.blocked_reason)) for n, j in jobs.items()} == {
            n: (model.status[n], model.blocked[n]) for n in jobs}
        events = [(names[e.job_id], e.event, _named(jobs, e.detail)) for e in db.scalars(
            select(AuditEvent).where(AuditEvent.id > first_event).order_by(AuditEvent.id))]
        assert events == model.events
