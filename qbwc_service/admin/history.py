"""History at a glance: records created and failed per run, and each user's last good session.

:func:`runs_chart` draws an SVG bar chart on the server (no script, no CDN):
per run of the last days, its records created (created, adopted, updated) and
failed (errors, and records blocked by one). :func:`last_sessions` gives each
user's last session that ended normally, flagged when older than
``alerts.silent_hours``, the threshold the silence alert uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qbwc_service.queue import jobs as ev
from qbwc_service.queue.models import QbwcSession, Run, User
from qbwc_service.sync import reports

DAYS = 30
#: The outcomes each bar adds up.
CREATED = (ev.CREATED, ev.ADOPTED, ev.UPDATED)
FAILED = (ev.ERROR, ev.BLOCKED)
#: Runs drawn at most (the newest), so a busy month still fits the chart.
MAX_RUNS = 120


@dataclass(frozen=True)
class RunPoint:
    """One run's bar pair."""

    run_id: int
    user: str
    started_at: datetime
    created: int
    failed: int


@dataclass(frozen=True)
class Bar:
    """A drawn rectangle with its label (the SVG ``<title>`` screen readers and tooltips read)."""

    x: float
    y: float
    width: float
    height: float
    kind: str  # created | failed
    title: str
    run_id: int


@dataclass(frozen=True)
class Chart:
    """What the template draws: bars, a y scale, and the points for the table beside it."""

    width: int
    height: int
    bars: list[Bar]
    ticks: list[tuple[float, int]]  # (y, value)
    points: list[RunPoint]
    top: int


@dataclass(frozen=True)
class LastSession:
    """A user's last session that ended normally, and whether that is too long ago."""

    user: str
    enabled: bool
    at: datetime | None
    stale: bool


def run_points(db: Session, now: datetime, days: int = DAYS) -> list[RunPoint]:
    """Runs started in the last ``days`` days, oldest first, with their created and failed counts."""
    since = now - timedelta(days=days)
    rows = list(db.execute(select(Run.id, Run.started_at, User.name)
                           .join(User, User.id == Run.user_id)
                           .where(Run.started_at >= since)
                           .order_by(Run.id.desc()).limit(MAX_RUNS)))
    counts = reports.count_outcomes(db, [r[0] for r in rows])
    points = []
    for run_id, started, user in reversed(rows):
        per = counts.get(run_id, {})
        points.append(RunPoint(run_id, user, _aware(started),
                               sum(a.get(o, 0) for a in per.values() for o in CREATED),
                               sum(a.get(o, 0) for a in per.values() for o in FAILED)))
    return points


def runs_chart(points: Sequence[RunPoint], width: int = 720, height: int = 200) -> Chart:
    """Bars of created (left) and failed (right) records per run, scaled to the busiest run."""
    left, bottom, top_pad = 40, 20, 10
    top = max([1, *(max(p.created, p.failed) for p in points)])
    plot_h = height - bottom - top_pad
    slot = (width - left) / max(len(points), 1)
    bar_w = max(min(slot * 0.4, 18), 1)
    bars: list[Bar] = []
    for i, p in enumerate(points):
        x0 = left + i * slot + (slot - 2 * bar_w) / 2
        day = p.started_at.strftime("%Y-%m-%d %H:%M")
        for j, (kind, n) in enumerate((("created", p.created), ("failed", p.failed))):
            h = plot_h * n / top
            bars.append(Bar(round(x0 + j * bar_w, 1), round(top_pad + plot_h - h, 1),
                            round(bar_w, 1), round(h, 1), kind,
                            f"Run {p.run_id} ({p.user}, {day} UTC): {n} {kind}", p.run_id))
    ticks = [(round(top_pad + plot_h - plot_h * v / top, 1), v) for v in sorted({0, top // 2, top})]
    return Chart(width, height, bars, ticks, list(points), top)


def last_sessions(db: Session, now: datetime, silent_hours: int) -> list[LastSession]:
    """Every user with the end of its last normally closed session; ``stale`` past the threshold
    (users that never synced count from their creation, as the silence alert does)."""
    ended = (select(QbwcSession.user_id, func.max(QbwcSession.last_seen_at).label("at"))
             .where(QbwcSession.state == "closed").group_by(QbwcSession.user_id).subquery())
    rows = db.execute(select(User.name, User.enabled, User.created_at, ended.c.at)
                      .outerjoin(ended, ended.c.user_id == User.id).order_by(User.name))
    limit = timedelta(hours=silent_hours)
    return [LastSession(name, enabled, _aware(at) if at else None,
                        enabled and now - _aware(at or created) > limit)
            for name, enabled, created, at in rows]


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes for aware columns; they are UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
