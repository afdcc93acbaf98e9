"""The name map end to end: the demo synced with default settings, names set by hand,
adoption of a record QuickBooks already has, and the jobs planned again."""

from __future__ import annotations

from typing import Any

from click.testing import CliRunner
from lxml import etree
from sqlalchemy import select

from qbwc_service import accounts
from qbwc_service.cli import main
from qbwc_service.qbxml import requests as rq
from qbwc_service.qbxml.build import build_request_element
from qbwc_service.qbxml.message import serialize
from qbwc_service.queue.db import transaction
from qbwc_service.queue.models import AuditEvent, Job, NameMapEntry
from qbwc_service.simulator.demo_db import HARD_CASES
from qbwc_service.sync import reports
from qbwc_service.sync.kinds import item
from qbwc_service.sync.names import edits
from qbwc_service.sync.names.rule import NameProblem, shorten
from sync.conftest import PASSWORD, World
from sync.helpers import assert_invoices_synced, jobs, qb_records

LONG_PART = HARD_CASES["long_part_no"]
LONG_CUSTOMER = HARD_CASES["long_name_customer"]


def _entries(world: World) -> dict[tuple[str, str], NameMapEntry]:
    with world.sessions() as db:
        return {(e.kind, e.source_key): e for e in db.scalars(select(NameMapEntry))}


def _events(world: World, job_id: int) -> list[str]:
    with world.sessions() as db:
        return list(db.scalars(select(AuditEvent.event).where(AuditEvent.job_id == job_id)
                               .order_by(AuditEvent.id)))


def _add_to_quickbooks(world: World, request: Any) -> None:
    root = etree.Element("QBXML")
    etree.SubElement(root, "QBXMLMsgsRq", onError="stopOnError").append(
        build_request_element(request, "13.0", "US", "1", []))
    answer = world.qb().process(serialize(root, "13.0"))
    assert 'statusCode="0"' in answer, answer


def _set(world: World, *args: str) -> edits.Edit:
    with transaction(world.sessions) as db:
        return edits.set_name(db, world.user(db), *args, actor="test")


def test_demo_with_default_settings_blocks_nothing_for_a_length(world):
    world.set(options__validate_sync_tables="true")  # every part and customer, long ones too
    world.plan()
    results = world.sync_until_idle()
    assert results[-1].outcome == "none"
    failed = [j for j in jobs(world) if j.status in ("error", "blocked")]
    assert not [j for j in failed if "longer than" in (j.error_message or j.blocked_reason or "")]
    entries = _entries(world)
    assert {("item", LONG_PART), ("customer", LONG_CUSTOMER)} <= set(entries)
    part = entries[("item", LONG_PART)]
    assert part.qb_name == shorten(item.NAMES, LONG_PART) and part.origin == "auto"
    [qb_item] = [r for r in qb_records(world.quickbooks, "ItemServiceRet")
                 if r["Name"] == part.qb_name]
    assert LONG_PART in qb_item["SalesAndPurchase"]["SalesDesc"]
    customer = entries[("customer", LONG_CUSTOMER)]
    [qb_customer] = [r for r in qb_records(world.quickbooks, "CustomerRet")
                     if r["Name"] == customer.qb_name]
    assert customer.source_value in qb_customer["Notes"]
    # Every shortening is a warning in the run's report, never an error.
    with world.sessions() as db:
        text = "\n".join(reports.render_text(reports.build_report(db, run_id))
                         for run_id in filter(None, (r.run_id for r in _runs(db))))
    for entry in entries.values():
        assert f"sent as {entry.qb_name!r}" in text, entry.qb_name
    theirs = [i for i in world.reader.ar_invoices(_window()) if i.cust_code == LONG_CUSTOMER
              or any(line.part_no == LONG_PART for line in i.lines)]
    assert len(theirs) >= 3  # 2 for the long-named customer, 1 for the long part number
    assert assert_invoices_synced(world, theirs) == len(theirs)


