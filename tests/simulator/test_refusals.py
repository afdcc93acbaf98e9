"""The stand-in refuses what QuickBooks refuses, and changes nothing when it does."""

from __future__ import annotations

import importlib

import pytest
from sim_build import customer_add, el, message, ref, responses, status

import qbwc_service.simulator.quickbooks as standin
from qbwc_service.simulator.quickbooks import QbXmlParseFailure, rules
from qbwc_service.simulator.quickbooks.rules import Refusal


def answer(company, *requests, on_error="continueOnError"):
    return responses(company.process(message(*requests, on_error=on_error)))


def one(company, request):
    return answer(company, request)[0]


def count(company, query_tag):
    rs = one(company, el(query_tag, requestID="q"))
    return len(rs)


def inventory_item(name="Bolt", *accounts):
    refs = {"IncomeAccountRef": ref("IncomeAccountRef", "Sales"),
            "COGSAccountRef": ref("COGSAccountRef", "Cost of Goods Sold"),
            "AssetAccountRef": ref("AssetAccountRef", "Inventory Asset")}
    chosen = [refs[a] for a in (accounts or refs)]
    # Schema order: IncomeAccountRef, then COGSAccountRef, then AssetAccountRef.
    return el("ItemInventoryAddRq", el("ItemInventoryAdd", el("Name", name), *chosen))


def invoice(customer="Acme", item="Machining", txn_date="2024-03-01"):
    return el("InvoiceAddRq", el("InvoiceAdd", ref("CustomerRef", customer), el("TxnDate", txn_date),
                                 el("InvoiceLineAdd", ref("ItemRef", item), el("Amount", "10.00"))))


def service_item(name="Machining"):
    return el("ItemServiceAddRq", el("ItemServiceAdd", el("Name", name), el("SalesOrPurchase",
              el("Price", "85.00"), ref("AccountRef", "Services"))))


@pytest.fixture
def shop(company):
    assert [status(rs) for rs in answer(company, customer_add("Acme"), service_item())] == [0, 0]
    return company


# -- names ----------------------------------------------------------------------------


@pytest.mark.parametrize("request_el", [
    customer_add("Jones:Kitchen"),
    el("VendorAddRq", el("VendorAdd", el("Name", "Steel: Co"))),
    el("EmployeeAddRq", el("EmployeeAdd", el("FirstName", "Ann:"), el("LastName", "Lee"))),
    service_item("A:B"),
])
def test_a_colon_inside_a_name_is_refused(company, request_el):
    rs = one(company, request_el)
    assert status(rs) == 3210 and '":" separates the levels' in rs.get("statusMessage")
    assert len(rs) == 0


def test_a_name_over_its_limit_is_refused_alone_with_3070(company):
    long_name = "N" * 42  # CustomerAdd/Name: 41
    rs = answer(company, customer_add(long_name, "1"), customer_add("Short", "2"))
    assert [status(r) for r in rs] == [3070, 0]
    assert rs[0].get("statusMessage") == f'The string "{long_name}" in the field "Name" is too long.'
    assert rs[0].get("requestID") == "1" and len(rs[0]) == 0
    names = [r.findtext("FullName") for r in one(company, el("CustomerQueryRq", requestID="q"))]
    assert "Short" in names and long_name not in names


def test_a_name_over_its_limit_stops_a_stop_on_error_message(company):
    rs = answer(company, customer_add("N" * 42, "1"), customer_add("Short", "2"), on_error="stopOnError")
    assert [status(r) for r in rs] == [3070]


def test_an_item_name_over_31_is_refused_but_32_fits_a_customer(company):
    rs = answer(company, service_item("I" * 32), customer_add("C" * 32))
    assert [status(r) for r in rs] == [3070, 0]


# -- what a record needs --------------------------------------------------------------


@pytest.mark.parametrize(("accounts", "missing"), [
    ((), None),
    (("IncomeAccountRef", "AssetAccountRef"), "COGSAccount"),
    (("COGSAccountRef",), "IncomeAccount, AssetAccount"),
])
def test_an_inventory_item_needs_its_three_accounts(company, accounts, missing):
    request = inventory_item("Bolt", *accounts) if accounts else inventory_item("Bolt")
    rs = one(company, request)
    if missing is None:
        assert status(rs) == 0
        return
    assert status(rs) == 3180 and f"lacks {missing})" in rs.get("statusMessage")
    assert rs.get("statusMessage").startswith("There was an error when saving an Item list element.")
    assert count(company, "ItemInventoryQueryRq") == 0


