"""Run reports: what one Web Connector session did, per area and outcome.

A report is read from the audit trail: every outcome event
(:data:`qbwc_service.queue.jobs.OUTCOME_EVENTS`: created, updated, adopted,
skipped, warning, error) written with the run's ``run_id``, and the jobs
``blocked`` during the run because a record they need failed (their events carry
the run of the failure; counted once per job). Counts cover every outcome; the
listed items are filtered by the user's ``report.sections``:

=============  ==============================
section        outcome events listed
=============  ==============================
``created``    ``created``, ``adopted``
``updated``    ``updated``
``skipped``    ``skipped``
``warnings``   ``warning``, ``changed_after_export``, ``deleted_after_export``
``errors``     ``error``, ``blocked``
=============  ==============================

Each item carries the JobBOSS2 record key and the event's detail, which for
errors and warnings is QuickBooks' own message, and for a blocked job the
record it waits for and why that one failed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qbwc_service.queue import jobs as ev
from qbwc_service.queue.areas import REPORT_ORDER
from qbwc_service.queue.models import AuditEvent, Job, Run, User
from qbwc_service.sync.settings import REPORT_SECTIONS, get_settings

#: Section -> the outcome events it lists.
SECTION_EVENTS: dict[str, tuple[str, ...]] = {
    "created": (ev.CREATED, ev.ADOPTED),
    "updated": (ev.UPDATED,),
    "skipped": (ev.SKIPPED,),
    "warnings": (ev.WARNING, *ev.AFTER_EXPORT_EVENTS),
    "errors": (ev.ERROR, ev.BLOCKED),
}
#: Outcomes in the order the counts show them.
OUTCOMES: tuple[str, ...] = (ev.CREATED, ev.ADOPTED, ev.UPDATED, ev.SKIPPED, ev.WARNING, ev.ERROR,
                             ev.BLOCKED)
NO_AREA = "other"
#: What the text report says after the record key of some outcomes.
ITEM_NOTES: dict[str, str] = {ev.ADOPTED: " (already in QuickBooks)", ev.BLOCKED: " (blocked)",
                              ev.CHANGED_AFTER_EXPORT: " (changed after export)",
                              ev.DELETED_AFTER_EXPORT: " (deleted after export)"}


@dataclass(frozen=True, slots=True)  # slots: a large run's report holds one per record
class ReportItem:
    """One outcome of one record."""

    outcome: str
    area: str
    kind: str
    record_key: str
    job_id: int | None
    message: str
    at: datetime


@dataclass(frozen=True)
class Report:
    """A run's report; ``items`` maps each shown section to its items."""

    run_id: int
    user_id: int
    user_name: str
    started_at: datetime
    ended_at: datetime | None
    status: str
    round_trips: int
    counts: dict[str, dict[str, int]]  # area -> outcome -> n (only non-zero)
    sections: tuple[str, ...]
    items: dict[str, list[ReportItem]] = field(default_factory=dict)
    #: Documents found changed or deleted after export listed in the run, per event.
    after_export: dict[str, int] = field(default_factory=dict)

    def total(self, outcome: str) -> int:
        """How many records had ``outcome`` in this run, over every area."""
        return sum(per.get(outcome, 0) for per in self.counts.values())

    @property
    def duration_seconds(self) -> float | None:
        if self.ended_at is None:
            return None
        return (_aware(self.ended_at) - _aware(self.started_at)).total_seconds()


class ReportError(LookupError):
    """No such run."""


def latest_run_id(db: Session, user_id: int | None = None) -> int | None:
    """The newest run (of one user, if given), or ``None`` when there is none."""
    stmt = select(func.max(Run.id))
    if user_id is not None:
        stmt = stmt.where(Run.user_id == user_id)
    return db.scalar(stmt)


def count_outcomes(db: Session, run_ids: Sequence[int]) -> dict[int, dict[str, dict[str, int]]]:
    """``{run_id: {area: {outcome: n}}}`` for several runs in two queries."""
    if not run_ids:
        return {}
    area = func.coalesce(Job.area, NO_AREA)
    outcomes = (select(AuditEvent.run_id, area, AuditEvent.event, func.count())
                .outerjoin(Job, Job.id == AuditEvent.job_id)
                .where(AuditEvent.run_id.in_(list(run_ids)),
                       AuditEvent.event.in_(sorted(ev.OUTCOME_EVENTS)))
                .group_by(AuditEvent.run_id, area, AuditEvent.event))
    blocked = (select(AuditEvent.run_id, area, func.count(func.distinct(AuditEvent.job_id)))
               .outerjoin(Job, Job.id == AuditEvent.job_id)
               .where(AuditEvent.run_id.in_(list(run_ids)), AuditEvent.event == ev.BLOCKED)
               .group_by(AuditEvent.run_id, area))
    result: dict[int, dict[str, dict[str, int]]] = {rid: {} for rid in run_ids}
    for run_id, area_name, event, n in db.execute(outcomes):
        result[run_id].setdefault(area_name, {})[event] = n
    for run_id, area_name, n in db.execute(blocked):
        result[run_id].setdefault(area_name, {})[ev.BLOCKED] = n
    return {rid: _ordered(counts) for rid, counts in result.items()}


