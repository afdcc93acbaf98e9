"""Request builders: one function per request, one line per element, in schema order.

Every builder walks its request's elements in the order of the schema's
``xsd:sequence`` and hands each value to an :class:`Emitter`, which decides
everything else from the data tables: whether the element exists in the target
version and country (:mod:`~qbwc_service.qbxml.versions`), the character policy
(:mod:`~qbwc_service.qbxml.text`), the length limit and its policy
(:mod:`~qbwc_service.qbxml.fields`) and the value format
(:mod:`~qbwc_service.qbxml.formats`). Empty aggregates are dropped, so an
``Address()`` with no lines writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

from lxml import etree

from qbwc_service.qbxml import formats
from qbwc_service.qbxml import requests as rq
from qbwc_service.qbxml.fields import FieldWarning, Policy, QbxmlFieldError, limit_for
from qbwc_service.qbxml.text import clean
from qbwc_service.qbxml.versions import QbxmlVersionError, element_available, request_available

ITERATOR_REQUESTS = frozenset({
    "CustomerQueryRq", "VendorQueryRq", "ItemQueryRq", "ItemSalesTaxQueryRq",
    "InvoiceQueryRq", "BillQueryRq", "TimeTrackingQueryRq", "CreditMemoQueryRq",
    "VendorCreditQueryRq",
})
"""Queries whose schema type accepts ``iterator``/``iteratorID``."""

MAX_REQUEST_ID = 50  # statusCode 1060 beyond this


class Emitter:
    """Writes the elements of one request into an lxml tree, applying every policy.

    ``clearing`` (used for ``...Mod``) writes an empty string as an empty element,
    which clears the field in QuickBooks; in adds an empty string is left out.
    """

    def __init__(self, root: etree._Element, request_id: str, version: str, country: str,
                 warnings: list[FieldWarning], clearing: bool = False) -> None:
        self._stack = [root]
        # The tag of each open aggregate, kept as Python strings: lxml's ``.tag`` makes a
        # new string on every access, and the policy tables are asked for every element.
        # The path of an element, for messages, is worked out from them only when needed.
        self._tags = [root.tag]
        self.request_id = request_id
        self.version = version
        self.country = country
        self.warnings = warnings
        self.clearing = clearing

    # ---- structure

    @property
    def parent(self) -> etree._Element:
        return self._stack[-1]

    def path(self, tag: str) -> str:
        return "/".join(self._tags) + "/" + tag

    def aggregate(self, tag: str, given: object = True) -> _Aggregate:
        """Open child aggregate *tag*; yields False (and writes nothing) when it is unavailable."""
        return _Aggregate(self, tag, given)

    def _open(self, tag: str) -> etree._Element:
        element = etree.SubElement(self._stack[-1], tag)
        self._stack.append(element)
        self._tags.append(tag)
        return element

    def _close(self, element: etree._Element) -> None:
        self._stack.pop()
        self._tags.pop()
        if len(element) == 0:
            self.parent.remove(element)

    def line(self, tag: str, value: object) -> _Line:
        """A transaction line; one that comes out empty would be dropped and shift the numbering."""
        return _Line(self, tag, value)

    def _available(self, tag: str, given: object) -> bool:
        reason = element_available(self._tags[-1], tag, self.version, self.country)
        if reason is None:
            return True
        if _is_set(given):
            self._warn(tag, _shown(given), "", f"left out: {reason}")
        return False

    def _warn(self, tag: str, original: str, new: str, reason: str) -> None:
        self.warnings.append(FieldWarning(self.request_id, self.path(tag), original, new, reason))

    def _put(self, tag: str, text: str) -> None:
        etree.SubElement(self._stack[-1], tag).text = text

    # ---- leaves

    def text(self, tag: str, value: str | None, *, name: bool = False, required: bool = False) -> None:
        """A string element; ``name=True`` for list names (no ``:``, not empty); ``required``
        for an element its aggregate cannot do without (not empty)."""
        if value is None or not self._available(tag, value):
            return
        if not isinstance(value, str):
            raise QbxmlFieldError(self.path(tag), value, reason="must be a string")
        stripped = value.strip()
        cleaned = clean(stripped, tag).strip()
        if name and ":" in cleaned:
            raise QbxmlFieldError(self.path(tag), value,
                                  reason="contains ':', the QuickBooks level separator (use ParentRef)")
        limit = limit_for(self._tags[-1], tag)
        if limit and len(cleaned) > limit.length:
            if limit.policy is Policy.RAISE:
                raise QbxmlFieldError(self.path(tag), value, limit.length)
            cleaned = cleaned[: limit.length].rstrip()
            self._warn(tag, value, cleaned, f"truncated to {limit.length} characters")
        elif cleaned != stripped:
            self._warn(tag, value, cleaned, "characters QuickBooks cannot store were replaced")
        if not cleaned:
            if name or required:
                raise QbxmlFieldError(self.path(tag), value, reason="is empty")
            if not self.clearing:
                return
        self._put(tag, cleaned)

    def texts(self, tag: str, values: Sequence[str], *, name: bool = False) -> None:
        for value in values:
            self.text(tag, value, name=name)

    def raw(self, tag: str, value: object, render: Callable[[object, str], str]) -> None:
        """An element whose text *render* formats from *value* (numbers, dates...)."""
        if value is None or not self._available(tag, value):
            return
        try:
            text = render(value, tag)
        except QbxmlFieldError:  # said again with the element's whole path (rendering is pure)
            text = render(value, self.path(tag))
        self._put(tag, text)

    def amount(self, tag: str, value: Decimal | None) -> None:
        self.raw(tag, value, formats.amount)  # type: ignore[arg-type]

    def decimal5(self, tag: str, value: Decimal | None) -> None:
        self.raw(tag, value, formats.decimal5)  # type: ignore[arg-type]

    def date(self, tag: str, value: date | None) -> None:
        self.raw(tag, value, formats.qb_date)  # type: ignore[arg-type]

    def datetime(self, tag: str, value: datetime | None) -> None:
        self.raw(tag, value, formats.qb_datetime)  # type: ignore[arg-type]

    def duration(self, tag: str, value: Decimal | timedelta | None) -> None:
        self.raw(tag, value, formats.duration)  # type: ignore[arg-type]

    def boolean(self, tag: str, value: bool | None) -> None:
        self.raw(tag, value, _boolean)

    def integer(self, tag: str, value: int | None) -> None:
        self.raw(tag, value, _integer)

    def enum(self, tag: str, value: str | None) -> None:
        self.raw(tag, value, _token)

    def guid(self, tag: str, value: str | None) -> None:
        self.raw(tag, value, _guid)

    def ident(self, tag: str, value: str | None) -> None:
        """ListID / TxnID / EditSequence / iterator IDs: sent verbatim, length-checked."""
        self.text(tag, value)

    # ---- common aggregates

    def ref(self, tag: str, ref: rq.Ref | None) -> None:
        # :meth:`aggregate` spelled out: the most frequent element of all.
        if ref is None or not self._available(tag, ref):
            return
        element = self._open(tag)
        try:
            self.ident("ListID", ref.list_id)
            self.text("FullName", ref.full_name)
            if len(element) == 0:  # nothing storable left: never drop a reference silently
                field, value = ("ListID", ref.list_id) if ref.list_id is not None else (
                    "FullName", ref.full_name)
                raise QbxmlFieldError(self.path(field), value, reason="is empty")
        finally:
            self._close(element)

    def address(self, tag: str, address: rq.Address | None) -> None:
        if address is None:
            return
        with self.aggregate(tag, address) as ok:
            if not ok:
                return
            for field, element in ADDRESS_FIELDS:
                self.text(element, getattr(address, field))


class _Aggregate:
    """:meth:`Emitter.aggregate` as a plain context manager.

    Opened for every line and address of every request: a class costs a
    fraction of a ``@contextmanager`` generator.
    """

    __slots__ = ("emitter", "tag", "given", "element")

    def __init__(self, emitter: Emitter, tag: str, given: object) -> None:
        self.emitter = emitter
        self.tag = tag
        self.given = given
        self.element: etree._Element | None = None

    def __enter__(self) -> bool:
        if not self.emitter._available(self.tag, self.given):
            return False
        self.element = self.emitter._open(self.tag)
        return True

    def __exit__(self, *exc: object) -> None:
        if self.element is not None:
            self.emitter._close(self.element)


class _Line:
    """:meth:`Emitter.line`: an aggregate that must not come out empty."""

    __slots__ = ("emitter", "tag", "value", "count", "aggregate")

    def __init__(self, emitter: Emitter, tag: str, value: object) -> None:
        self.emitter = emitter
        self.tag = tag
        self.value = value
        self.count = 0
        self.aggregate = _Aggregate(emitter, tag, True)

    def __enter__(self) -> None:
        self.count = len(self.emitter.parent)
        self.aggregate.__enter__()

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        self.aggregate.__exit__()
        if exc_type is None and len(self.emitter.parent) == self.count:
            raise QbxmlFieldError(self.emitter.path(self.tag), self.value, reason="is empty")


ADDRESS_FIELDS = (
    ("addr1", "Addr1"), ("addr2", "Addr2"), ("addr3", "Addr3"), ("addr4", "Addr4"), ("addr5", "Addr5"),
    ("city", "City"), ("state", "State"), ("postal_code", "PostalCode"), ("country", "Country"),
    ("note", "Note"),
)


def _shown(value: object) -> str:
    return value if isinstance(value, str) else repr(value)


def _boolean(value: object, field: str) -> str:
    # Strictly bool: truthiness would send "N" or "false" (JobBOSS flags) as true.
    if not isinstance(value, bool):
        raise QbxmlFieldError(field, value, reason="must be True or False")
    return formats.boolean(value)


def _integer(value: object, field: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        raise QbxmlFieldError(field, value, reason="must be an integer")
    return str(value)


def _token(value: object, field: str) -> str:
    if not isinstance(value, str) or not value.isalnum():
        raise QbxmlFieldError(field, value, reason="is not a valid enumeration value")
    return value


_HEXDIGITS = frozenset("0123456789abcdefABCDEF")


def _guid(value: object, field: str) -> str:
    text = str(value).strip()
    if text == "0" and field.endswith("OwnerID"):  # OwnerID 0 = the custom fields made in the QuickBooks UI
        return text
    body = text[1:-1].split("-") if text.startswith("{") and text.endswith("}") else []
    shape_ok = [len(p) for p in body] == [8, 4, 4, 4, 12] and all(set(p) <= _HEXDIGITS for p in body)
    if not shape_ok:
        raise QbxmlFieldError(field, value, reason="is not a GUID of the form {8-4-4-4-12}")
    return text


# =========================================================================== queries


def _is_set(value: object) -> bool:
    """Given by the caller: not None/False/empty tuple (identity checks: Decimal 0 and NaN count as set)."""
    return not (value is None or value is False or (isinstance(value, tuple | list) and not value))


def _exclusive(e: Emitter, rq_tag: str, **branches: object) -> None:
    """Refuse a query that selects by more than one schema branch."""
    used = [name for name, value in branches.items() if _is_set(value)]
    if len(used) > 1:
        raise QbxmlFieldError(rq_tag, ", ".join(used),
                              reason="combines selections the schema allows only one of")


def _list_query(e: Emitter, r: rq._ListQuery, filters: Callable[[], None] | None = None) -> None:
    has_filter = any(_is_set(v) for v in (
        r.max_returned, r.active_status, r.from_modified, r.to_modified, r.name_filter, r.name_range,
        getattr(r, "account_types", ())))
    _exclusive(e, e.parent.tag, list_ids=r.list_ids, full_names=r.full_names, filters=has_filter)
    _exclusive(e, e.parent.tag, name_filter=r.name_filter, name_range=r.name_range)
    e.texts("ListID", r.list_ids)
    e.texts("FullName", r.full_names)
    e.integer("MaxReturned", r.max_returned)
    e.enum("ActiveStatus", r.active_status)
    e.datetime("FromModifiedDate", r.from_modified)
    e.datetime("ToModifiedDate", r.to_modified)
    if r.name_filter is not None:
        with e.aggregate("NameFilter", r.name_filter):
            e.enum("MatchCriterion", r.name_filter.match)
            e.text("Name", r.name_filter.name, required=True)
    if r.name_range is not None:
        with e.aggregate("NameRangeFilter", r.name_range):
            e.text("FromName", r.name_range.from_name)
            e.text("ToName", r.name_range.to_name)
    if filters is not None:
        filters()
    e.texts("IncludeRetElement", r.include_ret_elements)


def _owner_ids(e: Emitter, owner_ids: Sequence[str]) -> None:
    for owner in owner_ids:
        e.guid("OwnerID", owner)


def _list_query_with_owner(e: Emitter, r: rq._ListQuery) -> None:
    _list_query(e, r)
    _owner_ids(e, r.owner_ids)


def _account_query(e: Emitter, r: rq.AccountQuery) -> None:
    _list_query(e, r, lambda: [e.enum("AccountType", t) for t in r.account_types])
    _owner_ids(e, r.owner_ids)


def _plain_list_query(e: Emitter, r: rq._ListQuery) -> None:
    if r.owner_ids:
        raise QbxmlFieldError(e.parent.tag + "/OwnerID", r.owner_ids, reason="is not accepted by this query")
    _list_query(e, r)


def _entity_filter(e: Emitter, tag: str, f: rq.EntityFilter | None, children: bool = True) -> None:
    if f is None:
        return
    _exclusive(e, e.path(tag), list_ids=f.list_ids, full_names=f.full_names,
               list_id_with_children=f.list_id_with_children,
               full_name_with_children=f.full_name_with_children)
    if not children and (f.list_id_with_children or f.full_name_with_children):
        raise QbxmlFieldError(e.path(tag), f, reason="accepts no ...WithChildren selection")
    with e.aggregate(tag, f):
        e.texts("ListID", f.list_ids)
        e.texts("FullName", f.full_names)
        e.ident("ListIDWithChildren", f.list_id_with_children)
        e.text("FullNameWithChildren", f.full_name_with_children)
    if not any((f.list_ids, f.full_names, f.list_id_with_children, f.full_name_with_children)):
        raise QbxmlFieldError(e.path(tag), f, reason="is empty")


def _date_ranges(e: Emitter, r: rq._TxnQuery | rq.TimeTrackingQuery) -> None:
    modified = (r.from_modified, r.to_modified) != (None, None)
    txn_date = (r.from_txn_date, r.to_txn_date) != (None, None)
    _exclusive(e, e.parent.tag, modified_date_range=modified, txn_date_range=txn_date)
    if modified:
        with e.aggregate("ModifiedDateRangeFilter"):
            e.datetime("FromModifiedDate", r.from_modified)
            e.datetime("ToModifiedDate", r.to_modified)
    if txn_date:
        with e.aggregate("TxnDateRangeFilter"):
            e.date("FromTxnDate", r.from_txn_date)
            e.date("ToTxnDate", r.to_txn_date)


def _txn_query(e: Emitter, r: rq._TxnQuery) -> None:
    ref_range = (r.ref_number_from, r.ref_number_to) != (None, None)
    has_filter = any(_is_set(v) for v in (
        r.max_returned, r.from_modified, r.to_modified, r.from_txn_date, r.to_txn_date, r.entity,
        r.account, r.ref_number_match, r.paid_status)) or ref_range
    _exclusive(e, e.parent.tag, txn_ids=r.txn_ids, ref_numbers=r.ref_numbers,
               ref_numbers_case_sensitive=r.ref_numbers_case_sensitive, filters=has_filter)
    _exclusive(e, e.parent.tag, ref_number_match=r.ref_number_match, ref_number_range=ref_range)
    e.texts("TxnID", r.txn_ids)
    e.texts("RefNumber", r.ref_numbers)
    e.texts("RefNumberCaseSensitive", r.ref_numbers_case_sensitive)
    e.integer("MaxReturned", r.max_returned)
    _date_ranges(e, r)
    _entity_filter(e, "EntityFilter", r.entity)
    _entity_filter(e, "AccountFilter", r.account)
    if r.ref_number_match is not None:
        with e.aggregate("RefNumberFilter", r.ref_number_match):
            e.enum("MatchCriterion", r.ref_number_match.match)
            e.text("RefNumber", r.ref_number_match.ref_number, required=True)
    if ref_range:
        with e.aggregate("RefNumberRangeFilter"):
            e.text("FromRefNumber", r.ref_number_from)
            e.text("ToRefNumber", r.ref_number_to)
    e.enum("PaidStatus", r.paid_status)
    e.boolean("IncludeLineItems", r.include_line_items)
    e.boolean("IncludeLinkedTxns", r.include_linked_txns)
    e.texts("IncludeRetElement", r.include_ret_elements)
    _owner_ids(e, r.owner_ids)


def _time_tracking_query(e: Emitter, r: rq.TimeTrackingQuery) -> None:
    has_filter = any(v is not None for v in (
        r.max_returned, r.from_modified, r.to_modified, r.from_txn_date, r.to_txn_date, r.entity))
    _exclusive(e, e.parent.tag, txn_ids=r.txn_ids, filters=has_filter)
    e.texts("TxnID", r.txn_ids)
    e.integer("MaxReturned", r.max_returned)
    _date_ranges(e, r)
    _entity_filter(e, "TimeTrackingEntityFilter", r.entity, children=False)
    e.texts("IncludeRetElement", r.include_ret_elements)


def _host_query(e: Emitter, r: rq.HostQuery) -> None:
    e.texts("IncludeRetElement", r.include_ret_elements)


def _company_query(e: Emitter, r: rq.CompanyQuery) -> None:
    e.texts("IncludeRetElement", r.include_ret_elements)
    _owner_ids(e, r.owner_ids)


# =========================================================================== lists


def _account_add(e: Emitter, r: rq.AccountAdd) -> None:
    e.text("Name", r.name, name=True)
    e.boolean("IsActive", r.is_active)
    e.ref("ParentRef", r.parent)
    e.enum("AccountType", r.account_type)
    e.text("AccountNumber", r.account_number)
    e.text("BankNumber", r.bank_number)
    e.text("Desc", r.desc)
    e.amount("OpenBalance", r.open_balance)
    e.date("OpenBalanceDate", r.open_balance_date)
    e.ref("SalesTaxCodeRef", r.sales_tax_code)
    e.integer("TaxLineID", r.tax_line_id)
    e.ref("CurrencyRef", r.currency)


def _standard_terms_add(e: Emitter, r: rq.StandardTermsAdd) -> None:
    e.text("Name", r.name, name=True)
    e.boolean("IsActive", r.is_active)
    e.integer("StdDueDays", r.std_due_days)
    e.integer("StdDiscountDays", r.std_discount_days)
    e.decimal5("DiscountPct", r.discount_pct)


def _person_name(e: Emitter, r: rq._CustomerFields | rq._VendorFields | rq._EmployeeFields) -> None:
    e.text("Salutation", r.salutation)
    e.text("FirstName", r.first_name)
    e.text("MiddleName", r.middle_name)
    e.text("LastName", r.last_name)


def _comm_info(e: Emitter, r: rq._CustomerFields | rq._VendorFields) -> None:
    e.text("Phone", r.phone)
    e.text("AltPhone", r.alt_phone)
    e.text("Fax", r.fax)
    e.text("Email", r.email)
    e.text("Cc", r.cc)
    e.text("Contact", r.contact)
    e.text("AltContact", r.alt_contact)


def _list_core_mod(e: Emitter, r: rq.CustomerMod | rq.VendorMod | rq.EmployeeMod | rq.ItemServiceMod
                   | rq.ItemInventoryMod) -> None:
    _mod_core(e, "ListID", r.list_id, r.edit_sequence)


def _mod_core(e: Emitter, id_tag: str, ident: str | None, edit_sequence: str | None) -> None:
    """The head of every ``...Mod``: the record's ListID or TxnID, then its EditSequence."""
    if not ident or not edit_sequence:
        field = "list_id" if id_tag == "ListID" else "txn_id"
        raise QbxmlFieldError(e.path(id_tag), (ident, edit_sequence),
                              reason=f"a Mod needs both {field} and edit_sequence")
    e.ident(id_tag, ident)
    e.ident("EditSequence", edit_sequence)


