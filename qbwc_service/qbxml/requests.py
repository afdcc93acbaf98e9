"""Typed inputs for every qbXML request the service sends.

Each request is a frozen dataclass with keyword-only fields named after the
qbXML element they fill (``ref_number`` -> ``RefNumber``). ``None`` (or an empty
tuple) means "leave the element out"; on a ``...Mod`` it means "leave the field
unchanged in QuickBooks". Money and quantities are :class:`~decimal.Decimal`,
dates :class:`~datetime.date`, timestamps :class:`~datetime.datetime`.

Nothing here touches XML: :func:`qbwc_service.qbxml.message.build_message`
turns a list of ``(request_id, request)`` pairs into one qbXML message in the
element order the schema demands, applying the field limits
(:mod:`~qbwc_service.qbxml.fields`), the character policy
(:mod:`~qbwc_service.qbxml.text`) and the version/country table
(:mod:`~qbwc_service.qbxml.versions`).

Queries choose one way to select records, as the schema does: ``list_ids``,
``full_names`` (list queries) or ``txn_ids``, ``ref_numbers`` (transaction
queries), *or* the filter fields (``max_returned``, date ranges, ``entity``
...). Mixing a list with filters is refused when the message is built.
``RefNumber`` cannot be combined with an entity filter in qbXML; to find
"invoice 1001 of customer X" use ``InvoiceQuery(entity=EntityFilter(...),
ref_number_from="1001", ref_number_to="1001")`` (see :meth:`InvoiceQuery.for_entity_ref`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal, Self, TypeAlias

IteratorMode: TypeAlias = Literal["Start", "Continue", "Stop"]
ActiveStatus: TypeAlias = Literal["ActiveOnly", "InactiveOnly", "All"]
MatchCriterion: TypeAlias = Literal["StartsWith", "Contains", "EndsWith"]
PaidStatus: TypeAlias = Literal["All", "PaidOnly", "NotPaidOnly"]
BillableStatus: TypeAlias = Literal["Billable", "NotBillable", "HasBeenBilled"]
AccountType: TypeAlias = Literal[
    "AccountsPayable", "AccountsReceivable", "Bank", "CostOfGoodsSold", "CreditCard", "Equity",
    "Expense", "FixedAsset", "Income", "LongTermLiability", "NonPosting", "OtherAsset",
    "OtherCurrentAsset", "OtherCurrentLiability", "OtherExpense", "OtherIncome",
]


# --------------------------------------------------------------------------- helpers


@dataclass(frozen=True, kw_only=True)
class Ref:
    """A reference to a QuickBooks list entry: by ``list_id`` or by ``full_name`` (one of them)."""

    list_id: str | None = None
    full_name: str | None = None

    def __post_init__(self) -> None:
        if (self.list_id is None) == (self.full_name is None):
            raise ValueError("Ref needs exactly one of list_id or full_name")

    @classmethod
    def named(cls, full_name: str) -> Ref:
        """A reference by FullName (``Parent:Child`` for sub-entries)."""
        return cls(full_name=full_name)

    @classmethod
    def by_id(cls, list_id: str) -> Ref:
        """A reference by ListID."""
        return cls(list_id=list_id)


@dataclass(frozen=True, kw_only=True)
class Address:
    """A postal address (BillAddress, ShipAddress, VendorAddress, EmployeeAddress)."""

    addr1: str | None = None
    addr2: str | None = None
    addr3: str | None = None
    addr4: str | None = None
    addr5: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class NameFilter:
    """``NameFilter``: names that start with / contain / end with ``name``."""

    match: MatchCriterion
    name: str


@dataclass(frozen=True, kw_only=True)
class NameRange:
    """``NameRangeFilter``: names between ``from_name`` and ``to_name`` (inclusive)."""

    from_name: str | None = None
    to_name: str | None = None


@dataclass(frozen=True, kw_only=True)
class EntityFilter:
    """``EntityFilter`` (customer, vendor, employee...): one of the four ways to name them."""

    list_ids: tuple[str, ...] = ()
    full_names: tuple[str, ...] = ()
    list_id_with_children: str | None = None
    full_name_with_children: str | None = None

    @classmethod
    def for_ref(cls, ref: Ref) -> EntityFilter:
        """The filter matching exactly the entity *ref* points at."""
        if ref.list_id is not None:
            return cls(list_ids=(ref.list_id,))
        return cls(full_names=(ref.full_name or "",))


@dataclass(frozen=True, kw_only=True)
class RefNumberMatch:
    """``RefNumberFilter``: RefNumber starts with / contains / ends with ``ref_number``."""

    match: MatchCriterion
    ref_number: str


# --------------------------------------------------------------------------- query bases


@dataclass(frozen=True, kw_only=True)
class _Query:
    """Options every query shares. ``iterator`` is ``Start``/``Continue``/``Stop``; Continue and
    Stop need the ``iterator_id`` returned by the previous page."""

    include_ret_elements: tuple[str, ...] = ()
    iterator: IteratorMode | None = None
    iterator_id: str | None = None
    max_returned: int | None = None


@dataclass(frozen=True, kw_only=True)
class _ListQuery(_Query):
    """A list query: by ``list_ids`` *or* ``full_names`` *or* the filter fields."""

    list_ids: tuple[str, ...] = ()
    full_names: tuple[str, ...] = ()
    active_status: ActiveStatus | None = None
    from_modified: datetime | None = None
    to_modified: datetime | None = None
    name_filter: NameFilter | None = None
    name_range: NameRange | None = None
    owner_ids: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class _TxnQuery(_Query):
    """A transaction query (InvoiceQuery, BillQuery).

    Select by ``txn_ids`` *or* ``ref_numbers`` *or* ``ref_numbers_case_sensitive`` *or* the
    filters: a modified-date range *or* a txn-date range, ``entity``, ``account``,
    ``ref_number_match`` *or* ``ref_number_from``/``ref_number_to``, ``paid_status``.
    """

    txn_ids: tuple[str, ...] = ()
    ref_numbers: tuple[str, ...] = ()
    ref_numbers_case_sensitive: tuple[str, ...] = ()
    from_modified: datetime | None = None
    to_modified: datetime | None = None
    from_txn_date: date | None = None
    to_txn_date: date | None = None
    entity: EntityFilter | None = None
    account: EntityFilter | None = None
    ref_number_match: RefNumberMatch | None = None
    ref_number_from: str | None = None
    ref_number_to: str | None = None
    paid_status: PaidStatus | None = None
    include_line_items: bool | None = None
    include_linked_txns: bool | None = None
    owner_ids: tuple[str, ...] = ()

    @classmethod
    def for_entity_ref(cls, entity: Ref, ref_number: str, **options: object) -> Self:
        """Transactions of *entity* whose RefNumber is exactly *ref_number*.

        qbXML cannot combine ``RefNumber`` with ``EntityFilter``; a RefNumber range from
        *ref_number* to *ref_number* inside the filter branch can.
        """
        return cls(entity=EntityFilter.for_ref(entity), ref_number_from=ref_number,
                   ref_number_to=ref_number, **options)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- host / company


@dataclass(frozen=True, kw_only=True)
class HostQuery(_Query):
    """``HostQueryRq``: product, version, country and supported qbXML versions."""


@dataclass(frozen=True, kw_only=True)
class CompanyQuery(_Query):
    """``CompanyQueryRq``: the company file's name and address (``owner_ids`` for DataExt)."""

    owner_ids: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class PreferencesQuery(_Query):
    """``PreferencesQueryRq``: inventory, sales tax, time tracking, class, currency preferences."""


