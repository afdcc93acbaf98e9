"""The name map's shortening rule and each kind's limit, without a Web Connector session."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from qbwc_service import accounts
from qbwc_service.jobboss import records as jb
from qbwc_service.qbxml.build import build_request_element
from qbwc_service.qbxml.message import serialize
from qbwc_service.qbxml.parse import RetInfo
from qbwc_service.qbxml.validate import validation_errors
from qbwc_service.queue.db import transaction
from qbwc_service.queue.models import NameMapEntry
from qbwc_service.sync import settings as settings_mod
from qbwc_service.sync.kinds import account, bill, customer, invoice, item, terms, vendor
from qbwc_service.sync.kinds.context import BuildError, MapContext
from qbwc_service.sync.names import rule as rules_mod
from qbwc_service.sync.names.book import NameBook, policies_of, rules
from qbwc_service.sync.names.rule import NameProblem, check_manual, check_source, shorten

#: Every kind whose name goes through the map, with QuickBooks' limit and namespace.
LIMITS = {"item": (31, "items"), "customer": (41, "names"), "vendor": (41, "names"),
          "account": (31, "accounts"), "terms": (31, "terms"), "invoice": (11, "invoice numbers"),
          "bill": (20, "bill numbers")}


def test_each_kind_declares_its_limit_and_has_a_setting():
    declared = {kind: (r.limit, r.namespace) for kind, r in rules().items()}
    assert declared == LIMITS
    for r in rules().values():
        spec = settings_mod.spec_for(r.setting)
        assert spec.default == "shorten" and spec.choices == ("shorten", "error")


@pytest.mark.parametrize("kind", sorted(LIMITS))
def test_shortened_to_the_kind_limit_keeping_the_start(kind):
    r = rules()[kind]
    value = "ABCDEFGHIJ-KLMNOPQRST-UVWXYZ-0123456789-ABCDEFGHIJ-KLMNOPQRST"
    name = shorten(r, value)
    assert len(name) == r.limit
    start, _sep, suffix = name.rpartition("~")
    assert value.startswith(start) and len(suffix) == 4
    assert set(suffix) <= set(rules_mod.ALPHABET)
    assert shorten(r, value) == name  # the same on every run and machine: a hash of the value
    assert shorten(r, value, attempt=1) != name


def test_known_shortening_is_fixed_forever():
    # Stable across versions too: a name QuickBooks holds must be found again.
    part = "HYD-MANIFOLD-ASSY-4-PORT-STAINLESS-316L-REV-C"
    assert shorten(item.NAMES, part) == "HYD-MANIFOLD-ASSY-4-PORT-S~VX38"


def test_two_parts_equal_in_their_first_31_characters_get_two_names():
    a, b = "BRKT-ASSY-WELDED-STEEL-ZINC-PL-" + "REV-A-001", "BRKT-ASSY-WELDED-STEEL-ZINC-PL-" + "REV-B-002"
    assert len(a) == len(b) == 40 and a[:31] == b[:31]
    assert shorten(item.NAMES, a) != shorten(item.NAMES, b)


def test_bad_keys_get_a_clear_message():
    with pytest.raises(NameProblem, match="JobBOSS2 key is empty"):
        check_source(item.NAMES, "   ", "x")
    with pytest.raises(NameProblem, match="no character QuickBooks can store.*names set"):
        check_source(customer.NAMES, "TOKYO2", "\u6771\u4eac\u7cbe\u5bc6")
    assert check_source(customer.NAMES, "LODZ", "\u0141\u00f3d\u017a Metal") == "L\u00f3dz Metal"


def test_manual_names_are_checked_against_the_kind():
    assert check_manual(invoice.NAMES, " 26-000123 ") == "26-000123"
    assert check_manual(invoice.NAMES, "INV-2026-01") == "INV-2026-01"  # 11: fits
    with pytest.raises(NameProblem, match="12 characters long; QuickBooks allows 11"):
        check_manual(invoice.NAMES, "INV-2026-012")
    with pytest.raises(NameProblem, match="sub-list separator"):
        check_manual(item.NAMES, "A:B")
    with pytest.raises(NameProblem, match="cannot store"):
        check_manual(customer.NAMES, "\u6771\u4eac")
    with pytest.raises(NameProblem, match="empty"):
        check_manual(vendor.NAMES, "  ")


# ---------------------------------------------------------------- the map of one user


@pytest.fixture
def user_id(sessions) -> int:
    with transaction(sessions) as db:
        return accounts.create_user(db, "shop", "shop-password-1").id


def _book(db, user_id, **policies) -> NameBook:
    values = dict(settings_mod.defaults().values)
    values.update({f"names.{k}": v for k, v in policies.items()})
    return NameBook(db, user_id, policies_of(values))


def test_assign_is_unique_in_the_namespace_and_stable(sessions, user_id):
    a = "BRKT-ASSY-WELDED-STEEL-ZINC-PL-REV-A-001"
    with transaction(sessions) as db:
        book = _book(db, user_id)
        first = book.assign(item.NAMES, a, a)
        assert first == shorten(item.NAMES, a)
        assert book.assign(item.NAMES, "SHORT-1", "SHORT-1") is None  # fits: no entry
    with transaction(sessions) as db:
        # The shortened name is held; another record whose value hashes alike must not share it.
        again = _book(db, user_id)
        assert again.assign(item.NAMES, a, a) == first
        clash = again.owner_of(item.NAMES, first)
        assert clash == ("item", a)
        other = "OTHER"
        db.add(NameMapEntry(user_id=user_id, kind="item", source_key="X-TAKEN", source_value="x",
                            namespace="items", qb_name=shorten(item.NAMES, other + "-" * 40),
                            qb_name_key=shorten(item.NAMES, other + "-" * 40).casefold(),
                            origin="manual", set_by="test"))
        db.flush()
    with transaction(sessions) as db:
        book = _book(db, user_id)
        long_other = other + "-" * 40
        got = book.assign(item.NAMES, "Y-KEY", long_other)
        assert got == shorten(item.NAMES, long_other, attempt=1)  # taken: hashed again
        rows = db.query(NameMapEntry).filter_by(user_id=user_id).count()
    assert rows == 3


def test_error_policy_assigns_nothing(sessions, user_id):
    part = "HYD-MANIFOLD-ASSY-4-PORT-STAINLESS-316L-REV-C"
    with transaction(sessions) as db:
        assert _book(db, user_id, item="error").assign(item.NAMES, part, part) is None
        assert db.query(NameMapEntry).count() == 0


# ---------------------------------------------------------------- each kind's request


def _validates(request) -> str:
    root = etree.Element("QBXML")
    msgs = etree.SubElement(root, "QBXMLMsgsRq", onError="continueOnError")
    msgs.append(build_request_element(request, "13.0", "US", "1", []))
    xml = serialize(root, "13.0")
    assert validation_errors(xml, "13.0") == [], xml
    return xml


def _ctx(book: NameBook) -> MapContext:
    return MapContext(settings=settings_mod.defaults(), owner="{X}", names=book)


LONG_PART = "HYD-MANIFOLD-ASSY-4-PORT-STAINLESS-316L-REV-C"
LONG_NAME = "Northwestern Aerospace Precision Assemblies International"


def test_each_list_kind_sends_its_mapped_name_with_the_full_value_visible(sessions, user_id):
    part = jb.Part(part_no=LONG_PART, description="Manifold", price=Decimal("2"), cost=None,
                   sales_acct=None, purch_acct=None, taxable=True, active=True)
    cust = jb.Customer(cust_code="NWAPA", name=LONG_NAME, qb_name=LONG_NAME, terms_code=None,
                       tax_code=None, address=jb.Address(), phone=None, fax=None, contact=None,
                       active=True)
    vend = jb.Vendor(vend_code="LONGV", name=LONG_NAME + " Supply", qb_name=LONG_NAME + " Supply",
                     terms_code=None, address=jb.Address(), phone=None, account_number=None,
                     is_1099=False, tax_id=None, gl_acct=None, active=True)
    gl = jb.GlAccount(number="5100-00-0001", description="Outside processing and heat treatment",
                      acct_code=None, account_type="Expense", active=True)
    with transaction(sessions) as db:
        ctx = _ctx(_book(db, user_id))
        made = {
            "item": item.item_add(LONG_PART, part, None, ctx),
            "customer": customer.customer_add(cust, ctx),
            "vendor": vendor.vendor_add(vend, ctx),
            "account": account.account_add(gl.number, gl, ctx),
            "terms": terms.terms_add("NET 30 DAYS AFTER END OF MONTH OF SHIPMENT", None, ctx),
        }
        for kind, request in made.items():
            limit = LIMITS[kind][0]
            assert len(request.name) <= limit and "~" in request.name, kind
            _validates(request)
        assert made["item"].sales_and_purchase.sales_desc.startswith(f"JobBOSS2 part number: {LONG_PART}")
        assert made["customer"].notes == f"JobBOSS2 customer name: {LONG_NAME}"
        assert made["vendor"].notes == f"JobBOSS2 vendor name: {LONG_NAME} Supply"
        assert made["account"].account_number is None  # 12 characters: QuickBooks holds 7
        assert made["account"].desc == f"JobBOSS2 GL account number: {gl.number}\n{gl.description}"
        assert {e.kind for e in db.query(NameMapEntry)} == set(made)


def _invoice(demo_template) -> jb.ArInvoice:
    from qbwc_service.jobboss.reader import JobBossReader, TxnFilter

    return next(JobBossReader(str(demo_template)).ar_invoices(TxnFilter(only_unexported=False)))


def test_long_invoice_number_goes_under_a_refnumber_with_the_full_number_in_the_memo(
        sessions, user_id, demo_template):
    inv = replace(_invoice(demo_template), invoice_no="INV-2026-000123")
    with transaction(sessions) as db:
        ctx = _ctx(_book(db, user_id))
        request = invoice.invoice_add(inv, ctx)
        assert len(request.ref_number) == 11 and request.ref_number.startswith("INV-20")
        assert request.memo.splitlines()[0] == "JobBOSS2 invoice number: INV-2026-000123"
        _validates(request)
        query = invoice.verify_query(inv, ctx)
        assert query.ref_number_from == request.ref_number
    # Found again after a lost answer: by the mapped RefNumber, recognised by the memo.
    ret = RetInfo("InvoiceRet", ref_number=request.ref_number, txn_date=inv.txn_date,
                  memo=request.memo)
    assert invoice.matches(inv, ret)
    other = replace(inv, invoice_no="INV-2026-000124")
    assert not invoice.matches(other, ret)


def test_long_bill_number_is_shortened_to_20(sessions, user_id):
    ap = jb.ApInvoice(vend_code="V1", invoice_no="VENDOR-INVOICE-2026-000777-A",
                      txn_date=date(2026, 1, 5), due_date=None, terms_code=None, ap_acct=None,
                      total=Decimal("10"), shipping_charges=Decimal(0), sales_tax=Decimal(0),
                      memo=None, lines=(jb.ApExpenseLine(gl_acct="6000", amount=Decimal("10")),))
    with transaction(sessions) as db:
        request = bill.bill_add(ap, _ctx(_book(db, user_id)))
    # The kept start ends before the cut "-": 14 characters + "~" + 4.
    assert request.ref_number.startswith("VENDOR-INVOICE~") and len(request.ref_number) == 19
    assert "JobBOSS2 bill number: VENDOR-INVOICE-2026-000777-A" in request.memo
    _validates(request)


def test_error_policy_keeps_refusing_a_long_invoice_number(sessions, user_id, demo_template):
    inv = replace(_invoice(demo_template), invoice_no="INV-2026-000123")
    with transaction(sessions) as db, pytest.raises(BuildError, match="longer than the 11 characters"):
        invoice.invoice_add(inv, _ctx(_book(db, user_id, invoice="error")))


def test_empty_and_unstorable_keys_fail_with_the_record_named(sessions, user_id, demo_template):
    inv = replace(_invoice(demo_template), invoice_no="   ")
    cust = jb.Customer(cust_code="TOKYO2", name="\u6771\u4eac\u7cbe\u5bc6",
                       qb_name="\u6771\u4eac\u7cbe\u5bc6", terms_code=None, tax_code=None,
                       address=jb.Address(), phone=None, fax=None, contact=None, active=True)
    with transaction(sessions) as db:
        ctx = _ctx(_book(db, user_id))
        with pytest.raises(BuildError, match="invoice number: the JobBOSS2 key is empty"):
            invoice.invoice_add(inv, ctx)
        with pytest.raises(BuildError, match="TOKYO2.*no character QuickBooks can store"):
            customer.customer_add(cust, ctx)
        assert db.query(NameMapEntry).count() == 0
