"""InvoiceAdd, CreditMemoAdd, BillAdd, VendorCreditAdd and TimeTrackingAdd, and the Mods of the
first four (TxnID and the current EditSequence: 3200 on one out of date).

Totals are computed the way QuickBooks computes them: a line's Amount wins
over Quantity x Rate; without Amount it is Quantity x Rate (or Cost on a
bill); without either, the item's price. US sales tax applies the header's
sales tax item rate to the taxable lines (a line is taxable when its sales
tax code is); Canadian and UK codes carry their own rate. A credit memo is
computed as an invoice is, a vendor credit as a bill is; none of them may
total below zero (:mod:`..rules`).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from lxml import etree

from qbwc_service.simulator.quickbooks import errors, refs, rules
from qbwc_service.simulator.quickbooks.context import Company
from qbwc_service.simulator.quickbooks.currencies import HOME_CURRENCY
from qbwc_service.simulator.quickbooks.errors import Status
from qbwc_service.simulator.quickbooks.handlers.common import Handler, failure, ok
from qbwc_service.simulator.quickbooks.handlers.money import amount, dec, price
from qbwc_service.simulator.quickbooks.records import Record, element_to_record


def invoice_add(company: Company, request: etree._Element) -> etree._Element:
    return _sales_add(company, request, "Invoice")


def credit_memo_add(company: Company, request: etree._Element) -> etree._Element:
    return _sales_add(company, request, "CreditMemo")


#: What differs between an invoice and a credit memo once the totals are known.
def _invoice_fields(record: Record, subtotal: Decimal, tax: Decimal) -> Record:
    return {"IsFinanceCharge": record.get("IsFinanceCharge", "false"), "AppliedAmount": "0.00",
            "BalanceRemaining": amount(subtotal + dec(amount(tax))), "IsPaid": "false"}


def _credit_memo_fields(record: Record, subtotal: Decimal, tax: Decimal) -> Record:
    total = amount(subtotal + dec(amount(tax)))
    return {"TotalAmount": total, "CreditRemaining": total}


_SALES_FIELDS = {"Invoice": _invoice_fields, "CreditMemo": _credit_memo_fields}


def _sales_add(company: Company, request: etree._Element, txn: str) -> etree._Element:
    """An invoice or a credit memo (``txn``): the same header, lines and sales tax."""
    record = element_to_record(request.find(f"{txn}Add"))
    lines = record.pop(f"{txn}LineAdd", [])
    if isinstance(lines, dict):
        lines = [lines]
    record.pop(f"{txn}LineGroupAdd", None)
    return _sales_save(company, request, txn, record, lines)


def invoice_mod(company: Company, request: etree._Element) -> etree._Element:
    return _sales_mod(company, request, "Invoice")


def credit_memo_mod(company: Company, request: etree._Element) -> etree._Element:
    return _sales_mod(company, request, "CreditMemo")


def _sales_mod(company: Company, request: etree._Element, txn: str) -> etree._Element:
    """A change of an invoice or credit memo: the header fields sent replace QuickBooks'; when
    any line is sent, the lines become exactly those sent (``TxnLineID`` -1: a new line)."""
    found = _held(company, request, txn)
    if isinstance(found, etree._Element):
        return found
    existing, changes = found
    line_mods = changes.pop(f"{txn}LineMod", None)
    changes.pop(f"{txn}LineGroupMod", None)
    record = _kept(existing, changes)
    lines = _lines_after(existing.get(f"{txn}LineRet", []), line_mods)
    if isinstance(lines, Status):
        return failure(request, lines)
    return _sales_save(company, request, txn, record, lines, existing)


def _sales_save(company: Company, request: etree._Element, txn: str, record: Record,
                lines: list[Record], existing: Record | None = None) -> etree._Element:
    status = _resolve_txn(company, record, lines, refs.label_of(f"{txn}Ret"))
    if status:
        return failure(request, status)
    customer = refs.lookup(company, ("CustomerRet",), record["CustomerRef"])[1]
    _default_ref(company, record, "ARAccountRef", "AccountsReceivable")
    _dates(company, record, customer)
    if "TermsRef" not in record and customer.get("TermsRef"):
        record["TermsRef"] = customer["TermsRef"]
    if company.setting("multicurrency", False):  # a sale is in its customer's currency
        record["CurrencyRef"] = customer.get("CurrencyRef") or {"FullName": HOME_CURRENCY}
    tax_item = record.get("ItemSalesTaxRef") or customer.get("ItemSalesTaxRef")
    rets, subtotal, taxable = [], Decimal(0), Decimal(0)
    for line in lines:
        ret = _invoice_line(company, line, customer, subtotal)
        rets.append(ret)
        if "Amount" in ret:
            subtotal += dec(ret["Amount"])
            if _is_taxable(company, ret):
                taxable += dec(ret["Amount"]) * _code_rate(company, ret)
    rate = _tax_item_rate(company, tax_item) if company.country == "US" else Decimal(0)
    tax = taxable * rate / 100 if company.country == "US" else taxable / 100
    if tax_item and company.country == "US":
        record["ItemSalesTaxRef"] = tax_item
        record["SalesTaxPercentage"] = price(rate)
    record.update({
        "CustomerRef": refs.as_ref(customer), "IsPending": record.get("IsPending", "false"),
        "Subtotal": amount(subtotal), "SalesTaxTotal": amount(tax),
        **_SALES_FIELDS[txn](record, subtotal, tax),
        "IsToBePrinted": record.get("IsToBePrinted", "false"),
        "IsToBeEmailed": record.get("IsToBeEmailed", "false"),
        f"{txn}LineRet": rets,
    })
    return _store(company, request, f"{txn}Ret", record, existing)


def bill_add(company: Company, request: etree._Element) -> etree._Element:
    return _purchase_add(company, request, "Bill")


def vendor_credit_add(company: Company, request: etree._Element) -> etree._Element:
    return _purchase_add(company, request, "VendorCredit")


def _purchase_add(company: Company, request: etree._Element, txn: str) -> etree._Element:
    """A bill or a vendor credit (``txn``): the same lines; a credit has no due date or terms."""
    record = element_to_record(request.find(f"{txn}Add"))
    expenses = record.pop("ExpenseLineAdd", [])
    items = record.pop("ItemLineAdd", [])
    record.pop("ItemGroupLineAdd", None)
    return _purchase_save(company, request, txn, record, expenses, items)


def bill_mod(company: Company, request: etree._Element) -> etree._Element:
    return _purchase_mod(company, request, "Bill")


def vendor_credit_mod(company: Company, request: etree._Element) -> etree._Element:
    return _purchase_mod(company, request, "VendorCredit")


def _purchase_mod(company: Company, request: etree._Element, txn: str) -> etree._Element:
    """A change of a bill or vendor credit: ``ClearExpenseLines`` / ``ClearItemLines`` empty a
    kind of line, lines sent replace those of their kind (``TxnLineID`` -1: a new line)."""
    found = _held(company, request, txn)
    if isinstance(found, etree._Element):
        return found
    existing, changes = found
    kept: dict[str, list[Record]] = {}
    for kind in ("Expense", "Item"):
        cleared = changes.pop(f"Clear{kind}Lines", "false") == "true"
        before = [] if cleared else existing.get(f"{kind}LineRet", [])
        lines = _lines_after(before, changes.pop(f"{kind}LineMod", None))
        if isinstance(lines, Status):
            return failure(request, lines)
        kept[kind] = lines
    changes.pop("ItemGroupLineMod", None)
    record = _kept(existing, changes)
    return _purchase_save(company, request, txn, record, kept["Expense"], kept["Item"], existing)


def _purchase_save(company: Company, request: etree._Element, txn: str, record: Record,
                   expenses: list[Record], items: list[Record],
                   existing: Record | None = None) -> etree._Element:
    status = _resolve_txn(company, record, expenses + items, refs.label_of(f"{txn}Ret"))
    if status:
        return failure(request, status)
    vendor = refs.lookup(company, ("VendorRet",), record["VendorRef"])[1]
    _default_ref(company, record, "APAccountRef", "AccountsPayable")
    if txn == "Bill":
        _dates(company, record, vendor)
    else:
        record.setdefault("TxnDate", company.now().date().isoformat())
    total = Decimal(0)
    expense_rets = []
    for line in expenses:
        ret = {"TxnLineID": company.new_txn_id(), **line, "Amount": amount(dec(line.get("Amount")))}
        total += dec(ret["Amount"])
        expense_rets.append(ret)
    item_rets = []
    for line in items:
        ret = {"TxnLineID": company.new_txn_id(), **line}
        quantity, cost = line.get("Quantity"), line.get("Cost")
        if line.get("Amount"):
            value = dec(line["Amount"])
            if quantity and not cost and dec(quantity):
                ret["Cost"] = price(value / dec(quantity))
        else:
            value = dec(quantity, "1") * dec(cost)
        ret["Amount"] = amount(value)
        total += dec(ret["Amount"])
        item_rets.append(ret)
    totals = ({"AmountDue": amount(total), "IsPaid": "false"} if txn == "Bill"
              else {"CreditAmount": amount(total)})
    record.update({"VendorRef": refs.as_ref(vendor), **totals, "OpenAmount": amount(total),
                   "ExpenseLineRet": expense_rets, "ItemLineRet": item_rets})
    return _store(company, request, f"{txn}Ret", record, existing)


def time_tracking_add(company: Company, request: etree._Element) -> etree._Element:
    record = element_to_record(request.find("TimeTrackingAdd"))
    status = _resolve_txn(company, record, [], "Time Tracking")
    if status:
        return failure(request, status)
    record.setdefault("TxnDate", company.now().date().isoformat())
    record.setdefault("BillableStatus", "NotBillable")
    return _store(company, request, "TimeTrackingRet", record)


def _resolve_txn(company: Company, record: Record, lines: list[Record],
                 label: str) -> Status | None:
    """The first invalid reference (a 3140 status) in the transaction or its lines, else None."""
    status = refs.resolve_all(company, record, label)
    for line in lines:
        status = status or refs.resolve_all(company, line, f"{label} line")
    return status


def _store(company: Company, request: etree._Element, ret: str, record: Record,
           existing: Record | None = None) -> etree._Element:
    """Save a new record, or (``existing``) a changed one: same TxnID, a new EditSequence."""
    refused = rules.refusal(company, "save", ret, record)
    if refused is not None:
        return failure(request, refused)
    if existing is None:
        company.stamp_new(record, "TxnID")
        record["TxnNumber"] = str(company.state.take_txn_number())
    else:
        company.stamp_modified(record)
    company.state.put(ret, record["TxnID"], record)
    return ok(request, ret, record)


#: Ret fields QuickBooks computes when it saves: never carried over from the old version.
_COMPUTED = frozenset({"Subtotal", "SalesTaxTotal", "SalesTaxPercentage", "BalanceRemaining",
                       "AppliedAmount", "IsPaid", "TotalAmount", "CreditRemaining", "AmountDue",
                       "OpenAmount", "CreditAmount", "InvoiceLineRet", "CreditMemoLineRet",
                       "ExpenseLineRet", "ItemLineRet"})


def _held(company: Company, request: etree._Element, txn: str
          ) -> tuple[Record, Record] | etree._Element:
    """The transaction a Mod names and the changes it sends; the failure when it names none
    or an EditSequence that is out of date."""
    changes = element_to_record(request.find(f"{txn}Mod"))
    txn_id, sequence = changes.pop("TxnID", ""), changes.pop("EditSequence", "")
    existing = company.state.get(f"{txn}Ret", txn_id)
    if existing is None:
        return failure(request, errors.object_not_found(txn_id))
    if sequence != existing["EditSequence"]:
        return failure(request, errors.stale_edit_sequence(sequence))
    return existing, changes


def _kept(existing: Record, changes: Record) -> Record:
    """The header after a Mod: the old one without what QuickBooks computes, then the changes."""
    return {**{k: v for k, v in existing.items() if k not in _COMPUTED}, **changes}


def _lines_after(before: list[Record], mods: list[Record] | None) -> list[Record] | Status:
    """The lines after a Mod: unchanged without line Mods; else exactly the lines sent, each
    an old line changed (its TxnLineID) or a new one (-1)."""
    if mods is None:
        return list(before)
    by_id = {line["TxnLineID"]: line for line in before}
    out = []
    for mod in mods:
        line_id = mod.pop("TxnLineID", "-1")
        if line_id == "-1":
            out.append(mod)
        elif line_id in by_id:
            out.append({**by_id[line_id], **mod})
        else:
            return errors.object_not_found(line_id)
    return out


def _invoice_line(company: Company, line: Record, customer: Record, above: Decimal) -> Record:
    """A line as QuickBooks stores it; ``above`` is the sum of the lines before it."""
    ret: Record = {"TxnLineID": company.new_txn_id(), **line}
    item = refs.lookup(company, refs.REF_TARGETS["ItemRef"], line["ItemRef"]) if "ItemRef" in line else None
    if item is None:
        return ret  # a text-only line: no amount
    item_record = item[1]
    if item[0] == "ItemSalesTaxRet":
        # A sales tax item on a line: its rate of the lines above it, unless the amount is given;
        # never taxed itself.
        value = dec(line["Amount"]) if line.get("Amount") else above * dec(item_record.get("TaxRate")) / 100
        ret["Amount"] = amount(value)
        return ret
    quantity, rate = line.get("Quantity"), line.get("Rate")
    if line.get("Amount"):
        value = dec(line["Amount"])
        if quantity and not rate and dec(quantity):
            ret["Rate"] = price(value / dec(quantity))
    elif rate:
        value = dec(quantity, "1") * dec(rate)
    else:
        unit = dec(_item_price(item_record))
        value = dec(quantity, "1") * unit
        ret["Rate"] = price(unit)
    ret["Amount"] = amount(value)
    if "SalesTaxCodeRef" not in ret:
        code = item_record.get("SalesTaxCodeRef") or customer.get("SalesTaxCodeRef")
        if code:
            ret["SalesTaxCodeRef"] = code
    return ret


def _item_price(item: Record) -> str:
    for path in (("SalesPrice",), ("SalesOrPurchase", "Price"), ("SalesAndPurchase", "SalesPrice")):
        node = item
        for step in path:
            node = node.get(step, {}) if isinstance(node, dict) else {}
        if isinstance(node, str) and node:
            return node
    return "0"


def _is_taxable(company: Company, line: Record) -> bool:
    code = line.get("SalesTaxCodeRef")
    if not code:
        return False
    found = refs.lookup(company, ("SalesTaxCodeRet",), code)
    return bool(found) and found[1].get("IsTaxable") == "true"


def _code_rate(company: Company, line: Record) -> Decimal:
    """US: 1 (the header item has the rate). CA/UK: the code's own percentage."""
    if company.country == "US":
        return Decimal(1)
    rates = company.setting("tax_code_rates", {})
    return dec(rates.get(line["SalesTaxCodeRef"]["FullName"], "0"))


