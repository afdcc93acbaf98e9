"""The QuickBooks stand-in behaves like QuickBooks (every response checked against the XSD)."""

from __future__ import annotations

import pytest
from sim_build import customer_add, el, message, ref, responses, status
from sim_support import CheckedCompany, StepClock

from qbwc_service.qbxml.validate import validation_errors
from qbwc_service.simulator.quickbooks import PARSE_HRESULT, QbXmlParseFailure, QuickBooksCompany, product_for


def ret_of(rs):
    return next(iter(rs))


def add_customer(company, name, *extra):
    rs = responses(company.process(message(customer_add(name, "1", *extra))))[0]
    assert status(rs) == 0, rs.get("statusMessage")
    return ret_of(rs)


def service_item(name="Machining", price="85.00"):
    return el("ItemServiceAddRq", el("ItemServiceAdd", el("Name", name), el("SalesOrPurchase",
              el("Desc", "Shop time"), el("Price", price), ref("AccountRef", "Services"))), requestID="i")


# -- whole-message failures --------------------------------------------------------


def test_invalid_message_fails_as_a_whole(company):
    wrong_order = el("CustomerAddRq", el("CustomerAdd", el("CompanyName", "Acme Inc"), el("Name", "Acme")))
    with pytest.raises(QbXmlParseFailure) as info:
        company.process(message(customer_add("First"), wrong_order))
    assert info.value.hresult == PARSE_HRESULT == "0x80040400"
    assert "parsing" in info.value.message and "CompanyName" in info.value.message
    # Nothing of the message was processed: the valid first request left no trace.
    rs = responses(company.process(message(el("CustomerQueryRq", el("FullName", "First"), requestID="q"))))
    assert status(rs[0]) == 500


@pytest.mark.parametrize("bad", [
    "<QBXML><QBXMLMsgsRq onError='stopOnError'><CustomerAddRq>",  # malformed
    '<?xml version="1.0"?><QBXML><QBXMLMsgsRq onError="stopOnError"/></QBXML>',  # no qbxml PI
    '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
    '<CustomerAddRq><CustomerAdd><Name>Caf\u00e9</Name></CustomerAdd></CustomerAddRq></QBXMLMsgsRq></QBXML>',
])
def test_malformed_unversioned_and_raw_non_ascii_messages_fail(company, bad):
    with pytest.raises(QbXmlParseFailure) as info:
        company.process(bad)
    assert info.value.hresult == PARSE_HRESULT


def test_character_references_pass_where_raw_non_ascii_fails(company):
    xml = message(customer_add("Caf\u00e9 M\u00fcller"))  # written with &#233; references (ASCII output)
    assert "&#233;" in xml
    assert ret_of(responses(company.process(xml))[0]).findtext("Name") == "Caf\u00e9 M\u00fcller"


def test_old_quickbooks_rejects_newer_versions_and_elements():
    company = CheckedCompany.fresh(clock=StepClock(), product=product_for("US", "8.0"))
    with pytest.raises(QbXmlParseFailure, match="not supported"):
        company.process(message(customer_add("Acme"), version="13.0"))
    add_customer_ok = company.process(message(customer_add("Acme"), version="8.0"))
    assert status(responses(add_customer_ok)[0]) == 0
    invoice = el("InvoiceAddRq", el("InvoiceAdd", ref("CustomerRef", "Acme"),
                                    el("ExternalGUID", "{6B29FC40-CA47-1067-B31D-00DD010662DA}")))
    with pytest.raises(QbXmlParseFailure, match="ExternalGUID"):
        company.process(message(invoice, version="8.0"))


# -- records, IDs, names, references ----------------------------------------------


def test_records_get_stable_quickbooks_like_ids(company, tmp_path):
    ret = add_customer(company, "Acme Tool")
    list_id = ret.findtext("ListID")
    assert list_id.startswith("8") and "-" in list_id and len(list_id) <= 36
    assert ret.findtext("EditSequence").isdigit() and ret.findtext("TimeCreated").startswith("2024-03-01T")
    second = add_customer(company, "Beta Corp").findtext("ListID")
    assert second != list_id
    for key in ("ListID", "FullName"):
        value = list_id if key == "ListID" else "acme tool"
        rs = responses(company.process(message(el("CustomerQueryRq", el(key, value), requestID="q"))))[0]
        assert status(rs) == 0 and ret_of(rs).findtext("ListID") == list_id


