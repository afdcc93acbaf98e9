"""The QuickBooks product the stand-in plays, and its HostQuery answer.

On the first sendRequestXML of a session the Web Connector passes the
answers to a HostQuery, CompanyQuery and PreferencesQuery (the "HCP
response"). :func:`hcp_response` writes that document for a product of
:data:`PRODUCTS`; the same records answer those queries when a request
message asks them in-band.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lxml import etree

from qbwc_service.simulator.quickbooks import writer
from qbwc_service.simulator.quickbooks.errors import OK

if TYPE_CHECKING:
    from qbwc_service.simulator.quickbooks.company import QuickBooksCompany

US_VERSIONS = ("1.0", "1.1", "2.0", "2.1", "3.0", "4.0", "4.1", "5.0", "6.0", "7.0", "8.0",
               "9.0", "10.0", "11.0", "12.0", "13.0", "14.0", "15.0", "16.0")


def _up_to(version: str, prefix: tuple[str, ...] = ()) -> tuple[str, ...]:
    return prefix + US_VERSIONS[: US_VERSIONS.index(version) + 1]


@dataclass(frozen=True)
class Product:
    """A QuickBooks release: what HostRet says about it."""

    name: str
    major: int
    country: str
    qbxml: str  # newest qbXML spec it supports
    supported: tuple[str, ...]

    @property
    def qbxml_major_minor(self) -> tuple[int, int]:
        major, _, minor = self.qbxml.partition(".")
        return int(major), int(minor or 0)


#: (country, newest qbXML) -> product. ``--qb-version`` / ``--country`` pick one.
PRODUCTS: dict[tuple[str, str], Product] = {
    ("US", "13.0"): Product("QuickBooks Enterprise Solutions: Manufacturing and Wholesale 14.0", 24, "US",
                            "13.0", _up_to("13.0")),
    ("US", "16.0"): Product("QuickBooks Enterprise Solutions: Manufacturing and Wholesale 23.0", 33, "US",
                            "16.0", _up_to("16.0")),
    ("US", "8.0"): Product("QuickBooks Premier Edition 2009", 19, "US", "8.0", _up_to("8.0")),
    ("CA", "13.0"): Product("QuickBooks Premier Edition 2014 (Canada)", 24, "CA", "13.0",
                            _up_to("13.0", ("CA2.0", "CA3.0"))),
    ("UK", "13.0"): Product("QuickBooks Pro 2014 (UK)", 24, "UK", "13.0",
                            _up_to("13.0", ("UK2.0", "UK3.0"))),
}


def product_for(country: str = "US", version: str = "13.0") -> Product:
    try:
        return PRODUCTS[(country.upper(), version)]
    except KeyError:
        known = ", ".join(f"{c} {v}" for c, v in PRODUCTS)
        raise ValueError(f"no QuickBooks product for {country} {version} (have: {known})") from None


def host_record(product: Product) -> dict[str, Any]:
    return {"ProductName": product.name, "MajorVersion": str(product.major), "MinorVersion": "0",
            "Country": product.country, "SupportedQBXMLVersion": list(product.supported),
            "IsAutomaticLogin": "false", "QBFileMode": "SingleUser"}


def company_record(company: QuickBooksCompany,
                   owner_file_ids: dict[str, str] | None = None) -> dict[str, Any]:
    record: dict[str, Any] = {
        "IsSampleCompany": "false", "CompanyName": company.state.company_name,
        "LegalCompanyName": company.state.company_name,
        "Address": {"Addr1": "100 Industrial Way", "City": "Springfield", "State": "IL",
                    "PostalCode": "62701", "Country": company.country},
        "FirstMonthFiscalYear": "January", "FirstMonthIncomeTaxYear": "January", "TaxForm": "OtherOrNone",
    }
    if owner_file_ids:
        record["DataExtRet"] = [{"OwnerID": owner, "DataExtName": "FileID", "DataExtType": "STR255TYPE",
                                 "DataExtValue": file_id} for owner, file_id in owner_file_ids.items()]
    return record


def preferences_record(company: QuickBooksCompany) -> dict[str, Any]:
    def ref(ret: str, space: str, name: str) -> dict[str, str]:
        found = company.state.find_by_name(space, name)
        return {"ListID": found[1], "FullName": name} if found else {"FullName": name}

    record: dict[str, Any] = {
        "AccountingPreferences": {"IsUsingAccountNumbers": "true", "IsRequiringAccounts": "true",
                                  "IsUsingClassTracking": "false", "IsUsingAuditTrail": "true",
                                  "IsAssigningJournalEntryNumbers": "true"},
        "FinanceChargePreferences": {"GracePeriod": "0", "IsAssessingForOverdueCharges": "false",
                                     "CalculateChargesFrom": "DueDate", "IsMarkedToBePrinted": "false"},
        "JobsAndEstimatesPreferences": {"IsUsingEstimates": "true", "IsUsingProgressInvoicing": "false",
                                        "IsPrintingItemsWithZeroAmounts": "false"},
        "MultiCurrencyPreferences": {"IsMultiCurrencyOn": "false"},
        "PurchasesAndVendorsPreferences": {
            "IsUsingInventory": "true" if company.setting("using_inventory", True) else "false",
            "DaysBillsAreDue": "10", "IsAutomaticallyUsingDiscounts": "false"},
        "ReportsPreferences": {"AgingReportBasis": "AgeFromDueDate", "SummaryReportBasis": "Accrual"},
        "SalesAndCustomersPreferences": {"IsTrackingReimbursedExpensesAsIncome": "false",
                                         "IsAutoApplyingPayments": "true",
                                         "PriceLevels": {"IsUsingPriceLevels": "false"}},
        "CurrentAppAccessRights": {"IsAutomaticLoginAllowed": "true", "AutomaticLoginUserName": "Admin",
                                   "IsPersonalDataAccessAllowed": "true"},
    }
    if company.setting("using_sales_tax", True):
        tax_item = company.setting("default_tax_item", "")
        record["SalesTaxPreferences"] = {
            "DefaultItemSalesTaxRef": ref("ItemSalesTaxRet", "items", tax_item), "PaySalesTax": "Monthly",
            "DefaultTaxableSalesTaxCodeRef": ref("SalesTaxCodeRet", "salestaxcodes",
                                                 company.setting("default_taxable_code", "Tax")),
            "DefaultNonTaxableSalesTaxCodeRef": ref("SalesTaxCodeRet", "salestaxcodes",
                                                    company.setting("default_non_taxable_code", "Non")),
            "IsUsingCustomerTaxCode": "true"}
    if company.setting("tracking_time", True):
        record["TimeTrackingPreferences"] = {"FirstDayOfWeek": "Monday"}
    return record


def hcp_response(company: QuickBooksCompany, product: Product,
                 owner_file_ids: dict[str, str] | None = None) -> str:
    """The strHCPResponse document for *company* running in *product*."""
    rows = (("HostQueryRq", "HostRet", host_record(product)),
            ("CompanyQueryRq", "CompanyRet", company_record(company, owner_file_ids)),
            ("PreferencesQueryRq", "PreferencesRet", preferences_record(company)))
    responses = []
    for number, (rq, ret, record) in enumerate(rows):
        request = etree.Element(rq, requestID=str(number))
        responses.append(writer.rs_element(request, rq[:-2] + "Rs", OK, [writer.ret_element(ret, record)]))
    return writer.message(responses)
