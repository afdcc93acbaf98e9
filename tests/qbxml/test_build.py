"""Every request type builds a message that Intuit's schema accepts, or fails naming the field."""

from __future__ import annotations

import dataclasses
import string
import types
import typing
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from qbwc_service import xmlsafe
from qbwc_service.qbxml import requests as rq
from qbwc_service.qbxml.build import REQUESTS, build_request_element
from qbwc_service.qbxml.fields import QbxmlFieldError
from qbwc_service.qbxml.message import build_message
from qbwc_service.qbxml.validate import QbxmlValidationError, validation_errors
from qbwc_service.qbxml.versions import QbxmlVersionError

from .samples import every_request

SAMPLES = every_request()
FAST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _ids(request: rq.Request) -> str:
    return type(request).__name__


def test_samples_cover_every_request_type():
    assert {type(r) for r in SAMPLES} == set(REQUESTS)


@pytest.mark.parametrize("version", ["13.0", "16.0"])
@pytest.mark.parametrize("country", ["US", "CA", "UK"])
def test_every_request_validates(version, country):
    built = build_message([(str(n), r) for n, r in enumerate(SAMPLES, 1)], version=version, country=country)
    assert validation_errors(built.xml, version) == []
    lines = built.xml.splitlines()
    assert lines[0] == '<?xml version="1.0" encoding="utf-8"?>'
    assert lines[1] == f'<?qbxml version="{version}"?>'
    root = xmlsafe.parse(built.xml)
    assert [rs.get("requestID") for rs in root.find("QBXMLMsgsRq")] == [
        str(n) for n in range(1, len(SAMPLES) + 1)
    ]


@pytest.mark.parametrize("request_", SAMPLES, ids=_ids)
def test_each_request_alone_validates_and_emits_its_values(request_):
    built = build_message([("r1", request_)])
    assert validation_errors(built.xml) == []
    element = xmlsafe.parse(built.xml).find("QBXMLMsgsRq")[0]
    assert element.tag == REQUESTS[type(request_)][0]
    assert len(element) > 0 or isinstance(request_, rq.PreferencesQuery)


def test_message_is_ascii_with_character_references():
    built = build_message([("1", rq.CustomerAdd(name="Café Zoë", notes="½ & <b> \"q\" 'a'"))])
    assert built.xml.isascii()
    assert "Caf&#233; Zo&#235;" in built.xml
    customer = xmlsafe.parse(built.xml).find(".//CustomerAdd")
    assert customer.findtext("Name") == "Café Zoë"
    assert customer.findtext("Notes") == "½ & <b> \"q\" 'a'"
    assert built.warnings == []


def test_non_latin1_is_folded_and_reported():
    built = build_message(
        [("7", rq.InvoiceAdd(customer=rq.Ref.named("Acme"), memo="“Quote” – 5€ Łódź 漢字"))]
    )
    memo = xmlsafe.parse(built.xml).findtext(".//Memo")
    assert memo == '"Quote" - 5EUR Lódz ??'
    [warning] = built.warnings
    assert (warning.request_id, warning.path, warning.new) == ("7", "InvoiceAddRq/InvoiceAdd/Memo", memo)
    assert warning.original.startswith("“Quote”")


def test_control_characters_removed_and_newlines_only_in_multiline_fields():
    built = build_message(
        [("1", rq.CustomerAdd(name="Bad\x00\x07Name\u200b", notes="a\r\nb\x1b", company_name="two\nlines"))]
    )
    customer = xmlsafe.parse(built.xml).find(".//CustomerAdd")
    assert customer.findtext("Name") == "BadName"
    assert customer.findtext("Notes") == "a\nb"
    assert customer.findtext("CompanyName") == "two lines"
    assert {w.path.rsplit("/", 1)[1] for w in built.warnings} == {"Name", "Notes", "CompanyName"}


