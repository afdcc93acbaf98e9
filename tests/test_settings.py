"""Sync settings: the table, typed values, validation and the CLI."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from qbwc_service.cli import main
from qbwc_service.queue.models import Setting, User
from qbwc_service.sync import settings as st

ISSUE_KEYS = {
    "items.customer_billing": True, "items.vendor_invoices": True,
    "items.time_and_attendance": False, "source.invoices": "billing",
    "source.bills": "vendor_invoice", "options.mark_ar_paid": False,
    "options.mark_ap_paid": False, "options.parts_as_service_items": True,
    "options.validate_sync_tables": False, "options.quit_area_on_error": False,
    "options.update_after_edit": False, "options.update_exported": False, "sync.type": "manual",
    "sync.begin": None, "sync.end": None, "sync.batch_size": 50,
    "report.sections": ("created", "updated", "skipped", "warnings", "errors"),
}


@pytest.fixture
def shop(sessions) -> int:
    with sessions.begin() as db:
        user = User(name="shop", password_hash="x")
        db.add(user)
        db.flush()
        return user.id


def test_every_issue_key_has_its_default(sessions, shop):
    with sessions() as db:
        values = st.get_settings(db, shop)
    for key, default in ISSUE_KEYS.items():
        assert values[key] == default, key
    for group in ("income", "cogs", "asset", "expense", "ar", "ap"):
        assert values[f"defaults.{group}_account"]
    assert values["defaults.freight_item"] == "Freight"
    assert values.payroll_item(1) == "Regular Pay"
    assert values.payroll_item("2") == "Overtime Pay"
    assert values.payroll_item(7) == "Regular Pay"  # unset codes fall back to code 1
    assert values.payroll_item(None) == "Regular Pay"


def test_set_stores_typed_values_per_user(sessions, shop):
    with sessions.begin() as db:
        other = User(name="other", password_hash="x")
        db.add(other)
        db.flush()
        assert st.set_setting(db, shop, "sync.batch_size", "120") == 120
        assert st.set_setting(db, shop, "options.mark_ar_paid", "yes") is True
        assert st.set_setting(db, shop, "sync.begin", "2024-03-01") == date(2024, 3, 1)
        assert st.set_setting(db, shop, "report.sections", "errors, created") == (
            "created", "errors")
        assert st.set_setting(db, shop, "source.invoices", "packing_list") == "packing_list"
        assert st.set_setting(db, shop, "defaults.payroll_item.7", "Shift Pay") == "Shift Pay"
        st.set_setting(db, shop, "sync.batch_size", "60")  # overwrite, not a second row
    with sessions() as db:
        mine = st.get_settings(db, shop)
        theirs = st.get_settings(db, other.id)
        assert mine.batch_size == 60 and theirs.batch_size == 50
        assert mine["options.mark_ar_paid"] is True
        assert mine.sections == ("created", "errors")
        assert mine.payroll_item(7) == "Shift Pay"
        assert "sync.batch_size" in mine.changed and "sync.type" not in mine.changed
        assert db.query(Setting).filter_by(user_id=shop, key="sync.batch_size").count() == 1
        as_json = st.settings_as_dict(mine)
        assert as_json["sync.begin"] == "2024-03-01" and as_json["sync.end"] == ""
        json.dumps(as_json)


@pytest.mark.parametrize(("key", "value", "message"), [
    ("sync.batch_size", "0", "between 1 and 500"),
    ("sync.batch_size", "501", "between 1 and 500"),
    ("sync.batch_size", "ten", "whole number"),
    ("items.customer_billing", "maybe", "true or false"),
    ("source.bills", "po", "vendor_invoice, receiver"),
    ("sync.type", "hourly", "manual, auto"),
    ("sync.begin", "03/01/2024", "YYYY-MM-DD"),
    ("sync.end", "2024-02-30", "YYYY-MM-DD"),
    ("report.sections", "created,totals", "unknown section 'totals'"),
    ("defaults.income_account", "", "must not be empty"),
    ("defaults.freight_item", "F" * 32, "31 characters"),
    ("defaults.income_account", "Income::Parts", "empty level"),
    ("defaults.payroll_item.11", "Pay", "unknown setting"),
    ("options.nonsense", "true", "unknown setting"),
])
def test_bad_values_are_refused_with_a_clear_message(sessions, shop, key, value, message):
    with sessions.begin() as db, pytest.raises(st.SettingError) as err:
        st.set_setting(db, shop, key, value)
    assert message in str(err.value)
    assert key in str(err.value)
    with sessions() as db:
        assert db.query(Setting).count() == 0


def test_end_before_begin_is_refused_and_nothing_is_stored(sessions, shop):
    with sessions.begin() as db:
        st.set_setting(db, shop, "sync.begin", "2024-05-01")
    with sessions.begin() as db, pytest.raises(st.SettingError, match="before sync.begin"):
        st.set_settings(db, shop, {"sync.end": "2024-04-30", "sync.batch_size": "10"})
    with sessions() as db:
        assert st.get_settings(db, shop).batch_size == 50


def test_reset_and_stale_stored_values_fall_back_to_defaults(sessions, shop):
    with sessions.begin() as db:
        st.set_setting(db, shop, "sync.type", "auto")
        db.add(Setting(user_id=shop, key="sync.batch_size", value="garbage"))
        db.add(Setting(user_id=shop, key="retired.key", value="1"))
    with sessions.begin() as db:
        assert st.get_settings(db, shop).is_auto
        assert st.get_settings(db, shop).batch_size == 50
        assert st.reset_setting(db, shop, "sync.type") == "manual"
    with sessions() as db:
        assert not st.get_settings(db, shop).is_auto


def test_cli_show_and_set(config_file, sessions, shop):
    runner = CliRunner()
    base = ["--config", str(config_file), "settings"]
    ok = runner.invoke(main, [*base, "set", "--user", "shop", "sync.batch_size", "75"])
    assert ok.exit_code == 0, ok.output
    assert "sync.batch_size = 75" in ok.output
    shown = runner.invoke(main, [*base, "show", "--user", "shop", "--json"])
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.output)
    assert data["sync.batch_size"] == 75
    assert data["report.sections"] == "created,updated,skipped,warnings,errors"
    text = runner.invoke(main, [*base, "show", "--user", "shop"])
    assert "sync.batch_size" in text.output and "75" in text.output
    assert "items.customer_billing" in text.output


@pytest.mark.parametrize(("args", "message"), [
    (["set", "--user", "shop", "sync.batch_size", "0"], "between 1 and 500"),
    (["set", "--user", "shop", "no.such", "1"], "unknown setting"),
    (["set", "--user", "ghost", "sync.batch_size", "5"], "no user 'ghost'"),
    (["show", "--user", "ghost"], "no user 'ghost'"),
])
def test_cli_errors_exit_non_zero(config_file, shop, args, message):
    result = CliRunner().invoke(main, ["--config", str(config_file), "settings", *args])
    assert result.exit_code != 0
    assert message in result.output


def test_a_value_set_back_to_its_default_is_not_marked_changed(config_file, sessions, shop):
    runner = CliRunner()
    base = ["--config", str(config_file), "settings"]
    for key, value in (("sync.batch_size", "50"), ("options.mark_ar_paid", "true")):
        assert runner.invoke(main, [*base, "set", "--user", "shop", key, value]).exit_code == 0
    with sessions() as db:
        assert st.get_settings(db, shop).changed == {"options.mark_ar_paid"}
    lines = runner.invoke(main, [*base, "show", "--user", "shop"]).output.splitlines()
    marked = {line.split()[0] for line in lines if line.split()[1:2] == ["*"]}
    assert marked == {"options.mark_ar_paid"}
    assert len({line.index("#") for line in lines if "#" in line}) == 1  # help in one column


def _set_high_water(sessions, user_id: int) -> None:
    with sessions.begin() as db:
        st.forget_high_water(db, user_id)
        db.add(Setting(user_id=user_id, key=st.HIGH_WATER_KEY, value="2026-01-31T00:00:00"))


def _high_water(db, user_id: int) -> str | None:
    return db.query(Setting.value).filter_by(user_id=user_id, key=st.HIGH_WATER_KEY).scalar()


@pytest.mark.parametrize("key, value, forgotten", [
    ("items.vendor_invoices", "false", True),
    ("source.invoices", "packing_list", True),
    ("sync.begin", "2025-01-01", True),
    ("options.validate_sync_tables", "true", True),
    ("items.customer_billing", "true", False),  # the value it had: nothing changes
    ("sync.batch_size", "10", False),
    ("report.sections", "errors", False),
])
def test_a_scope_change_forgets_the_auto_sync_mark(sessions, shop, key, value, forgotten):
    _set_high_water(sessions, shop)
    with sessions.begin() as db:
        st.set_setting(db, shop, key, value)
    with sessions() as db:
        assert (_high_water(db, shop) is None) is forgotten
    _set_high_water(sessions, shop)  # resetting a scope key forgets it too
    with sessions.begin() as db:
        st.reset_setting(db, shop, key)
    with sessions() as db:
        assert (_high_water(db, shop) is None) is (key in st.SCOPE_KEYS)