def test_name_unique_across_name_lists_case_insensitive(company):
    add_customer(company, "Smith Supply")
    vendor = el("VendorAddRq", el("VendorAdd", el("Name", "SMITH SUPPLY")), requestID="v")
    employee = el("EmployeeAddRq", el("EmployeeAdd", el("FirstName", "Smith"), el("LastName", "Supply")),
                  requestID="e")
    item = el("ItemServiceAddRq", el("ItemServiceAdd", el("Name", "smith supply"), el("SalesOrPurchase",
              ref("AccountRef", "Services"))), requestID="i")
    rs = responses(company.process(message(vendor, employee, item, on_error="continueOnError")))
    assert [status(r) for r in rs] == [3100, 3100, 0]  # items live in their own namespace
    assert "SMITH SUPPLY" in rs[0].get("statusMessage") and rs[0].get("statusSeverity") == "Error"


def test_jobs_get_hierarchical_full_names(company):
    add_customer(company, "Jones")
    job = add_customer(company, "Kitchen", ref("ParentRef", "jones"))
    assert job.findtext("FullName") == "Jones:Kitchen" and job.findtext("Sublevel") == "1"
    assert add_customer(company, "Kitchen").findtext("FullName") == "Kitchen"  # unique only under its parent


@pytest.mark.parametrize("request_el", [
    el("InvoiceAddRq", el("InvoiceAdd", ref("CustomerRef", "Nobody Inc"))),
    el("InvoiceAddRq", el("InvoiceAdd", ref("CustomerRef", "Acme"),
                          el("InvoiceLineAdd", ref("ItemRef", "No Such Item"), el("Amount", "5.00")))),
    el("CustomerAddRq", el("CustomerAdd", el("Name", "X"), ref("TermsRef", "Net 999"))),
    el("BillAddRq", el("BillAdd", ref("VendorRef", "Acme"))),  # a customer is not a vendor
    el("TimeTrackingAddRq", el("TimeTrackingAdd", ref("EntityRef", "Acme"), el("Duration", "PT1H"))),
    el("TimeTrackingAddRq", el("TimeTrackingAdd", ref("EntityRef", "Ann Lee"), el("Duration", "PT1H"),
                               ref("PayrollItemWageRef", "Bonus Pay"))),
    el("ItemServiceAddRq", el("ItemServiceAdd", el("Name", "Bad"), el("SalesOrPurchase",
                             ref("AccountRef", list_id="80000999-1700000000")))),
])
def test_unknown_references_answer_3140(company, request_el):
    add_customer(company, "Acme")
    company.process(message(el("EmployeeAddRq", el("EmployeeAdd", el("FirstName", "Ann"),
                                                   el("LastName", "Lee")))))
    rs = responses(company.process(message(request_el)))[0]
    assert status(rs) == 3140 and "invalid reference" in rs.get("statusMessage")
    assert len(rs) == 0


def test_mod_requires_current_edit_sequence(company):
    ret = add_customer(company, "Acme")
    list_id, first_seq = ret.findtext("ListID"), ret.findtext("EditSequence")

    def mod(seq, name):
        return el("CustomerModRq", el("CustomerMod", el("ListID", list_id), el("EditSequence", seq),
                                      el("Name", name), el("CompanyName", "Acme Tooling")), requestID="m")

    rs = responses(company.process(message(mod(first_seq, "Acme Tooling"))))[0]
    assert status(rs) == 0
    new_seq = ret_of(rs).findtext("EditSequence")
    assert new_seq != first_seq and ret_of(rs).findtext("CompanyName") == "Acme Tooling"
    stale = responses(company.process(message(mod(first_seq, "Acme Again"))))[0]
    assert status(stale) == 3200 and first_seq in stale.get("statusMessage")
    # the rename moved the name: the old one is free, the new one taken
    assert status(responses(company.process(message(customer_add("Acme"))))[0]) == 0
    assert status(responses(company.process(message(customer_add("acme tooling"))))[0]) == 3100