@pytest.mark.parametrize(
    ("make", "field", "limit"),
    [
        (lambda v: rq.CustomerAdd(name=v), "CustomerAdd/Name", 41),
        (lambda v: rq.VendorAdd(name=v), "VendorAdd/Name", 41),
        (
            lambda v: rq.ItemServiceAdd(name=v, sales_or_purchase=rq.SalesOrPurchase()),
            "ItemServiceAdd/Name",
            31,
        ),
        (lambda v: rq.InvoiceAdd(customer=rq.Ref.named("A"), ref_number=v), "InvoiceAdd/RefNumber", 11),
        (lambda v: rq.BillAdd(vendor=rq.Ref.named("A"), ref_number=v), "BillAdd/RefNumber", 20),
        (
            lambda v: rq.AccountAdd(name="A", account_type="Bank", account_number=v),
            "AccountAdd/AccountNumber",
            7,
        ),
        (lambda v: rq.InvoiceAdd(customer=rq.Ref.named("A"), po_number=v), "InvoiceAdd/PONumber", 25),
        (lambda v: rq.InvoiceAdd(customer=rq.Ref.named(v)), "CustomerRef/FullName", 209),
    ],
)
def test_identity_fields_raise_beyond_their_limit(make, field, limit):
    build_message([("1", make("x" * limit))])  # exactly at the limit is fine
    with pytest.raises(QbxmlFieldError) as info:
        build_message([("1", make("y" * (limit + 1)))])
    assert info.value.field.endswith(field)
    assert info.value.limit == limit
    assert "y" * min(limit + 1, 100) in str(info.value) and field.split("/")[-1] in str(info.value)


@pytest.mark.parametrize(
    ("make", "tag", "limit"),
    [
        (lambda v: rq.CustomerAdd(name="A", bill_address=rq.Address(addr1=v)), "Addr1", 41),
        (lambda v: rq.CustomerAdd(name="A", bill_address=rq.Address(city=v)), "City", 31),
        (lambda v: rq.CustomerAdd(name="A", bill_address=rq.Address(postal_code=v)), "PostalCode", 13),
        (lambda v: rq.InvoiceAdd(customer=rq.Ref.named("A"), memo=v), "Memo", 4095),
        (lambda v: rq.InvoiceAdd(customer=rq.Ref.named("A"), lines=(rq.InvoiceLine(desc=v),)), "Desc", 4095),
        (lambda v: rq.AccountAdd(name="A", account_type="Bank", desc=v), "Desc", 200),
    ],
)
def test_descriptive_fields_truncate_with_warning(make, tag, limit):
    built = build_message([("1", make("z" * (limit + 10)))])
    assert validation_errors(built.xml) == []
    assert xmlsafe.parse(built.xml).findtext(f".//{tag}") == "z" * limit
    [warning] = built.warnings
    assert warning.path.endswith(tag) and warning.new == "z" * limit and "truncated" in warning.reason


def test_colon_in_a_name_is_a_field_error():
    with pytest.raises(QbxmlFieldError, match="CustomerAdd/Name.*level separator"):
        build_message([("1", rq.CustomerAdd(name="Acme:Job"))])
    # a FullName in a reference may (and for jobs must) contain the separator
    build_message([("1", rq.InvoiceAdd(customer=rq.Ref.named("Acme:Job")))])


@pytest.mark.parametrize("value", ["", "   ", "\x00\x01"])
def test_empty_name_is_a_field_error(value):
    with pytest.raises(QbxmlFieldError, match="Name"):
        build_message([("1", rq.VendorAdd(name=value))])


@pytest.mark.parametrize("ref,field", [
    (rq.Ref(list_id=""), "CustomerRef/ListID"),
    (rq.Ref(list_id="  "), "CustomerRef/ListID"),
    (rq.Ref(full_name="\x00\u200b"), "CustomerRef/FullName"),
])
def test_a_reference_that_cleans_to_nothing_is_a_field_error(ref, field):
    """Never silently dropped (a missing TermsRef changes the record) nor a crash on the line check."""
    with pytest.raises(QbxmlFieldError, match=f"{field}.* is empty"):
        build_message([("1", rq.InvoiceAdd(customer=ref, lines=[rq.InvoiceLine()]))])
    with pytest.raises(QbxmlFieldError, match="TermsRef/.* is empty"):
        build_message([("1", rq.CustomerAdd(name="Acme", terms=dataclasses.replace(ref)))])