def test_inventory_and_time_tracking_turned_off_answer_3250(company):
    company.state.settings.update(using_inventory=False, tracking_time=False)
    answer(company, el("EmployeeAddRq", el("EmployeeAdd", el("FirstName", "Ann"), el("LastName", "Lee"))))
    time_add = el("TimeTrackingAddRq", el("TimeTrackingAdd", ref("EntityRef", "Ann Lee"),
                                          el("Duration", "PT1H")))
    rs = answer(company, inventory_item(), time_add)
    assert [status(r) for r in rs] == [3250, 3250]
    assert rs[0].get("statusMessage") == ("This feature is not enabled or not available in this version "
                                          "of QuickBooks.")


def test_an_inventory_value_needs_a_quantity_on_hand(company):
    def item(name, *extra):
        request = inventory_item(name)
        request[0].extend(extra)
        return request

    rs = answer(company, item("A", el("TotalValue", "50.00")),
                item("B", el("QuantityOnHand", "0"), el("TotalValue", "50.00")),
                item("C", el("QuantityOnHand", "5"), el("TotalValue", "50.00")))
    assert [status(r) for r in rs] == [3210, 3210, 0]


def test_a_bill_without_lines_is_refused_and_not_stored(company):
    answer(company, el("VendorAddRq", el("VendorAdd", el("Name", "Steel Co"))))
    rs = one(company, el("BillAddRq", el("BillAdd", ref("VendorRef", "Steel Co"), el("RefNumber", "B-1"))))
    assert status(rs) == 3180 and rs.get("statusMessage") == (
        "There was an error when saving a Bill transaction. QuickBooks error message: "
        "A transaction must have at least one line.")
    assert status(one(company, el("BillQueryRq"))) == 1


def test_billable_time_needs_a_customer_and_a_service_item(shop):
    answer(shop, el("EmployeeAddRq", el("EmployeeAdd", el("FirstName", "Ann"), el("LastName", "Lee"))))

    def billable_time(*refs_before_duration):
        return el("TimeTrackingAddRq", el("TimeTrackingAdd", ref("EntityRef", "Ann Lee"),
                                          *refs_before_duration, el("Duration", "PT1H"),
                                          el("BillableStatus", "Billable")))

    rs = answer(shop, billable_time(ref("CustomerRef", "Acme")),
                billable_time(ref("CustomerRef", "Acme"), ref("ItemServiceRef", "Machining")))
    assert [status(r) for r in rs] == [3180, 0]
    assert "customer:job and a service item" in rs[0].get("statusMessage")


# -- references -----------------------------------------------------------------------


def _deactivate(company, query_tag, mod_tag, name):
    found = one(company, el(query_tag, el("FullName", name), requestID="q"))[0]
    mod = el(mod_tag + "Rq", el(mod_tag, el("ListID", found.findtext("ListID")),
                                 el("EditSequence", found.findtext("EditSequence")), el("IsActive", "false")))
    assert status(one(company, mod)) == 0


def test_a_reference_to_an_inactive_customer_is_refused(shop):
    _deactivate(shop, "CustomerQueryRq", "CustomerMod", "Acme")
    rs = one(shop, invoice())
    assert status(rs) == 3140 and rs.get("statusMessage") == (
        'There is an invalid reference to QuickBooks Customer "Acme" in the Invoice. '
        "QuickBooks error message: This list element is inactive.")
    assert status(one(shop, el("InvoiceQueryRq"))) == 1


def test_a_reference_to_an_inactive_item_in_a_line_is_refused(shop):
    _deactivate(shop, "ItemServiceQueryRq", "ItemServiceMod", "Machining")
    rs = one(shop, invoice())
    assert status(rs) == 3140 and '"Machining" in the Invoice line.' in rs.get("statusMessage")


def test_a_job_under_an_inactive_customer_is_refused(shop):
    _deactivate(shop, "CustomerQueryRq", "CustomerMod", "Acme")
    rs = one(shop, customer_add("Kitchen", "1", ref("ParentRef", "Acme")))
    assert status(rs) == 3140 and "inactive" in rs.get("statusMessage")


# -- dates ----------------------------------------------------------------------------


def test_a_transaction_on_or_before_the_closing_date_is_refused(shop):
    shop.state.settings["closing_date"] = "2024-02-29"
    rs = answer(shop, invoice(txn_date="2024-02-29"), invoice(txn_date="2024-03-01"))
    assert [status(r) for r in rs] == [3171, 0]
    assert "on or before the closing date 2024-02-29" in rs[0].get("statusMessage")
    prefs = one(shop, el("PreferencesQueryRq", requestID="p"))[0]
    assert prefs.findtext("AccountingPreferences/ClosingDate") == "2024-02-29"


# -- the table ------------------------------------------------------------------------


def test_every_refusal_is_documented_with_its_code():
    doc = " ".join(standin.__doc__.split())
    for rule in rules.REFUSALS:
        assert rule.name in doc and str(rule.code) in doc, rule.name
    assert "3070" in doc


