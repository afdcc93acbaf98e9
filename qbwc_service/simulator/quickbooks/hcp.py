"""The QuickBooks product the stand-in plays, and its HostQuery answer.

On the first sendRequestXML of a session the Web Connector passes the
answers to a HostQuery, CompanyQuery and PreferencesQuery (the "HCP
response"). :func:`hcp_response` writes that document for a product of
:data:`.products.PRODUCTS`; the same records answer those queries when a request
message asks them in-band.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from qbwc_service.simulator.quickbooks import writer
from qbwc_service.simulator.quickbooks.context import Company
from qbwc_service.simulator.quickbooks.currencies import HOME_CURRENCY
from qbwc_service.simulator.quickbooks.errors import OK
from qbwc_service.simulator.quickbooks.products import Product


def host_record(product: Product) -> dict[str, Any]:
    return {"ProductName": product.name, "MajorVersion": str(product.major), "MinorVersion": "0",
            "Country": product.country, "SupportedQBXMLVersion": list(product.supported),
            "IsAutomaticLogin": "false", "QBFileMode": "SingleUser"}


def company_record(company: Company,
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


def preferences_record(company: Company) -> dict[str, Any]:
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
        "MultiCurrencyPreferences": {"IsMultiCurrencyOn": "false"},  # the setting may turn it on
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
    if company.setting("multicurrency", False):
        record["MultiCurrencyPreferences"] = {"IsMultiCurrencyOn": "true",
                                              "HomeCurrencyRef": {"FullName": HOME_CURRENCY}}
    if company.setting("closing_date"):  # transactions dated on or before it are refused (3171)
        record["AccountingPreferences"]["ClosingDate"] = company.setting("closing_date")
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


def hcp_response(company: Company, product: Product,
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