def build_report(db: Session, run_id: int, sections: Sequence[str] | None = None) -> Report:
    """The report of ``run_id``; sections default to the user's ``report.sections``.

    Raises :class:`ReportError` if the run does not exist.
    """
    run = db.get(Run, run_id)
    if run is None:
        raise ReportError(f"no run {run_id}")
    user = db.get(User, run.user_id)
    shown = tuple(s for s in REPORT_SECTIONS
                  if s in (sections if sections is not None
                           else get_settings(db, run.user_id).sections))
    wanted = [e for s in shown for e in SECTION_EVENTS[s]]
    items: dict[str, list[ReportItem]] = {s: [] for s in shown}
    section_of = {e: s for s, events in SECTION_EVENTS.items() for e in events}
    # Columns, not AuditEvent objects, read in chunks: a run of 50,000 records would
    # otherwise hold as many ORM objects, or rows, at once.
    stmt = (select(AuditEvent.event, AuditEvent.job_id, AuditEvent.record_key, AuditEvent.detail,
                   AuditEvent.created_at, Job.area, Job.kind)
            .outerjoin(Job, Job.id == AuditEvent.job_id)
            .where(AuditEvent.run_id == run_id, AuditEvent.event.in_(wanted))
            .order_by(AuditEvent.id).execution_options(yield_per=1000))
    blocked_jobs: set[int | None] = set()
    for event, job_id, record_key, detail, at, area, kind in (db.execute(stmt) if wanted else ()):
        if event == ev.BLOCKED:
            if job_id in blocked_jobs:
                continue  # once per job, as counted
            blocked_jobs.add(job_id)
        items[section_of[event]].append(ReportItem(
            outcome=event, area=area or NO_AREA, kind=kind or "", record_key=record_key,
            job_id=job_id, message=detail, at=at))
    return Report(run_id=run.id, user_id=run.user_id, user_name=user.name if user else "",
                  started_at=run.started_at, ended_at=run.ended_at, status=run.status,
                  round_trips=run.round_trips, counts=count_outcomes(db, [run_id])[run_id],
                  sections=shown, items=items, after_export=_after_export_counts(db, run_id))


def _after_export_counts(db: Session, run_id: int) -> dict[str, int]:
    """``{event: n}`` of the run's changed/deleted-after-export events (counted, not read)."""
    rows = db.execute(
        select(AuditEvent.event, func.count())
        .where(AuditEvent.run_id == run_id, AuditEvent.event.in_(ev.AFTER_EXPORT_EVENTS))
        .group_by(AuditEvent.event))
    return {event: n for event, n in rows}


def store_report(db: Session, run_id: int, sections: Sequence[str] | None = None) -> Report:
    """Build the report and keep its totals on the run (``counts``, ``report``, ``summary``).

    The run keeps the report without its items: every reader rebuilds those from
    the audit trail, and a run of 50,000 records would hold (and write) them all
    at once. Closing a run passes ``sections=()`` so no item is read at all.
    """
    report = build_report(db, run_id, sections)
    run = db.get(Run, run_id)
    assert run is not None
    run.counts = report.counts
    run.report = as_dict(report, with_items=False)
    run.summary = summary_line(report)
    return report


def summary_line(report: Report) -> str:
    """One line for the Web Connector, e.g. ``12 invoices, 3 bills created; 2 errors (report 17)``."""
    created = [_counted(report.counts[a.name][ev.CREATED], a.noun, a.plural) for a in REPORT_ORDER
               if report.counts.get(a.name, {}).get(ev.CREATED)]
    parts = [", ".join(created) + " created"] if created else []
    for outcome, label in ((ev.ADOPTED, "already in QuickBooks"), (ev.UPDATED, "updated"),
                           (ev.SKIPPED, "skipped"), (ev.WARNING, "warning"), (ev.ERROR, "error"),
                           (ev.BLOCKED, "blocked by a failed record")):
        n = report.total(outcome)
        if n:
            parts.append(_plural(n, label) if outcome in (ev.WARNING, ev.ERROR) else f"{n} {label}")
    for outcome, label in ((ev.CHANGED_AFTER_EXPORT, "changed after export"),
                           (ev.DELETED_AFTER_EXPORT, "deleted after export")):
        n = report.after_export.get(outcome, 0)
        if n:
            parts.append(f"{n} {label}")
    text = "; ".join(parts) if parts else "nothing to sync"
    return f"{text} (report {report.run_id})"