def _window() -> Any:
    from qbwc_service.jobboss.reader import TxnFilter
    from sync.conftest import WINDOW

    return TxnFilter(date_from=WINDOW[0], date_to=WINDOW[1], only_unexported=False)


def _runs(db: Any) -> list[Any]:
    from qbwc_service.queue.models import Run

    return [type("R", (), {"run_id": run_id}) for run_id in db.scalars(select(Run.id))]


def test_names_are_stable_across_planner_runs_and_machines(world, demo_template, tmp_path):
    world.set(options__validate_sync_tables="true")
    world.plan()
    first = {k: e.qb_name for k, e in _entries(world).items()}
    assert ("item", LONG_PART) in first
    world.plan()
    assert {k: e.qb_name for k, e in _entries(world).items()} == first
    # Another company on another machine, planned from the same data: the same names.
    import shutil

    copy = tmp_path / "other.sqlite3"
    shutil.copy(demo_template, copy)
    with transaction(world.sessions) as db:
        accounts.create_user(db, "other", PASSWORD, jobboss_url=str(copy))
    other = World(sessions=world.sessions, server=world.server, jobboss=copy, user_name="other")
    other.set(options__validate_sync_tables="true")
    other.plan()
    with world.sessions() as db:
        theirs = {(e.kind, e.source_key): e.qb_name for e in db.scalars(
            select(NameMapEntry).where(NameMapEntry.user_id == other.user(db).id))}
    assert theirs == first


def test_names_set_plans_again_the_failed_part_and_its_invoices(world):
    world.set(names__item="error", items__vendor_invoices="false")
    world.plan()
    world.sync_until_idle()
    [failed] = [j for j in jobs(world, "item.ensure") if j.source_key == LONG_PART]
    assert failed.status == "error" and "longer than 31" in failed.error_message
    waiting = [j for j in jobs(world, "invoice.add") if j.status == "blocked"
               and LONG_PART in j.blocked_reason]
    assert waiting

    done = _set(world, "item", LONG_PART, "HYD-MANIFOLD-4P-316L-C")
    assert done.replanned == 1
    [old, new] = [j for j in jobs(world, "item.ensure") if j.source_key == LONG_PART]
    assert (old.id, old.status) == (failed.id, "cancelled") and new.status == "pending"
    assert new.payload["name"] == "HYD-MANIFOLD-4P-316L-C"
    assert _events(world, old.id)[-1] == "replanned"
    for job in jobs(world, "invoice.add"):
        if job.id in {w.id for w in waiting}:
            assert job.status == "pending" and _events(world, job.id)[-1] == "unblocked"

    world.sync_until_idle()
    [qb_item] = [r for r in qb_records(world.quickbooks, "ItemServiceRet")
                 if r["Name"] == "HYD-MANIFOLD-4P-316L-C"]
    for job in jobs(world, "invoice.add"):
        if job.id in {w.id for w in waiting}:
            assert job.status == "done"
    lines = [line for inv in qb_records(world.quickbooks, "InvoiceRet")
             for line in _lines(inv) if line.get("ItemRef", {}).get("ListID") == qb_item["ListID"]]
    assert len(lines) == len(waiting)


def _lines(inv: dict[str, Any]) -> list[dict[str, Any]]:
    lines = inv.get("InvoiceLineRet") or []
    return [lines] if isinstance(lines, dict) else lines


