"""What a fresh company file holds, per country.

A new QuickBooks company comes with a chart of accounts, a few terms, its
sales tax codes and items and (with payroll) wage items. These tables are
the stand-in's version of that; :func:`populate` writes them into a company.
Change them by passing another :class:`Profile` to ``populate``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qbwc_service.simulator.quickbooks.context import Company
from qbwc_service.simulator.quickbooks.currencies import CURRENCIES
from qbwc_service.simulator.quickbooks.handlers.lists import create_list_record

#: (name, AccountType, AccountNumber, SpecialAccountType or "")
ACCOUNTS: tuple[tuple[str, str, str, str], ...] = (
    ("Checking", "Bank", "1000", ""),
    ("Accounts Receivable", "AccountsReceivable", "1200", "AccountsReceivable"),
    ("Inventory Asset", "OtherCurrentAsset", "1300", "InventoryAssets"),
    ("Accounts Payable", "AccountsPayable", "2000", "AccountsPayable"),
    ("Payroll Liabilities", "OtherCurrentLiability", "2100", "PayrollLiabilities"),
    ("Sales Tax Payable", "OtherCurrentLiability", "2200", "SalesTaxPayable"),
    ("Opening Balance Equity", "Equity", "3000", "OpeningBalanceEquity"),
    ("Sales", "Income", "4000", ""),
    ("Services", "Income", "4100", ""),
    ("Freight Income", "Income", "4200", ""),
    ("Cost of Goods Sold", "CostOfGoodsSold", "5000", "CostOfGoodsSold"),
    ("Job Materials", "CostOfGoodsSold", "5100", ""),
    ("Subcontracted Services", "CostOfGoodsSold", "5200", ""),
    ("Freight Expense", "Expense", "6100", ""),
    ("Payroll Expenses", "Expense", "6500", "PayrollExpenses"),
    ("Office Supplies", "Expense", "6700", ""),
)

#: (name, StdDueDays)
TERMS: tuple[tuple[str, int], ...] = (("Due on receipt", 0), ("Net 15", 15), ("Net 30", 30),
                                     ("Net 60", 60))

#: (WageType, name)
WAGE_ITEMS: tuple[tuple[str, str], ...] = (("HourlyRegular", "Regular Pay"),
                                          ("HourlyOvertime", "Overtime Pay"),
                                          ("SalaryRegular", "Salary"))


@dataclass(frozen=True)
class Profile:
    """Country-specific defaults of a fresh company."""

    country: str
    #: (code, IsTaxable, description, tax rate percent)
    tax_codes: tuple[tuple[str, bool, str, str], ...]
    #: (name, description, rate percent)
    tax_items: tuple[tuple[str, str, str], ...]
    default_taxable: str
    default_non_taxable: str
    accounts: tuple[tuple[str, str, str, str], ...] = ACCOUNTS
    terms: tuple[tuple[str, int], ...] = TERMS
    wage_items: tuple[tuple[str, str], ...] = WAGE_ITEMS
    settings: dict[str, Any] = field(default_factory=dict)


PROFILES: dict[str, Profile] = {
    "US": Profile("US", (("Tax", True, "Taxable Sales", "7.25"), ("Non", False, "Non-Taxable Sales", "0")),
                  (("State Tax", "State sales tax", "7.25"), ("Out of State", "No tax", "0")),
                  "Tax", "Non"),
    "CA": Profile("CA", (("G", True, "GST", "5"), ("H", True, "HST ON", "13"), ("E", False, "Exempt", "0"),
                         ("Z", False, "Zero-rated", "0")),
                  (("GST", "Goods and services tax", "5"),), "G", "E"),
    "UK": Profile("UK", (("S", True, "Standard VAT", "20"), ("R", True, "Reduced VAT", "5"),
                         ("Z", False, "Zero-rated", "0"), ("E", False, "Exempt", "0")),
                  (("VAT", "Value added tax", "20"),), "S", "E"),
}


def profile_for(country: str) -> Profile:
    try:
        return PROFILES[country.upper()]
    except KeyError:
        known = ", ".join(PROFILES)
        raise ValueError(f"no stand-in profile for country {country!r} (have {known})") from None


def populate(company: Company, profile: Profile) -> None:
    """Write the profile's lists into *company* (a fresh one)."""
    for name, kind, number, special in profile.accounts:
        record = {"Name": name, "AccountType": kind, "AccountNumber": number,
                  "Balance": "0.00", "TotalBalance": "0.00"}
        if special:
            record["SpecialAccountType"] = special
        create_list_record(company, "AccountRet", record)
    for name, days in profile.terms:
        create_list_record(company, "StandardTermsRet", {"Name": name, "StdDueDays": str(days)})
    for code, taxable, desc, _rate in profile.tax_codes:
        create_list_record(company, "SalesTaxCodeRet",
                           {"Name": code, "IsTaxable": "true" if taxable else "false", "Desc": desc})
    vendor = create_list_record(company, "VendorRet", {"Name": "Tax Agency", "Balance": "0.00"})
    for name, desc, rate in profile.tax_items:
        create_list_record(company, "ItemSalesTaxRet", {
            "Name": name, "ItemDesc": desc, "TaxRate": rate,
            "TaxVendorRef": {"ListID": vendor["ListID"], "FullName": vendor["FullName"]}})
    for name, code in CURRENCIES:
        create_list_record(company, "CurrencyRet", {"Name": name, "CurrencyCode": code})
    payroll = company.state.find_by_name("accounts", "Payroll Expenses")
    for wage_type, name in profile.wage_items:
        record: dict[str, Any] = {"Name": name, "WageType": wage_type}
        if payroll:
            record["ExpenseAccountRef"] = {"ListID": payroll[1], "FullName": "Payroll Expenses"}
        create_list_record(company, "PayrollItemWageRet", record)
    company.state.settings.update({
        "tax_code_rates": {code: rate for code, _t, _d, rate in profile.tax_codes},
        "default_taxable_code": profile.default_taxable,
        "default_non_taxable_code": profile.default_non_taxable,
        "default_tax_item": profile.tax_items[0][0] if profile.tax_items else "",
        "using_inventory": True, "using_sales_tax": True, "tracking_time": True,
        **profile.settings,
    })
