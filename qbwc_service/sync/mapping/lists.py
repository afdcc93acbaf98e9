"""List records (customers, vendors, employees, parts, terms, accounts, tax, payroll items).

Every list record a transaction references is *ensured* in QuickBooks: looked
up by name, added when missing. :data:`LIST_ENTITIES` says, per entity of
the ID map, how it is queried and whether the service may add it; the
functions below build the Add and Mod requests from JobBOSS2 records.

Entities keyed by a JobBOSS2 code (``customer`` = ``CustCode``...) carry
their record; the ``qb_*`` entities are QuickBooks names taken from the
settings (the default accounts and the freight item).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from qbwc_service.jobboss import records as jb
from qbwc_service.qbxml import requests as rq
from qbwc_service.sync.mapping.context import MapContext, MappingError, Need, text


@dataclass(frozen=True)
class ListEntity:
    """How one kind of list record is found and created in QuickBooks."""

    entity: str
    table: str  # record-key prefix shown in reports
    query: Callable[..., Any]  # the query dataclass (by full_names / list_ids)
    can_add: bool = True
    #: Not found and not addable: ``True`` = remember it as absent (transactions leave the
    #: reference out, with a warning); ``False`` = the ensure job fails.
    absent_ok: bool = False
    #: When the record is missing, a person must create it; said in the error.
    missing_hint: str = ""


def _tax_query(country: str) -> Callable[..., Any]:
    return rq.ItemSalesTaxQuery if country.upper() in ("US", "") else rq.SalesTaxCodeQuery


LIST_ENTITIES: dict[str, ListEntity] = {
    "customer": ListEntity("customer", "CustCode", rq.CustomerQuery),
    "vendor": ListEntity("vendor", "VendCode", rq.VendorQuery),
    "employee": ListEntity("employee", "EmplCode", rq.EmployeeQuery),
    "item": ListEntity("item", "Estim", rq.ItemQuery),
    "terms": ListEntity("terms", "Terms", rq.TermsQuery),
    "account": ListEntity("account", "GLAccounts", rq.AccountQuery),
    "qb_account": ListEntity("qb_account", "Account", rq.AccountQuery),
    "qb_item": ListEntity("qb_item", "Item", rq.ItemQuery),
    "sales_tax": ListEntity("sales_tax", "TaxCode", rq.ItemSalesTaxQuery, can_add=False,
                            absent_ok=True),
    "payroll_item": ListEntity("payroll_item", "PayrollItem", rq.PayrollItemWageQuery,
                               can_add=False,
                               missing_hint="create the payroll wage item in QuickBooks or set "
                                            "defaults.payroll_item.N to an existing one"),
}

#: What each default-account setting is for: (setting key, QuickBooks account type).
DEFAULT_ACCOUNTS: dict[str, tuple[str, rq.AccountType]] = {
    "income": ("defaults.income_account", "Income"),
    "cogs": ("defaults.cogs_account", "CostOfGoodsSold"),
    "asset": ("defaults.asset_account", "OtherCurrentAsset"),
    "expense": ("defaults.expense_account", "CostOfGoodsSold"),
    "ar": ("defaults.ar_account", "AccountsReceivable"),
    "ap": ("defaults.ap_account", "AccountsPayable"),
}


def query_for(entity: str, names: tuple[str, ...], country: str) -> Any:
    """The query finding list records of ``entity`` by full name."""
    spec = LIST_ENTITIES[entity]
    query = _tax_query(country) if entity == "sales_tax" else spec.query
    return query(full_names=names)


def query_by_id(entity: str, list_id: str, country: str) -> Any:
    """The query reading one list record by ListID (for its current EditSequence)."""
    spec = LIST_ENTITIES[entity]
    query = _tax_query(country) if entity == "sales_tax" else spec.query
    return query(list_ids=(list_id,))


# ---------------------------------------------------------------- names and needs


def customer_need(code: str, customer: jb.Customer | None) -> Need:
    return Need("customer", code, customer.qb_name if customer else code)


def vendor_need(code: str, vendor: jb.Vendor | None) -> Need:
    return Need("vendor", code, vendor.qb_name if vendor else code)


def employee_name(employee: jb.Employee) -> str:
    """The name Desktop gives an employee: first, middle and last name joined."""
    first, last = _employee_names(employee)
    return " ".join(p for p in (first, last) if p)


def employee_need(code: int | str, employee: jb.Employee | None) -> Need:
    return Need("employee", str(code), employee_name(employee) if employee else str(code))


def item_need(part_no: str) -> Need:
    return Need("item", part_no, part_no)


def terms_need(code: str) -> Need:
    return Need("terms", code, code)


def account_need(number: str, account: jb.GlAccount | None) -> Need:
    return Need("account", number, account_name(account) if account else number)


def account_name(account: jb.GlAccount) -> str:
    """A GL account's QuickBooks name: its description (the number when it has none)."""
    return (text(account.description) or account.number).replace(":", "-")