def _customer(e: Emitter, r: rq.CustomerAdd | rq.CustomerMod) -> None:
    is_add = isinstance(r, rq.CustomerAdd)
    if not is_add:
        _list_core_mod(e, r)
    e.text("Name", r.name, name=True)
    e.boolean("IsActive", r.is_active)
    e.ref("ClassRef", r.class_ref)
    e.ref("ParentRef", r.parent)
    e.text("CompanyName", r.company_name)
    _person_name(e, r)
    e.text("JobTitle", r.job_title)
    e.address("BillAddress", r.bill_address)
    e.address("ShipAddress", r.ship_address)
    _comm_info(e, r)
    e.ref("CustomerTypeRef", r.customer_type)
    e.ref("TermsRef", r.terms)
    e.ref("SalesRepRef", r.sales_rep)
    if isinstance(r, rq.CustomerAdd):
        e.amount("OpenBalance", r.open_balance)
        e.date("OpenBalanceDate", r.open_balance_date)
    e.ref("SalesTaxCodeRef", r.sales_tax_code)
    e.ref("ItemSalesTaxRef", r.item_sales_tax)
    e.enum("SalesTaxCountry", r.sales_tax_country)
    e.text("ResaleNumber", r.resale_number)
    e.text("AccountNumber", r.account_number)
    e.amount("CreditLimit", r.credit_limit)
    e.enum("JobStatus", r.job_status)
    e.date("JobStartDate", r.job_start_date)
    e.date("JobProjectedEndDate", r.job_projected_end_date)
    e.date("JobEndDate", r.job_end_date)
    e.text("JobDesc", r.job_desc)
    e.ref("JobTypeRef", r.job_type)
    e.text("Notes", r.notes)
    e.ref("PriceLevelRef", r.price_level)
    if isinstance(r, rq.CustomerAdd):
        e.guid("ExternalGUID", r.external_guid)
    e.text("TaxRegistrationNumber", r.tax_registration_number)
    e.ref("CurrencyRef", r.currency)