# --------------------------------------------------------------------------- accounts / terms / tax


@dataclass(frozen=True, kw_only=True)
class AccountAdd:
    """``AccountAddRq``. ``account_number`` is at most 7 characters (raises beyond)."""

    name: str
    account_type: AccountType
    is_active: bool | None = None
    parent: Ref | None = None
    account_number: str | None = None
    bank_number: str | None = None
    desc: str | None = None
    open_balance: Decimal | None = None
    open_balance_date: date | None = None
    sales_tax_code: Ref | None = None
    tax_line_id: int | None = None
    currency: Ref | None = None
    include_ret_elements: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class AccountQuery(_ListQuery):
    """``AccountQueryRq``; ``account_types`` narrows the filter branch."""

    account_types: tuple[AccountType, ...] = ()


@dataclass(frozen=True, kw_only=True)
class StandardTermsAdd:
    """``StandardTermsAddRq``: net ``std_due_days``, optional early-payment discount."""

    name: str
    is_active: bool | None = None
    std_due_days: int | None = None
    std_discount_days: int | None = None
    discount_pct: Decimal | None = None
    include_ret_elements: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class TermsQuery(_ListQuery):
    """``TermsQueryRq`` (standard and date-driven terms)."""


@dataclass(frozen=True, kw_only=True)
class ItemSalesTaxAdd:
    """``ItemSalesTaxAddRq`` (US): a sales tax item, ``tax_rate`` a percentage (8.25 = 8.25 %),
    paid to ``tax_vendor`` (the tax agency)."""

    name: str
    is_active: bool | None = None
    item_desc: str | None = None
    tax_rate: Decimal | None = None
    tax_vendor: Ref | None = None
    external_guid: str | None = None
    include_ret_elements: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ItemSalesTaxQuery(_ListQuery):
    """``ItemSalesTaxQueryRq``: the sales-tax items (US header tax)."""


