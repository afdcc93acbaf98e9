"""Name rules: which lists share a namespace, and how names compare.

Customers (with their jobs), vendors, employees and other names share one
namespace; items share another; accounts, terms, sales tax codes and payroll
items each have their own. Names compare case-insensitively; a job's
FullName is its parents' names and its own joined by ``:``.
"""

from __future__ import annotations

from qbwc_service.simulator.quickbooks.records import Record

ITEM_RETS: tuple[str, ...] = (
    "ItemServiceRet", "ItemInventoryRet", "ItemNonInventoryRet", "ItemOtherChargeRet",
    "ItemSalesTaxRet", "ItemSalesTaxGroupRet",
)
NAME_RETS: tuple[str, ...] = ("CustomerRet", "VendorRet", "EmployeeRet", "OtherNameRet")

#: Ret type -> the namespace its FullName must be unique in.
NAMESPACE_OF: dict[str, str] = {
    **dict.fromkeys(NAME_RETS, "names"),
    **dict.fromkeys(ITEM_RETS, "items"),
    "AccountRet": "accounts",
    "StandardTermsRet": "terms",
    "DateDrivenTermsRet": "terms",
    "SalesTaxCodeRet": "salestaxcodes",
    "PayrollItemWageRet": "payrollwage",
    "CurrencyRet": "currencies",
}

#: List Ret types that are hierarchical (ParentRef makes FullName ``Parent:Name``).
HIERARCHICAL: frozenset[str] = frozenset({"CustomerRet", "AccountRet", *ITEM_RETS})


def key(name: str) -> str:
    """The comparison key of a name: QuickBooks ignores case."""
    return name.casefold()


def employee_name(record: Record) -> str:
    """Desktop builds an employee's name from first, middle and last name."""
    parts = (record.get(k, "") for k in ("FirstName", "MiddleName", "LastName"))
    return " ".join(p for p in parts if p)


def full_name(name: str, parent_full_name: str | None) -> str:
    return f"{parent_full_name}:{name}" if parent_full_name else name