def _vendor(e: Emitter, r: rq.VendorAdd | rq.VendorMod) -> None:
    if isinstance(r, rq.VendorMod):
        _list_core_mod(e, r)
    e.text("Name", r.name, name=True)
    e.boolean("IsActive", r.is_active)
    e.ref("ClassRef", r.class_ref)
    e.text("CompanyName", r.company_name)
    _person_name(e, r)
    e.text("JobTitle", r.job_title)
    e.address("VendorAddress", r.vendor_address)
    e.address("ShipAddress", r.ship_address)
    _comm_info(e, r)
    e.text("NameOnCheck", r.name_on_check)
    e.text("AccountNumber", r.account_number)
    e.text("Notes", r.notes)
    e.ref("VendorTypeRef", r.vendor_type)
    e.ref("TermsRef", r.terms)
    e.amount("CreditLimit", r.credit_limit)
    e.text("VendorTaxIdent", r.vendor_tax_ident)
    e.boolean("IsVendorEligibleFor1099", r.is_vendor_eligible_for_1099)
    if isinstance(r, rq.VendorAdd):
        e.amount("OpenBalance", r.open_balance)
        e.date("OpenBalanceDate", r.open_balance_date)
        e.guid("ExternalGUID", r.external_guid)
    e.ref("SalesTaxCodeRef", r.sales_tax_code)
    e.enum("SalesTaxCountry", r.sales_tax_country)
    e.text("TaxRegistrationNumber", r.tax_registration_number)
    if len(r.prefill_accounts) > 3:
        raise QbxmlFieldError(e.path("PrefillAccountRef"), r.prefill_accounts, limit=3,
                              reason="has more than 3 accounts")
    for account in r.prefill_accounts:
        e.ref("PrefillAccountRef", account)
    e.ref("CurrencyRef", r.currency)


