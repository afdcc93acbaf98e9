"""Commands: ``queue list | show | retry | skip | cancel`` (the admin page's actions)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click
from sqlalchemy.orm import Session

from qbwc_service.cli.app import ROW_ID, CliState, main, pass_state, user_option
from qbwc_service.queue import ops
from qbwc_service.queue.db import transaction
from qbwc_service.queue.models import Job, User

ACTOR = "the command line"


def user_or_fail(db: Session, name: str) -> User:
    """The user called ``name``, or a clean CLI error."""
    try:
        return ops.user_by_name(db, name)
    except ops.OpsError as exc:
        raise click.ClickException(str(exc)) from None


@main.group("queue")
def queue_group() -> None:
    """Review the job queue and retry, skip or cancel jobs."""


@queue_group.command("list")
@user_option(required=False, scope="only its jobs")
@click.option("--status", type=click.Choice(ops.STATUSES), help="Only jobs in this status.")
@click.option("--area", type=click.Choice(ops.AREAS), help="Only this area.")
@click.option("--text", help="Text in the record key.")
@click.option("--limit", type=click.IntRange(1, 100000), default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def list_(state: CliState, user_name: str | None, status: str | None, area: str | None,
          text: str | None, limit: int, as_json: bool) -> None:
    """List jobs, newest first."""
    with transaction(state.sessions) as db:
        user_id = user_or_fail(db, user_name).id if user_name else None
        where = ops.JobFilter(user_id=user_id, status=status, area=area, text=text)
        page, total = ops.list_jobs(db, where, limit=limit)
        names = dict(db.query(User.id, User.name).all())
    if as_json:
        click.echo(json.dumps([{**ops.job_as_dict(j), "user": names.get(j.user_id)}
                               for j in page], indent=2))
        return
    if not page:
        click.echo("no jobs")
        return
    click.echo(f"{'ID':>7}  {'USER':<12} {'AREA':<5} {'STATUS':<9} {'KIND':<20} RECORD")
    for job in page:
        note = job.error_message or job.blocked_reason
        click.echo(f"{job.id:>7}  {names.get(job.user_id, '?')[:12]:<12} {job.area:<5} "
                   f"{job.status:<9} {job.kind[:20]:<20} {ops.jobs.record_key(job)}"
                   + (f"  ({note[:80]})" if note else ""))
    if total > len(page):
        click.echo(f"... {total - len(page)} more (use --limit or filters)")


@queue_group.command("show")
@click.argument("job_id", type=ROW_ID)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def show(state: CliState, job_id: int, as_json: bool) -> None:
    """Everything about one job: record, dependencies, qbXML, response, audit events."""
    with transaction(state.sessions) as db:
        detail = ops.job_detail(db, _job(db, job_id))
    if as_json:
        click.echo(json.dumps(detail, indent=2))
        return
    click.echo(_render_detail(detail))


def _render_detail(d: dict[str, Any]) -> str:
    fields = ("record_key", "kind", "area", "status", "attempts", "priority", "run_id", "qb_id",
              "error_code", "error_message", "blocked_reason", "created_at", "sent_at", "done_at")
    lines = [f"Job {d['id']}"] + [f"  {f}: {d[f]}" for f in fields if d[f] not in ("", None)]
    lines += [f"  warning: {w}" for w in d["warnings"]]
    for title, rel in (("Depends on", "depends_on"), ("Needed by", "dependents")):
        if d[rel]:
            lines.append(f"{title}:")
            lines += [f"  job {r['id']} {r['kind']} {r['record_key']} ({r['status']})" for r in d[rel]]
    for title, key in (("qbXML sent", "request_xml"), ("QuickBooks' response", "response_xml")):
        lines += [f"{title}:", d[key] or "  (none)"]
    lines.append("Audit events:")
    lines += [f"  {e['at']}  {e['event']:<14} {e['detail']}" for e in d["events"]]
    return "\n".join(lines)


@queue_group.command("retry")
@click.argument("job_id", type=ROW_ID, required=False)
@click.option("--all-errors", is_flag=True, help="Retry every job in error.")
@click.option("--area", type=click.Choice(ops.AREAS), help="With --all-errors: only this area.")
@user_option(required=False, scope="with --all-errors, only its jobs")
@pass_state
def retry(state: CliState, job_id: int | None, all_errors: bool, area: str | None,
          user_name: str | None) -> None:
    """Send a failed, skipped or blocked job again (or every error with --all-errors)."""
    if (job_id is None) == (not all_errors):
        raise click.UsageError("give a job ID or --all-errors (not both)")
    if job_id is None:
        with transaction(state.sessions) as db:
            user_id = user_or_fail(db, user_name).id if user_name else None
            retried = ops.retry_errors(db, user_id=user_id, area=area, actor=ACTOR)
        click.echo(f"{len(retried)} job(s) back in the queue")
        return
    if area or user_name:
        raise click.UsageError("--area and --user go with --all-errors")
    _act(state, job_id, lambda db, job: ops.retry_job(db, job, actor=ACTOR), "back in the queue")


@queue_group.command("skip")
@click.argument("job_id", type=ROW_ID)
@pass_state
def skip(state: CliState, job_id: int) -> None:
    """Do not send this job (a later plan may queue the record again)."""
    _act(state, job_id, lambda db, job: ops.skip_job(db, job, actor=ACTOR), "skipped")


@queue_group.command("cancel")
@click.argument("job_id", type=ROW_ID)
@pass_state
def cancel(state: CliState, job_id: int) -> None:
    """Retire this job for good."""
    _act(state, job_id, lambda db, job: ops.cancel_job(db, job, actor=ACTOR), "cancelled")


def _act(state: CliState, job_id: int, action: Callable[[Session, Job], object], done: str) -> None:
    try:
        with transaction(state.sessions) as db:
            action(db, _job(db, job_id))
    except ops.OpsError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"job {job_id} {done}")


def _job(db: Session, job_id: int) -> Job:
    try:
        return ops.get_job(db, job_id)
    except ops.OpsError as exc:
        raise click.ClickException(str(exc)) from None