def test_invoice_totals_from_lines_with_sales_tax(company):
    add_customer(company, "Acme", ref("SalesTaxCodeRef", "Tax"))
    company.process(message(service_item()))
    invoice = el("InvoiceAddRq", el("InvoiceAdd", ref("CustomerRef", "Acme"), el("TxnDate", "2024-02-10"),
                                    el("RefNumber", "INV-1"), ref("TermsRef", "Net 30"),
                                    ref("ItemSalesTaxRef", "State Tax"),
                                    el("InvoiceLineAdd", ref("ItemRef", "Machining"), el("Quantity", "3"),
                                       el("Rate", "10.10")),
                                    el("InvoiceLineAdd", ref("ItemRef", "Machining"), el("Quantity", "2"),
                                       el("Rate", "99"), el("Amount", "50.00"),
                                       ref("SalesTaxCodeRef", "Non")),
                                    el("InvoiceLineAdd", ref("ItemRef", "Machining"))), requestID="inv")
    ret = ret_of(responses(company.process(message(invoice)))[0])
    amounts = [line.findtext("Amount") for line in ret.iter("InvoiceLineRet")]
    assert amounts == ["30.30", "50.00", "85.00"]  # Qty x Rate; Amount wins; the item's price
    assert ret.findtext("Subtotal") == "165.30"
    assert ret.findtext("SalesTaxTotal") == "8.36"  # 7.25 % of the taxable 115.30
    assert ret.findtext("BalanceRemaining") == "173.66"
    assert ret.findtext("DueDate") == "2024-03-11" and ret.findtext("TxnNumber")


def test_bill_and_time_tracking(company):
    company.process(message(el("VendorAddRq", el("VendorAdd", el("Name", "Steel Co")))))
    company.process(message(el("EmployeeAddRq", el("EmployeeAdd", el("FirstName", "Ann"),
                                                   el("LastName", "Lee")))))
    company.process(message(service_item()))
    bill = el("BillAddRq", el("BillAdd", ref("VendorRef", "Steel Co"), el("TxnDate", "2024-02-01"),
                              el("RefNumber", "S-77"),
                              el("ExpenseLineAdd", ref("AccountRef", "Job Materials"), el("Amount", "12.50")),
                              el("ItemLineAdd", ref("ItemRef", "Machining"), el("Quantity", "4"),
                                 el("Cost", "2.25"))), requestID="b")
    ret = ret_of(responses(company.process(message(bill)))[0])
    assert ret.findtext("AmountDue") == "21.50" and ret.findtext("VendorRef/FullName") == "Steel Co"
    time_add = el("TimeTrackingAddRq", el("TimeTrackingAdd", el("TxnDate", "2024-02-02"),
                                          ref("EntityRef", "ann lee"), el("Duration", "PT8H30M"),
                                          ref("PayrollItemWageRef", "Regular Pay"), el("Notes", "Job 42")))
    ret = ret_of(responses(company.process(message(time_add)))[0])
    assert (ret.findtext("Duration"), ret.findtext("Notes"), ret.findtext("EntityRef/FullName"),
            ret.findtext("PayrollItemWageRef/FullName")) == ("PT8H30M", "Job 42", "Ann Lee", "Regular Pay")


# -- queries ----------------------------------------------------------------------


def test_query_status_no_match_and_partial(company):
    add_customer(company, "Acme")
    empty = el("CustomerQueryRq", el("NameFilter", el("MatchCriterion", "StartsWith"), el("Name", "zz")))
    partial = el("CustomerQueryRq", el("FullName", "Acme"), el("FullName", "Ghost"))
    rs = responses(company.process(message(empty, partial, on_error="continueOnError")))
    assert (status(rs[0]), rs[0].get("statusSeverity"), len(rs[0])) == (1, "Info", 0)
    assert (status(rs[1]), rs[1].get("statusSeverity"), len(rs[1])) == (500, "Warn", 1)
    assert "Ghost" in rs[1].get("statusMessage")


def test_iterators_page_results(company):
    for n in range(7):
        add_customer(company, f"Cust {n}")
    start = el("CustomerQueryRq", el("MaxReturned", "3"), el("NameFilter", el("MatchCriterion", "StartsWith"),
               el("Name", "cust")), iterator="Start", requestID="1")
    rs = responses(company.process(message(start)))[0]
    seen = [r.findtext("Name") for r in rs]
    assert len(seen) == 3 and rs.get("iteratorRemainingCount") == "4"
    iterator_id = rs.get("iteratorID")
    while rs.get("iteratorRemainingCount") != "0":
        more = el("CustomerQueryRq", el("MaxReturned", "3"), iterator="Continue", iteratorID=iterator_id,
                  requestID="2")
        rs = responses(company.process(message(more)))[0]
        seen += [r.findtext("Name") for r in rs]
    assert seen == [f"Cust {n}" for n in range(7)]
    gone = el("CustomerQueryRq", el("MaxReturned", "3"), iterator="Continue", iteratorID=iterator_id)
    assert status(responses(company.process(message(gone)))[0]) >= 1000


