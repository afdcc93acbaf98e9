"""A run's page for the accountant: totals per area, then what needs attention grouped by reason.

One failed vendor can hold back fifty invoices: they share one reason, so
they read as one group with one sentence saying what to do (:mod:`.explain`),
the records listed under it. Groups are paginated; every record of a section
is one link away (the full list).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbwc_service.admin import explain, summaries
from qbwc_service.queue import jobs as ev
from qbwc_service.queue.areas import BY_NAME
from qbwc_service.queue.models import Job
from qbwc_service.sync import reports

#: Columns of the totals table -> the outcomes each adds up.
TOTALS: dict[str, tuple[str, ...]] = {
    "Created": (ev.CREATED, ev.ADOPTED),
    "Updated": (ev.UPDATED,),
    "Failed": (ev.ERROR,),
    "Waiting": (ev.BLOCKED,),
    "Skipped": (ev.SKIPPED,),
    "Warnings": (ev.WARNING,),
}
#: Columns a phone leaves out (the first four are what the accountant acts on).
SIDE_COLUMNS = frozenset({"Skipped", "Warnings"})
#: Groups of failed and waiting records per page; records shown under each group.
GROUPS_PER_PAGE = 20
RECORDS_PER_GROUP = 5
#: Items a section shows on the run page before "show all".
SECTION_PREVIEW = 10


@dataclass
class Group:
    """Records of one area that failed or wait for one reason."""

    outcome: str
    area: str
    message: str
    items: list[reports.ReportItem] = field(default_factory=list)
    explanation: explain.Explanation | None = None
    rows: dict[int, summaries.Row] = field(default_factory=dict)


def area_label(area: str) -> str:
    """``ar`` -> ``Invoices``: the area as a person calls it."""
    known = BY_NAME.get(area)
    return known.plural.capitalize() if known else area.capitalize()


def totals(report: reports.Report) -> dict[str, dict[str, int]]:
    """``{area label: {column: n}}`` for the totals table."""
    return {area_label(area): {column: sum(per.get(o, 0) for o in outcomes)
                               for column, outcomes in TOTALS.items()}
            for area, per in report.counts.items()}


def attention(db: Session, run_id: int) -> list[Group]:
    """Failed and waiting records of the run, grouped by area, outcome and reason; failures first."""
    report = reports.build_report(db, run_id, sections=("errors",))
    groups: dict[tuple[str, str, str], Group] = {}
    for item in report.items.get("errors", []):
        key = (item.outcome, item.area, item.message or f"#{item.job_id}")
        groups.setdefault(key, Group(item.outcome, item.area, item.message)).items.append(item)
    return sorted(groups.values(), key=lambda g: (g.outcome != ev.ERROR, -len(g.items)))


def explain_groups(db: Session, groups: Sequence[Group]) -> None:
    """Fill in the sentence and the records' rows of the groups shown (one page)."""
    ids = [i.job_id for g in groups for i in g.items[:RECORDS_PER_GROUP] if i.job_id]
    found = list(db.scalars(select(Job).where(Job.id.in_(ids)))) if ids else []
    rows = summaries.rows_for(db, found)
    by_id = {job.id: job for job in found}
    for group in groups:
        group.rows = {i.job_id: rows[i.job_id] for i in group.items[:RECORDS_PER_GROUP]
                      if i.job_id in rows}
        first = next((by_id[i.job_id] for i in group.items if i.job_id in by_id), None)
        code = group.message.split(":", 1)[0] if group.message[:1].isdigit() else ""
        if first is None:
            words = group.items[0].record_key
            fix = ""
        else:
            words = summaries.in_words(first, rows[first.id])
            fix = summaries.name_to_fix(first, rows[first.id])
        more = len(group.items) - 1
        if more:
            words += f" (and {more} more like it)"
        group.explanation = explain.explain(group.message, code, words, fix)