@dataclass(frozen=True, kw_only=True)
class SalesTaxCodeQuery(_ListQuery):
    """``SalesTaxCodeQueryRq``: the codes (``Tax``/``Non`` in the US, GST/HST/VAT codes in CA/UK)."""


# --------------------------------------------------------------------------- customers / vendors / employees


@dataclass(frozen=True, kw_only=True)
class _CustomerFields:
    is_active: bool | None = None
    class_ref: Ref | None = None
    parent: Ref | None = None
    company_name: str | None = None
    salutation: str | None = None
    first_name: str | None = None
    middle_name: str | None = None
    last_name: str | None = None
    job_title: str | None = None
    bill_address: Address | None = None
    ship_address: Address | None = None
    phone: str | None = None
    alt_phone: str | None = None
    fax: str | None = None
    email: str | None = None
    cc: str | None = None
    contact: str | None = None
    alt_contact: str | None = None
    customer_type: Ref | None = None
    terms: Ref | None = None
    sales_rep: Ref | None = None
    sales_tax_code: Ref | None = None
    item_sales_tax: Ref | None = None
    sales_tax_country: Literal["Australia", "Canada", "UK", "US"] | None = None
    resale_number: str | None = None
    account_number: str | None = None
    credit_limit: Decimal | None = None
    job_status: Literal["Awarded", "Closed", "InProgress", "None", "NotAwarded", "Pending"] | None = None
    job_start_date: date | None = None
    job_projected_end_date: date | None = None
    job_end_date: date | None = None
    job_desc: str | None = None
    job_type: Ref | None = None
    notes: str | None = None
    price_level: Ref | None = None
    tax_registration_number: str | None = None
    currency: Ref | None = None
    include_ret_elements: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class CustomerAdd(_CustomerFields):
    """``CustomerAddRq``. ``name`` (41, no ``:``) is required; ``parent`` makes it a job."""

    name: str
    open_balance: Decimal | None = None
    open_balance_date: date | None = None
    external_guid: str | None = None


@dataclass(frozen=True, kw_only=True)
class CustomerMod(_CustomerFields):
    """``CustomerModRq``: ``list_id`` + current ``edit_sequence``; ``None`` fields stay unchanged."""

    list_id: str
    edit_sequence: str
    name: str | None = None


@dataclass(frozen=True, kw_only=True)
class CustomerQuery(_ListQuery):
    """``CustomerQueryRq`` (customers and jobs)."""