def test_an_empty_line_after_a_filled_one_is_a_field_error():
    with pytest.raises(QbxmlFieldError, match="InvoiceLineAdd.* is empty"):
        build_message([("1", rq.InvoiceAdd(customer=rq.Ref.named("A"),
                                           lines=[rq.InvoiceLine(desc="a"), rq.InvoiceLine(desc="\x00")]))])
    with pytest.raises(QbxmlFieldError, match="ExpenseLineAdd.* is empty"):
        build_message([("1", rq.BillAdd(vendor=rq.Ref.named("V"), expense_lines=[
            rq.ExpenseLine(amount=Decimal(1)), rq.ExpenseLine()]))])


def test_choice_conflicts_are_refused():
    with pytest.raises(QbxmlFieldError, match="full_names"):
        build_message([("1", rq.CustomerQuery(full_names=("A",), max_returned=5))])
    with pytest.raises(QbxmlFieldError, match="ref_numbers"):
        build_message([("1", rq.InvoiceQuery(ref_numbers=("1",), entity=rq.EntityFilter(full_names=("A",))))])
    with pytest.raises(QbxmlFieldError, match="rate"):
        build_message(
            [
                (
                    "1",
                    rq.InvoiceAdd(
                        customer=rq.Ref.named("A"),
                        lines=(rq.InvoiceLine(rate=Decimal(1), rate_percent=Decimal(1)),),
                    ),
                )
            ]
        )
    with pytest.raises(QbxmlFieldError, match="sales_or_purchase"):
        build_message([("1", rq.ItemServiceAdd(name="S"))])


@pytest.mark.parametrize("iterator_id", ["", "{ab\x00}", "\x0c", "\ud800", "id\u20ac"])
def test_an_iterator_id_that_cannot_be_sent_is_a_field_error(iterator_id):
    with pytest.raises(QbxmlFieldError, match="InvoiceQueryRq@iteratorID"):
        build_message([("1", rq.InvoiceQuery(iterator="Continue", iterator_id=iterator_id))])


def test_iterator_rules():
    with pytest.raises(QbxmlFieldError, match="iterator"):
        build_message([("1", rq.EmployeeQuery(iterator="Start"))])
    with pytest.raises(QbxmlFieldError, match="iteratorID"):
        build_message([("1", rq.CustomerQuery(iterator="Continue"))])
    built = build_message(
        [("12", rq.CustomerQuery(iterator="Continue", iterator_id="{abc}", max_returned=100))]
    )
    element = xmlsafe.parse(built.xml).find(".//CustomerQueryRq")
    assert (element.get("iterator"), element.get("iteratorID")) == ("Continue", "{abc}")
    assert validation_errors(built.xml) == []


def test_bad_message_options():
    with pytest.raises(QbxmlVersionError, match="99.0"):
        build_message([], version="99.0")
    with pytest.raises(QbxmlVersionError, match="AU"):
        build_message([], country="AU")
    with pytest.raises(ValueError, match="rollbackOnError"):
        build_message([], on_error="rollbackOnError")
    with pytest.raises(QbxmlFieldError, match="requestID"):
        build_message([("1", rq.HostQuery()), ("1", rq.HostQuery())])
    with pytest.raises(QbxmlFieldError, match="requestID"):
        build_message([("x" * 51, rq.HostQuery())])


def test_continue_on_error_attribute():
    built = build_message([("1", rq.HostQuery())], on_error="continueOnError")
    assert xmlsafe.parse(built.xml).find("QBXMLMsgsRq").get("onError") == "continueOnError"


def test_builders_emit_schema_order_a_misordered_document_is_caught():
    built = build_message([("1", SAMPLES[[type(r) for r in SAMPLES].index(rq.InvoiceAdd)])])
    assert validation_errors(built.xml) == []
    root = xmlsafe.parse(built.xml)
    invoice = root.find(".//InvoiceAdd")
    ref_number = invoice.find("RefNumber")
    invoice.remove(ref_number)
    invoice.find("TxnDate").addprevious(ref_number)  # RefNumber before TxnDate: wrong order
    text = etree.tostring(root.getroottree(), encoding="unicode")
    errors = validation_errors(text)
    assert errors and "TxnDate" in errors[0] and "not expected" in errors[0]