def _tax_item_rate(company: Company, ref: Record | None) -> Decimal:
    if not ref:
        return Decimal(0)
    found = refs.lookup(company, refs.REF_TARGETS["ItemSalesTaxRef"], ref)
    return dec(found[1].get("TaxRate")) if found else Decimal(0)


def _default_ref(company: Company, record: Record, key: str, special: str) -> None:
    if key in record:
        return
    for _ret, account in company.state.all(("AccountRet",)):
        if account.get("SpecialAccountType") == special:
            record[key] = refs.as_ref(account)
            return


def _dates(company: Company, record: Record, entity: Record) -> None:
    record.setdefault("TxnDate", company.now().date().isoformat())
    if "DueDate" in record:
        return
    terms_ref = record.get("TermsRef") or entity.get("TermsRef")
    found = refs.lookup(company, refs.REF_TARGETS["TermsRef"], terms_ref) if terms_ref else None
    days = int(found[1].get("StdDueDays", "0")) if found else 0
    record["DueDate"] = (date.fromisoformat(record["TxnDate"]) + timedelta(days=days)).isoformat()


HANDLERS: dict[str, Handler] = {
    "InvoiceAddRq": invoice_add,
    "BillAddRq": bill_add,
    "CreditMemoAddRq": credit_memo_add,
    "VendorCreditAddRq": vendor_credit_add,
    "TimeTrackingAddRq": time_tracking_add,
    "InvoiceModRq": invoice_mod,
    "CreditMemoModRq": credit_memo_mod,
    "BillModRq": bill_mod,
    "VendorCreditModRq": vendor_credit_mod,
}