@dataclass(frozen=True, kw_only=True)
class _VendorFields:
    is_active: bool | None = None
    class_ref: Ref | None = None
    company_name: str | None = None
    salutation: str | None = None
    first_name: str | None = None
    middle_name: str | None = None
    last_name: str | None = None
    job_title: str | None = None
    vendor_address: Address | None = None
    ship_address: Address | None = None
    phone: str | None = None
    alt_phone: str | None = None
    fax: str | None = None
    email: str | None = None
    cc: str | None = None
    contact: str | None = None
    alt_contact: str | None = None
    name_on_check: str | None = None
    account_number: str | None = None
    notes: str | None = None
    vendor_type: Ref | None = None
    terms: Ref | None = None
    credit_limit: Decimal | None = None
    vendor_tax_ident: str | None = None
    is_vendor_eligible_for_1099: bool | None = None
    sales_tax_code: Ref | None = None
    sales_tax_country: Literal["Australia", "Canada", "UK", "US"] | None = None
    tax_registration_number: str | None = None
    prefill_accounts: tuple[Ref, ...] = ()
    currency: Ref | None = None
    include_ret_elements: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class VendorAdd(_VendorFields):
    """``VendorAddRq``. ``prefill_accounts`` (up to 3) are the bill expense accounts."""

    name: str
    open_balance: Decimal | None = None
    open_balance_date: date | None = None
    external_guid: str | None = None


@dataclass(frozen=True, kw_only=True)
class VendorMod(_VendorFields):
    """``VendorModRq``: ``list_id`` + ``edit_sequence``; ``None`` fields stay unchanged."""

    list_id: str
    edit_sequence: str
    name: str | None = None


@dataclass(frozen=True, kw_only=True)
class VendorQuery(_ListQuery):
    """``VendorQueryRq``."""


@dataclass(frozen=True, kw_only=True)
class Earning:
    """One payroll wage item of an employee, with an hourly/annual ``rate`` or a ``rate_percent``."""

    wage_item: Ref
    rate: Decimal | None = None
    rate_percent: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class EmployeePayroll:
    """``EmployeePayrollInfo``: ``earnings`` replace the employee's wage items;
    ``use_time_data`` tells payroll whether to build paychecks from time data."""

    pay_period: Literal["Daily", "Weekly", "Biweekly", "Semimonthly", "Monthly", "Quarterly",
                        "Yearly"] | None = None
    class_ref: Ref | None = None
    clear_earnings: bool | None = None
    earnings: tuple[Earning, ...] = ()
    use_time_data: Literal["NotSet", "UseTimeData", "DoNotUseTimeData"] | None = None


@dataclass(frozen=True, kw_only=True)
class _EmployeeFields:
    is_active: bool | None = None
    salutation: str | None = None
    first_name: str | None = None
    middle_name: str | None = None
    last_name: str | None = None
    job_title: str | None = None
    department: str | None = None
    description: str | None = None
    employee_address: Address | None = None
    print_as: str | None = None
    phone: str | None = None
    mobile: str | None = None
    pager: str | None = None
    alt_phone: str | None = None
    fax: str | None = None
    email: str | None = None
    employee_type: Literal["Officer", "Owner", "Regular", "Statutory"] | None = None
    part_or_full_time: Literal["PartTime", "FullTime"] | None = None
    hired_date: date | None = None
    released_date: date | None = None
    birth_date: date | None = None
    account_number: str | None = None
    notes: str | None = None
    billing_rate: Ref | None = None
    payroll: EmployeePayroll | None = None
    include_ret_elements: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class EmployeeAdd(_EmployeeFields):
    """``EmployeeAddRq``. Desktop names the employee from first/middle/last name (no ``Name``);
    ``ssn`` and ``gender`` are add-only here."""

    ssn: str | None = None
    gender: Literal["Male", "Female"] | None = None
    external_guid: str | None = None


@dataclass(frozen=True, kw_only=True)
class EmployeeMod(_EmployeeFields):
    """``EmployeeModRq``: ``list_id`` + ``edit_sequence``; ``None`` fields stay unchanged."""

    list_id: str
    edit_sequence: str


@dataclass(frozen=True, kw_only=True)
class EmployeeQuery(_ListQuery):
    """``EmployeeQueryRq``."""


# --------------------------------------------------------------------------- items


@dataclass(frozen=True, kw_only=True)
class SalesOrPurchase:
    """An item used with one account: ``desc``, ``price`` *or* ``price_percent``, ``account``."""

    desc: str | None = None
    price: Decimal | None = None
    price_percent: Decimal | None = None
    account: Ref | None = None