def test_hand_made_bill_with_item_line_before_expense_line_is_caught():
    doc = """<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">
      <BillAddRq><BillAdd><VendorRef><FullName>V</FullName></VendorRef>
      <ItemLineAdd><ItemRef><FullName>I</FullName></ItemRef></ItemLineAdd>
      <ExpenseLineAdd><AccountRef><FullName>A</FullName></AccountRef></ExpenseLineAdd>
      </BillAdd></BillAddRq></QBXMLMsgsRq></QBXML>"""
    assert any("ExpenseLineAdd" in e for e in validation_errors(doc))


# --------------------------------------------------------------------------- hostile inputs

HOSTILE_TEXT = st.one_of(
    st.text(max_size=300),
    st.text(alphabet="&<>\"' :\t\n\r\x00\x0b\u00e9\u2019\u20ac\U0001f600\ufffe", max_size=60),
    st.text(alphabet=string.printable, min_size=0, max_size=5000),
)
NUMBERS = st.decimals(
    allow_nan=True, allow_infinity=True, places=None, min_value=None, max_value=None
) | st.integers(-(10**16), 10**16).map(Decimal)


def _str_fields(request: object) -> list[str]:
    return [
        f.name
        for f in dataclasses.fields(request)
        if f.type in ("str | None", "str")
        and f.name not in ("list_id", "edit_sequence", "external_guid", "iterator_id", "sales_tax_country")
    ]


def _decimal_fields(request: object) -> list[str]:
    return [f.name for f in dataclasses.fields(request) if f.type == "Decimal | None"]


def _is_about(exc: QbxmlFieldError, changed: tuple[object, ...]) -> bool:
    """Whether the error's value is one of the ``changed`` values (or what holds them):
    an error about a field the test did not touch is a wrong answer, not a named field."""
    for value in changed:
        if exc.value is value:
            return True
        if isinstance(value, Decimal) and isinstance(exc.value, Decimal):
            if exc.value.compare_total(value) == 0:  # NaNs too, which == refuses to compare
                return True
        elif type(exc.value) is type(value) and exc.value == value:
            return True
        if isinstance(exc.value, tuple) and any(v is value for v in exc.value):
            return True
        if (isinstance(value, Decimal) and isinstance(exc.value, Decimal) and value.is_finite()
                and exc.value.is_finite() and abs(exc.value - value) <= Decimal("0.01")):
            return True  # the rounded value
    return False


def _assert_names_the_change(exc: QbxmlFieldError, *changed: object) -> None:
    assert exc.field and str(exc).startswith(exc.field)
    assert _is_about(exc, changed), (exc, changed)


def _outcome_is_valid_or_named_error(request: rq.Request, field_name: str, *changed: object) -> None:
    try:
        built = build_message([("1", request)])
    except QbxmlFieldError as exc:
        _assert_names_the_change(exc, *changed)
        return
    assert validation_errors(built.xml) == [], (field_name, built.xml)
    assert built.xml.isascii()


WITH_TEXT = [r for r in SAMPLES if _str_fields(r)]
WITH_NUMBERS = [r for r in SAMPLES if _decimal_fields(r)]


@FAST
@given(data=st.data(), text=HOSTILE_TEXT)
def test_hostile_text_in_any_field_validates_or_names_the_field(data, text):
    request = data.draw(st.sampled_from(WITH_TEXT))
    name = data.draw(st.sampled_from(_str_fields(request)))
    _outcome_is_valid_or_named_error(dataclasses.replace(request, **{name: text}), name, text)


@FAST
@given(data=st.data(), number=NUMBERS)
def test_large_negative_and_odd_numbers_validate_or_name_the_field(data, number):
    request = data.draw(st.sampled_from(WITH_NUMBERS))
    name = data.draw(st.sampled_from(_decimal_fields(request)))
    _outcome_is_valid_or_named_error(dataclasses.replace(request, **{name: number}), name, number)


