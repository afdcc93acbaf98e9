"""Every …QueryRq the service sends, from one table and one function.

A query either names its targets (``ListID+`` / ``FullName+`` / ``TxnID+``:
any missing one makes the answer a 500 warning) or filters (a query that
matches nothing answers 1, Info). Filters are data: :data:`FILTERS` maps a
filter element to a predicate builder. ``iterator="Start"`` pages the rows
``MaxReturned`` at a time; ``Continue`` with the ``iteratorID`` hands out the
next page with ``iteratorRemainingCount``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from functools import partial

from lxml import etree

from qbwc_service.simulator.quickbooks import errors, names, writer
from qbwc_service.simulator.quickbooks.context import Company, Iterator
from qbwc_service.simulator.quickbooks.errors import OK, Status
from qbwc_service.simulator.quickbooks.handlers.common import Handler, include_list, rs_name
from qbwc_service.simulator.quickbooks.records import Record, text, texts

Predicate = Callable[[str, Record], bool]
LINE_KEYS = ("InvoiceLineRet", "CreditMemoLineRet", "ExpenseLineRet", "ItemLineRet")
TXN_RETS = frozenset({"InvoiceRet", "BillRet", "TimeTrackingRet", "CreditMemoRet", "VendorCreditRet"})


@dataclass(frozen=True)
class QuerySpec:
    """What one query returns and how its transactions name their entity."""

    rets: tuple[str, ...]
    entity_ref: str = ""  # InvoiceRet: CustomerRef ...

    @property
    def is_txn(self) -> bool:
        return self.rets[0] in TXN_RETS


QUERIES: dict[str, QuerySpec] = {
    "CustomerQueryRq": QuerySpec(("CustomerRet",)),
    "VendorQueryRq": QuerySpec(("VendorRet",)),
    "EmployeeQueryRq": QuerySpec(("EmployeeRet",)),
    "OtherNameQueryRq": QuerySpec(("OtherNameRet",)),
    "EntityQueryRq": QuerySpec(("CustomerRet", "EmployeeRet", "OtherNameRet", "VendorRet")),
    "AccountQueryRq": QuerySpec(("AccountRet",)),
    "TermsQueryRq": QuerySpec(("StandardTermsRet", "DateDrivenTermsRet")),
    "StandardTermsQueryRq": QuerySpec(("StandardTermsRet",)),
    "SalesTaxCodeQueryRq": QuerySpec(("SalesTaxCodeRet",)),
    "ItemQueryRq": QuerySpec(names.ITEM_RETS),
    "ItemServiceQueryRq": QuerySpec(("ItemServiceRet",)),
    "ItemInventoryQueryRq": QuerySpec(("ItemInventoryRet",)),
    "ItemNonInventoryQueryRq": QuerySpec(("ItemNonInventoryRet",)),
    "ItemOtherChargeQueryRq": QuerySpec(("ItemOtherChargeRet",)),
    "ItemSalesTaxQueryRq": QuerySpec(("ItemSalesTaxRet",)),
    "PayrollItemWageQueryRq": QuerySpec(("PayrollItemWageRet",)),
    "InvoiceQueryRq": QuerySpec(("InvoiceRet",), "CustomerRef"),
    "BillQueryRq": QuerySpec(("BillRet",), "VendorRef"),
    "CreditMemoQueryRq": QuerySpec(("CreditMemoRet",), "CustomerRef"),
    "VendorCreditQueryRq": QuerySpec(("VendorCreditRet",), "VendorRef"),
    "TimeTrackingQueryRq": QuerySpec(("TimeTrackingRet",), "EntityRef"),
}


def query(spec: QuerySpec, company: Company, request: etree._Element) -> etree._Element:
    mode = request.get("iterator")
    if mode in ("Continue", "Stop"):
        return _continue(company, request, stop=mode == "Stop")
    rows, status = _select(spec, company, request)
    include = include_list(request)
    lines = not spec.is_txn or text(request, "IncludeLineItems") == "true"
    limit = int(text(request, "MaxReturned", "0") or 0)
    if mode == "Start":
        iterator = Iterator(rows, request.tag, include, lines)
        iterator_id = "{" + str(uuid.uuid4()) + "}"
        company.iterators[iterator_id] = iterator
        return _page(company, request, iterator_id, iterator, limit or len(rows))
    if limit:
        rows = rows[:limit]
    return writer.rs_element(request, rs_name(request), status, _rets(company, rows, include, lines))


def _select(spec: QuerySpec, company: Company,
            request: etree._Element) -> tuple[list[tuple[str, str]], Status]:
    id_field = "TxnID" if spec.is_txn else "ListID"
    for key in (id_field, "FullName"):
        wanted = texts(request, key)
        if wanted:
            return _by_identity(spec, company, key, wanted)
    rows = company.state.all(spec.rets)
    if not spec.is_txn:
        rows.sort(key=lambda row: names.key(row[1].get("FullName", "")))
    predicates = _predicates(spec, request)
    chosen = [(ret, rec[id_field]) for ret, rec in rows if all(p(ret, rec) for p in predicates)]
    return chosen, (OK if chosen else errors.no_match())


def _by_identity(spec: QuerySpec, company: Company, key: str,
                 wanted: list[str]) -> tuple[list[tuple[str, str]], Status]:
    found, missing = [], []
    for value in wanted:
        hit = None
        if key == "FullName":
            for space in dict.fromkeys(names.NAMESPACE_OF[r] for r in spec.rets):
                candidate = company.state.find_by_name(space, value)
                if candidate and candidate[0] in spec.rets:
                    hit = candidate
        else:
            hit = next(((r, value) for r in spec.rets if company.state.get(r, value)), None)
        if hit:
            found.append(hit)
        else:
            missing.append(value)
    return found, (errors.not_all_found(missing[0]) if missing else OK)


def _page(company: Company, request: etree._Element, iterator_id: str,
          iterator: Iterator, limit: int) -> etree._Element:
    page, iterator.rows = iterator.rows[:limit], iterator.rows[limit:]
    remaining = len(iterator.rows)
    if not remaining:
        company.iterators.pop(iterator_id, None)
    status = OK if page or remaining else errors.no_match()
    rets = _rets(company, page, iterator.include, iterator.include_lines)
    return writer.rs_element(request, rs_name(request), status, rets, retCount=len(page),
                             iteratorRemainingCount=remaining, iteratorID=iterator_id)


def _continue(company: Company, request: etree._Element, stop: bool) -> etree._Element:
    iterator_id = request.get("iteratorID", "")
    iterator = company.iterators.get(iterator_id)
    if iterator is None or iterator.request_type != request.tag:
        return writer.rs_element(request, rs_name(request), Status(
            3000, f'The given object ID "{iterator_id}" in the field "iteratorID" is invalid.'))
    if stop:
        company.iterators.pop(iterator_id, None)
        return writer.rs_element(request, rs_name(request), OK, (), retCount=0,
                                 iteratorRemainingCount=0, iteratorID=iterator_id)
    limit = int(text(request, "MaxReturned", "0") or 0) or len(iterator.rows)
    return _page(company, request, iterator_id, iterator, limit)


def _rets(company: Company, rows: list[tuple[str, str]], include: list[str],
          lines: bool) -> list[etree._Element]:
    out = []
    for ret, record_id in rows:
        record = company.state.get(ret, record_id)
        if not lines:
            record = {k: v for k, v in record.items() if k not in LINE_KEYS}
        out.append(writer.ret_element(ret, record, include or None))
    return out


# -- filters --------------------------------------------------------------------


def _predicates(spec: QuerySpec, request: etree._Element) -> list[Predicate]:
    out: list[Predicate] = []
    if not spec.is_txn:
        out.append(_active(text(request, "ActiveStatus", "ActiveOnly")))
    for tag, exact in (("RefNumber", False), ("RefNumberCaseSensitive", True)):
        wanted = texts(request, tag)
        if wanted:
            out.append(_ref_numbers(wanted, exact))
    for child in request:
        builder = FILTERS.get(child.tag)
        if builder is not None:
            out.append(builder(spec, child))
    if text(request, "FromModifiedDate") or text(request, "ToModifiedDate"):
        out.append(_modified(request))
    return out


def _active(status: str) -> Predicate:
    wanted = {"ActiveOnly": {"true"}, "InactiveOnly": {"false"}, "All": {"true", "false"}}[status]
    return lambda ret, rec: rec.get("IsActive", "true") in wanted


def _moment(value: str, end: bool) -> datetime:
    if len(value) <= 10:
        day = datetime.fromisoformat(value)
        moment = datetime.combine(day.date(), time.max if end else time.min)
    else:
        moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _in_range(value: str, low: str, high: str) -> bool:
    if not value:
        return False
    moment = _moment(value, end=False)
    return (not low or moment >= _moment(low, end=False)) and (not high or moment <= _moment(high, end=True))


def _modified(node: etree._Element) -> Predicate:
    low, high = text(node, "FromModifiedDate"), text(node, "ToModifiedDate")
    return lambda ret, rec: _in_range(rec.get("TimeModified", ""), low, high)


def _txn_dates(spec: QuerySpec, node: etree._Element) -> Predicate:
    low, high = text(node, "FromTxnDate"), text(node, "ToTxnDate")
    return lambda ret, rec: _in_range(rec.get("TxnDate", ""), low, high)


def _match(criterion: str, value: str, wanted: str) -> bool:
    value, wanted = value.casefold(), wanted.casefold()
    return {"StartsWith": value.startswith, "Contains": value.__contains__,
            "EndsWith": value.endswith}[criterion](wanted)


def _name_filter(spec: QuerySpec, node: etree._Element) -> Predicate:
    criterion, wanted = text(node, "MatchCriterion"), text(node, "Name")
    return lambda ret, rec: _match(criterion, rec.get("FullName", ""), wanted)


def _name_range(spec: QuerySpec, node: etree._Element) -> Predicate:
    low, high = names.key(text(node, "FromName")), names.key(text(node, "ToName"))
    return lambda ret, rec: (not low or names.key(rec.get("FullName", "")) >= low) and (
        not high or names.key(rec.get("FullName", "")) <= high)


def _ref_number_filter(spec: QuerySpec, node: etree._Element) -> Predicate:
    criterion, wanted = text(node, "MatchCriterion"), text(node, "RefNumber")
    return lambda ret, rec: _match(criterion, rec.get("RefNumber", ""), wanted)


def _ref_key(value: str) -> tuple[int, int | str]:
    """Numeric RefNumbers compare as numbers, others as text."""
    return (0, int(value)) if value.isdigit() else (1, value.casefold())


def _ref_number_range(spec: QuerySpec, node: etree._Element) -> Predicate:
    low, high = text(node, "FromRefNumber"), text(node, "ToRefNumber")

    def check(ret: str, rec: Record) -> bool:
        value = rec.get("RefNumber", "")
        if not value:
            return False
        key = _ref_key(value)
        return (not low or key >= _ref_key(low)) and (not high or key <= _ref_key(high))
    return check


def _ref_numbers(wanted: list[str], exact: bool) -> Predicate:
    """``RefNumber+`` (any case) or ``RefNumberCaseSensitive+``: any of the values."""
    fold: Callable[[str], str] = (lambda v: v) if exact else str.casefold
    values = {fold(v) for v in wanted}
    return lambda ret, rec: fold(rec.get("RefNumber", "")) in values


def _entity(spec: QuerySpec, node: etree._Element) -> Predicate:
    ids, full_names = set(texts(node, "ListID")), {names.key(v) for v in texts(node, "FullName")}
    parent_ids = set(texts(node, "ListIDWithChildren"))
    parents = {names.key(v) for v in texts(node, "FullNameWithChildren")}

    def check(ret: str, rec: Record) -> bool:
        ref = rec.get(spec.entity_ref) or {}
        full = names.key(ref.get("FullName", ""))
        return (ref.get("ListID") in ids or full in full_names or ref.get("ListID") in parent_ids
                or any(full == p or full.startswith(p + ":") for p in parents))
    return check


def _account_type(spec: QuerySpec, node: etree._Element) -> Predicate:
    wanted = node.text or ""
    return lambda ret, rec: rec.get("AccountType") == wanted


def _paid(spec: QuerySpec, node: etree._Element) -> Predicate:
    wanted = {"All": {"true", "false"}, "PaidOnly": {"true"}, "NotPaidOnly": {"false"}}[node.text or "All"]
    return lambda ret, rec: rec.get("IsPaid", "false") in wanted


def _modified_range(spec: QuerySpec, node: etree._Element) -> Predicate:
    return _modified(node)


#: Filter element -> predicate builder. Filters not listed here are accepted and ignored.
FILTERS: dict[str, Callable[[QuerySpec, etree._Element], Predicate]] = {
    "NameFilter": _name_filter,
    "NameRangeFilter": _name_range,
    "TxnDateRangeFilter": _txn_dates,
    "ModifiedDateRangeFilter": _modified_range,
    "EntityFilter": _entity,
    "TimeTrackingEntityFilter": _entity,
    "RefNumberFilter": _ref_number_filter,
    "RefNumberRangeFilter": _ref_number_range,
    "AccountType": _account_type,
    "PaidStatus": _paid,
}

HANDLERS: dict[str, Handler] = {name: partial(query, spec) for name, spec in QUERIES.items()}