@dataclass(frozen=True, kw_only=True)
class SalesAndPurchase:
    """An item both bought and sold: income and expense sides."""

    sales_desc: str | None = None
    sales_price: Decimal | None = None
    income_account: Ref | None = None
    purchase_desc: str | None = None
    purchase_cost: Decimal | None = None
    purchase_tax_code: Ref | None = None
    expense_account: Ref | None = None
    pref_vendor: Ref | None = None


@dataclass(frozen=True, kw_only=True)
class _ItemFields:
    is_active: bool | None = None
    class_ref: Ref | None = None
    parent: Ref | None = None
    is_tax_included: bool | None = None
    sales_tax_code: Ref | None = None
    sales_or_purchase: SalesOrPurchase | None = None
    sales_and_purchase: SalesAndPurchase | None = None
    include_ret_elements: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ItemServiceAdd(_ItemFields):
    """``ItemServiceAddRq``: ``name`` (31) and exactly one of ``sales_or_purchase`` /
    ``sales_and_purchase``."""

    name: str
    external_guid: str | None = None


@dataclass(frozen=True, kw_only=True)
class ItemServiceMod(_ItemFields):
    """``ItemServiceModRq``: at most one of the two account blocks."""

    list_id: str
    edit_sequence: str
    name: str | None = None


@dataclass(frozen=True, kw_only=True)
class ItemOtherChargeAdd(_ItemFields):
    """``ItemOtherChargeAddRq``: freight, shipping, handling charges on invoices."""

    name: str
    external_guid: str | None = None


@dataclass(frozen=True, kw_only=True)
class _InventoryFields:
    is_active: bool | None = None
    class_ref: Ref | None = None
    parent: Ref | None = None
    manufacturer_part_number: str | None = None
    is_tax_included: bool | None = None
    sales_tax_code: Ref | None = None
    sales_desc: str | None = None
    sales_price: Decimal | None = None
    income_account: Ref | None = None
    purchase_desc: str | None = None
    purchase_cost: Decimal | None = None
    purchase_tax_code: Ref | None = None
    cogs_account: Ref | None = None
    pref_vendor: Ref | None = None
    asset_account: Ref | None = None
    reorder_point: Decimal | None = None
    max_quantity: Decimal | None = None
    include_ret_elements: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ItemInventoryAdd(_InventoryFields):
    """``ItemInventoryAddRq`` (needs inventory turned on in QuickBooks)."""

    name: str
    quantity_on_hand: Decimal | None = None
    total_value: Decimal | None = None
    inventory_date: date | None = None
    external_guid: str | None = None


@dataclass(frozen=True, kw_only=True)
class ItemInventoryMod(_InventoryFields):
    """``ItemInventoryModRq`` (quantities change through inventory adjustments, not here)."""

    list_id: str
    edit_sequence: str
    name: str | None = None


@dataclass(frozen=True, kw_only=True)
class ItemQuery(_ListQuery):
    """``ItemQueryRq``: every item type at once (the Ret names tell the type)."""


@dataclass(frozen=True, kw_only=True)
class PayrollItemWageQuery(_ListQuery):
    """``PayrollItemWageQueryRq``: wage payroll items (for time tracking and employees)."""


# --------------------------------------------------------------------------- invoices


@dataclass(frozen=True, kw_only=True)
class InvoiceLine:
    """``InvoiceLineAdd``. Send ``quantity`` + ``rate`` *or* ``quantity`` + ``amount``;
    a line with only ``desc`` is a text line. ``rate`` and ``rate_percent`` exclude each other."""

    item: Ref | None = None
    desc: str | None = None
    quantity: Decimal | None = None
    unit_of_measure: str | None = None
    rate: Decimal | None = None
    rate_percent: Decimal | None = None
    class_ref: Ref | None = None
    amount: Decimal | None = None
    service_date: date | None = None
    sales_tax_code: Ref | None = None
    override_item_account: Ref | None = None
    other1: str | None = None
    other2: str | None = None