@FAST
@given(desc=HOSTILE_TEXT, qty=NUMBERS, rate=NUMBERS, amount=NUMBERS, n=st.integers(1, 12))
def test_hostile_invoice_lines(desc, qty, rate, amount, n):
    line = rq.InvoiceLine(item=rq.Ref.named("P"), desc=desc, quantity=qty, rate=rate, amount=amount)
    _outcome_is_valid_or_named_error(rq.InvoiceAdd(customer=rq.Ref.named("C"), lines=(line,) * n), "line",
                                     desc, qty, rate, amount, line)


@FAST
@given(names=st.lists(HOSTILE_TEXT, min_size=1, max_size=5))
def test_hostile_query_names(names):
    for query in (
        rq.CustomerQuery(full_names=tuple(names)),
        rq.InvoiceQuery(ref_numbers=tuple(names)),
        rq.BillQuery(
            entity=rq.EntityFilter(full_names=tuple(names)), ref_number_from=names[0], ref_number_to=names[0]
        ),
    ):
        _outcome_is_valid_or_named_error(query, "names", *names, tuple(names))


def test_build_request_element_is_usable_alone():
    warnings: list = []
    element = build_request_element(rq.CustomerAdd(name="A\u2013B"), "13.0", "US", "9", warnings)
    assert element.tag == "CustomerAddRq" and element.get("requestID") == "9"
    assert element.findtext("CustomerAdd/Name") == "A-B" and len(warnings) == 1


# --------------------------------------------------------------------------- hostile values anywhere

def _is_enum(owner: type, name: str) -> bool:
    hint = typing.get_type_hints(owner)[name]
    options = typing.get_args(hint) if typing.get_origin(hint) in (typing.Union, types.UnionType) else (hint,)
    return any(typing.get_origin(option) is typing.Literal for option in options)


def _leaves(value: object, path: tuple = ()) -> list[tuple[tuple, object]]:
    """Every str / Decimal / bool value inside *value* (nested requests, lines, refs, addresses)."""
    found: list[tuple[tuple, object]] = []
    if isinstance(value, tuple):
        for index, item in enumerate(value):
            found += _leaves(item, (*path, index))
    elif dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if isinstance(item, str | Decimal | bool) and not _is_enum(type(value), f.name):
                found.append(((*path, f.name), item))
            elif isinstance(item, tuple) or dataclasses.is_dataclass(item):
                found += _leaves(item, (*path, f.name))
    return found


def _replaced(value: object, path: tuple, new: object) -> object:
    head, rest = path[0], path[1:]
    if isinstance(value, tuple):
        return (*value[:head], _replaced(value[head], rest, new) if rest else new, *value[head + 1:])
    inner = _replaced(getattr(value, head), rest, new) if rest else new
    return dataclasses.replace(value, **{head: inner})


def _holders(value: object, path: tuple) -> list[object]:
    """The objects on the way from *value* down to the leaf at *path*."""
    found = []
    for step in path[:-1]:
        value = value[step] if isinstance(value, tuple) else getattr(value, step)
        found.append(value)
    return found


NOT_BOOLEANS = st.sampled_from(["N", "false", "", 0, 1, Decimal(0)])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), version=st.sampled_from(["8.0", "13.0", "16.0"]),
       country=st.sampled_from(["US", "CA", "UK"]))
def test_hostile_value_in_any_nested_field_validates_or_names_the_field(data, version, country):
    """Every text, number and flag, in lines, refs and addresses too, in every version and country."""
    request = data.draw(st.sampled_from(SAMPLES))
    leaves = _leaves(request)
    if not leaves:
        return
    path, old = data.draw(st.sampled_from(leaves))
    strategy = NUMBERS if isinstance(old, Decimal) else (
        st.booleans() | NOT_BOOLEANS if isinstance(old, bool) else HOSTILE_TEXT)
    new = data.draw(strategy)
    changed = _replaced(request, path, new)
    try:
        built = build_message([("1", changed)], version=version, country=country)
    except QbxmlFieldError as exc:
        assert exc.field.split("@")[0].split("/")[-1] != "", exc.field
        # The value, or the line / reference holding it when that came out empty.
        _assert_names_the_change(exc, new, *_holders(changed, path))
        return
    assert built.xml.isascii() and validation_errors(built.xml, version) == []
    assert built.xml.splitlines()[1] == f'<?qbxml version="{version}"?>'


