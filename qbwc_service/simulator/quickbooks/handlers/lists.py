"""Add and Mod of list entries: names, accounts, terms, items, tax codes.

One table (:data:`KINDS`) says per list what its Add/Mod aggregates are
called, which Ret they produce, how the entry's name is formed and what a
new entry holds by default; the same two functions serve every list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from lxml import etree

from qbwc_service.simulator.quickbooks import errors, names, refs, rules
from qbwc_service.simulator.quickbooks.context import Company
from qbwc_service.simulator.quickbooks.errors import Status
from qbwc_service.simulator.quickbooks.handlers.common import Handler, failure, ok
from qbwc_service.simulator.quickbooks.records import Record, element_to_record
from qbwc_service.simulator.quickbooks.schema_order import index


def _plain_name(record: Record) -> str:
    return record.get("Name", "")


@dataclass(frozen=True)
class ListKind:
    """How one list behaves on Add and Mod."""

    prefix: str  # CustomerAdd / CustomerMod / CustomerAddRq ...
    ret: str
    defaults: dict[str, Any] = field(default_factory=dict)
    name_of: Callable[[Record], str] = _plain_name
    has_mod: bool = True

    @property
    def label(self) -> str:
        return refs.LABELS.get(self.ret, self.prefix)

    @property
    def parent_rets(self) -> tuple[str, ...]:
        return (self.ret,) if self.ret in names.HIERARCHICAL else ()


ACTIVE = {"IsActive": "true"}
ITEM_DEFAULTS = {**ACTIVE}

KINDS: tuple[ListKind, ...] = (
    ListKind("Customer", "CustomerRet", {**ACTIVE, "Balance": "0.00", "TotalBalance": "0.00",
                                         "JobStatus": "None"}),
    ListKind("Vendor", "VendorRet", {**ACTIVE, "Balance": "0.00"}),
    ListKind("Employee", "EmployeeRet", dict(ACTIVE), names.employee_name),
    ListKind("OtherName", "OtherNameRet", dict(ACTIVE)),
    ListKind("Account", "AccountRet", {**ACTIVE, "Balance": "0.00", "TotalBalance": "0.00"}),
    ListKind("StandardTerms", "StandardTermsRet", {**ACTIVE, "StdDueDays": "0"}, has_mod=False),
    ListKind("SalesTaxCode", "SalesTaxCodeRet", {**ACTIVE, "IsTaxable": "true"}),
    ListKind("ItemService", "ItemServiceRet", ITEM_DEFAULTS),
    ListKind("ItemInventory", "ItemInventoryRet", {**ITEM_DEFAULTS, "QuantityOnHand": "0",
                                                    "AverageCost": "0.00", "QuantityOnOrder": "0",
                                                    "QuantityOnSalesOrder": "0"}),
    ListKind("ItemNonInventory", "ItemNonInventoryRet", ITEM_DEFAULTS),
    ListKind("ItemOtherCharge", "ItemOtherChargeRet", ITEM_DEFAULTS),
    ListKind("ItemSalesTax", "ItemSalesTaxRet", ITEM_DEFAULTS),
)
KIND_BY_RET: dict[str, ListKind] = {k.ret: k for k in KINDS}


def create_list_record(company: Company, ret: str, record: Record) -> Record:
    """Store a new entry without checks (fresh-company defaults)."""
    kind = KIND_BY_RET.get(ret)
    record = {**(kind.defaults if kind else ACTIVE), **record}
    record.setdefault("FullName", record["Name"])
    record.setdefault("Sublevel", "0")
    company.stamp_new(record, "ListID")
    company.state.put(ret, record["ListID"], record)
    return record


def add(kind: ListKind, company: Company, request: etree._Element) -> etree._Element:
    aggregate = request.find(kind.prefix + "Add")
    record = _request_fields(kind, element_to_record(aggregate))
    status = _name_and_refs(company, kind, record, own_id=None)
    if status:
        return failure(request, status)
    record = {**kind.defaults, **record}
    _opening_balance(record)
    refused = rules.refusal(company, "save", kind.ret, record)
    if refused is not None:
        return failure(request, refused)
    company.stamp_new(record, "ListID")
    company.state.put(kind.ret, record["ListID"], record)
    return ok(request, kind.ret, record)


def mod(kind: ListKind, company: Company, request: etree._Element) -> etree._Element:
    aggregate = request.find(kind.prefix + "Mod")
    changes = _request_fields(kind, element_to_record(aggregate))
    list_id, sequence = changes.pop("ListID", ""), changes.pop("EditSequence", "")
    existing = company.state.get(kind.ret, list_id)
    if existing is None:
        return failure(request, errors.object_not_found(list_id))
    if sequence != existing["EditSequence"]:
        return failure(request, errors.stale_edit_sequence(sequence))
    record = _merge(existing, changes)
    status = _name_and_refs(company, kind, record, own_id=list_id) or rules.refusal(
        company, "save", kind.ret, record)
    if status:
        return failure(request, status)
    old_full_name = existing.get("FullName", "")
    company.stamp_modified(record)
    company.state.table(kind.ret)[list_id] = record
    company.state.rename(kind.ret, old_full_name, list_id, record)
    return ok(request, kind.ret, record)


def _request_fields(kind: ListKind, record: Record) -> Record:
    """Request aggregate -> Ret field names (``SalesOrPurchaseMod`` -> ``SalesOrPurchase``)."""
    declared = {d.name for d in index().children(index().global_decl(kind.ret))}
    out: Record = {}
    for key, value in record.items():
        if key.endswith("Mod") and key[:-3] in declared:
            key = key[:-3]
        out[key] = value
    return out


def _merge(existing: Record, changes: Record) -> Record:
    merged = dict(existing)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and not key.endswith("Ref"):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def _name_and_refs(company: Company, kind: ListKind, record: Record,
                   own_id: str | None) -> Status | None:
    """Form Name/FullName/Sublevel, check uniqueness (3100) and references (3140)."""
    status = refs.resolve_all(company, record, f"{kind.label} list", kind.parent_rets)
    if status:
        return status
    name = kind.name_of(record)
    if not name:
        return errors.invalid_value("Name", "")
    parent = record.get("ParentRef")
    parent_full = parent["FullName"] if parent else None
    if parent and own_id and parent.get("ListID") == own_id:
        return errors.invalid_value("ParentRef", parent_full or "")
    record["Name"] = name
    record["FullName"] = names.full_name(name, parent_full)
    record["Sublevel"] = str(record["FullName"].count(":"))
    space = names.NAMESPACE_OF[kind.ret]
    clash = company.state.find_by_name(space, record["FullName"])
    if clash and clash[1] != own_id:
        return errors.name_in_use(record["FullName"])
    return None


def _opening_balance(record: Record) -> None:
    balance = record.pop("OpenBalance", None)
    record.pop("OpenBalanceDate", None)
    if balance:
        record["Balance"] = record["TotalBalance"] = balance


HANDLERS: dict[str, Handler] = {}
for _kind in KINDS:
    HANDLERS[f"{_kind.prefix}AddRq"] = partial(add, _kind)
    if _kind.has_mod:
        HANDLERS[f"{_kind.prefix}ModRq"] = partial(mod, _kind)