def default_account_need(ctx_or_settings: Any, purpose: str) -> Need:
    settings = getattr(ctx_or_settings, "settings", ctx_or_settings)
    name = settings[DEFAULT_ACCOUNTS[purpose][0]]
    return Need("qb_account", name, name)


def freight_need(settings: Any) -> Need:
    name = settings["defaults.freight_item"]
    return Need("qb_item", name, name)


def sales_tax_need(code: str) -> Need:
    return Need("sales_tax", code, code)


def payroll_need(name: str) -> Need:
    return Need("payroll_item", name, name)


def part_needs(settings: Any, service: bool) -> list[Need]:
    """The accounts a new item is created with."""
    purposes = ("income", "expense") if service else ("income", "cogs", "asset")
    return [default_account_need(settings, p) for p in purposes]


def list_needs(entity: str, settings: Any) -> list[Need]:
    """What an ensure job of ``entity`` itself needs before it can add its record."""
    if entity == "item":
        return part_needs(settings, settings["options.parts_as_service_items"])
    if entity == "qb_item":
        return [default_account_need(settings, "income")]
    return []


# ---------------------------------------------------------------- adds and mods


def _address(addr: jb.Address | None) -> rq.Address | None:
    if addr is None or addr.is_empty:
        return None
    return rq.Address(addr1=text(addr.name), addr2=text(addr.line1), addr3=text(addr.line2),
                      city=text(addr.city), state=text(addr.state),
                      postal_code=text(addr.postal_code), country=text(addr.country))


def _customer_fields(c: jb.Customer) -> dict[str, Any]:
    return dict(company_name=text(c.name), bill_address=_address(c.address), phone=text(c.phone),
                fax=text(c.fax), contact=text(c.contact))


def customer_add(c: jb.Customer, ctx: MapContext) -> rq.CustomerAdd:
    return rq.CustomerAdd(name=_list_name(c.qb_name, "customer"),
                          external_guid=ctx.guid(c.key, since="8.0"), **_customer_fields(c))


def customer_mod(c: jb.Customer, list_id: str, edit_sequence: str, ctx: MapContext) -> rq.CustomerMod:
    return rq.CustomerMod(list_id=list_id, edit_sequence=edit_sequence,
                          name=_list_name(c.qb_name, "customer"), **_customer_fields(c))


def _vendor_fields(v: jb.Vendor, ctx: MapContext) -> dict[str, Any]:
    return dict(company_name=text(v.name), vendor_address=_address(v.address),
                phone=text(v.phone), fax=text(v.fax), account_number=text(v.account_number),
                vendor_tax_ident=text(v.tax_id),
                is_vendor_eligible_for_1099=v.is_1099 if ctx.is_us else None)


def vendor_add(v: jb.Vendor, ctx: MapContext) -> rq.VendorAdd:
    return rq.VendorAdd(name=_list_name(v.qb_name, "vendor"),
                        external_guid=ctx.guid(v.key, since="8.0"), **_vendor_fields(v, ctx))


def vendor_mod(v: jb.Vendor, list_id: str, edit_sequence: str, ctx: MapContext) -> rq.VendorMod:
    return rq.VendorMod(list_id=list_id, edit_sequence=edit_sequence,
                        name=_list_name(v.qb_name, "vendor"), **_vendor_fields(v, ctx))


def _employee_names(e: jb.Employee) -> tuple[str | None, str | None]:
    return text(e.first_name), text(e.last_name) or text(e.name)


def _employee_fields(e: jb.Employee) -> dict[str, Any]:
    first, last = _employee_names(e)
    addr = e.address
    address = None if addr.is_empty else rq.Address(
        addr1=text(addr.line1), addr2=text(addr.line2), city=text(addr.city),
        state=text(addr.state), postal_code=text(addr.postal_code))
    return dict(first_name=first, last_name=last, employee_address=address, phone=text(e.phone),
                hired_date=e.hire_date)


def employee_add(e: jb.Employee, ctx: MapContext) -> rq.EmployeeAdd:
    return rq.EmployeeAdd(external_guid=ctx.guid(e.key, since="8.0"), **_employee_fields(e))