def test_a_refusal_is_one_entry(shop, monkeypatch):
    extra = Refusal("memo says no", "save", frozenset({"InvoiceRet"}),
                    lambda company, record: {} if record.get("Memo") == "no" else None, 3999, "No to {what}.")
    monkeypatch.setattr(rules, "REFUSALS", (*rules.REFUSALS, extra))
    refused = invoice()
    refused[0].find("TxnDate").addnext(el("Memo", "no"))
    rs = answer(shop, refused, invoice())
    assert [(status(r), r.get("statusMessage")) for r in rs][0] == (3999, "No to an Invoice transaction.")
    assert status(rs[1]) == 0


def test_the_stand_in_validates_without_the_services_validator(company, monkeypatch):
    """A message the service's own checks would wave through still fails as a whole."""
    service_validate = importlib.import_module("qbwc_service.qbxml.validate")
    monkeypatch.setattr(service_validate, "validation_errors", lambda *a, **k: [])
    monkeypatch.setattr(service_validate, "validate", lambda *a, **k: None)
    wrong_order = el("CustomerAddRq", el("CustomerAdd", el("CompanyName", "Acme Inc"), el("Name", "Acme")))
    with pytest.raises(QbXmlParseFailure, match="CompanyName"):
        company.process(message(wrong_order))


def test_a_negative_invoice_or_bill_is_refused_with_3180_and_not_stored(shop):
    negative = el("InvoiceAddRq", el("InvoiceAdd", ref("CustomerRef", "Acme"), el("RefNumber", "CR-1"),
                                     el("InvoiceLineAdd", ref("ItemRef", "Machining"),
                                        el("Amount", "-10.00"))))
    rs = one(shop, negative)
    assert status(rs) == 3180 and rs.get("statusMessage") == (
        "There was an error when saving an Invoice transaction. QuickBooks error message: "
        "Transaction amount must be positive.")
    assert status(one(shop, el("InvoiceQueryRq"))) == 1
    answer(shop, el("VendorAddRq", el("VendorAdd", el("Name", "Steel Co"))))
    bill = el("BillAddRq", el("BillAdd", ref("VendorRef", "Steel Co"), el("RefNumber", "B-2"),
                              el("ExpenseLineAdd", ref("AccountRef", "Services"), el("Amount", "-5.00"))))
    assert status(one(shop, bill)) == 3180
    assert status(one(shop, el("BillQueryRq"))) == 1
    # Zero is a total QuickBooks keeps.
    zero = el("InvoiceAddRq", el("InvoiceAdd", ref("CustomerRef", "Acme"),
                                 el("InvoiceLineAdd", ref("ItemRef", "Machining"), el("Amount", "0.00"))))
    assert status(one(shop, zero)) == 0


# -- currencies -----------------------------------------------------------------------


def test_a_customer_in_a_currency_of_the_list_is_added_in_it_and_an_unknown_one_is_refused(company):
    company.state.settings["multicurrency"] = True
    [ok] = answer(company, customer_add("Dupont", "1", ref("CurrencyRef", "Euro")))
    assert status(ok) == 0
    assert ok.findtext("CustomerRet/CurrencyRef/FullName") == "Euro"
    [bad] = answer(company, customer_add("Zed", "2", ref("CurrencyRef", "Martian Credit")))
    assert status(bad) == 3140
    assert 'Currency "Martian Credit"' in bad.get("statusMessage")
    assert count(company, "CustomerQueryRq") == 1


def _rated_invoice(customer, rate):
    return el("InvoiceAddRq", el("InvoiceAdd", ref("CustomerRef", customer), el("TxnDate", "2024-03-01"),
                                 el("ExchangeRate", rate),
                                 el("InvoiceLineAdd", ref("ItemRef", "Machining"), el("Amount", "10.00"))))


def test_an_invoice_is_in_its_customers_currency_and_a_rate_for_another_is_refused(shop):
    shop.state.settings["multicurrency"] = True
    assert status(one(shop, customer_add("Dupont", "1", ref("CurrencyRef", "Euro")))) == 0
    [euro] = answer(shop, _rated_invoice("Dupont", "1.1"))
    assert status(euro) == 0
    assert euro.findtext("InvoiceRet/CurrencyRef/FullName") == "Euro"
    [home] = answer(shop, _rated_invoice("Acme", "1.1"))
    assert status(home) == 3140
    assert 'Customer "Acme"' in home.get("statusMessage")
    assert "customer's currency, US Dollar" in home.get("statusMessage")
    assert count(shop, "InvoiceQueryRq") == 1
    assert status(one(shop, _rated_invoice("Acme", "1"))) == 0


def test_with_multicurrency_off_a_rate_is_not_checked_against_the_customer(shop):
    assert status(one(shop, _rated_invoice("Acme", "1.1"))) == 0
