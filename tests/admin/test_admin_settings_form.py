"""The settings page as a form people understand: labels, groups, checkboxes and radios."""

from __future__ import annotations

from qbwc_service.admin import settings_form
from qbwc_service.queue.models import Setting
from qbwc_service.sync.settings import SETTINGS, get_settings


def _form(page):
    return next(f for f in page.forms.values() if "settings?user=" in (f.action or ""))


def test_every_setting_has_a_label_in_one_group():
    grouped = settings_form.grouped()
    keys = [spec.key for specs in grouped.values() for spec in specs]
    assert sorted(keys) == sorted(SETTINGS) and len(keys) == len(set(keys))
    assert "Other" not in grouped  # every key has its group
    assert all(settings_form.field(spec).label != spec.key for spec in SETTINGS.values())


def test_settings_read_in_the_seed_words_with_checkboxes_and_radios(logged_in):
    page = logged_in.get("/admin/settings?user=shop")
    text = page.text
    assert "Create QuickBooks invoices from:" in text
    assert "> Customer Billing</label>" in text and "> Packing List</label>" in text
    assert "> Quit syncing an area after an error</label>" in text
    assert text.index("<legend>Items to sync</legend>") < text.index("<legend>Options</legend>")
    form = _form(page)
    assert form["options.quit_area_on_error"].__class__.__name__ == "Checkbox"
    assert form["source.invoices"].__class__.__name__ == "Radio"
    assert form["source.invoices"].value == "billing"


def test_unticking_a_checkbox_saves_no_and_ticking_saves_yes(logged_in, sessions, users):
    form = _form(logged_in.get("/admin/settings?user=shop"))
    assert form["items.customer_billing"].checked  # on by default
    form["items.customer_billing"].checked = False
    form["options.quit_area_on_error"].checked = True
    form["source.invoices"] = "packing_list"
    form.submit().follow()
    with sessions() as db:
        mine = get_settings(db, users["shop"])
    assert mine["items.customer_billing"] is False
    assert mine["options.quit_area_on_error"] is True
    assert mine["source.invoices"] == "packing_list"


def test_a_refused_value_is_explained_next_to_its_field(logged_in, sessions):
    form = _form(logged_in.get("/admin/settings?user=shop"))
    form["sync.batch_size"] = "0"
    res = form.submit(status=400)
    field = res.text[res.text.index('id="f-sync.batch_size"'):]
    field = field[:field.index("</div>")]
    assert 'aria-invalid="true"' in field and 'id="e-sync.batch_size" role="alert"' in field
    assert "between 1 and 500" in field
    with sessions() as db:
        assert db.query(Setting).count() == 0