def employee_mod(e: jb.Employee, list_id: str, edit_sequence: str, ctx: MapContext) -> rq.EmployeeMod:
    return rq.EmployeeMod(list_id=list_id, edit_sequence=edit_sequence, **_employee_fields(e))


def _part_desc(part: jb.Part | None, fallback: str | None) -> str | None:
    return text(part.description) if part is not None and part.description else text(fallback)


def item_add(part_no: str, part: jb.Part | None, fallback_desc: str | None,
             ctx: MapContext) -> rq.ItemServiceAdd | rq.ItemInventoryAdd:
    """A JobBOSS2 part as a Service item, or an Inventory item per the option."""
    name = _list_name(part_no, "item")
    desc = _part_desc(part, fallback_desc)
    price = part.price if part is not None else None
    cost = part.cost if part is not None else None
    guid = ctx.guid(part.key if part is not None else f"Estim:{part_no}", since="8.0")
    if ctx.settings["options.parts_as_service_items"]:
        return rq.ItemServiceAdd(name=name, external_guid=guid, sales_and_purchase=rq.SalesAndPurchase(
            sales_desc=desc, sales_price=price,
            income_account=ctx.ref(default_account_need(ctx, "income")),
            purchase_desc=desc, purchase_cost=cost,
            expense_account=ctx.ref(default_account_need(ctx, "expense"))))
    return rq.ItemInventoryAdd(
        name=name, external_guid=guid, sales_desc=desc, sales_price=price,
        income_account=ctx.ref(default_account_need(ctx, "income")),
        purchase_desc=desc, purchase_cost=cost,
        cogs_account=ctx.ref(default_account_need(ctx, "cogs")),
        asset_account=ctx.ref(default_account_need(ctx, "asset")))


def item_mod(part: jb.Part, ret_type: str, list_id: str, edit_sequence: str,
             ctx: MapContext) -> rq.ItemServiceMod | rq.ItemInventoryMod:
    """A changed part as a Mod of the item type QuickBooks holds it as."""
    desc = text(part.description)
    name = _list_name(part.part_no, "item")
    if ret_type == "ItemInventoryRet":
        return rq.ItemInventoryMod(list_id=list_id, edit_sequence=edit_sequence, name=name,
                                   sales_desc=desc, sales_price=part.price, purchase_desc=desc,
                                   purchase_cost=part.cost)
    if ret_type not in ("ItemServiceRet", ""):
        raise MappingError(f"item {name!r} is a {ret_type[:-3]} in QuickBooks; "
                           "only service and inventory items are updated")
    return rq.ItemServiceMod(list_id=list_id, edit_sequence=edit_sequence, name=name,
                             sales_and_purchase=rq.SalesAndPurchase(
                                 sales_desc=desc, sales_price=part.price, purchase_desc=desc,
                                 purchase_cost=part.cost))


def freight_item_add(name: str, ctx: MapContext) -> rq.ItemOtherChargeAdd:
    """The item carrying freight and shipping lines on invoices."""
    return rq.ItemOtherChargeAdd(name=_list_name(name, "item"), sales_or_purchase=rq.SalesOrPurchase(
        desc="Freight and shipping", account=ctx.ref(default_account_need(ctx, "income"))))


def terms_add(code: str, terms: jb.Terms | None) -> rq.StandardTermsAdd:
    pct = terms.disc_pct if terms is not None and terms.disc_pct else None
    return rq.StandardTermsAdd(
        name=_list_name(code, "terms"),
        std_due_days=terms.net_due_days if terms is not None else None,
        std_discount_days=terms.disc_days if terms is not None and pct else None,
        discount_pct=pct)


def account_add(number: str, account: jb.GlAccount | None) -> rq.AccountAdd:
    name = account_name(account) if account is not None else number
    kind = account.account_type if account is not None else "Expense"
    return rq.AccountAdd(name=_list_name(name, "account"), account_type=kind,  # type: ignore[arg-type]
                         account_number=number if len(number) <= 7 else None,
                         desc=text(account.description) if account is not None else None)


def default_account_add(name: str, account_type: str) -> rq.AccountAdd:
    return rq.AccountAdd(name=_list_name(name, "account"), account_type=account_type)  # type: ignore[arg-type]


def _list_name(name: str, what: str) -> str:
    cleaned = (name or "").strip()
    if not cleaned:
        raise MappingError(f"{what} has no name")
    if ":" in cleaned:
        raise MappingError(f"{what} name {cleaned!r} contains ':', which QuickBooks reads as a "
                           "sub-list separator")
    return cleaned


def money_or_none(value: Decimal | None) -> Decimal | None:
    return value if value else None
