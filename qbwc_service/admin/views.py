"""The admin pages: queue, job, runs, settings, audit trail, and the live progress feed."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from qbwc_service.admin import explain, history, run_view, settings_form, summaries, sync_actions
from qbwc_service.admin.database import db
from qbwc_service.queue import dequeue, jobs, ops
from qbwc_service.queue.models import Job, QbwcSession, Run, User, utcnow
from qbwc_service.queue.states import RETRYABLE_STATES, TRANSITIONS, JobStatus
from qbwc_service.sync import reports
from qbwc_service.sync import settings as st
from qbwc_service.sync.kinds import registry
from qbwc_service.sync.kinds.base import ListJobKind

bp = Blueprint("views", __name__)

PAGE_SIZE = 50
#: Row ids fit the databases' 32-bit integer columns; a larger one in a URL matches no route (404).
MAX_ID = 2**31 - 1
#: Digits a page number may have: its offset stays far inside 64 bits.
PAGE_DIGITS = 9
#: Action -> the status it moves a job to (buttons shown only where the state machine allows).
ACTION_TARGETS = {"retry": JobStatus.PENDING, "skip": JobStatus.SKIPPED,
                  "cancel": JobStatus.CANCELLED}


@bp.before_request
def require_admin() -> ResponseReturnValue | None:
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    return None


def render_error(status: int, message: str) -> ResponseReturnValue:
    return render_template("error.html", message=message), status


def _actor() -> str:
    return f"admin {current_user.name}"


def _users() -> list[User]:
    return list(db().scalars(select(User).order_by(User.name)))


def _user_named(name: str | None) -> User | None:
    if not name:
        return None
    user = db().scalars(select(User).where(User.name == name)).first()
    if user is None:
        abort(404, f"no user {name!r}")
    return user


def _page() -> int:
    """The ``page`` query argument: 1 when absent, 400 unless a whole number from 1 on."""
    raw = request.args.get("page", "1")
    if not re.fullmatch(rf"[0-9]{{1,{PAGE_DIGITS}}}", raw) or int(raw) < 1:
        abort(400, f"page must be a whole number from 1 to {10**PAGE_DIGITS - 1}, not {raw[:20]!r}.")
    return int(raw)


# ------------------------------------------------------------------ queue and jobs


@bp.route("/")
def index() -> ResponseReturnValue:
    """The overview: records created and failed per run over the last 30 days, each user's last
    good session (flagged past ``alerts.silent_hours``), and what the queue holds."""
    now = utcnow()
    hours = current_app.config["QBWC_SILENT_HOURS"]
    chart = history.runs_chart(history.run_points(db(), now))
    return render_template("overview.html", chart=chart, days=history.DAYS, hours=hours,
                           sessions=history.last_sessions(db(), now, hours),
                           counts=dequeue.counts_by_status(db(), None),
                           words=summaries.STATUS_WORDS)


@bp.route("/queue")
def queue() -> ResponseReturnValue:
    where = _job_filter(request.args)
    page = _page()
    rows, total = ops.list_jobs(db(), where, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    described = summaries.rows_for(db(), rows)
    # The row already names the record: its sentence says "This invoice ...".
    problems = {j.id: _explain(j, described[j.id], summaries.this(described[j.id])) for j in rows}
    return render_template(
        "queue.html", jobs=rows, total=total, page=page,
        pages=max(1, -(-total // PAGE_SIZE)), users=_users(), names=_names(),
        statuses=ops.STATUSES, areas=ops.AREAS, args=request.args, rows=described,
        problems=problems, documents=summaries.document_types(), words=summaries.STATUS_WORDS,
        counts=dequeue.counts_by_status(db(), where.user_id), record_key=jobs.record_key)


def _explain(job: Job, row: summaries.Row, words: str = "") -> explain.Explanation | None:
    """The plain-language sentence of a failed or waiting job (None when all is well);
    ``words`` names the record in it (default: document, number, name and JobBOSS2 key)."""
    message = job.error_message or job.blocked_reason
    if not message:
        return None
    return explain.explain(message, job.error_code, words or summaries.in_words(job, row),
                           summaries.name_to_fix(job, row))


def names_url(text: str, user: str = "", record: tuple[str, str] | None = None) -> str:
    """The name map of ``user``'s company searched for ``text``; ``record`` (name map kind,
    JobBOSS2 key) fills in the form that sets its QuickBooks name."""
    kind, key = record or ("", "")
    return url_for("names.names", user=user or None, q=text or None, edit_kind=kind or None,
                   edit_key=key or None)


def _name_record(job: Job) -> tuple[str, str] | None:
    """The name map's (kind, key) of a list record's own job: what its name form is filled with."""
    kind = registry.JOB_KINDS.get(job.kind)
    if not isinstance(kind, ListJobKind) or kind.kind.names is None:
        return None
    return kind.kind.names.kind, job.source_key


def _job_filter(args: Mapping[str, str]) -> ops.JobFilter:
    """The queue's filters from the query string. A value that makes no sense is
    flashed and left out; the other filters still apply, so the page never shows
    every job when one field was wrong."""
    parsers: dict[str, Callable[[str | None], object]] = {
        "user_id": _user_id,
        "status": lambda v: ops.check_choice(v, ops.STATUSES, "status"),
        "area": lambda v: ops.check_choice(v, ops.AREAS, "area"),
        "text": lambda v: (v or "").strip() or None,
        "kind": lambda v: ops.check_choice(v, tuple(summaries.document_types()), "document"),
        "day_from": ops.parse_day,
        "day_to": ops.parse_day,
    }
    fields = {"user_id": "user", "status": "status", "area": "area", "text": "q",
              "kind": "document", "day_from": "from", "day_to": "to"}
    values: dict[str, Any] = {}
    for name, parse in parsers.items():
        try:
            values[name] = parse(args.get(fields[name]))
        except ops.OpsError as exc:
            flash(f"{fields[name]}: {exc}", "error")
    if values.get("text"):  # customers, vendors, employees by the name QuickBooks knows them by
        values["fragments"], values["records"] = summaries.named(db(), values["text"])
    return ops.JobFilter(**values)


def _user_id(name: str | None) -> int | None:
    """The id of the user called ``name`` (None for all users)."""
    return ops.user_by_name(db(), name).id if name else None


@bp.route(f"/jobs/<int(max={MAX_ID}):job_id>")
def job(job_id: int) -> ResponseReturnValue:
    found = db().get(Job, job_id)
    if found is None:
        return render_error(404, f"No job {job_id}.")
    allowed = [a for a, target in ACTION_TARGETS.items()
               if (target in TRANSITIONS[JobStatus(found.status)] and a != "retry")
               or (a == "retry" and found.status in RETRYABLE_STATES)]
    detail = ops.job_detail(db(), found)
    row = summaries.rows_for(db(), [found])[found.id]
    blockers = [d for d in detail["depends_on"]
                if d["status"] in (JobStatus.ERROR.value, JobStatus.BLOCKED.value)]
    return render_template("job.html", job=found, detail=detail, row=row,
                           problem=_explain(found, row), blocker=blockers[0] if blockers else None,
                           words=summaries.STATUS_WORDS, names_url=names_url,
                           name_record=_name_record(found), later=_later_job(found),
                           owner=db().get(User, found.user_id), actions=allowed)


def _later_job(found: Job) -> Job | None:
    """The newest job planned for the same record after ``found`` was retired (a name set in
    the name map plans a list record again as a new job): where its story goes on."""
    if found.status != JobStatus.CANCELLED.value:
        return None
    return db().scalars(select(Job).where(
        Job.user_id == found.user_id, Job.kind == found.kind, Job.source_key == found.source_key,
        Job.id > found.id).order_by(Job.id.desc()).limit(1)).first()


@bp.route(f"/jobs/<int(max={MAX_ID}):job_id>/<action>", methods=["POST"])
def job_action(job_id: int, action: str) -> ResponseReturnValue:
    if action not in ops.ACTIONS:
        abort(404)
    session = db()
    try:
        target = ops.get_job(session, job_id)
        ops.ACTIONS[action](session, target, actor=_actor())
        session.commit()
    except ops.OpsError as exc:
        session.rollback()
        flash(str(exc), "error")
    else:
        flash(f"Job {job_id}: {_DONE[action]}.", "info")
    return redirect(url_for("views.job", job_id=job_id))


_DONE = {"retry": "back in the queue", "skip": "skipped", "cancel": "cancelled"}


@bp.route("/queue/retry-errors", methods=["POST"])
def retry_errors() -> ResponseReturnValue:
    form = request.form
    try:
        area = ops.check_choice(form.get("area"), ops.AREAS, "area")
    except ops.OpsError as exc:
        flash(str(exc), "error")
        return redirect(url_for("views.queue"))
    user = _user_named(form.get("user"))
    session = db()
    retried = ops.retry_errors(session, user_id=user.id if user else None, area=area,
                               actor=_actor())
    session.commit()
    where = f" in {area}" if area else ""
    flash(f"{len(retried)} failed job(s){where} back in the queue.", "info")
    return redirect(url_for("views.queue", user=form.get("user") or None, area=area))


# ------------------------------------------------------------------ runs


@bp.route("/runs")
def runs() -> ResponseReturnValue:
    user = _user_named(request.args.get("user"))
    page = _page()
    rows, total = ops.list_runs(db(), user_id=user.id if user else None,
                                offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    counts = reports.count_outcomes(db(), [r.id for r in rows])
    return render_template("runs.html", runs=rows, counts=counts, total=total, page=page,
                           pages=max(1, -(-total // PAGE_SIZE)), users=_users(), names=_names(),
                           args=request.args, outcomes=reports.OUTCOMES,
                           duration=_duration, live=_live_runs())


@bp.route(f"/runs/<int(max={MAX_ID}):run_id>")
def run(run_id: int) -> ResponseReturnValue:
    try:
        report = reports.build_report(db(), run_id)
    except reports.ReportError:
        return render_error(404, f"No run {run_id}.")
    groups = run_view.attention(db(), run_id)
    page = _page()
    pages = max(1, -(-len(groups) // run_view.GROUPS_PER_PAGE))
    shown = groups[(page - 1) * run_view.GROUPS_PER_PAGE:page * run_view.GROUPS_PER_PAGE]
    run_view.explain_groups(db(), shown)
    return render_template("run.html", report=report, outcomes=reports.OUTCOMES,
                           summary=reports.summary_line(report), live=_live_runs(),
                           item_notes=reports.ITEM_NOTES, totals=run_view.totals(report),
                           columns=run_view.TOTALS, side_columns=run_view.SIDE_COLUMNS,
                           groups=shown, group_count=len(groups),
                           page=page, pages=pages, preview=run_view.SECTION_PREVIEW,
                           per_group=run_view.RECORDS_PER_GROUP, names_url=names_url,
                           area_label=run_view.area_label)


#: Records per page of a run's full list.
RECORDS_PAGE = 100


@bp.route(f"/runs/<int(max={MAX_ID}):run_id>/records")
def run_records(run_id: int) -> ResponseReturnValue:
    """Every record of one section of a run's report, paginated (the run page shows a preview)."""
    section = request.args.get("section", "errors")
    if section not in reports.SECTION_EVENTS:
        abort(400, f"section must be one of: {', '.join(reports.SECTION_EVENTS)}")
    try:
        report = reports.build_report(db(), run_id, sections=(section,))
    except reports.ReportError:
        return render_error(404, f"No run {run_id}.")
    items = report.items.get(section, [])
    page = _page()
    return render_template("run_records.html", report=report, section=section,
                           items=items[(page - 1) * RECORDS_PAGE:page * RECORDS_PAGE],
                           total=len(items), page=page, pages=max(1, -(-len(items) // RECORDS_PAGE)),
                           item_notes=reports.ITEM_NOTES, sections=reports.SECTION_EVENTS)


def _duration(run_row: Run) -> float | None:
    if run_row.ended_at is None:
        return None
    return (reports._aware(run_row.ended_at) - reports._aware(run_row.started_at)).total_seconds()


# ------------------------------------------------------------------ settings


@bp.route("/settings", methods=["GET", "POST"])
def settings() -> ResponseReturnValue:
    users = _users()
    if not users:
        return render_error(404, "No Web Connector user yet: add one with `qbwc-service user add`.")
    user = _user_named(request.values.get("user")) or users[0]
    session = db()
    errors: dict[str, str] = {}
    submitted: dict[str, str] = {}
    if request.method == "POST":
        submitted = _settings_form()
        values, problems = st.validate(submitted)
        errors = {p.split(":", 1)[0]: p for p in problems}
        if not errors:
            try:
                st.set_settings(session, user.id, submitted)
                session.commit()
                flash(f"Settings of {user.name} saved.", "info")
                return redirect(url_for("views.settings", user=user.name))
            except st.SettingError as exc:
                session.rollback()
                errors = {str(exc).split(":", 1)[0]: str(exc)}
        flash("Nothing was saved: correct the fields marked below.", "error")
    current = st.get_settings(session, user.id)
    shown = {spec.key: submitted.get(spec.key, spec.format(current[spec.key]))
             for spec in st.SETTINGS.values()}
    return render_template("settings.html", user=user, users=users, specs=st.SETTINGS,
                           groups=settings_form.grouped(), field=settings_form.field,
                           choices=settings_form.CHOICES, section_words=settings_form.SECTION_WORDS,
                           shown=shown, changed=current.changed, errors=errors,
                           sections=st.REPORT_SECTIONS, current=current,
                           today=utcnow().date().isoformat()), (400 if errors else 200)


def _settings_form() -> dict[str, str]:
    """Form fields -> raw setting values (checkbox groups and booleans made explicit)."""
    form = request.form
    whole = form.get("settings_form") == "1"  # the page's form: every checkbox was shown
    raw: dict[str, str] = {}
    for key, spec in st.SETTINGS.items():
        if spec.kind == "sections":
            raw[key] = ",".join(form.getlist(key))
        elif key in form:
            raw[key] = form[key]
        elif spec.kind == "bool" and whole:
            raw[key] = "false"  # an unticked checkbox sends nothing
    return raw


@bp.route("/settings/<action>", methods=["POST"])
def settings_action(action: str) -> ResponseReturnValue:
    if action not in sync_actions.ACTIONS:
        abort(404)
    user = _user_named(request.form.get("user"))
    if user is None:
        abort(400, "no user given")
    session = db()
    try:
        message = sync_actions.ACTIONS[action](session, user, request.form)
        session.commit()
        flash(message, "info")
    except sync_actions.ActionError as exc:
        session.rollback()
        flash(str(exc), "error")
    return redirect(url_for("views.settings", user=user.name))


# ------------------------------------------------------------------ audit trail


@bp.route("/audit")
def audit() -> ResponseReturnValue:
    text = request.args.get("q", "").strip()
    event = request.args.get("event", "").strip()
    event = event if event in AUDIT_FILTERS else ""
    page = _page()
    events, total = ops.search_audit(db(), text, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE,
                                     event=event)
    names = _names()
    return render_template("audit.html", events=events, total=total, page=page,
                           pages=max(1, -(-total // PAGE_SIZE)), q=text, names=names,
                           event=event, filters=AUDIT_FILTERS)


#: The events the audit trail can be narrowed to (``?event=``), as the page names them.
AUDIT_FILTERS = {jobs.CHANGED_AFTER_EXPORT: "Changed after export",
                 jobs.DELETED_AFTER_EXPORT: "Deleted after export"}


# ------------------------------------------------------------------ live progress


@bp.route("/progress.json")
def progress() -> ResponseReturnValue:
    """Open Web Connector sessions with their progress, and job counts; polled by admin.js."""
    live = _live_runs()
    user = _user_named(request.args.get("user"))
    return jsonify(active=[{"session_id": s.id, "user": s.user.name, "run_id": s.run_id,
                            "progress": s.progress, "since": s.created_at.isoformat()}
                           for s in live.values()],
                   counts=dequeue.counts_by_status(db(), user.id if user else None))


def _live_runs() -> dict[int, QbwcSession]:
    """Sessions still running, by run id (or by ``-session id`` before their run starts)."""
    ttl = timedelta(minutes=current_app.config["QBWC_TICKET_TTL_MINUTES"])
    rows = db().scalars(select(QbwcSession).where(QbwcSession.state == "open",
                                                  QbwcSession.last_seen_at >= utcnow() - ttl)
                        .order_by(QbwcSession.id))
    return {s.run_id if s.run_id is not None else -s.id: s for s in rows}


def _names() -> dict[int, str]:
    return {user_id: name for user_id, name in db().execute(select(User.id, User.name))}