def _counted(n: int, noun: str, plural: str) -> str:
    return f"{n} {noun if n == 1 else plural}"


def _plural(n: int, noun: str) -> str:
    if n == 1:
        return f"1 {noun.removesuffix('s')}" if noun.endswith("s") else f"1 {noun}"
    return f"{n} {noun}" if noun.endswith("s") else f"{n} {noun}s"


def as_dict(report: Report, *, with_items: bool = True) -> dict[str, Any]:
    """JSON-ready form of a report; without ``sections`` and ``items`` unless *with_items*."""
    totals = {
        "run_id": report.run_id,
        "user": report.user_name,
        "started_at": report.started_at.isoformat(),
        "ended_at": report.ended_at.isoformat() if report.ended_at else None,
        "duration_seconds": report.duration_seconds,
        "status": report.status,
        "round_trips": report.round_trips,
        "counts": report.counts,
    }
    if not with_items:
        return totals
    return {**totals, "sections": list(report.sections),
            "items": {section: [{"outcome": i.outcome, "area": i.area, "kind": i.kind,
                                 "record_key": i.record_key, "job_id": i.job_id,
                                 "message": i.message, "at": i.at.isoformat()} for i in items]
                      for section, items in report.items.items()}}


def render_text(report: Report, *, limit: int | None = None, more_hint: str = "") -> str:
    """The report as plain text for a terminal.

    With *limit*, a screenful instead of every record: records of one area that
    share an outcome and a message become one line (one failed customer can block
    fifty invoices), each section shows its first *limit* lines, and *more_hint*
    says how to list the rest.
    """
    lines = [f"Run {report.run_id} of {report.user_name}: {report.status}, "
             f"started {report.started_at:%Y-%m-%d %H:%M:%S}"
             + (f", {report.duration_seconds:.1f} s" if report.duration_seconds is not None else "")
             + f", {report.round_trips} round trips"]
    lines += _count_table(report.counts)
    for section in report.sections:
        items = report.items.get(section, [])
        lines += ["", f"{section.capitalize()} ({len(items)})"]
        lines += _section_lines(items) if limit is None else _capped_lines(items, limit, more_hint)
    lines += ["", summary_line(report)]
    return "\n".join(lines) + "\n"


def _item_line(item: ReportItem, named: str) -> str:
    text = f"  [{item.area}] {named}{ITEM_NOTES.get(item.outcome, '')}"
    return f"{text}: {item.message}" if item.message else text


def _section_lines(items: list[ReportItem]) -> list[str]:
    return [_item_line(item, item.record_key) for item in items]


#: Record keys a grouped line names before "and N more".
KEYS_SHOWN = 2


def _capped_lines(items: list[ReportItem], limit: int, more_hint: str) -> list[str]:
    groups = _grouped(items)
    lines = [_item_line(first, _named(keys)) for first, keys, _count in groups[:limit]]
    left = sum(count for _first, _keys, count in groups[limit:])
    if left:
        lines.append(f"  ... {left} more: {more_hint}" if more_hint else f"  ... {left} more")
    return lines


def _named(keys: list[str]) -> str:
    rest = len(keys) - KEYS_SHOWN
    return ", ".join(keys[:KEYS_SHOWN]) + (f" and {rest} more" if rest > 0 else "")


def _grouped(items: list[ReportItem]) -> list[tuple[ReportItem, list[str], int]]:
    """In report order: ``(first item, distinct record keys, items merged)`` per group of
    items sharing area, outcome and a message (items without a message stay alone)."""
    groups: dict[object, tuple[ReportItem, list[str], list[int]]] = {}
    for index, item in enumerate(items):
        key = (item.area, item.outcome, item.message) if item.message else index
        first, keys, count = groups.setdefault(key, (item, [], [0]))
        count[0] += 1
        if item.record_key not in keys:
            keys.append(item.record_key)
    return [(first, keys, count[0]) for first, keys, count in groups.values()]


def _count_table(counts: dict[str, dict[str, int]]) -> list[str]:
    if not counts:
        return ["", "Nothing was sent to QuickBooks in this run."]
    width = max(len(o) for o in OUTCOMES) + 2
    lines = ["", "area".ljust(8) + "".join(o.rjust(width) for o in OUTCOMES)]
    for area, per in counts.items():
        lines.append(area.ljust(8) + "".join(str(per.get(o, 0)).rjust(width) for o in OUTCOMES))
    return lines


def _ordered(counts: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    order = [*(a.name for a in REPORT_ORDER), NO_AREA]
    areas = sorted(counts, key=lambda a: (order.index(a) if a in order else len(order), a))
    return {a: {o: counts[a][o] for o in OUTCOMES if counts[a].get(o)} for a in areas}


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes for aware columns; they are UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
