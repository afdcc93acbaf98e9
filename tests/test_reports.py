"""Run reports: counts per area and outcome, sections, text, JSON and the CLI."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner

from qbwc_service.cli import main
from qbwc_service.queue import jobs
from qbwc_service.queue.models import Run, User, utcnow
from qbwc_service.sync import reports
from qbwc_service.sync.running import runs
from qbwc_service.sync.settings import get_settings, set_setting


def _job(db, user_id, key, area, kind):
    job = jobs.add_job(db, user_id=user_id, area=area, kind=kind, source_table="Billing",
                       source_key=key, source_version="1", payload={})
    jobs.transition(db, job, "sent")
    return job


@pytest.fixture
def run_ids(sessions):
    """Two users; shop's run 1 did a bit of everything, other's run 2 one invoice."""
    with sessions.begin() as db:
        shop, other = User(name="shop", password_hash="x"), User(name="other", password_hash="x")
        db.add_all([shop, other])
        db.flush()
        start = utcnow() - timedelta(seconds=90)
        run = Run(user_id=shop.id, started_at=start, ended_at=start + timedelta(seconds=30),
                  status="errors", round_trips=4)
        run2 = Run(user_id=other.id, status="ok")
        db.add_all([run, run2])
        db.flush()
        for n in range(3):
            jobs.transition(db, _job(db, shop.id, f"INV{n}", "ar", "invoice.add"), "done",
                            run_id=run.id)
        jobs.transition(db, _job(db, shop.id, "ACME", "lists", "customer.ensure"), "done",
                        event=jobs.ADOPTED, run_id=run.id)
        jobs.transition(db, _job(db, shop.id, "B1", "ap", "bill.add"), "error",
                        reason="3140: There is an invalid reference to QuickBooks Vendor",
                        run_id=run.id)
        warned = _job(db, shop.id, "T1", "time", "time.add")
        jobs.transition(db, warned, "done", run_id=run.id)
        jobs.add_warning(db, warned, "notes shortened", run_id=run.id)
        jobs.transition(db, _job(db, other.id, "X1", "ar", "invoice.add"), "done",
                        run_id=run2.id)
        return run.id, run2.id


def test_counts_and_items_per_section(sessions, run_ids):
    with sessions() as db:
        report = reports.build_report(db, run_ids[0])
    assert report.counts == {"ar": {"created": 3}, "ap": {"error": 1},
                             "time": {"created": 1, "warning": 1}, "lists": {"adopted": 1}}
    assert report.sections == reports.REPORT_SECTIONS
    errors = report.items["errors"]
    assert [(e.record_key, e.area) for e in errors] == [("Billing:B1", "ap")]
    assert "invalid reference to QuickBooks Vendor" in errors[0].message
    assert {i.record_key for i in report.items["created"]} == {
        "Billing:INV0", "Billing:INV1", "Billing:INV2", "Billing:T1", "Billing:ACME"}
    assert [w.message for w in report.items["warnings"]] == ["notes shortened"]
    assert report.duration_seconds == pytest.approx(30)
    line = reports.summary_line(report)
    assert line == ("3 invoices, 1 time record created; 1 already in QuickBooks; 1 warning; "
                    f"1 error (report {run_ids[0]})")


def test_users_sections_filter_the_items(sessions, run_ids):
    with sessions.begin() as db:
        user_id = db.get(Run, run_ids[0]).user_id
        set_setting(db, user_id, "report.sections", "errors,warnings")
    with sessions() as db:
        report = reports.build_report(db, run_ids[0])
        assert report.sections == ("warnings", "errors")
        assert set(report.items) == {"warnings", "errors"}
        assert report.total("created") == 3 + 1  # counts stay complete
        text = reports.render_text(report)
    assert "Errors (1)" in text and "Billing:B1" in text and "3140" in text
    assert "Created (" not in text and "Billing:INV0" not in text
    with sessions() as db:
        explicit = reports.build_report(db, run_ids[0], sections=["created"])
    assert set(explicit.items) == {"created"}


def test_runs_are_per_user_and_latest(sessions, run_ids):
    with sessions() as db:
        assert reports.latest_run_id(db) == run_ids[1]
        shop = db.get(Run, run_ids[0]).user_id
        assert reports.latest_run_id(db, shop) == run_ids[0]
        other_report = reports.build_report(db, run_ids[1])
        assert other_report.counts == {"ar": {"created": 1}}
        with pytest.raises(reports.ReportError):
            reports.build_report(db, 999)


def test_store_report_keeps_counts_on_the_run(sessions, run_ids):
    with sessions.begin() as db:
        report = reports.store_report(db, run_ids[0])
        run = db.get(Run, run_ids[0])
        assert run.counts == report.counts
        assert run.summary.endswith(f"(report {run_ids[0]})")
        json.dumps(run.report)


def test_closing_a_run_stores_totals_not_every_record(sessions, run_ids):
    """The run keeps counts and summary; its records are read back from the audit trail."""
    with sessions.begin() as db:
        summary = runs.finish(db, run_ids[0], get_settings(db, db.get(Run, run_ids[0]).user_id))
    with sessions() as db:
        run = db.get(Run, run_ids[0])
        assert run.status == "errors" and run.summary == summary
        assert run.report["counts"] == run.counts == {
            "ar": {"created": 3}, "ap": {"error": 1}, "time": {"created": 1, "warning": 1},
            "lists": {"adopted": 1}}
        assert "items" not in run.report
        rebuilt = reports.build_report(db, run_ids[0])
    assert [i.record_key for i in rebuilt.items["errors"]] == ["Billing:B1"]
    assert reports.summary_line(rebuilt) == summary


def test_cli_report(config_file, run_ids):
    runner = CliRunner()
    base = ["--config", str(config_file), "report"]
    latest = runner.invoke(main, base)
    assert latest.exit_code == 0, latest.output
    assert f"Run {run_ids[1]} of other" in latest.output
    mine = runner.invoke(main, [*base, "--user", "shop", "--json"])
    data = json.loads(mine.output)
    assert data["run_id"] == run_ids[0]
    assert data["counts"]["ap"] == {"error": 1}
    assert data["items"]["errors"][0]["record_key"] == "Billing:B1"
    by_id = runner.invoke(main, [*base, str(run_ids[0])])
    assert "Billing:B1" in by_id.output and "3140" in by_id.output
    wrong = runner.invoke(main, [*base, str(run_ids[1]), "--user", "shop"])
    assert wrong.exit_code != 0 and "belongs to other" in wrong.output
    missing = runner.invoke(main, [*base, "999"])
    assert missing.exit_code != 0 and "no run 999" in missing.output


def test_cli_report_without_runs(config_file, sessions):
    result = CliRunner().invoke(main, ["--config", str(config_file), "report"])
    assert result.exit_code != 0
    assert "no sync run yet" in result.output


def test_jobs_blocked_in_a_run_are_counted_and_listed_with_the_reason(sessions):
    """A failed customer blocks its invoices: the accountant sees them per area, with why."""
    with sessions.begin() as db:
        shop, other = User(name="shop", password_hash="x"), User(name="other", password_hash="x")
        db.add_all([shop, other])
        db.flush()
        run = Run(user_id=shop.id, started_at=utcnow() - timedelta(seconds=5), status="running")
        db.add(run)
        db.flush()
        customer = _job(db, shop.id, "ACME", "lists", "customer.ensure")
        other_customer = jobs.add_job(db, user_id=shop.id, area="lists", kind="customer.ensure",
                                      source_table="Billing", source_key="BETA",
                                      source_version="1", payload={})
        invoices = [jobs.add_job(db, user_id=shop.id, area="ar", kind="invoice.add",
                                 source_table="Billing", source_key=f"INV{n}", source_version="1",
                                 payload={}, depends_on=[customer]) for n in range(2)]
        # blocked before the run started, or another user's: not this run's
        jobs.audit(db, user_id=shop.id, event=jobs.BLOCKED, job=invoices[0],
                   at=run.started_at - timedelta(minutes=5), detail="old")
        jobs.audit(db, user_id=other.id, event=jobs.BLOCKED, record_key="Billing:X", detail="x")
        jobs.transition(db, customer, "error", reason="3100: name in use", run_id=run.id)
        jobs.block_dependents(db, customer, "3100: name in use", run_id=run.id)
        # blocked during the run but not by it (an admin's skip): not this run's
        other_inv = jobs.add_job(db, user_id=shop.id, area="ar", kind="invoice.add",
                                 source_table="Billing", source_key="INV9", source_version="1",
                                 payload={}, depends_on=[other_customer])
        jobs.transition(db, other_customer, "skipped", reason="skipped by admin")
        assert [j.id for j in jobs.block_dependents(db, other_customer, "skipped")] == [other_inv.id]
        run.ended_at = utcnow()
        report = reports.store_report(db, run.id)
        run_id = run.id
    assert report.counts == {"ar": {"blocked": 2}, "lists": {"error": 1}}
    blocked = [i for i in report.items["errors"] if i.outcome == jobs.BLOCKED]
    assert [i.record_key for i in blocked] == ["Billing:INV0", "Billing:INV1"]
    assert all("Billing:ACME" in i.message and "name in use" in i.message for i in blocked)
    line = reports.summary_line(report)
    assert line == f"1 error; 2 blocked by a failed record (report {run_id})"
    text = reports.render_text(report)
    assert "Billing:INV1 (blocked): waiting for customer.ensure Billing:ACME" in text
    with sessions() as db:
        assert reports.count_outcomes(db, [run_id])[run_id]["ar"] == {"blocked": 2}
        only_created = reports.build_report(db, run_id, sections=["created"])
    assert only_created.items == {"created": []} and only_created.total("blocked") == 2