def test_invoice_queries_by_ref_number_entity_and_dates(company):
    for name in ("Acme", "Beta"):
        add_customer(company, name)
    company.process(message(service_item()))
    for number, (customer, day) in enumerate([("Acme", "2024-01-05"), ("Beta", "2024-01-20"),
                                               ("Acme", "2024-02-03")], start=100):
        company.process(message(el("InvoiceAddRq", el("InvoiceAdd", ref("CustomerRef", customer),
                                   el("TxnDate", day), el("RefNumber", str(number)),
                                   el("InvoiceLineAdd", ref("ItemRef", "Machining"), el("Amount", "1.00"))))))

    def refs_of(*children):
        rs = responses(company.process(message(el("InvoiceQueryRq", *children))))[0]
        return [r.findtext("RefNumber") for r in rs]

    assert refs_of(el("RefNumber", "101")) == ["101"]
    assert refs_of(el("EntityFilter", el("FullName", "acme"))) == ["100", "102"]
    assert refs_of(el("EntityFilter", el("FullName", "Acme")),
                   el("RefNumberRangeFilter", el("FromRefNumber", "102"), el("ToRefNumber", "102"))) \
        == ["102"]
    assert refs_of(el("TxnDateRangeFilter", el("FromTxnDate", "2024-01-10"), el("ToTxnDate", "2024-01-31"))) \
        == ["101"]
    lines = responses(company.process(message(el("InvoiceQueryRq", el("RefNumber", "100"),
                                                  el("IncludeLineItems", "true")))))[0]
    assert len(list(lines.iter("InvoiceLineRet"))) == 1
    assert not list(responses(company.process(message(el("InvoiceQueryRq", el("RefNumber", "100")))))[0]
                    .iter("InvoiceLineRet"))
    slim = responses(company.process(message(el("InvoiceQueryRq", el("RefNumber", "100"),
                                                 el("IncludeRetElement", "TxnID"),
                                                 el("IncludeRetElement", "RefNumber")))))[0]
    assert [child.tag for child in ret_of(slim)] == ["TxnID", "RefNumber"]


def test_fresh_company_lists_are_queryable(company):
    requests = [el(tag, requestID=str(i)) for i, tag in enumerate(
        ["AccountQueryRq", "TermsQueryRq", "SalesTaxCodeQueryRq", "ItemSalesTaxQueryRq",
         "PayrollItemWageQueryRq", "ItemQueryRq", "HostQueryRq", "CompanyQueryRq", "PreferencesQueryRq"])]
    rs = responses(company.process(message(*requests)))
    assert all(status(r) == 0 for r in rs)
    codes = [r.findtext("Name") for r in rs[2]]
    assert codes == ["Non", "Tax"]
    assert "Regular Pay" in [r.findtext("Name") for r in rs[4]]
    assert {r.findtext("AccountType") for r in rs[0]} >= {"AccountsReceivable", "AccountsPayable", "Income",
                                                           "CostOfGoodsSold", "OtherCurrentAsset"}


# -- onError, injection, persistence ---------------------------------------------------


def test_stop_on_error_leaves_later_requests_unprocessed(company):
    add_customer(company, "Acme")
    rs = responses(company.process(message(customer_add("New One", "1"), customer_add("acme", "2"),
                                           customer_add("Never", "3"))))
    assert [(r.get("requestID"), status(r)) for r in rs] == [("1", 0), ("2", 3100)]
    query = el("CustomerQueryRq", el("FullName", "Never"))
    assert status(responses(company.process(message(query)))[0]) == 500
    rs = responses(company.process(message(customer_add("Acme", "4"), customer_add("Later", "5"),
                                           on_error="continueOnError")))
    assert [status(r) for r in rs] == [3100, 0]