def _employee_payroll(e: Emitter, tag: str, p: rq.EmployeePayroll | None) -> None:
    if p is None:
        return
    _exclusive(e, e.path(tag), clear_earnings=p.clear_earnings, earnings=p.earnings)
    with e.aggregate(tag, p):
        e.enum("PayPeriod", p.pay_period)
        e.ref("ClassRef", p.class_ref)
        e.boolean("ClearEarnings", p.clear_earnings)
        for earning in p.earnings:
            _exclusive(e, e.path("Earnings"), rate=earning.rate, rate_percent=earning.rate_percent)
            with e.aggregate("Earnings", earning):
                e.ref("PayrollItemWageRef", earning.wage_item)
                e.decimal5("Rate", earning.rate)
                e.decimal5("RatePercent", earning.rate_percent)
        e.enum("UseTimeDataToCreatePaychecks", p.use_time_data)


def _employee(e: Emitter, r: rq.EmployeeAdd | rq.EmployeeMod) -> None:
    is_add = isinstance(r, rq.EmployeeAdd)
    if isinstance(r, rq.EmployeeMod):
        _list_core_mod(e, r)
    e.boolean("IsActive", r.is_active)
    _person_name(e, r)
    for tag, value in (("FirstName", r.first_name), ("MiddleName", r.middle_name), ("LastName", r.last_name)):
        if value is not None and ":" in value:
            raise QbxmlFieldError(e.path(tag), value, reason="contains ':', the QuickBooks level separator")
    e.text("JobTitle", r.job_title)
    e.text("Department", r.department)
    e.text("Description", r.description)
    e.address("EmployeeAddress", r.employee_address)
    e.text("PrintAs", r.print_as)
    e.text("Phone", r.phone)
    e.text("Mobile", r.mobile)
    e.text("Pager", r.pager)
    e.text("AltPhone", r.alt_phone)
    e.text("Fax", r.fax)
    if isinstance(r, rq.EmployeeAdd):
        e.text("SSN", r.ssn)
    e.text("Email", r.email)
    e.enum("EmployeeType", r.employee_type)
    e.enum("PartOrFullTime", r.part_or_full_time)
    if isinstance(r, rq.EmployeeAdd):
        e.enum("Gender", r.gender)
    e.date("HiredDate", r.hired_date)
    e.date("ReleasedDate", r.released_date)
    e.date("BirthDate", r.birth_date)
    e.text("AccountNumber", r.account_number)
    e.text("Notes", r.notes)
    e.ref("BillingRateRef", r.billing_rate)
    _employee_payroll(e, "EmployeePayrollInfo" if is_add else "EmployeePayrollInfoMod", r.payroll)
    if isinstance(r, rq.EmployeeAdd):
        e.guid("ExternalGUID", r.external_guid)