@dataclass(frozen=True, kw_only=True)
class InvoiceAdd:
    """``InvoiceAddRq``. ``ref_number`` is at most 11 characters (raises beyond);
    ``item_sales_tax`` is the US header tax item."""

    customer: Ref
    class_ref: Ref | None = None
    ar_account: Ref | None = None
    template: Ref | None = None
    txn_date: date | None = None
    ref_number: str | None = None
    bill_address: Address | None = None
    ship_address: Address | None = None
    is_pending: bool | None = None
    po_number: str | None = None
    terms: Ref | None = None
    due_date: date | None = None
    sales_rep: Ref | None = None
    fob: str | None = None
    ship_date: date | None = None
    ship_method: Ref | None = None
    item_sales_tax: Ref | None = None
    memo: str | None = None
    customer_msg: Ref | None = None
    is_to_be_printed: bool | None = None
    is_to_be_emailed: bool | None = None
    is_tax_included: bool | None = None
    customer_sales_tax_code: Ref | None = None
    other: str | None = None
    exchange_rate: Decimal | None = None
    external_guid: str | None = None
    lines: tuple[InvoiceLine, ...] = ()
    include_ret_elements: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class InvoiceQuery(_TxnQuery):
    """``InvoiceQueryRq``; ``entity`` filters by customer (or job)."""


@dataclass(frozen=True, kw_only=True)
class CreditMemoAdd(InvoiceAdd):
    """``CreditMemoAddRq``: the same header and lines as an invoice (its lines are
    ``CreditMemoLineAdd``, with the elements of :class:`InvoiceLine`), amounts positive:
    QuickBooks reads them as a credit to the customer. ``ref_number`` is at most 11 characters."""


@dataclass(frozen=True, kw_only=True)
class CreditMemoQuery(_TxnQuery):
    """``CreditMemoQueryRq``; ``entity`` filters by customer (or job)."""


# --------------------------------------------------------------------------- bills


@dataclass(frozen=True, kw_only=True)
class ExpenseLine:
    """``ExpenseLineAdd``: an amount posted to ``account``, optionally billable to ``customer``."""

    account: Ref | None = None
    amount: Decimal | None = None
    memo: str | None = None
    customer: Ref | None = None
    class_ref: Ref | None = None
    sales_tax_code: Ref | None = None
    billable_status: BillableStatus | None = None


@dataclass(frozen=True, kw_only=True)
class ItemLine:
    """``ItemLineAdd``: a purchased item with ``quantity`` and unit ``cost`` (or ``amount``)."""

    item: Ref | None = None
    desc: str | None = None
    quantity: Decimal | None = None
    unit_of_measure: str | None = None
    cost: Decimal | None = None
    amount: Decimal | None = None
    customer: Ref | None = None
    class_ref: Ref | None = None
    sales_tax_code: Ref | None = None
    billable_status: BillableStatus | None = None
    override_item_account: Ref | None = None


@dataclass(frozen=True, kw_only=True)
class BillAdd:
    """``BillAddRq``. ``ref_number`` (the vendor's invoice number) is at most 20 characters.
    Expense lines are emitted before item lines, as the schema demands."""

    vendor: Ref
    vendor_address: Address | None = None
    ap_account: Ref | None = None
    txn_date: date | None = None
    due_date: date | None = None
    ref_number: str | None = None
    terms: Ref | None = None
    memo: str | None = None
    is_tax_included: bool | None = None
    sales_tax_code: Ref | None = None
    exchange_rate: Decimal | None = None
    external_guid: str | None = None
    expense_lines: tuple[ExpenseLine, ...] = ()
    item_lines: tuple[ItemLine, ...] = ()
    include_ret_elements: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class BillQuery(_TxnQuery):
    """``BillQueryRq``; ``entity`` filters by vendor."""


@dataclass(frozen=True, kw_only=True)
class VendorCreditAdd:
    """``VendorCreditAddRq``: a credit from a vendor, amounts positive; ``ref_number`` is at
    most 20 characters. Expense lines are emitted before item lines, as the schema demands."""

    vendor: Ref
    ap_account: Ref | None = None
    txn_date: date | None = None
    ref_number: str | None = None
    memo: str | None = None
    is_tax_included: bool | None = None
    sales_tax_code: Ref | None = None
    exchange_rate: Decimal | None = None
    external_guid: str | None = None
    expense_lines: tuple[ExpenseLine, ...] = ()
    item_lines: tuple[ItemLine, ...] = ()
    include_ret_elements: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class VendorCreditQuery(_TxnQuery):
    """``VendorCreditQueryRq``; ``entity`` filters by vendor."""


