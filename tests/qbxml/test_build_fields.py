"""Single fields of the builder, element by element: each value lands where the schema wants it."""

from __future__ import annotations

import pytest
from lxml import etree

from qbwc_service.qbxml import requests as rq
from qbwc_service.qbxml.build import build_request_element
from qbwc_service.qbxml.fields import FieldWarning, QbxmlFieldError
from qbwc_service.qbxml.message import serialize
from qbwc_service.qbxml.validate import validation_errors


def _build(request: rq.Request, version: str = "13.0", country: str = "US",
           warnings: list[FieldWarning] | None = None) -> etree._Element:
    element = build_request_element(request, version, country, "7", warnings)
    root = etree.Element("QBXML")
    etree.SubElement(root, "QBXMLMsgsRq", onError="stopOnError").append(element)
    assert validation_errors(serialize(root, version), version) == []
    return element


def _texts(element: etree._Element, path: str) -> list[str]:
    return [e.text for e in element.findall(path)]


def test_an_account_query_names_each_account_type():
    element = _build(rq.AccountQuery(account_types=("Bank", "Income")))
    assert _texts(element, "AccountType") == ["Bank", "Income"]


def test_a_list_query_asks_only_for_the_elements_named():
    element = _build(rq.CustomerQuery(full_names=("Acme",), include_ret_elements=("ListID", "Name")))
    assert _texts(element, "FullName") == ["Acme"]
    assert _texts(element, "IncludeRetElement") == ["ListID", "Name"]


def test_a_transaction_query_by_case_sensitive_ref_numbers():
    element = _build(rq.InvoiceQuery(ref_numbers_case_sensitive=("inv-1", "INV-1")))
    assert _texts(element, "RefNumberCaseSensitive") == ["inv-1", "INV-1"]
    with pytest.raises(QbxmlFieldError):  # one way of naming the invoices only
        build_request_element(rq.InvoiceQuery(ref_numbers=("A",), ref_numbers_case_sensitive=("B",)),
                              "13.0", "US")


def test_an_entity_filter_with_children():
    element = _build(rq.InvoiceQuery(entity=rq.EntityFilter(full_name_with_children="Acme Widgets")))
    assert _texts(element, "EntityFilter/FullNameWithChildren") == ["Acme Widgets"]
    element = _build(rq.BillQuery(entity=rq.EntityFilter(list_id_with_children="80000001-1")))
    assert _texts(element, "EntityFilter/ListIDWithChildren") == ["80000001-1"]


def test_a_vendor_eligible_for_1099():
    element = _build(rq.VendorAdd(name="Fastenal", is_vendor_eligible_for_1099=True))
    assert _texts(element, "VendorAdd/IsVendorEligibleFor1099") == ["true"]
    element = _build(rq.VendorAdd(name="Fastenal", is_vendor_eligible_for_1099=False))
    assert _texts(element, "VendorAdd/IsVendorEligibleFor1099") == ["false"]


@pytest.mark.parametrize(("list_id", "edit_sequence"), [("", "1"), ("80-1", ""), ("", "")])
def test_a_mod_without_its_id_or_edit_sequence_is_refused(list_id, edit_sequence):
    with pytest.raises(QbxmlFieldError) as caught:
        build_request_element(rq.CustomerMod(list_id=list_id, edit_sequence=edit_sequence, name="Acme"),
                              "13.0", "US")
    assert caught.value.field.endswith("CustomerMod/ListID")
    assert caught.value.reason == "a Mod needs both list_id and edit_sequence"


def test_a_reference_the_country_does_not_use_is_left_out_with_a_warning():
    tax = rq.Ref.named("Travis County")
    us = _build(rq.CustomerAdd(name="Acme", item_sales_tax=tax))
    assert _texts(us, "CustomerAdd/ItemSalesTaxRef/FullName") == ["Travis County"]
    warnings: list[FieldWarning] = []
    ca = _build(rq.CustomerAdd(name="Acme", item_sales_tax=tax), country="CA", warnings=warnings)
    assert ca.find("CustomerAdd/ItemSalesTaxRef") is None
    assert [w.path for w in warnings] == ["CustomerAddRq/CustomerAdd/ItemSalesTaxRef"]
    assert warnings[0].reason == "left out: not used by QuickBooks CA"