# =========================================================================== items


def _sales_or_purchase(e: Emitter, r: rq._ItemFields, mod: bool) -> None:
    _exclusive(e, e.parent.tag, sales_or_purchase=r.sales_or_purchase,
               sales_and_purchase=r.sales_and_purchase)
    if not mod and r.sales_or_purchase is None and r.sales_and_purchase is None:
        raise QbxmlFieldError(e.path("SalesOrPurchase"), None,
                              reason="is required: give sales_or_purchase or sales_and_purchase")
    suffix = "Mod" if mod else ""
    if (sp := r.sales_or_purchase) is not None:
        _exclusive(e, e.path("SalesOrPurchase" + suffix), price=sp.price, price_percent=sp.price_percent)
        with e.aggregate("SalesOrPurchase" + suffix, sp):
            e.text("Desc", sp.desc)
            e.decimal5("Price", sp.price)
            e.decimal5("PricePercent", sp.price_percent)
            e.ref("AccountRef", sp.account)
        _keep_required(e, "SalesOrPurchase" + suffix)
    if (sap := r.sales_and_purchase) is not None:
        with e.aggregate("SalesAndPurchase" + suffix, sap):
            e.text("SalesDesc", sap.sales_desc)
            e.decimal5("SalesPrice", sap.sales_price)
            e.ref("IncomeAccountRef", sap.income_account)
            e.text("PurchaseDesc", sap.purchase_desc)
            e.decimal5("PurchaseCost", sap.purchase_cost)
            e.ref("PurchaseTaxCodeRef", sap.purchase_tax_code)
            e.ref("ExpenseAccountRef", sap.expense_account)
            e.ref("PrefVendorRef", sap.pref_vendor)
        _keep_required(e, "SalesAndPurchase" + suffix)


def _keep_required(e: Emitter, tag: str) -> None:
    """The schema requires the account block of an add even when every field in it is empty."""
    if not e.parent.tag.endswith("Mod") and e.parent.find(tag) is None:
        etree.SubElement(e.parent, tag)


def _item_head(e: Emitter, r: rq._ItemFields, mod: bool) -> None:
    e.boolean("IsActive", r.is_active)
    e.ref("ClassRef", r.class_ref)
    e.ref("ParentRef", r.parent)


def _item_service(e: Emitter, r: rq.ItemServiceAdd | rq.ItemServiceMod | rq.ItemOtherChargeAdd) -> None:
    mod = isinstance(r, rq.ItemServiceMod)
    if isinstance(r, rq.ItemServiceMod):
        _list_core_mod(e, r)
    e.text("Name", r.name, name=True)
    _item_head(e, r, mod)
    e.boolean("IsTaxIncluded", r.is_tax_included)
    e.ref("SalesTaxCodeRef", r.sales_tax_code)
    _sales_or_purchase(e, r, mod)
    if not mod:
        e.guid("ExternalGUID", getattr(r, "external_guid", None))


