"""References (``…Ref``): what each may point to, and resolving them.

A reference names a list entry by ListID or FullName. Resolution fills in
both; a reference that points nowhere (or into the wrong list) answers 3140,
as QuickBooks does. A reference to a list the stand-in does not model
(classes, sales reps, price levels...) never resolves: a fresh company has
no such entries.
"""

from __future__ import annotations

from typing import Any

from qbwc_service.simulator.quickbooks import errors, names
from qbwc_service.simulator.quickbooks.context import Company
from qbwc_service.simulator.quickbooks.errors import Status
from qbwc_service.simulator.quickbooks.names import ITEM_RETS
from qbwc_service.simulator.quickbooks.records import Record

ACCOUNT = ("AccountRet",)

#: Reference element -> the Ret types it may point to.
REF_TARGETS: dict[str, tuple[str, ...]] = {
    "CustomerRef": ("CustomerRet",),
    "VendorRef": ("VendorRet",),
    "PrefVendorRef": ("VendorRet",),
    "TaxVendorRef": ("VendorRet",),
    "EntityRef": ("EmployeeRet", "VendorRet", "OtherNameRet"),
    "ItemRef": ITEM_RETS,
    "ItemServiceRef": ("ItemServiceRet",),
    "ItemSalesTaxRef": ("ItemSalesTaxRet", "ItemSalesTaxGroupRet"),
    "AccountRef": ACCOUNT, "IncomeAccountRef": ACCOUNT, "ExpenseAccountRef": ACCOUNT,
    "COGSAccountRef": ACCOUNT, "AssetAccountRef": ACCOUNT, "ARAccountRef": ACCOUNT,
    "APAccountRef": ACCOUNT, "PrefillAccountRef": ACCOUNT, "OverrideItemAccountRef": ACCOUNT,
    "TermsRef": ("StandardTermsRet", "DateDrivenTermsRet"),
    "SalesTaxCodeRef": ("SalesTaxCodeRet",),
    "CustomerSalesTaxCodeRef": ("SalesTaxCodeRet",),
    "PurchaseTaxCodeRef": ("SalesTaxCodeRet",),
    "PayrollItemWageRef": ("PayrollItemWageRet",),
    "CurrencyRef": ("CurrencyRet",),
}

#: Ret type -> the list's name in QuickBooks' messages.
LABELS: dict[str, str] = {
    "CustomerRet": "Customer", "VendorRet": "Vendor", "EmployeeRet": "Employee",
    "OtherNameRet": "Other Name", "AccountRet": "Account", "StandardTermsRet": "Terms",
    "DateDrivenTermsRet": "Terms", "SalesTaxCodeRet": "Sales Tax Code",
    "PayrollItemWageRet": "Payroll Item", "InvoiceRet": "Invoice", "BillRet": "Bill",
    "TimeTrackingRet": "Time Tracking", "CreditMemoRet": "Credit Memo",
    "VendorCreditRet": "Vendor Credit", "CurrencyRet": "Currency", **dict.fromkeys(ITEM_RETS, "Item"),
}


def label_of(tag: str) -> str:
    """QuickBooks' name for the list or transaction of a Ret, an aggregate or a request tag."""
    base = tag.removesuffix("Rq")
    for suffix in ("Add", "Mod", "Ret"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
            break
    return LABELS.get(base + "Ret", base)


def lookup(company: Company, rets: tuple[str, ...],
           ref: Record) -> tuple[str, Record] | None:
    """The record *ref* names among *rets* (by ListID first, else FullName)."""
    list_id, full_name = ref.get("ListID"), ref.get("FullName")
    if list_id:
        for ret in rets:
            record = company.state.get(ret, list_id)
            if record is not None:
                return ret, record
        return None
    if full_name:
        for space in dict.fromkeys(names.NAMESPACE_OF.get(r, "") for r in rets):
            found = company.state.find_by_name(space, full_name)
            if found and found[0] in rets:
                return found[0], company.state.get(*found)
    return None


def as_ref(record: Record) -> dict[str, str]:
    return {"ListID": record["ListID"], "FullName": record["FullName"]}


def resolve_all(company: Company, record: Record, where: str,
                parent_rets: tuple[str, ...] = ()) -> Status | None:
    """Resolve every reference in *record* in place; the first failure as a 3140 status."""
    for key, value in list(record.items()):
        if key.endswith("Ref") and isinstance(value, dict) and ("ListID" in value or "FullName" in value):
            targets = parent_rets if key == "ParentRef" else REF_TARGETS.get(key, ())
            found = lookup(company, targets, value)
            if found is None:
                label = LABELS.get(targets[0], key[:-3]) if targets else key[:-3]
                return errors.invalid_reference(label, value.get("ListID") or value.get("FullName", ""),
                                                where)
            record[key] = as_ref(found[1])
        else:
            for nested in _nested(value):
                status = resolve_all(company, nested, where)
                if status:
                    return status
    return None


def _nested(value: Any) -> list[Record]:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []
