"""Response parsing, on documents that themselves validate against Intuit's response schema."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qbwc_service.qbxml.parse import QbxmlParseError, parse_host_response, parse_response, raise_for_hresult
from qbwc_service.qbxml.validate import validation_errors

CUSTOMER_RET = """<CustomerRet><ListID>80000001-1709251200</ListID>
  <TimeCreated>2024-03-01T09:00:00-06:00</TimeCreated><TimeModified>2024-03-02T10:00:00-06:00</TimeModified>
  <EditSequence>1709251200</EditSequence><Name>Acme &amp; Sons</Name><FullName>Acme &amp; Sons</FullName>
  <IsActive>true</IsActive><Sublevel>0</Sublevel><Balance>0.00</Balance><TotalBalance>0.00</TotalBalance>
  <JobStatus>None</JobStatus></CustomerRet>"""
INVOICE_RET = """<InvoiceRet><TxnID>1A2-1709251205</TxnID><TimeCreated>2024-03-01T09:00:05</TimeCreated>
  <TimeModified>2024-03-01T09:00:05</TimeModified><EditSequence>1709251205</EditSequence><TxnNumber>17</TxnNumber>
  <CustomerRef><ListID>80000001-1709251200</ListID><FullName>Acme &amp; Sons:Job 1</FullName></CustomerRef>
  <TxnDate>2024-03-01</TxnDate><RefNumber>1001</RefNumber><IsPending>false</IsPending>
  <IsFinanceCharge>false</IsFinanceCharge>
  <Subtotal>100.00</Subtotal><SalesTaxPercentage>10.00</SalesTaxPercentage><SalesTaxTotal>10.00</SalesTaxTotal>
  <AppliedAmount>0.00</AppliedAmount><BalanceRemaining>110.00</BalanceRemaining>
  <Memo>m&#233;mo</Memo><IsPaid>false</IsPaid><ExternalGUID>{3F2504E0-4F89-11D3-9A0C-0305E82C3301}</ExternalGUID>
  </InvoiceRet>"""
TIME_RET = """<TimeTrackingRet><TxnID>1A6-1</TxnID><TimeCreated>2024-03-04T17:00:00</TimeCreated>
  <TimeModified>2024-03-04T17:00:00</TimeModified><EditSequence>1</EditSequence><TxnNumber>3</TxnNumber>
  <TxnDate>2024-03-04</TxnDate><EntityRef><FullName>John Q Smith</FullName></EntityRef>
  <CustomerRef><FullName>Acme</FullName></CustomerRef><Duration>PT8H30M</Duration><Notes>Op 20</Notes>
  </TimeTrackingRet>"""


def _doc(*responses: str, attrs: str = "") -> str:
    return f'<?xml version="1.0" ?><QBXML><QBXMLMsgsRs{attrs}>{"".join(responses)}</QBXMLMsgsRs></QBXML>'


def _rs(name: str, rid: str, code: int, severity: str, message: str, body: str = "", extra: str = "") -> str:
    status = f'statusCode="{code}" statusSeverity="{severity}" statusMessage="{message}"'
    head = f'<{name} requestID="{rid}" {status}{extra}'
    return f"{head}>{body}</{name}>" if body else f"{head}/>"


def _checked(doc: str) -> str:
    assert validation_errors(doc) == [], doc
    return doc


def test_success_with_ret_fields():
    result = parse_response(_checked(_doc(_rs("CustomerAddRs", "c1", 0, "Info", "Status OK", CUSTOMER_RET))))[
        "c1"
    ]
    assert (result.rs_name, result.status_code, result.ok) == ("CustomerAddRs", 0, True)
    ret = result.ret
    assert ret.ret_name == "CustomerRet" and ret.list_id == "80000001-1709251200"
    assert ret.edit_sequence == "1709251200" and ret.name == "Acme & Sons" and ret.is_active is True
    assert ret.time_created == datetime.fromisoformat("2024-03-01T09:00:00-06:00")
    assert ret.time_modified.day == 2


def test_invoice_and_time_tracking_rets():
    rs = parse_response(
        _checked(
            _doc(
                _rs("InvoiceAddRs", "i", 0, "Info", "Status OK", INVOICE_RET),
                _rs("TimeTrackingAddRs", "t", 0, "Info", "Status OK", TIME_RET),
            )
        )
    )
    invoice = rs["i"].ret
    assert invoice.txn_id == "1A2-1709251205" and invoice.ref_number == "1001"
    assert invoice.txn_date == date(2024, 3, 1) and invoice.total_amount == Decimal("110.00")
    assert invoice.refs == {"CustomerRef": "Acme & Sons:Job 1"} and invoice.memo == "mémo"
    assert invoice.external_guid == "{3F2504E0-4F89-11D3-9A0C-0305E82C3301}"
    time = rs["t"].ret
    assert time.duration == "PT8H30M" and time.notes == "Op 20"
    assert time.refs == {"EntityRef": "John Q Smith", "CustomerRef": "Acme"}


@pytest.mark.parametrize(
    ("code", "severity", "ok"),
    [
        (1, "Info", True),
        (500, "Warn", True),
        (3100, "Error", False),
        (3140, "Error", False),
        (3180, "Error", False),
        (3200, "Error", False),
    ],
)
def test_status_codes(code, severity, ok):
    message = f"message for {code} &quot;X&quot;"
    result = parse_response(_checked(_doc(_rs("CustomerQueryRs", "q", code, severity, message))))["q"]
    assert (result.status_code, result.status_severity, result.ok, result.rets) == (code, severity, ok, [])
    assert result.status_message == f'message for {code} "X"'


def test_warning_with_data_is_ok_and_keeps_rets():
    doc = _checked(
        _doc(
            _rs(
                "CustomerQueryRs",
                "w",
                500,
                "Warn",
                "The query request has not been fully completed.",
                CUSTOMER_RET,
            )
        )
    )
    result = parse_response(doc)["w"]
    assert result.ok and len(result.rets) == 1


def test_several_responses_in_order_and_message_set_attributes():
    doc = _checked(
        _doc(
            _rs("CustomerAddRs", "b", 0, "Info", "Status OK", CUSTOMER_RET),
            _rs("InvoiceAddRs", "a", 3140, "Error", "There is an invalid reference"),
            attrs=' newMessageSetID="m1" messageSetStatusCode="0"',
        )
    )
    rs = parse_response(doc)
    assert [r.request_id for r in rs] == ["b", "a"] and len(rs) == 2
    assert [r.ok for r in rs] == [True, False]
    assert (rs.new_message_set_id, rs.message_set_status_code) == ("m1", "0")


def test_iterator_pages():
    extra = ' retCount="1" iteratorRemainingCount="140" iteratorID="{eb05f701-e727-472f-8ade-6753c4f0a5db}"'
    result = parse_response(
        _checked(_doc(_rs("CustomerQueryRs", "p", 0, "Info", "Status OK", CUSTOMER_RET, extra)))
    )["p"]
    assert (result.ret_count, result.iterator_remaining_count) == (1, 140)
    assert result.iterator_id == "{eb05f701-e727-472f-8ade-6753c4f0a5db}"
    last = parse_response(
        _checked(
            _doc(
                _rs(
                    "CustomerQueryRs",
                    "p",
                    0,
                    "Info",
                    "Status OK",
                    CUSTOMER_RET,
                    ' retCount="1" iteratorRemainingCount="0"',
                )
            )
        )
    )["p"]
    assert last.iterator_remaining_count == 0


def test_unknown_elements_are_ignored():
    doc = _doc(
        _rs(
            "CustomerAddRs",
            "x",
            0,
            "Info",
            "OK",
            CUSTOMER_RET.replace("<Sublevel>", "<Future>1</Future><Sublevel>"),
        )
    )
    assert parse_response(doc)["x"].ret.list_id == "80000001-1709251200"


HOST = """<HostQueryRs requestID="0" statusCode="0" statusSeverity="Info" statusMessage="Status OK"><HostRet>
  <ProductName>QuickBooks Enterprise Solutions: Manufacturing and Wholesale 24.0</ProductName>
  <MajorVersion>34</MajorVersion><MinorVersion>0</MinorVersion><Country>CA</Country>
  <SupportedQBXMLVersion>CA3.0</SupportedQBXMLVersion><SupportedQBXMLVersion>13.0</SupportedQBXMLVersion>
  <SupportedQBXMLVersion>16.0</SupportedQBXMLVersion><IsAutomaticLogin>true</IsAutomaticLogin>
  <QBFileMode>MultiUser</QBFileMode></HostRet></HostQueryRs>"""
COMPANY = """<CompanyQueryRs requestID="1" statusCode="0" statusSeverity="Info" statusMessage="Status OK">
  <CompanyRet><IsSampleCompany>false</IsSampleCompany><CompanyName>Maple Machining</CompanyName></CompanyRet>
  </CompanyQueryRs>"""


def test_host_response_with_host_and_company():
    doc = _checked(_doc(HOST, COMPANY))
    info = parse_host_response(doc)
    assert (info.major_version, info.minor_version, info.country) == (34, 0, "CA")
    assert info.supported_versions == ("CA3.0", "13.0", "16.0")
    assert info.company_name == "Maple Machining" and info.product_name.startswith("QuickBooks Enterprise")
    assert info.sales_tax_on is None  # no PreferencesRet: unknown, not "off"


def test_host_response_preferences_sample_file():
    import pathlib

    sample = pathlib.Path(__file__).resolve().parent.parent / "data" / "qbxml" / "hcp-response-13.0.xml"
    info = parse_host_response(sample.read_text())
    assert info.is_using_account_numbers is True and info.class_tracking_on is False
    assert info.sales_tax_on is False and info.time_tracking_on is False


@pytest.mark.parametrize("text", ["", "QuickBooks Point of Sale 19.0", "<not closed"])
def test_host_response_tolerates_pos_and_garbage(text):
    info = parse_host_response(text)
    assert info.supported_versions == () and info.major_version is None


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "not xml",
        "<QBXML><QBXMLMsgsRs>",
        "<Other/>",
        "<QBXML><QBXMLMsgsRq onError='stopOnError'/></QBXML>",
        '<?xml version="1.0"?><!DOCTYPE QBXML [<!ENTITY x "boom">]><QBXML><QBXMLMsgsRs/></QBXML>',
        '<QBXML><QBXMLMsgsRs><CustomerAddRs requestID="1" statusCode="oops" statusSeverity="Info"/>'
        "</QBXMLMsgsRs></QBXML>",
    ],
)
def test_malformed_responses_raise(bad):
    with pytest.raises(QbxmlParseError):
        parse_response(bad)


def test_hresult_failure():
    raise_for_hresult("")
    raise_for_hresult(None)
    with pytest.raises(QbxmlParseError, match="0x80040400.*error with the XML"):
        raise_for_hresult("0x80040400", "QuickBooks found an error with the XML")


@pytest.mark.parametrize("declared", ["ISO-8859-1", "utf-16", "utf-8"])
def test_a_decoded_string_is_read_as_it_is_whatever_its_declaration_says(declared):
    """The SOAP layer hands responses over as str: already decoded, never decoded twice."""
    doc = (f'<?xml version="1.0" encoding="{declared}"?><QBXML><QBXMLMsgsRs>'
           '<CustomerAddRs requestID="1" statusCode="0" statusSeverity="Info" statusMessage="Status OK">'
           '<CustomerRet><Name>Caf\u00e9 \u00bd</Name></CustomerRet></CustomerAddRs></QBXMLMsgsRs></QBXML>')
    assert parse_response(doc)["1"].ret.name == "Caf\u00e9 \u00bd"


@pytest.mark.parametrize("bad", [None, 17, "<QBXML><QBXMLMsgsRs/></QBXML>\ud800"])
def test_a_missing_or_unencodable_response_is_a_parse_error_not_a_crash(bad):
    """receiveResponseXML may carry no response at all (an hresult failure) or a broken string."""
    with pytest.raises(QbxmlParseError, match="qbXML response"):
        parse_response(bad)


def test_a_repeated_request_id_is_a_parse_error_not_a_lost_result():
    """Keeping only the last of two answers could hide a success and re-send (duplicate) the record."""
    doc = _checked(_doc(_rs("CustomerAddRs", "7", 0, "Info", "Status OK", CUSTOMER_RET),
                        _rs("CustomerAddRs", "7", 3100, "Error", "The name is already in use.")))
    with pytest.raises(QbxmlParseError, match="repeats requestID '7'"):
        parse_response(doc)


@settings(max_examples=200, deadline=None)
@given(doc=st.text(max_size=400) | st.binary(max_size=400) | st.builds(
    lambda head, body: f"<QBXML><QBXMLMsgsRs>{head}{body}</QBXMLMsgsRs></QBXML>",
    st.sampled_from(['<CustomerAddRs requestID="1" statusCode="0" statusSeverity="Info">', "<X>", ""]),
    st.text(alphabet="<>/&;=\"' abcdeRetListIDstatusCode0123456789\x00\ud800", max_size=200)))
def test_hostile_response_documents_parse_or_raise_a_parse_error(doc):
    try:
        results = parse_response(doc)
    except QbxmlParseError:
        return
    assert all(isinstance(r.status_code, int) for r in results)