def _item_inventory(e: Emitter, r: rq.ItemInventoryAdd | rq.ItemInventoryMod) -> None:
    if isinstance(r, rq.ItemInventoryMod):
        _list_core_mod(e, r)
    e.text("Name", r.name, name=True)
    e.boolean("IsActive", r.is_active)
    e.ref("ClassRef", r.class_ref)
    e.ref("ParentRef", r.parent)
    e.text("ManufacturerPartNumber", r.manufacturer_part_number)
    e.boolean("IsTaxIncluded", r.is_tax_included)
    e.ref("SalesTaxCodeRef", r.sales_tax_code)
    e.text("SalesDesc", r.sales_desc)
    e.decimal5("SalesPrice", r.sales_price)
    e.ref("IncomeAccountRef", r.income_account)
    e.text("PurchaseDesc", r.purchase_desc)
    e.decimal5("PurchaseCost", r.purchase_cost)
    e.ref("PurchaseTaxCodeRef", r.purchase_tax_code)
    e.ref("COGSAccountRef", r.cogs_account)
    e.ref("PrefVendorRef", r.pref_vendor)
    e.ref("AssetAccountRef", r.asset_account)
    e.decimal5("ReorderPoint", r.reorder_point)
    e.decimal5("Max", r.max_quantity)
    if isinstance(r, rq.ItemInventoryAdd):
        e.decimal5("QuantityOnHand", r.quantity_on_hand)
        e.amount("TotalValue", r.total_value)
        e.date("InventoryDate", r.inventory_date)
        e.guid("ExternalGUID", r.external_guid)


# =========================================================================== transactions


#: The ``TxnLineID`` of a line a Mod adds (QuickBooks gives it an ID of its own).
NEW_LINE = "-1"


def _invoice_line(e: Emitter, line: rq.InvoiceLine, tag: str = "InvoiceLineAdd",
                  txn_line_id: str | None = None) -> None:
    if line.rate_percent is not None:  # the rare case; the check builds a path and a dict
        _exclusive(e, e.path(tag), rate=line.rate, rate_percent=line.rate_percent)
    with e.line(tag, line):
        e.ident("TxnLineID", txn_line_id)
        e.ref("ItemRef", line.item)
        e.text("Desc", line.desc)
        e.decimal5("Quantity", line.quantity)
        e.text("UnitOfMeasure", line.unit_of_measure)
        e.decimal5("Rate", line.rate)
        e.decimal5("RatePercent", line.rate_percent)
        e.ref("ClassRef", line.class_ref)
        e.amount("Amount", line.amount)
        e.date("ServiceDate", line.service_date)
        e.ref("SalesTaxCodeRef", line.sales_tax_code)
        e.ref("OverrideItemAccountRef", line.override_item_account)
        e.text("Other1", line.other1)
        e.text("Other2", line.other2)


def _invoice_add(e: Emitter, r: rq.InvoiceAdd) -> None:
    """``InvoiceAdd`` and ``CreditMemoAdd``: the same header elements in the same order."""
    _invoice_header(e, r)
    e.guid("ExternalGUID", r.external_guid)
    line_tag = "CreditMemoLineAdd" if isinstance(r, rq.CreditMemoAdd) else "InvoiceLineAdd"
    for line in r.lines:
        _invoice_line(e, line, line_tag)


def _txn_core_mod(e: Emitter, r: rq._TxnMod) -> None:
    _mod_core(e, "TxnID", r.txn_id, r.edit_sequence)


def _invoice_mod(e: Emitter, r: rq.InvoiceMod | rq.CreditMemoMod) -> None:
    """``InvoiceMod`` and ``CreditMemoMod``: TxnID and EditSequence, the Add's header (an
    ExternalGUID is set once, by the Add), its lines as new lines replacing QuickBooks' own."""
    _txn_core_mod(e, r)
    _invoice_header(e, r.of)
    line_tag = "CreditMemoLineMod" if isinstance(r, rq.CreditMemoMod) else "InvoiceLineMod"
    for line in r.of.lines:
        _invoice_line(e, line, line_tag, NEW_LINE)


def _invoice_header(e: Emitter, r: rq.InvoiceAdd) -> None:
    e.ref("CustomerRef", r.customer)
    e.ref("ClassRef", r.class_ref)
    e.ref("ARAccountRef", r.ar_account)
    e.ref("TemplateRef", r.template)
    e.date("TxnDate", r.txn_date)
    e.text("RefNumber", r.ref_number)
    e.address("BillAddress", r.bill_address)
    e.address("ShipAddress", r.ship_address)
    e.boolean("IsPending", r.is_pending)
    e.text("PONumber", r.po_number)
    e.ref("TermsRef", r.terms)
    e.date("DueDate", r.due_date)
    e.ref("SalesRepRef", r.sales_rep)
    e.text("FOB", r.fob)
    e.date("ShipDate", r.ship_date)
    e.ref("ShipMethodRef", r.ship_method)
    e.ref("ItemSalesTaxRef", r.item_sales_tax)
    e.text("Memo", r.memo)
    e.ref("CustomerMsgRef", r.customer_msg)
    e.boolean("IsToBePrinted", r.is_to_be_printed)
    e.boolean("IsToBeEmailed", r.is_to_be_emailed)
    e.boolean("IsTaxIncluded", r.is_tax_included)
    e.ref("CustomerSalesTaxCodeRef", r.customer_sales_tax_code)
    e.text("Other", r.other)
    e.decimal5("ExchangeRate", r.exchange_rate)


