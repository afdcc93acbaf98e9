"""A report on one screen (``render_text`` with a limit): long sections capped, repeated reasons said once."""

from __future__ import annotations

from datetime import UTC, datetime

from qbwc_service.sync.reports import Report, ReportItem, render_text, summary_line

AT = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
HINT = "qbwc-service --config demo.toml report"
REASON = "waiting for customer.ensure CustCode:ACME2 (job 5, error): 3100: The name is already in use."


def summary_text(report: Report, hint: str, limit: int) -> str:
    return render_text(report, limit=limit, more_hint=hint)


def item(outcome: str, area: str, key: str, message: str) -> ReportItem:
    return ReportItem(outcome, area, "x", key, None, message, AT)


def report() -> Report:
    created = [item("created", "ar", f"Billing:INV-{n}", f"TXN-{n}") for n in range(25)]
    errors = [item("error", "lists", "CustCode:ACME2", "3100: The name is already in use."),
              *[item("blocked", "ar", f"Billing:INV-{n}", REASON) for n in range(100, 140)],
              item("warning", "lists", "CustCode:SGU", "characters replaced"),
              item("warning", "lists", "CustCode:SGU", "characters replaced")]
    return Report(run_id=7, user_id=1, user_name="demo", started_at=AT, ended_at=AT, status="errors",
                  round_trips=3, counts={"ar": {"created": 25, "blocked": 40}, "lists": {"error": 1}},
                  sections=("created", "errors"), items={"created": created, "errors": errors})


def test_long_sections_are_capped_with_the_command_that_shows_all():
    text = summary_text(report(), HINT, limit=10)
    lines = text.splitlines()
    assert "Created (25)" in lines
    created = lines[lines.index("Created (25)") + 1: lines.index("Created (25)") + 12]
    assert created[:10] == [f"  [ar] Billing:INV-{n}: TXN-{n}" for n in range(10)]
    assert created[10] == f"  ... 15 more: {HINT}"
    assert "Billing:INV-10:" not in text and "TXN-24" not in text
    assert text.startswith("Run 7 of demo: errors") and lines[-1] == summary_line(report())
    assert "area" in text and "blocked" in lines[2]  # the count table stays


def test_records_blocked_for_one_reason_share_one_line():
    text = summary_text(report(), HINT, limit=10)
    assert text.count(REASON) == 1
    assert ("  [ar] Billing:INV-100, Billing:INV-101 and 38 more (blocked): " + REASON) in text
    assert "  [lists] CustCode:SGU: characters replaced" in text  # one record, said twice: named once
    errors = text.split("Errors (43)\n")[1]
    assert "more:" not in errors.split("\n\n")[0]  # three groups fit in ten lines


def test_a_small_limit_counts_the_records_left_out():
    text = summary_text(report(), HINT, limit=1)
    errors = text.split("Errors (43)\n")[1].split("\n\n")[0].splitlines()
    assert errors == ["  [lists] CustCode:ACME2: 3100: The name is already in use.", f"  ... 42 more: {HINT}"]