# --------------------------------------------------------------------------- changing a transaction


@dataclass(frozen=True, kw_only=True)
class _TxnMod:
    """A ``...Mod`` of a transaction the service added: its ``txn_id`` and current
    ``edit_sequence``, then the fields of ``of`` (the Add the record builds today), in the
    schema's order. Its lines replace every line QuickBooks holds (each is sent as a new
    line, ``TxnLineID`` -1); ``None`` fields stay as QuickBooks has them."""

    txn_id: str
    edit_sequence: str
    include_ret_elements: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class InvoiceMod(_TxnMod):
    """``InvoiceModRq``: an invoice changed in JobBOSS2 after it was sent."""

    of: InvoiceAdd


@dataclass(frozen=True, kw_only=True)
class CreditMemoMod(_TxnMod):
    """``CreditMemoModRq``: a credit memo changed in JobBOSS2 after it was sent."""

    of: CreditMemoAdd


@dataclass(frozen=True, kw_only=True)
class BillMod(_TxnMod):
    """``BillModRq``: a bill changed in JobBOSS2 after it was sent (its expense and item
    lines are cleared when it has none of them)."""

    of: BillAdd


@dataclass(frozen=True, kw_only=True)
class VendorCreditMod(_TxnMod):
    """``VendorCreditModRq``: a vendor credit changed in JobBOSS2 after it was sent."""

    of: VendorCreditAdd


# --------------------------------------------------------------------------- time


@dataclass(frozen=True, kw_only=True)
class TimeTrackingAdd:
    """``TimeTrackingAddRq``: ``duration`` as Decimal hours or a timedelta (emitted ``PT8H30M``);
    ``entity`` is the employee (or vendor / other name) who worked."""

    entity: Ref
    duration: Decimal | timedelta
    txn_date: date | None = None
    customer: Ref | None = None
    item_service: Ref | None = None
    rate: Decimal | None = None
    class_ref: Ref | None = None
    payroll_item_wage: Ref | None = None
    notes: str | None = None
    billable_status: BillableStatus | None = None
    external_guid: str | None = None
    include_ret_elements: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class TimeTrackingQuery(_Query):
    """``TimeTrackingQueryRq``: by ``txn_ids`` or by date range and ``entity`` (ListIDs or
    FullNames only: no ``...WithChildren`` here)."""

    txn_ids: tuple[str, ...] = ()
    from_modified: datetime | None = None
    to_modified: datetime | None = None
    from_txn_date: date | None = None
    to_txn_date: date | None = None
    entity: EntityFilter | None = None


Request: TypeAlias = (
    HostQuery | CompanyQuery | PreferencesQuery | AccountAdd | AccountQuery | StandardTermsAdd
    | TermsQuery | ItemSalesTaxQuery | SalesTaxCodeQuery | CustomerAdd | CustomerMod | CustomerQuery
    | VendorAdd | VendorMod | VendorQuery | EmployeeAdd | EmployeeMod | EmployeeQuery | ItemServiceAdd
    | ItemServiceMod | ItemInventoryAdd | ItemInventoryMod | ItemOtherChargeAdd | ItemQuery
    | PayrollItemWageQuery | InvoiceAdd | InvoiceQuery | BillAdd | BillQuery | TimeTrackingAdd
    | TimeTrackingQuery | CreditMemoAdd | CreditMemoQuery | VendorCreditAdd | VendorCreditQuery
    | ItemSalesTaxAdd | InvoiceMod | CreditMemoMod | BillMod | VendorCreditMod
)
"""Every request type :func:`~qbwc_service.qbxml.message.build_message` accepts."""

TxnModRequest: TypeAlias = InvoiceMod | CreditMemoMod | BillMod | VendorCreditMod
"""A transaction Mod (:class:`_TxnMod`)."""
TxnQueryRequest: TypeAlias = InvoiceQuery | CreditMemoQuery | BillQuery | VendorCreditQuery
"""A query of the transactions a Mod changes."""

RequestList: TypeAlias = Sequence[tuple[str, Request]]