def test_a_manual_name_that_exists_in_quickbooks_is_adopted_not_duplicated(world, config_file):
    world.set(names__customer="error", items__vendor_invoices="false")
    world.plan()
    world.sync_until_idle()
    [failed] = [j for j in jobs(world, "customer.ensure") if j.source_key == LONG_CUSTOMER]
    assert failed.status == "error"
    _add_to_quickbooks(world, rq.CustomerAdd(name="Northwestern Aerospace"))

    # Through the command line, as a person would.
    config = config_file
    result = CliRunner().invoke(main, ["--config", str(config), "names", "set", "--user", "shop",
                                       "customer", LONG_CUSTOMER, "Northwestern Aerospace"])
    assert result.exit_code == 0, result.output
    assert "1 jobs planned again" in result.output
    entry = _entries(world)[("customer", LONG_CUSTOMER)]
    assert (entry.qb_name, entry.origin, entry.set_by) == (
        "Northwestern Aerospace", "manual", "command line")
    assert entry.source_value == "Northwestern Aerospace Precision Assemblies International"
    world.sync_until_idle()
    named = [r for r in qb_records(world.quickbooks, "CustomerRet")
             if r["Name"].casefold() == "northwestern aerospace"]
    assert len(named) == 1
    [new] = [j for j in jobs(world, "customer.ensure")
             if j.source_key == LONG_CUSTOMER and j.status == "done"]
    assert "adopted" in _events(world, new.id)
    theirs = [r for r in qb_records(world.quickbooks, "InvoiceRet")
              if r["CustomerRef"]["ListID"] == named[0]["ListID"]]
    mine = [i for i in world.reader.ar_invoices(_window()) if i.cust_code == LONG_CUSTOMER]
    assert mine and len(theirs) == len(mine)


def test_bad_manual_names_are_refused_clearly(world):
    world.plan()
    world.sync_until_idle()
    cases = [
        (("item", LONG_PART, "X" * 32), "32 characters long; QuickBooks allows 31"),
        (("customer", LONG_CUSTOMER, "Acme Tool & Die"), "already used by customer 'ACME'"),
        (("invoice", "INV-1", "A:B"), None),  # a document number may hold ':'
        (("customer", "  ", "Someone"), "JobBOSS2 key is empty"),
        (("part", "P-1", "P"), "unknown kind 'part'"),
    ]
    for args, message in cases:
        if message is None:
            _set(world, *args)
            continue
        try:
            _set(world, *args)
        except NameProblem as exc:
            assert message in str(exc), (args, str(exc))
        else:
            raise AssertionError(f"{args} was accepted")
    _set(world, "vendor", "LONGV1", "Shared Name Inc")
    try:
        _set(world, "customer", "LONGC1", "shared name inc")
    except NameProblem as exc:
        assert "already used by vendor 'LONGV1'" in str(exc)
    else:
        raise AssertionError("a name used by another mapping was accepted")
    assert ("customer", "LONGC1") not in _entries(world)


def test_names_list_and_unset_on_the_command_line(world, config_file):
    import json

    world.set(options__validate_sync_tables="true")
    world.plan()
    config = config_file

    def run(*args: str) -> Any:
        return CliRunner().invoke(main, ["--config", str(config), "names", *args])

    listed = json.loads(run("list", "--user", "shop", "--kind", "item", "--json").output)
    assert [(r["kind"], r["jobboss_key"], r["origin"]) for r in listed] == [
        ("item", LONG_PART, "auto")]
    assert listed[0]["qb_name"] == shorten(item.NAMES, LONG_PART)
    assert run("set", "--user", "shop", "item", LONG_PART, "HYD-4P").exit_code == 0
    listed = json.loads(run("list", "--json").output)
    mine = [r for r in listed if r["jobboss_key"] == LONG_PART]
    assert [(r["qb_name"], r["origin"], r["set_by"]) for r in mine] == [
        ("HYD-4P", "manual", "command line")]
    refused = run("set", "--user", "shop", "item", LONG_PART, "Y" * 40)
    assert refused.exit_code == 1 and "QuickBooks allows 31" in refused.output
    # Unset: back to the default policy; the waiting ensure job is planned again, shortened.
    unset = run("unset", "--user", "shop", "item", LONG_PART)
    assert unset.exit_code == 0 and "1 jobs planned again" in unset.output
    listed = json.loads(run("list", "--kind", "item", "--json").output)
    assert [(r["qb_name"], r["origin"]) for r in listed] == [
        (shorten(item.NAMES, LONG_PART), "auto")]
    assert run("unset", "--user", "shop", "vendor", "NOPE").exit_code == 1
    assert "unknown kind" in run("list", "--kind", "part").output
    with world.sessions() as db:
        assert db.scalar(select(Job.id).where(Job.kind == "item.ensure")) is not None
