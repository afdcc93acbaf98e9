"""Version negotiation and leaving out what an old version or another country lacks."""

from __future__ import annotations

import pytest

from qbwc_service import xmlsafe
from qbwc_service.qbxml import requests as rq
from qbwc_service.qbxml.build import request_tag
from qbwc_service.qbxml.message import build_message
from qbwc_service.qbxml.validate import validation_errors
from qbwc_service.qbxml.versions import QbxmlVersionError, negotiate, request_available

from .samples import GUID, every_request


@pytest.mark.parametrize(
    ("host", "major", "minor", "expected"),
    [
        (["1.0", "2.0", "13.0", "16.0"], 16, 0, "16.0"),
        (["13.0", "14.0", "15.0", "16.0"], 13, 0, "13.0"),
        (["CA3.0", "6.0", "8.0"], 0, 0, "8.0"),
        ([], 12, 0, "12.0"),
        (["13.0", "17.0"], 0, 0, "13.0"),
        ([" 8.0 "], 0, 0, "8.0"),
    ],
)
def test_negotiate(host, major, minor, expected):
    assert negotiate(host, major, minor) == expected


def test_negotiate_without_common_version():
    with pytest.raises(QbxmlVersionError, match="no common"):
        negotiate(["1.0", "1.1"], 1, 1)


def test_version_8_omits_transaction_external_guid_but_keeps_list_one():
    invoice = rq.InvoiceAdd(customer=rq.Ref.named("A"), external_guid=GUID)
    customer = rq.CustomerAdd(name="A", external_guid=GUID)
    built = build_message([("1", invoice), ("2", customer)], version="8.0")
    root = xmlsafe.parse(built.xml)
    assert root.find(".//InvoiceAdd/ExternalGUID") is None
    assert root.findtext(".//CustomerAdd/ExternalGUID") == GUID
    [warning] = built.warnings
    assert warning.request_id == "1" and warning.path.endswith("ExternalGUID") and "9.0" in warning.reason
    assert built.xml.splitlines()[1] == '<?qbxml version="8.0"?>'
    assert validation_errors(built.xml) == []


def test_version_2_leaves_out_newer_elements_and_still_validates():
    in_2_0 = [r for r in every_request() if request_available(request_tag(r), "2.0")]
    assert len(in_2_0) == len(every_request()) - 4  # the transaction Mods came later
    built = build_message([(str(n), r) for n, r in enumerate(in_2_0, 1)], version="2.0")
    root = xmlsafe.parse(built.xml)
    for path in (
        ".//ExternalGUID",
        ".//IncludeRetElement",
        ".//Addr5",
        ".//RefNumberCaseSensitive",
        ".//IsToBeEmailed",
        ".//PrefillAccountRef",
    ):
        assert root.find(path) is None, path
    assert validation_errors(built.xml) == []
    assert any("not in qbXML 2.0" in w.reason for w in built.warnings)


def test_sales_tax_elements_follow_the_country():
    customer = rq.CustomerAdd(
        name="A",
        item_sales_tax=rq.Ref.named("GST"),
        sales_tax_country="Canada",
        tax_registration_number="123456789RT0001",
    )
    bill = rq.BillAdd(vendor=rq.Ref.named("V"), sales_tax_code=rq.Ref.named("G"))
    us = xmlsafe.parse(build_message([("1", customer), ("2", bill)], country="US").xml)
    ca = xmlsafe.parse(build_message([("1", customer), ("2", bill)], country="CA").xml)
    assert (
        us.find(".//CustomerAdd/ItemSalesTaxRef") is not None
        and ca.find(".//CustomerAdd/ItemSalesTaxRef") is None
    )
    assert us.find(".//SalesTaxCountry") is None and ca.findtext(".//SalesTaxCountry") == "Canada"
    assert us.find(".//BillAdd/SalesTaxCodeRef") is None and ca.find(".//BillAdd/SalesTaxCodeRef") is not None


def test_canada_before_6_is_refused():
    with pytest.raises(QbxmlVersionError, match="CA"):
        build_message([], version="5.0", country="CA")


def test_request_missing_from_version_is_refused():
    from qbwc_service.qbxml import versions

    versions.REQUEST_MIN_VERSION["TimeTrackingAddRq"] = "3.0"
    try:
        with pytest.raises(QbxmlVersionError, match="TimeTrackingAddRq"):
            build_message([("1", rq.TimeTrackingAdd(entity=rq.Ref.named("E"), duration=1))], version="2.0")
    finally:
        del versions.REQUEST_MIN_VERSION["TimeTrackingAddRq"]


def test_negotiate_honours_the_country_floor():
    """Canada before 6.0 spoke its own CA spec: an answer build_message would refuse is no answer."""
    assert negotiate(["CA3.0", "6.0", "13.0"], 13, 0, country="CA") == "13.0"
    assert negotiate(["2.0", "5.0"], 5, 0, country="US") == "5.0"
    with pytest.raises(QbxmlVersionError, match="no common"):
        negotiate(["CA3.0", "5.0"], 5, 0, country="CA")
    with pytest.raises(QbxmlVersionError, match="no common"):
        negotiate([], 5, 0, country="UK")


def test_an_old_8_0_quickbooks_gets_8_0_messages_without_newer_elements():
    version = negotiate(["1.0", "2.0", "3.0", "4.0", "5.0", "6.0", "7.0", "8.0"], 8, 0, country="US")
    assert version == "8.0"
    bill = rq.BillAdd(vendor=rq.Ref.named("V"), vendor_address=rq.Address(addr1="1 Main St"),
                      external_guid=GUID, expense_lines=(rq.ExpenseLine(amount=1),))
    employee = rq.EmployeeAdd(first_name="Ann", last_name="Lee", department="Shop", job_title="Lead")
    built = build_message([("1", bill), ("2", employee)], version=version)
    assert built.xml.splitlines()[1] == '<?qbxml version="8.0"?>'
    root = xmlsafe.parse(built.xml)
    for path in (".//BillAdd/VendorAddress", ".//BillAdd/ExternalGUID", ".//EmployeeAdd/Department",
                 ".//EmployeeAdd/JobTitle"):
        assert root.find(path) is None, path
    assert {w.path.rsplit("/", 1)[1] for w in built.warnings} == {
        "VendorAddress", "ExternalGUID", "Department", "JobTitle"}
    assert validation_errors(built.xml) == []
