"""Maximum lengths of the qbXML text elements the service writes, as one table.

Lengths are QuickBooks Desktop's (US, Canada and UK share them), in characters,
counted after the character policy of :mod:`~qbwc_service.qbxml.text` has run.
They come from Intuit's annotated field notes (``qbxmlops130.xml``) and agree
with the ``maxLength`` facets of the 13.0 schema wherever it has one.

Each entry says what happens to a longer value:

``TRUNCATE`` (cut to the limit, and a :class:`FieldWarning` tells the caller)
    Descriptive text that a person reads and that QuickBooks users expect to be
    shortened: descriptions, memos, notes, address lines, phone numbers, contact
    names, job titles, FOB, the Other fields.

``RAISE`` (refuse the request with :class:`QbxmlFieldError`)
    Values that say *which* record something is, where a shortened value would
    silently name or match a different record: list names (Customer, Vendor,
    Item, Account, Terms), the employee's first/middle/last name (Desktop builds
    the employee's name from them), reference numbers (Invoice, Bill, PO),
    account numbers, tax identifiers, every ``FullName`` inside a reference,
    ListID/TxnID/EditSequence and IncludeRetElement names.

Keys are ``"Parent/Element"`` for a specific aggregate or the bare element name
as the default for every aggregate; the specific key wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cache


class Policy(Enum):
    """What to do with a value longer than its limit."""

    TRUNCATE = "truncate"
    RAISE = "raise"


@dataclass(frozen=True)
class Limit:
    """The maximum length of one element and what to do beyond it."""

    length: int
    policy: Policy


@dataclass(frozen=True)
class FieldWarning:
    """A value the builder changed: ``path`` is ``requestID:Aggregate/Element``."""

    request_id: str
    path: str
    original: str
    new: str
    reason: str


class QbxmlFieldError(ValueError):
    """A value cannot be sent as it is; names the element (``field``), ``value`` and ``limit``."""

    def __init__(self, field: str, value: object, limit: int | None = None,
                 reason: str | None = None) -> None:
        self.field = field
        self.value = value
        self.limit = limit
        if reason is None:
            reason = f"is longer than {limit} characters" if limit is not None else "is not allowed"
        self.reason = reason
        shown = repr(value) if not isinstance(value, str) or len(value) <= 120 else repr(value[:117] + "...")
        super().__init__(f"{field}: value {shown} {reason}")


T, R = Policy.TRUNCATE, Policy.RAISE

LIMITS: dict[str, tuple[int, Policy]] = {
    # ---- list names: what the record is called (raise)
    "CustomerAdd/Name": (41, R), "CustomerMod/Name": (41, R),
    "VendorAdd/Name": (41, R), "VendorMod/Name": (41, R),
    "AccountAdd/Name": (31, R), "StandardTermsAdd/Name": (31, R),
    "ItemServiceAdd/Name": (31, R), "ItemServiceMod/Name": (31, R), "ItemSalesTaxAdd/Name": (31, R),
    "ItemInventoryAdd/Name": (31, R), "ItemInventoryMod/Name": (31, R),
    "ItemOtherChargeAdd/Name": (31, R),
    # the employee's name is built from these three
    "EmployeeAdd/FirstName": (25, R), "EmployeeAdd/MiddleName": (5, R), "EmployeeAdd/LastName": (25, R),
    "EmployeeMod/FirstName": (25, R), "EmployeeMod/MiddleName": (5, R), "EmployeeMod/LastName": (25, R),
    # ---- reference numbers and identifiers (raise)
    "InvoiceAdd/RefNumber": (11, R), "BillAdd/RefNumber": (20, R), "RefNumber": (20, R),
    "CreditMemoAdd/RefNumber": (11, R), "InvoiceMod/RefNumber": (11, R),
    "CreditMemoMod/RefNumber": (11, R),
    "FromRefNumber": (20, R), "ToRefNumber": (20, R),
    "PONumber": (25, R),
    "AccountAdd/AccountNumber": (7, R), "AccountNumber": (99, R), "BankNumber": (25, R),
    "ManufacturerPartNumber": (31, R), "UnitOfMeasure": (31, R),
    "ResaleNumber": (15, R), "VendorTaxIdent": (15, R), "TaxRegistrationNumber": (30, R), "SSN": (15, R),
    "ListID": (36, R), "TxnID": (36, R), "EditSequence": (16, R), "IncludeRetElement": (50, R),
    # ---- FullName inside references (raise): customer/job and entity names have 5 levels of 41
    "FullName": (209, R),
    "CustomerRef/FullName": (209, R), "EntityRef/FullName": (209, R), "ParentRef/FullName": (209, R),
    "VendorRef/FullName": (41, R), "PrefVendorRef/FullName": (41, R), "TaxVendorRef/FullName": (41, R),
    "ItemRef/FullName": (159, R), "ItemServiceRef/FullName": (159, R), "ClassRef/FullName": (159, R),
    "AccountRef/FullName": (159, R), "ARAccountRef/FullName": (159, R), "APAccountRef/FullName": (159, R),
    "IncomeAccountRef/FullName": (159, R), "ExpenseAccountRef/FullName": (159, R),
    "COGSAccountRef/FullName": (159, R), "AssetAccountRef/FullName": (159, R),
    "OverrideItemAccountRef/FullName": (159, R), "PrefillAccountRef/FullName": (159, R),
    "CustomerTypeRef/FullName": (159, R), "VendorTypeRef/FullName": (159, R), "JobTypeRef/FullName": (159, R),
    "TermsRef/FullName": (31, R), "ItemSalesTaxRef/FullName": (31, R), "TemplateRef/FullName": (31, R),
    "PriceLevelRef/FullName": (31, R), "PayrollItemWageRef/FullName": (31, R),
    "BillingRateRef/FullName": (31, R), "UnitOfMeasureSetRef/FullName": (31, R),
    "CustomerMsgRef/FullName": (101, R), "ShipMethodRef/FullName": (15, R), "SalesRepRef/FullName": (5, R),
    "SalesTaxCodeRef/FullName": (3, R), "CustomerSalesTaxCodeRef/FullName": (3, R),
    "PurchaseTaxCodeRef/FullName": (3, R), "CurrencyRef/FullName": (64, R),
    # ---- descriptive text (truncate and warn)
    "Addr1": (41, T), "Addr2": (41, T), "Addr3": (41, T), "Addr4": (41, T), "Addr5": (41, T),
    "City": (31, T), "State": (21, T), "PostalCode": (13, T), "Country": (31, T), "Note": (41, T),
    "CompanyName": (41, T), "Salutation": (15, T), "FirstName": (25, T), "MiddleName": (5, T),
    "LastName": (25, T), "JobTitle": (41, T), "PrintAs": (41, T), "NameOnCheck": (41, T),
    "Phone": (21, T), "AltPhone": (21, T), "Fax": (21, T), "Mobile": (21, T), "Pager": (21, T),
    "Email": (1023, T), "Cc": (1023, T), "Contact": (41, T), "AltContact": (41, T),
    "Department": (31, T), "Description": (64, T), "JobDesc": (99, T),
    "AccountAdd/Desc": (200, T), "Desc": (4095, T), "SalesDesc": (4095, T), "PurchaseDesc": (4095, T),
    "Memo": (4095, T), "Notes": (4095, T),
    "FOB": (13, T), "Other": (29, T), "Other1": (29, T), "Other2": (29, T),
}
"""``key -> (max length, policy)``; see the module docstring."""


@cache  # a few hundred (parent, tag) pairs, asked for every element built
@cache
def limit_for(parent: str, tag: str) -> Limit | None:
    """The limit of element *tag* inside aggregate *parent*, or ``None`` when unlimited
    (worked out once per pair: asked for every text element built)."""
    entry = LIMITS.get(f"{parent}/{tag}") or LIMITS.get(tag)
    return Limit(*entry) if entry else None