def _expense_line(e: Emitter, line: rq.ExpenseLine, txn_line_id: str | None = None) -> None:
    with e.line("ExpenseLineMod" if txn_line_id else "ExpenseLineAdd", line):
        e.ident("TxnLineID", txn_line_id)
        e.ref("AccountRef", line.account)
        e.amount("Amount", line.amount)
        e.text("Memo", line.memo)
        e.ref("CustomerRef", line.customer)
        e.ref("ClassRef", line.class_ref)
        e.ref("SalesTaxCodeRef", line.sales_tax_code)
        e.enum("BillableStatus", line.billable_status)


def _item_line(e: Emitter, line: rq.ItemLine, txn_line_id: str | None = None) -> None:
    with e.line("ItemLineMod" if txn_line_id else "ItemLineAdd", line):
        e.ident("TxnLineID", txn_line_id)
        e.ref("ItemRef", line.item)
        e.text("Desc", line.desc)
        e.decimal5("Quantity", line.quantity)
        e.text("UnitOfMeasure", line.unit_of_measure)
        e.decimal5("Cost", line.cost)
        e.amount("Amount", line.amount)
        e.ref("CustomerRef", line.customer)
        e.ref("ClassRef", line.class_ref)
        e.ref("SalesTaxCodeRef", line.sales_tax_code)
        e.enum("BillableStatus", line.billable_status)
        e.ref("OverrideItemAccountRef", line.override_item_account)


def _purchase_header(e: Emitter, r: rq.BillAdd | rq.VendorCreditAdd) -> None:
    """The header a bill and a vendor credit share (a credit has no address, due date or terms)."""
    is_bill = isinstance(r, rq.BillAdd)
    e.ref("VendorRef", r.vendor)
    if is_bill:
        e.address("VendorAddress", r.vendor_address)
    e.ref("APAccountRef", r.ap_account)
    e.date("TxnDate", r.txn_date)
    if is_bill:
        e.date("DueDate", r.due_date)
    e.text("RefNumber", r.ref_number)
    if is_bill:
        e.ref("TermsRef", r.terms)
    e.text("Memo", r.memo)
    e.boolean("IsTaxIncluded", r.is_tax_included)
    e.ref("SalesTaxCodeRef", r.sales_tax_code)
    e.decimal5("ExchangeRate", r.exchange_rate)


def _purchase_add(e: Emitter, r: rq.BillAdd | rq.VendorCreditAdd) -> None:
    """``BillAdd`` and ``VendorCreditAdd``: expense lines before item lines, as the schema demands."""
    _purchase_header(e, r)
    e.guid("ExternalGUID", r.external_guid)
    for expense in r.expense_lines:
        _expense_line(e, expense)
    for item in r.item_lines:
        _item_line(e, item)


def _purchase_mod(e: Emitter, r: rq.BillMod | rq.VendorCreditMod) -> None:
    """``BillMod`` and ``VendorCreditMod``: TxnID and EditSequence, the Add's header, its
    lines as new lines; a kind of line the Add has none of is cleared."""
    _txn_core_mod(e, r)
    add = r.of
    _purchase_header(e, add)
    e.boolean("ClearExpenseLines", True if not add.expense_lines else None)
    for expense in add.expense_lines:
        _expense_line(e, expense, NEW_LINE)
    e.boolean("ClearItemLines", True if not add.item_lines else None)
    for item in add.item_lines:
        _item_line(e, item, NEW_LINE)


def _item_sales_tax_add(e: Emitter, r: rq.ItemSalesTaxAdd) -> None:
    e.text("Name", r.name, name=True, required=True)
    e.boolean("IsActive", r.is_active)
    e.text("ItemDesc", r.item_desc)
    e.decimal5("TaxRate", r.tax_rate)
    e.ref("TaxVendorRef", r.tax_vendor)
    e.guid("ExternalGUID", r.external_guid)


def _time_tracking_add(e: Emitter, r: rq.TimeTrackingAdd) -> None:
    e.date("TxnDate", r.txn_date)
    e.ref("EntityRef", r.entity)
    e.ref("CustomerRef", r.customer)
    e.ref("ItemServiceRef", r.item_service)
    e.decimal5("Rate", r.rate)
    e.duration("Duration", r.duration)
    e.ref("ClassRef", r.class_ref)
    e.ref("PayrollItemWageRef", r.payroll_item_wage)
    e.text("Notes", r.notes)
    e.enum("BillableStatus", r.billable_status)
    e.guid("ExternalGUID", r.external_guid)


# =========================================================================== dispatch

Builder = Callable[[Emitter, object], None]

