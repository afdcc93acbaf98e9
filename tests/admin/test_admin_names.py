"""The admin page of the name map: list, search, edit (CSRF-protected), remove."""

from __future__ import annotations

from sqlalchemy import select

from qbwc_service.queue.db import transaction
from qbwc_service.queue.models import NameMapEntry
from qbwc_service.sync.kinds import item
from qbwc_service.sync.names.book import NameBook
from qbwc_service.sync.names.rule import shorten

LONG_PART = "HYD-MANIFOLD-ASSY-4-PORT-STAINLESS-316L-REV-C"


def _shortened(sessions, user_id: int) -> str:
    with transaction(sessions) as db:
        name = NameBook(db, user_id, {}).assign(item.NAMES, LONG_PART, LONG_PART)
    assert name is not None
    return name


def _form(page):
    return next(f for f in page.forms.values()
                if (f.action or "").endswith("/admin/names") and f.method.lower() == "post")


def test_the_page_lists_and_searches_the_map(logged_in, sessions, users):
    name = _shortened(sessions, users["shop"])
    page = logged_in.get("/admin/names?user=shop")
    assert LONG_PART in page.text and name in page.text and "auto" in page.text
    assert 'href="/admin/names"' in logged_in.get("/admin/queue").text  # in the menu
    assert name in logged_in.get("/admin/names?user=shop&q=manifold").text
    assert "No names mapped matching" in logged_in.get("/admin/names?user=shop&q=nothing").text
    assert name not in logged_in.get("/admin/names?user=other").text
    logged_in.get("/admin/names?user=shop&kind=part", status=400)


def test_the_form_sets_a_name_and_refuses_a_bad_one(logged_in, sessions, users):
    _shortened(sessions, users["shop"])
    form = _form(logged_in.get("/admin/names?user=shop"))
    form["kind"] = "item"
    form["key"] = LONG_PART
    form["qb_name"] = "HYD-4P-316L"
    saved = form.submit().follow()
    assert "HYD-4P-316L" in saved.text and "jobs planned again" in saved.text
    with sessions() as db:
        [row] = db.scalars(select(NameMapEntry).where(NameMapEntry.user_id == users["shop"]))
    assert (row.qb_name, row.origin, row.set_by) == ("HYD-4P-316L", "manual", "admin ann")

    form = _form(logged_in.get("/admin/names?user=shop"))
    form["kind"] = "item"
    form["key"] = LONG_PART
    form["qb_name"] = "Z" * 32
    refused = form.submit().follow()
    assert "Not saved" in refused.text and "QuickBooks allows 31" in refused.text
    # The form keeps what was typed, to correct it.
    assert _form(refused)["qb_name"].value == "Z" * 32


def test_posts_without_the_csrf_token_are_refused(logged_in, sessions, users):
    name = _shortened(sessions, users["shop"])
    logged_in.post("/admin/names", {"user": "shop", "kind": "item", "key": LONG_PART,
                                    "qb_name": "X"}, status=400)
    logged_in.post("/admin/names/unset", {"user": "shop", "kind": "item", "key": LONG_PART},
                   status=400)
    with sessions() as db:
        assert db.scalar(select(NameMapEntry.qb_name)) == name


def test_remove_goes_back_to_the_default(logged_in, sessions, users):
    _shortened(sessions, users["shop"])
    page = logged_in.get("/admin/names?user=shop")
    remove = next(f for f in page.forms.values() if (f.action or "").endswith("/names/unset"))
    done = remove.submit().follow()
    assert "mapping removed" in done.text
    with sessions() as db:
        assert db.scalar(select(NameMapEntry.id)) is None
    assert shorten(item.NAMES, LONG_PART) not in done.text


def test_the_page_needs_a_login(app):
    assert "/admin/login" in app.get("/admin/names", status=302).location
