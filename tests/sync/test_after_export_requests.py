"""The Mods of documents changed after export: built from each kind's Add, valid per the XSD."""

from __future__ import annotations

import pytest
from lxml import etree

from qbwc_service.jobboss.reader import JobBossReader, TxnFilter
from qbwc_service.qbxml import requests as rq
from qbwc_service.qbxml.build import build_request_element
from qbwc_service.qbxml.fields import QbxmlFieldError
from qbwc_service.sync.kinds import registry, vendor_credit
from qbwc_service.sync.kinds.base import TxnModKind
from qbwc_service.sync.kinds.context import BuildError
from sync.test_sync_units import _ctx, _validates

WATCHED = ["invoice.mod", "credit_memo.mod", "bill.mod", "vendor_credit.mod"]


def test_the_watched_kinds_are_the_invoices_and_bills_of_the_issue():
    mods = sorted(name for name, kind in registry.JOB_KINDS.items() if isinstance(kind, TxnModKind))
    assert mods == sorted(WATCHED)
    assert registry.job_kind("invoice.mod").first_phase.value == "read"


@pytest.mark.parametrize("country", ["US", "CA", "UK"])
@pytest.mark.parametrize("name", WATCHED)
def test_every_demo_document_s_mod_validates(demo_template, country, name):
    kind = registry.job_kind(name)
    assert isinstance(kind, TxnModKind)
    reader = JobBossReader(str(demo_template))
    ctx = _ctx(country)
    built = 0
    for record in _documents(reader, kind)[:25]:
        try:
            request = kind.mod(record, 1, "1A2B-1700000000", "1700000001", ctx)
        except BuildError:
            continue
        xml = _validates(request, country=country)
        root = etree.fromstring(xml.encode() if isinstance(xml, str) else xml)
        mod = root.find(f".//{kind.mod_request.__name__}")
        assert mod.findtext("TxnID") == "1A2B-1700000000"
        assert mod.findtext("EditSequence") == "1700000001"
        assert mod.find("ExternalGUID") is None  # set once, by the Add
        line_ids = [e.text for e in mod.iter("TxnLineID")]
        assert line_ids and set(line_ids) == {"-1"}  # every line new: they replace QuickBooks'
        built += 1
    assert built


def test_a_bill_mod_clears_the_item_lines_it_has_none_of():
    add = rq.BillAdd(vendor=rq.Ref.named("ACME"), ref_number="A-1",
                     expense_lines=(rq.ExpenseLine(account=rq.Ref.named("Rent"), amount=1),))
    element = build_request_element(rq.BillMod(txn_id="9-1", edit_sequence="2", of=add), "13.0", "US")
    children = [child.tag for child in element.find("BillMod")]
    assert children == ["TxnID", "EditSequence", "VendorRef", "RefNumber", "ExpenseLineMod",
                        "ClearItemLines"]
    assert element.findtext("BillMod/ClearItemLines") == "true"


def test_a_mod_without_its_edit_sequence_is_refused():
    add = rq.InvoiceAdd(customer=rq.Ref.named("ACME"), lines=(rq.InvoiceLine(desc="x"),))
    with pytest.raises(QbxmlFieldError, match="txn_id and edit_sequence"):
        build_request_element(rq.InvoiceMod(txn_id="9-1", edit_sequence="", of=add), "13.0", "US")


def test_a_mod_older_than_its_request_is_refused():
    add = rq.VendorCreditAdd(vendor=rq.Ref.named("ACME"))
    with pytest.raises(Exception, match="VendorCreditModRq does not exist in qbXML 7.0"):
        build_request_element(rq.VendorCreditMod(txn_id="9-1", edit_sequence="1", of=add), "7.0", "US")


def _documents(reader: JobBossReader, kind: TxnModKind) -> list[object]:
    """The demo's documents of the kind (the demo has no vendor credit: its bills turned
    round, as JobBOSS2 holds a credit)."""
    found = []
    for source in kind.sources:
        for record in source.read(reader, TxnFilter(only_unexported=False), _NoneKnown()):
            routed = registry.route(source, record)
            if routed is not None and routed.entity == kind.entity:
                found.append(record)
    if not found and kind.entity == "vendor_credit":
        found = [vendor_credit.credited(b) for b in reader.ap_invoices(TxnFilter(only_unexported=False))]
    return found


class _NoneKnown:
    def known_keys(self, entity: str) -> dict[str, str]:
        return {}
