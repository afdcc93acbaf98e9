"""What QuickBooks refuses, as one table: :data:`REFUSALS`.

A :class:`Refusal` names the records it applies to, a finder that returns the
facts of a violation (or ``None``), and the statusCode and message QuickBooks
answers. Refusals are checked at one of two moments:

``request``
    on the request's aggregate (``CustomerAdd``, ``BillAdd`` ...) read into a
    record, before the handler runs; ``applies_to`` names aggregates.
``save``
    on the record about to be stored: references resolved, defaults filled
    in, totals computed; ``applies_to`` names Ret types (``InvoiceRet``).

A refused request changes nothing. Adding a rule is adding an entry; the
package docstring lists every rule with its code and message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Literal

from qbwc_service.simulator.quickbooks import errors, refs
from qbwc_service.simulator.quickbooks.context import Company
from qbwc_service.simulator.quickbooks.currencies import HOME_CURRENCY
from qbwc_service.simulator.quickbooks.errors import Status
from qbwc_service.simulator.quickbooks.handlers.money import dec
from qbwc_service.simulator.quickbooks.names import ITEM_RETS
from qbwc_service.simulator.quickbooks.records import Record

Stage = Literal["request", "save"]
Facts = dict[str, str]
Finder = Callable[[Company, Record], Facts | None]


@dataclass(frozen=True)
class Refusal:
    """One thing QuickBooks refuses."""

    name: str
    stage: Stage
    applies_to: frozenset[str]
    find: Finder
    code: int
    #: ``str.format`` template over the facts, ``{label}`` (``Invoice``) and ``{what}``
    #: (``an Invoice transaction``, ``a Customer list element``).
    message: str

    def status(self, label: str, facts: Facts) -> Status:
        return Status(self.code, self.message.format(label=label, what=errors.what(label), **facts))


# ---------------------------------------------------------------- finders


def _colon_in_name(company: Company, record: Record) -> Facts | None:
    """``:`` separates the levels of a FullName: it cannot be part of a name."""
    for field in ("Name", "FirstName", "MiddleName", "LastName"):
        value = record.get(field)
        if isinstance(value, str) and ":" in value:
            return {"field": field, "value": value}
    return None


INVENTORY_ACCOUNTS = ("IncomeAccountRef", "COGSAccountRef", "AssetAccountRef")


def _inventory_accounts(company: Company, record: Record) -> Facts | None:
    missing = [ref[:-3] for ref in INVENTORY_ACCOUNTS if ref not in record]
    return {"name": record.get("Name", ""), "missing": ", ".join(missing)} if missing else None


def _no_lines(company: Company, record: Record) -> Facts | None:
    return None if record.get("ExpenseLineRet") or record.get("ItemLineRet") else {}


#: Where each transaction keeps the total QuickBooks computed (summed).
TOTAL_FIELDS: dict[str, tuple[str, ...]] = {
    "InvoiceRet": ("Subtotal", "SalesTaxTotal"), "CreditMemoRet": ("Subtotal", "SalesTaxTotal"),
    "BillRet": ("AmountDue",), "VendorCreditRet": ("CreditAmount",),
}


def _negative_total(company: Company, record: Record) -> Facts | None:
    """QuickBooks keeps no transaction whose total is below zero (a credit is its own kind)."""
    # The record is a Ret of one of these types: the first whose fields it has.
    for fields in TOTAL_FIELDS.values():
        if all(f in record for f in fields):
            total = sum((dec(record.get(f)) for f in fields), dec("0"))
            return {"total": str(total)} if total < 0 else None
    return None


def _rate_for_another_currency(company: Company, record: Record) -> Facts | None:
    """A sale is in its customer's currency (InvoiceAdd names none): an exchange rate other
    than 1 for a customer in the home currency is a rate for some other currency."""
    rate = record.get("ExchangeRate")
    if not company.setting("multicurrency", False) or not rate or dec(rate) == 1:
        return None
    found = refs.lookup(company, ("CustomerRet",), record.get("CustomerRef") or {})
    customer = found[1] if found else {}
    currency = (customer.get("CurrencyRef") or {}).get("FullName") or HOME_CURRENCY
    if currency != HOME_CURRENCY:
        return None
    return {"customer": customer.get("FullName", ""), "currency": currency, "rate": rate}


def _setting_off(key: str) -> Finder:
    """A feature the company file has turned off (a preference)."""
    return lambda company, record: None if company.setting(key, True) else {}


def _billable_without_customer_or_item(company: Company, record: Record) -> Facts | None:
    if record.get("BillableStatus") != "Billable":
        return None
    return None if "CustomerRef" in record and "ItemServiceRef" in record else {}


def _value_without_quantity(company: Company, record: Record) -> Facts | None:
    if "TotalValue" not in record or dec(record.get("QuantityOnHand")) > 0:
        return None
    return {"value": record["TotalValue"]}


def _on_or_before_closing_date(company: Company, record: Record) -> Facts | None:
    closing = company.setting("closing_date")
    txn_date = record.get("TxnDate", "")
    if closing and txn_date and date.fromisoformat(txn_date) <= date.fromisoformat(closing):
        return {"date": txn_date, "closing": closing}
    return None


def _inactive_reference(company: Company, record: Record) -> Facts | None:
    """The first reference, in the record or its lines, to a list entry made inactive."""
    for key, ref, in_line in _references(record):
        targets = refs.REF_TARGETS.get(key, ()) or tuple(refs.LABELS)
        found = refs.lookup(company, targets, ref)
        if found is not None and found[1].get("IsActive") == "false":
            return {"ref_label": refs.LABELS.get(found[0], key[:-3]), "value": found[1].get("FullName", ""),
                    "line": " line" if in_line else ""}
    return None


def _references(record: Record, in_line: bool = False) -> Iterator[tuple[str, Record, bool]]:
    for key, value in record.items():
        if key.endswith("Ref") and isinstance(value, dict):
            yield key, value, in_line
        else:
            for nested in value if isinstance(value, list) else [value]:
                if isinstance(nested, dict):
                    yield from _references(nested, in_line or key.endswith(("LineRet", "LineAdd")))


# ---------------------------------------------------------------- the table

NAMED_LISTS = frozenset({
    "CustomerAdd", "CustomerMod", "VendorAdd", "VendorMod", "EmployeeAdd", "EmployeeMod",
    "OtherNameAdd", "OtherNameMod", "AccountAdd", "AccountMod", "StandardTermsAdd",
    "SalesTaxCodeAdd", "SalesTaxCodeMod", *(f"{ret[:-3]}{op}" for ret in ITEM_RETS for op in ("Add", "Mod")),
})
SAVED = frozenset({"CustomerRet", "VendorRet", "EmployeeRet", "OtherNameRet", "AccountRet",
                   "StandardTermsRet", "SalesTaxCodeRet", *ITEM_RETS, "PayrollItemWageRet",
                   "InvoiceRet", "BillRet", "TimeTrackingRet", "CreditMemoRet", "VendorCreditRet"})
DATED = frozenset({"InvoiceRet", "BillRet", "TimeTrackingRet", "CreditMemoRet", "VendorCreditRet"})
TOTALLED = frozenset(TOTAL_FIELDS)

SAVE_ERROR = "There was an error when saving {what}. QuickBooks error message: "

REFUSALS: tuple[Refusal, ...] = (
    Refusal("colon in a name", "request", NAMED_LISTS, _colon_in_name, 3210,
            'The "{field}" field has an invalid value "{value}". QuickBooks error message: '
            '":" separates the levels of a name and cannot be part of one.'),
    Refusal("inventory off", "request", frozenset({"ItemInventoryAdd"}), _setting_off("using_inventory"),
            3250, "This feature is not enabled or not available in this version of QuickBooks."),
    Refusal("time tracking off", "request", frozenset({"TimeTrackingAdd"}), _setting_off("tracking_time"),
            3250, "This feature is not enabled or not available in this version of QuickBooks."),
    Refusal("inventory item without its accounts", "save", frozenset({"ItemInventoryRet"}),
            _inventory_accounts, 3180,
            SAVE_ERROR + 'An inventory item needs an income, a COGS and an asset account '
                         '("{name}" lacks {missing}).'),
    Refusal("inventory value without quantity", "request", frozenset({"ItemInventoryAdd"}),
            _value_without_quantity, 3210,
            'The "TotalValue" field has an invalid value "{value}". QuickBooks error message: '
            "A total value needs a quantity on hand above zero."),
    Refusal("bill without lines", "save", frozenset({"BillRet"}), _no_lines, 3180,
            SAVE_ERROR + "A transaction must have at least one line."),
    Refusal("total below zero", "save", TOTALLED, _negative_total, 3180,
            SAVE_ERROR + "Transaction amount must be positive."),
    Refusal("exchange rate for another currency than the customer's", "save",
            frozenset({"InvoiceRet", "CreditMemoRet"}), _rate_for_another_currency, 3140,
            'There is an invalid reference to QuickBooks Customer "{customer}" in the {label}. '
            "QuickBooks error message: The transaction currency is the customer's currency, "
            "{currency} (the home currency); exchange rate {rate} is for another currency."),
    Refusal("billable time without customer and service item", "request", frozenset({"TimeTrackingAdd"}),
            _billable_without_customer_or_item, 3180,
            SAVE_ERROR + "Billable time needs a customer:job and a service item."),
    Refusal("reference to an inactive entry", "save", SAVED, _inactive_reference, 3140,
            'There is an invalid reference to QuickBooks {ref_label} "{value}" in the {label}{line}. '
            "QuickBooks error message: This list element is inactive."),
    Refusal("dated on or before the closing date", "save", DATED, _on_or_before_closing_date, 3171,
            SAVE_ERROR + "The date {date} is on or before the closing date {closing}."),
)


def refusal(company: Company, stage: Stage, subject: str, record: Record) -> Status | None:
    """The status of the first refusal *record* (a *subject* aggregate or Ret) meets, else None."""
    label = refs.label_of(subject)
    for rule in REFUSALS:
        if rule.stage == stage and subject in rule.applies_to:
            facts = rule.find(company, record)
            if facts is not None:
                return rule.status(label, facts)
    return None