@pytest.mark.parametrize("code", [3175, 3180])
def test_injected_in_use_errors(company, code):
    company.inject_error("CustomerAddRq", code, times=1)
    company.inject_error("Special Name", 3180, times=1)
    rs = responses(company.process(message(customer_add("Acme", "1"), customer_add("Acme", "2"),
                                           customer_add("special name", "3"),
                                           customer_add("Special Name", "4"),
                                           on_error="continueOnError")))
    assert [status(r) for r in rs] == [code, 0, 3180, 0]
    assert rs[0].get("statusSeverity") == "Error" and "Customer" in rs[0].get("statusMessage")


def test_injected_errors_name_the_record_kind(company):
    add_customer(company, "Acme")
    company.process(message(service_item()))
    company.inject_error("InvoiceAdd", 3175)
    company.inject_error("ItemServiceAddRq", 3180)
    invoice = el("InvoiceAddRq", el("InvoiceAdd", ref("CustomerRef", "Acme"),
                                    el("InvoiceLineAdd", ref("ItemRef", "Machining"), el("Amount", "1.00"))))
    item = el("ItemServiceAddRq", el("ItemServiceAdd", el("Name", "Anodize"), el("SalesOrPurchase",
              ref("AccountRef", "Services"))))
    rs = responses(company.process(message(invoice, item, on_error="continueOnError")))
    assert [status(r) for r in rs] == [3175, 3180]
    assert "saving an Invoice transaction." in rs[0].get("statusMessage")
    assert "saving an Item list element." in rs[1].get("statusMessage")


def test_json_round_trip(company, tmp_path):
    add_customer(company, "Jones")
    add_customer(company, "Kitchen", ref("ParentRef", "Jones"))
    company.process(message(service_item()))
    path = tmp_path / "company.json"
    company.save(path)
    again = CheckedCompany.load(path, clock=StepClock())
    assert again.state.to_json() == company.state.to_json()
    query = message(el("CustomerQueryRq", el("ActiveStatus", "All")))
    assert again.process(query) == company.process(query)
    # counters survived: new IDs do not collide, names are still taken
    assert add_customer(again, "Fresh").findtext("ListID") not in path.read_text()
    assert status(responses(again.process(message(customer_add("Kitchen"))))[0]) == 0  # a top-level name
    assert status(responses(again.process(message(customer_add("JONES"))))[0]) == 3100


@pytest.mark.parametrize("country,version", [("US", "13.0"), ("CA", "13.0"), ("UK", "13.0"), ("US", "8.0")])
def test_hcp_response_validates_per_product(country, version):
    product = product_for(country, version)
    company = QuickBooksCompany.fresh(country=country, product=product)
    owner, file_id = "{57F3B9B1-86F1-4FCC-B1EE-566DE1813D20}", "{90A44FB5-33D9-4815-AC85-BC87A7E7D1EB}"
    company.owner_file_ids[owner] = file_id
    hcp = company.hcp_response()
    assert validation_errors(hcp) == []
    rs = responses(hcp)
    assert [r.tag for r in rs] == ["HostQueryRs", "CompanyQueryRs", "PreferencesQueryRs"]
    supported = [v.text for v in rs[0].iter("SupportedQBXMLVersion")]
    assert supported[-1] == version and rs[0].findtext("HostRet/Country") == country
    assert rs[1].findtext("CompanyRet/DataExtRet/DataExtName") == "FileID"


def _invoice(company):
    add_customer(company, "Acme")
    company.process(message(service_item()))
    invoice = el("InvoiceAddRq", el("InvoiceAdd", ref("CustomerRef", "Acme"), el("TxnDate", "2024-02-10"),
                                    el("RefNumber", "INV-9"),
                                    el("InvoiceLineAdd", ref("ItemRef", "Machining"), el("Quantity", "2"),
                                       el("Amount", "100.00")),
                                    el("InvoiceLineAdd", ref("ItemRef", "Machining"), el("Amount", "20.00"))),
                 requestID="inv")
    return ret_of(responses(company.process(message(invoice)))[0])


def _invoice_mod(txn_id, seq, *fields):
    return el("InvoiceModRq", el("InvoiceMod", el("TxnID", txn_id), el("EditSequence", seq), *fields),
              requestID="mod")