# request class -> (Rq element, wrapping aggregate or None for queries, builder)
REQUESTS: dict[type, tuple[str, str | None, Builder]] = {
    rq.HostQuery: ("HostQueryRq", None, _host_query),
    rq.CompanyQuery: ("CompanyQueryRq", None, _company_query),
    rq.PreferencesQuery: ("PreferencesQueryRq", None, _host_query),
    rq.AccountAdd: ("AccountAddRq", "AccountAdd", _account_add),
    rq.AccountQuery: ("AccountQueryRq", None, _account_query),
    rq.StandardTermsAdd: ("StandardTermsAddRq", "StandardTermsAdd", _standard_terms_add),
    rq.TermsQuery: ("TermsQueryRq", None, _plain_list_query),
    rq.ItemSalesTaxQuery: ("ItemSalesTaxQueryRq", None, _list_query_with_owner),
    rq.SalesTaxCodeQuery: ("SalesTaxCodeQueryRq", None, _plain_list_query),
    rq.CustomerAdd: ("CustomerAddRq", "CustomerAdd", _customer),
    rq.CustomerMod: ("CustomerModRq", "CustomerMod", _customer),
    rq.CustomerQuery: ("CustomerQueryRq", None, _list_query_with_owner),
    rq.VendorAdd: ("VendorAddRq", "VendorAdd", _vendor),
    rq.VendorMod: ("VendorModRq", "VendorMod", _vendor),
    rq.VendorQuery: ("VendorQueryRq", None, _list_query_with_owner),
    rq.EmployeeAdd: ("EmployeeAddRq", "EmployeeAdd", _employee),
    rq.EmployeeMod: ("EmployeeModRq", "EmployeeMod", _employee),
    rq.EmployeeQuery: ("EmployeeQueryRq", None, _list_query_with_owner),
    rq.ItemServiceAdd: ("ItemServiceAddRq", "ItemServiceAdd", _item_service),
    rq.ItemServiceMod: ("ItemServiceModRq", "ItemServiceMod", _item_service),
    rq.ItemInventoryAdd: ("ItemInventoryAddRq", "ItemInventoryAdd", _item_inventory),
    rq.ItemInventoryMod: ("ItemInventoryModRq", "ItemInventoryMod", _item_inventory),
    rq.ItemOtherChargeAdd: ("ItemOtherChargeAddRq", "ItemOtherChargeAdd", _item_service),
    rq.ItemQuery: ("ItemQueryRq", None, _list_query_with_owner),
    rq.PayrollItemWageQuery: ("PayrollItemWageQueryRq", None, _plain_list_query),
    rq.InvoiceAdd: ("InvoiceAddRq", "InvoiceAdd", _invoice_add),
    rq.InvoiceQuery: ("InvoiceQueryRq", None, _txn_query),
    rq.BillAdd: ("BillAddRq", "BillAdd", _purchase_add),
    rq.BillQuery: ("BillQueryRq", None, _txn_query),
    rq.TimeTrackingAdd: ("TimeTrackingAddRq", "TimeTrackingAdd", _time_tracking_add),
    rq.TimeTrackingQuery: ("TimeTrackingQueryRq", None, _time_tracking_query),
    rq.CreditMemoAdd: ("CreditMemoAddRq", "CreditMemoAdd", _invoice_add),
    rq.ItemSalesTaxAdd: ("ItemSalesTaxAddRq", "ItemSalesTaxAdd", _item_sales_tax_add),
    rq.CreditMemoQuery: ("CreditMemoQueryRq", None, _txn_query),
    rq.VendorCreditAdd: ("VendorCreditAddRq", "VendorCreditAdd", _purchase_add),
    rq.VendorCreditQuery: ("VendorCreditQueryRq", None, _txn_query),
    rq.InvoiceMod: ("InvoiceModRq", "InvoiceMod", _invoice_mod),
    rq.CreditMemoMod: ("CreditMemoModRq", "CreditMemoMod", _invoice_mod),
    rq.BillMod: ("BillModRq", "BillMod", _purchase_mod),
    rq.VendorCreditMod: ("VendorCreditModRq", "VendorCreditMod", _purchase_mod),
}


def request_tag(request: rq.Request) -> str:
    """The ``...Rq`` element name of *request*."""
    try:
        return REQUESTS[type(request)][0]
    except KeyError:
        raise TypeError(f"not a qbXML request: {type(request).__name__}") from None


def build_request_element(request: rq.Request, version: str, country: str, request_id: str = "1",
                          warnings: list[FieldWarning] | None = None) -> etree._Element:
    """The ``...Rq`` element for *request* (appends changes to *warnings* when given).

    Raises :class:`~qbwc_service.qbxml.fields.QbxmlFieldError` for a value that
    cannot be sent and :class:`~qbwc_service.qbxml.versions.QbxmlVersionError`
    for a request the version lacks.
    """
    if type(request) not in REQUESTS:
        raise TypeError(f"not a qbXML request: {type(request).__name__}")
    rq_tag, wrapper, builder = REQUESTS[type(request)]
    if not request_available(rq_tag, version):
        raise QbxmlVersionError(f"{rq_tag} does not exist in qbXML {version}")
    if not isinstance(request_id, str) or not 0 < len(request_id) <= MAX_REQUEST_ID:
        raise QbxmlFieldError(f"{rq_tag}@requestID", request_id, limit=MAX_REQUEST_ID,
                              reason=f"must be a string of 1 to {MAX_REQUEST_ID} characters")
    if clean(request_id) != request_id:  # a changed ID could not be matched to its response
        raise QbxmlFieldError(f"{rq_tag}@requestID", request_id,
                              reason="contains characters QuickBooks cannot store")
    root = etree.Element(rq_tag, requestID=request_id)
    _iterator_attributes(root, request, rq_tag)
    sink = warnings if warnings is not None else []
    emitter = Emitter(root, request_id, version, country, sink, clearing=rq_tag.endswith("ModRq"))
    if wrapper is None:
        builder(emitter, request)
        return root
    with emitter.aggregate(wrapper):
        builder(emitter, request)
    if root.find(wrapper) is None:  # every field empty: the aggregate itself is still required
        etree.SubElement(root, wrapper)
    include = getattr(request, "include_ret_elements", ())
    emitter.texts("IncludeRetElement", include)
    return root


def _iterator_attributes(root: etree._Element, request: object, rq_tag: str) -> None:
    mode = getattr(request, "iterator", None)
    iterator_id = getattr(request, "iterator_id", None)
    if mode is None and iterator_id is None:
        return
    if rq_tag not in ITERATOR_REQUESTS:
        raise QbxmlFieldError(f"{rq_tag}@iterator", mode, reason="this query does not support iterators")
    if mode not in ("Start", "Continue", "Stop"):
        raise QbxmlFieldError(f"{rq_tag}@iterator", mode, reason="must be Start, Continue or Stop")
    if (mode == "Start") != (iterator_id is None):
        raise QbxmlFieldError(f"{rq_tag}@iteratorID", iterator_id,
                              reason="is required with Continue/Stop and not allowed with Start")
    if iterator_id is not None and (not isinstance(iterator_id, str) or not iterator_id
                                    or clean(iterator_id) != iterator_id):
        raise QbxmlFieldError(f"{rq_tag}@iteratorID", iterator_id,
                              reason="is not an iterator ID QuickBooks returned")
    root.set("iterator", mode)
    if iterator_id is not None:
        root.set("iteratorID", iterator_id)