@pytest.mark.parametrize("flag", ["N", "false", 0, 1, "Y"])
def test_a_flag_that_is_not_a_bool_is_a_field_error_not_true(flag):
    with pytest.raises(QbxmlFieldError, match="IsActive.*True or False"):
        build_message([("1", rq.CustomerAdd(name="A", is_active=flag))])
    built = build_message([("1", rq.CustomerAdd(name="A", is_active=False))])
    assert xmlsafe.parse(built.xml).findtext(".//IsActive") == "false"


@pytest.mark.parametrize("request_id", ["a\tb", "x\x00", "\u20ac", 7])
def test_a_request_id_that_would_come_back_different_is_a_field_error(request_id):
    """The response is matched by requestID: a cleaned or converted ID would never match."""
    with pytest.raises(QbxmlFieldError, match="requestID"):
        build_message([(request_id, rq.HostQuery())])


@pytest.mark.parametrize("hours", [Decimal("1E+30"), Decimal("-1E+30"), 10**40, timedelta.max])
def test_an_absurd_duration_is_a_field_error(hours):
    with pytest.raises(QbxmlFieldError, match="Duration"):
        build_message([("1", rq.TimeTrackingAdd(entity=rq.Ref.named("E"), duration=hours))])


@pytest.mark.parametrize(("value", "text"), [
    (Decimal("2.345"), "2.35"), (Decimal("-2.345"), "-2.35"), (Decimal("2.344"), "2.34"),
    (Decimal("-0.004"), "0.00"), (Decimal("1E+3"), "1000.00"),
    (Decimal("9999999999999.99"), "9999999999999.99"),
])
def test_amounts_have_two_decimals_rounded_half_up(value, text):
    built = build_message([("1", rq.BillAdd(vendor=rq.Ref.named("V"),
                                            expense_lines=(rq.ExpenseLine(amount=value),)))])
    assert xmlsafe.parse(built.xml).findtext(".//ExpenseLineAdd/Amount") == text


@pytest.mark.parametrize(("request_", "field"), [
    (rq.CustomerQuery(name_filter=rq.NameFilter(match="StartsWith", name=" \x00")), "NameFilter/Name"),
    (rq.InvoiceQuery(ref_number_match=rq.RefNumberMatch(match="Contains", ref_number="")),
     "RefNumberFilter/RefNumber"),
])
def test_a_filter_whose_required_value_is_empty_is_a_field_error(request_, field):
    """Left out, the filter would lack a required child and the whole message would be rejected."""
    with pytest.raises(QbxmlFieldError, match=f"{field}.* is empty"):
        build_message([("1", request_)])


def test_an_empty_list_selects_nothing_like_an_empty_tuple():
    built = build_message([("1", rq.CustomerQuery(full_names=[], max_returned=5))])  # type: ignore[arg-type]
    assert xmlsafe.parse(built.xml).findtext(".//MaxReturned") == "5"


# --------------------------------------------------------------------------- the schema check


def _without_customer_ref(monkeypatch: pytest.MonkeyPatch) -> None:
    """Builders that forget InvoiceAdd's required CustomerRef (what the XSD check is for)."""
    import qbwc_service.qbxml.message as message_module

    def broken(request, version, country, request_id, warnings):
        element = build_request_element(request, version, country, request_id, warnings)
        invoice = element.find("InvoiceAdd")
        if invoice is not None:
            invoice.remove(invoice.find("CustomerRef"))
        return element

    monkeypatch.setattr(message_module, "build_request_element", broken)


def test_build_message_checks_the_schema_unless_told_not_to(monkeypatch):
    invoice = SAMPLES[[type(r) for r in SAMPLES].index(rq.InvoiceAdd)]
    _without_customer_ref(monkeypatch)
    with pytest.raises(QbxmlValidationError) as info:
        build_message([("1", invoice)])
    assert any("CustomerRef" in error for error in info.value.errors)
    unchecked = build_message([("1", invoice)], check_schema=False)  # the caller's explicit choice
    assert any("CustomerRef" in e for e in validation_errors(unchecked.xml))