def test_invoice_mod_replaces_the_lines_sent_and_needs_the_current_edit_sequence(company):
    ret = _invoice(company)
    txn_id, seq = ret.findtext("TxnID"), ret.findtext("EditSequence")
    first_line = ret.find("InvoiceLineRet").findtext("TxnLineID")
    new_line = el("InvoiceLineMod", el("TxnLineID", "-1"), ref("ItemRef", "Machining"),
                  el("Amount", "130.00"))
    rs = responses(company.process(message(_invoice_mod(txn_id, seq, el("Memo", "changed"), new_line))))[0]
    assert status(rs) == 0
    changed = ret_of(rs)
    assert changed.findtext("TxnID") == txn_id and changed.findtext("RefNumber") == "INV-9"
    assert changed.findtext("TxnNumber") == ret.findtext("TxnNumber")
    assert changed.findtext("EditSequence") != seq and changed.findtext("Memo") == "changed"
    lines = changed.findall("InvoiceLineRet")
    assert [line.findtext("Amount") for line in lines] == ["130.00"]  # the others are gone
    assert lines[0].findtext("TxnLineID") not in ("-1", first_line)
    assert changed.findtext("BalanceRemaining") == "130.00"
    # The EditSequence of before is out of date now: QuickBooks' 3200, naming it.
    stale = responses(company.process(message(_invoice_mod(txn_id, seq, el("Memo", "again")))))[0]
    assert status(stale) == 3200 and seq in stale.get("statusMessage")
    # A header-only Mod keeps the lines; one of a TxnID QuickBooks lacks is refused.
    rs = responses(company.process(message(_invoice_mod(txn_id, changed.findtext("EditSequence"),
                                                         el("Memo", "kept lines")))))[0]
    assert [line.findtext("Amount") for line in ret_of(rs).findall("InvoiceLineRet")] == ["130.00"]
    missing = responses(company.process(message(_invoice_mod("99-1", "1", el("Memo", "x")))))[0]
    assert status(missing) == 3120


def test_a_change_in_quickbooks_makes_the_edit_sequence_held_stale(company):
    ret = _invoice(company)
    txn_id, seq = ret.findtext("TxnID"), ret.findtext("EditSequence")
    company.alter("InvoiceRet", txn_id, Memo="edited by a person")
    rs = responses(company.process(message(_invoice_mod(txn_id, seq, el("Memo", "ours")))))[0]
    assert status(rs) == 3200
    query = el("InvoiceQueryRq", el("TxnID", txn_id), requestID="q")
    current = ret_of(responses(company.process(message(query)))[0]).findtext("EditSequence")
    assert current != seq
    assert status(responses(company.process(message(_invoice_mod(txn_id, current,
                                                                 el("Memo", "ours")))))[0]) == 0


def test_bill_mod_clears_and_replaces_lines(company):
    company.process(message(el("VendorAddRq", el("VendorAdd", el("Name", "Steel Co")))))
    bill = el("BillAddRq", el("BillAdd", ref("VendorRef", "Steel Co"), el("TxnDate", "2024-02-01"),
                              el("RefNumber", "S-78"),
                              el("ExpenseLineAdd", ref("AccountRef", "Job Materials"), el("Amount", "12.50")),
                              el("ExpenseLineAdd", ref("AccountRef", "Job Materials"), el("Amount", "7.50"))),
              requestID="b")
    ret = ret_of(responses(company.process(message(bill)))[0])
    mod = el("BillModRq", el("BillMod", el("TxnID", ret.findtext("TxnID")),
                             el("EditSequence", ret.findtext("EditSequence")),
                             el("ExpenseLineMod", el("TxnLineID", "-1"), ref("AccountRef", "Job Materials"),
                                el("Amount", "30.00")),
                             el("ClearItemLines", "true")), requestID="bm")
    changed = ret_of(responses(company.process(message(mod)))[0])
    assert [line.findtext("Amount") for line in changed.findall("ExpenseLineRet")] == ["30.00"]
    assert changed.findtext("AmountDue") == "30.00"
    clear = el("BillModRq", el("BillMod", el("TxnID", ret.findtext("TxnID")),
                               el("EditSequence", changed.findtext("EditSequence")),
                               el("ClearExpenseLines", "true")), requestID="bc")
    rs = responses(company.process(message(clear)))[0]
    assert status(rs) == 3180 and "at least one line" in rs.get("statusMessage")  # as QuickBooks
