"""qbXML versions and countries: which one to speak, and which elements each lacks.

The service builds messages for every spec version from 2.0 to 16.0
(:data:`SUPPORTED_VERSIONS`). :func:`negotiate` picks the highest one that the
QuickBooks in use supports too. Elements a version lacks are left out of the
message (with a warning when the caller had set them): :data:`MIN_VERSION`
holds, for every element the builders emit that is younger than 2.0, the
version that introduced it, as Intuit's annotated field notes
(``qbxmlops130.xml``, "vN.0") record it. Requests younger than the chosen
version are refused (:data:`REQUEST_MIN_VERSION`).

Countries differ in sales tax (QBXML-MAPPING.md section 2): :data:`NOT_IN_COUNTRY`
lists the elements QuickBooks US (``US``), Canada (``CA``) or UK (``UK``) lack,
from the same notes ("not in QBD|QBCA|QBUK"); the builders leave them out for
that country. US customers take ``ItemSalesTaxRef``, Canadian and UK ones do
not; bills carry ``SalesTaxCodeRef`` in Canada and the UK, never in the US.

Keys are ``"Parent/Element"`` (the enclosing aggregate or request) or a bare
element name meaning "inside any aggregate"; the specific key wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

SUPPORTED_VERSIONS: tuple[str, ...] = (
    "2.0", "2.1", "3.0", "4.0", "4.1", "5.0", "6.0", "7.0", "8.0", "9.0", "10.0",
    "11.0", "12.0", "13.0", "14.0", "15.0", "16.0",
)
"""Spec versions the builders know, oldest first."""

COUNTRIES: tuple[str, ...] = ("US", "CA", "UK")
"""QuickBooks editions the service targets (HostRet/Country values)."""

COUNTRY_MIN_VERSION: dict[str, str] = {"US": "2.0", "CA": "6.0", "UK": "6.0"}
"""Before 6.0 Canada and the UK used their own ``CA2.0``/``UK2.0`` specs, which we do not build."""

REQUEST_MIN_VERSION: dict[str, str] = {"PreferencesQueryRq": "1.1", "InvoiceModRq": "2.1",
                                        "CreditMemoModRq": "3.0", "BillModRq": "3.0",
                                        "VendorCreditModRq": "8.0"}
"""Requests younger than 2.0 (the annotated notes date no other request of ours)."""

#: A transaction Mod's aggregates -> the Add's: their shared elements are dated alike.
ADD_OF_MOD: dict[str, str] = {
    "InvoiceMod": "InvoiceAdd", "InvoiceLineMod": "InvoiceLineAdd",
    "CreditMemoMod": "CreditMemoAdd", "CreditMemoLineMod": "CreditMemoLineAdd",
    "BillMod": "BillAdd", "VendorCreditMod": "VendorCreditAdd",
    "ExpenseLineMod": "ExpenseLineAdd", "ItemLineMod": "ItemLineAdd",
}


class QbxmlVersionError(ValueError):
    """An unknown version or country, or a request the chosen version lacks."""


def as_tuple(version: str) -> tuple[int, int]:
    """``"13.0"`` -> ``(13, 0)``; raises :class:`QbxmlVersionError` for anything else."""
    major, dot, minor = version.strip().partition(".")
    if not (major.isdigit() and (not dot or minor.isdigit())):
        raise QbxmlVersionError(f"not a qbXML version: {version!r}")
    return int(major), int(minor or 0)


def check(version: str, country: str) -> str:
    """Return *version* if we build it for *country*, else raise :class:`QbxmlVersionError`."""
    if version not in SUPPORTED_VERSIONS:
        raise QbxmlVersionError(
            f"unsupported qbXML version {version!r}; supported: {', '.join(SUPPORTED_VERSIONS)}")
    if country not in COUNTRIES:
        raise QbxmlVersionError(f"unsupported country {country!r}; supported: {', '.join(COUNTRIES)}")
    if as_tuple(version) < as_tuple(COUNTRY_MIN_VERSION[country]):
        raise QbxmlVersionError(
            f"qbXML {version} for {country} is not supported; {country} needs "
            f"{COUNTRY_MIN_VERSION[country]} or later")
    return version


def negotiate(host_supported: Iterable[str], major: int = 0, minor: int = 0,
              country: str | None = None) -> str:
    """The highest version both the service and QuickBooks support.

    *host_supported* is HostRet's ``SupportedQBXMLVersion`` list (may be empty;
    prefixed entries such as ``CA3.0`` are ignored); *major*/*minor* are
    sendRequestXML's ``qbXMLMajorVers``/``qbXMLMinorVers`` (0/0 when unknown) and
    cap the answer. With *country* (``US``, ``CA``, ``UK``) only versions we build
    for it count, so an old Canadian QuickBooks is refused here rather than when the
    first message is built. Raises :class:`QbxmlVersionError` when nothing is shared.
    """
    host = {_normal(v) for v in host_supported}
    host.discard(None)
    cap = (major, minor) if major > 0 else None
    floor = as_tuple(COUNTRY_MIN_VERSION.get(country or "US", SUPPORTED_VERSIONS[0]))
    candidates = [
        v for v in SUPPORTED_VERSIONS
        if (not host or v in host) and (cap is None or as_tuple(v) <= cap) and as_tuple(v) >= floor
    ]
    if not candidates:
        raise QbxmlVersionError(
            f"no common qbXML version: QuickBooks supports {sorted(host) or '?'} "
            f"(max {major}.{minor}); the service supports {SUPPORTED_VERSIONS[0]}-{SUPPORTED_VERSIONS[-1]}")
    return max(candidates, key=as_tuple)


@cache  # a few hundred combinations, asked for every element built
def element_available(parent: str, tag: str, version: str, country: str) -> str | None:
    """``None`` if element *tag* inside *parent* exists in *version* for *country*,
    else the reason it is left out (worked out once: asked for every element built)."""
    add = ADD_OF_MOD.get(parent, parent)
    since = MIN_VERSION.get(f"{parent}/{tag}") or MIN_VERSION.get(f"{add}/{tag}") or MIN_VERSION.get(tag)
    if since and as_tuple(version) < as_tuple(since):
        return f"not in qbXML {version} (since {since})"
    missing = (NOT_IN_COUNTRY.get(f"{parent}/{tag}") or NOT_IN_COUNTRY.get(f"{add}/{tag}")
               or NOT_IN_COUNTRY.get(tag))
    if missing and country in missing:
        return f"not used by QuickBooks {country}"
    return None


def request_available(rq_tag: str, version: str) -> bool:
    """True if request *rq_tag* exists in *version*."""
    since = REQUEST_MIN_VERSION.get(rq_tag)
    return since is None or as_tuple(version) >= as_tuple(since)


def _normal(version: str) -> str | None:
    text = version.strip()
    try:
        major, minor = as_tuple(text)
    except QbxmlVersionError:
        return None
    return f"{major}.{minor}"


# --------------------------------------------------------------------------- data
# Generated once from qbxmlops130.xml's annotations, restricted to the aggregates
# the builders emit; elements dated 2.0 or earlier are left out (2.0 is our floor).

MIN_VERSION: dict[str, str] = {
    "AccountAdd/CurrencyRef": "8.0",
    "AccountAdd/SalesTaxCodeRef": "6.0",
    "AccountAdd/TaxLineID": "7.0",
    "AccountAddRq/IncludeRetElement": "4.0",
    "AccountQueryRq/CurrencyFilter": "8.0",
    "AccountQueryRq/IncludeRetElement": "4.0",
    "BillAdd/ExchangeRate": "8.0",
    "BillAdd/ExternalGUID": "9.0",
    "BillAdd/IsTaxIncluded": "6.0",
    "BillAdd/LinkToTxnID": "4.0",
    "BillAdd/SalesTaxCodeRef": "6.0",
    "BillAdd/VendorAddress": "13.0",
    "BillAddRq/IncludeRetElement": "4.0",
    "BillAddress/Addr5": "6.0",
    "BillAddress/Note": "6.0",
    "BillQueryRq/CurrencyFilter": "8.0",
    "BillQueryRq/IncludeRetElement": "4.0",
    "BillQueryRq/RefNumberCaseSensitive": "4.0",
    "CompanyQueryRq/IncludeRetElement": "4.0",
    "CustomerAdd/AdditionalContactRef": "12.0",
    "CustomerAdd/AdditionalNotes": "12.0",
    "CustomerAdd/Cc": "12.0",
    "CustomerAdd/ClassRef": "12.0",
    "CustomerAdd/Contacts": "12.0",
    "CustomerAdd/CreditCardInfo": "3.0",
    "CustomerAdd/CurrencyRef": "8.0",
    "CustomerAdd/ExternalGUID": "8.0",
    "CustomerAdd/JobTitle": "12.0",
    "CustomerAdd/Notes": "3.0",
    "CustomerAdd/PreferredDeliveryMethod": "12.0",
    "CustomerAdd/PreferredPaymentMethodRef": "3.0",
    "CustomerAdd/PriceLevelRef": "4.0",
    "CustomerAdd/SalesTaxCountry": "6.0",
    "CustomerAdd/ShipToAddress": "12.0",
    "CustomerAdd/TaxRegistrationNumber": "8.0",
    "CustomerAddRq/IncludeRetElement": "4.0",
    "CustomerMod/AdditionalContactRef": "12.0",
    "CustomerMod/AdditionalNotesMod": "12.0",
    "CustomerMod/Cc": "12.0",
    "CustomerMod/ClassRef": "12.0",
    "CustomerMod/ContactsMod": "12.0",
    "CustomerMod/CreditCardInfo": "3.0",
    "CustomerMod/CreditLimit": "3.0",
    "CustomerMod/CurrencyRef": "8.0",
    "CustomerMod/CustomerTypeRef": "3.0",
    "CustomerMod/DeliveryMethod": "3.0",
    "CustomerMod/IsActive": "3.0",
    "CustomerMod/IsStatementWithParent": "3.0",
    "CustomerMod/ItemSalesTaxRef": "3.0",
    "CustomerMod/JobDesc": "3.0",
    "CustomerMod/JobEndDate": "3.0",
    "CustomerMod/JobProjectedEndDate": "3.0",
    "CustomerMod/JobStartDate": "3.0",
    "CustomerMod/JobStatus": "3.0",
    "CustomerMod/JobTitle": "12.0",
    "CustomerMod/JobTypeRef": "3.0",
    "CustomerMod/Notes": "3.0",
    "CustomerMod/ParentRef": "3.0",
    "CustomerMod/PreferredDeliveryMethod": "12.0",
    "CustomerMod/PreferredPaymentMethodRef": "3.0",
    "CustomerMod/PriceLevelRef": "4.0",
    "CustomerMod/ResaleNumber": "3.0",
    "CustomerMod/SalesRepRef": "3.0",
    "CustomerMod/SalesTaxCodeRef": "3.0",
    "CustomerMod/SalesTaxCountry": "6.0",
    "CustomerMod/ShipToAddress": "12.0",
    "CustomerMod/TaxRegistrationNumber": "8.0",
    "CustomerMod/TermsRef": "3.0",
    "CustomerModRq/IncludeRetElement": "4.0",
    "CustomerQueryRq/ClassFilter": "12.0",
    "CustomerQueryRq/CurrencyFilter": "8.0",
    "CustomerQueryRq/IncludeRetElement": "4.0",
    "EmployeeAdd/AdditionalContactRef": "12.0",
    "EmployeeAdd/AdditionalNotes": "12.0",
    "EmployeeAdd/AdjustedServiceDate": "13.0",
    "EmployeeAdd/BillingRateRef": "6.0",
    "EmployeeAdd/Department": "13.0",
    "EmployeeAdd/Description": "13.0",
    "EmployeeAdd/DisabilityDesc": "13.0",
    "EmployeeAdd/Disabled": "13.0",
    "EmployeeAdd/EmergencyContacts": "13.0",
    "EmployeeAdd/Ethnicity": "13.0",
    "EmployeeAdd/Exempt": "13.0",
    "EmployeeAdd/ExternalGUID": "8.0",
    "EmployeeAdd/Fax": "2.1",
    "EmployeeAdd/JobTitle": "12.0",
    "EmployeeAdd/KeyEmployee": "13.0",
    "EmployeeAdd/MilitaryStatus": "13.0",
    "EmployeeAdd/Mobile": "2.1",
    "EmployeeAdd/Notes": "3.0",
    "EmployeeAdd/OnFile": "13.0",
    "EmployeeAdd/OriginalHireDate": "13.0",
    "EmployeeAdd/Pager": "2.1",
    "EmployeeAdd/PagerPIN": "2.1",
    "EmployeeAdd/PartOrFullTime": "13.0",
    "EmployeeAdd/SupervisorRef": "13.0",
    "EmployeeAdd/TargetBonus": "13.0",
    "EmployeeAdd/USCitizen": "13.0",
    "EmployeeAdd/USVeteran": "13.0",
    "EmployeeAdd/WorkAuthExpireDate": "13.0",
    "EmployeeAddRq/IncludeRetElement": "4.0",
    "EmployeeMod/AdditionalContactRef": "12.0",
    "EmployeeMod/AdditionalNotesMod": "12.0",
    "EmployeeMod/AdjustedServiceDate": "13.0",
    "EmployeeMod/BillingRateRef": "6.0",
    "EmployeeMod/Department": "13.0",
    "EmployeeMod/Description": "13.0",
    "EmployeeMod/DisabilityDesc": "13.0",
    "EmployeeMod/Disabled": "13.0",
    "EmployeeMod/EmergencyContacts": "13.0",
    "EmployeeMod/EmployeeType": "5.0",
    "EmployeeMod/Ethnicity": "13.0",
    "EmployeeMod/Exempt": "13.0",
    "EmployeeMod/Fax": "2.1",
    "EmployeeMod/HiredDate": "5.0",
    "EmployeeMod/IsActive": "3.0",
    "EmployeeMod/JobTitle": "12.0",
    "EmployeeMod/KeyEmployee": "13.0",
    "EmployeeMod/MilitaryStatus": "13.0",
    "EmployeeMod/Mobile": "2.1",
    "EmployeeMod/Notes": "3.0",
    "EmployeeMod/OnFile": "13.0",
    "EmployeeMod/OriginalHireDate": "13.0",
    "EmployeeMod/Pager": "2.1",
    "EmployeeMod/PagerPIN": "2.1",
    "EmployeeMod/PartOrFullTime": "13.0",
    "EmployeeMod/ReleasedDate": "5.0",
    "EmployeeMod/SupervisorRef": "13.0",
    "EmployeeMod/TargetBonus": "13.0",
    "EmployeeMod/USCitizen": "13.0",
    "EmployeeMod/USVeteran": "13.0",
    "EmployeeMod/WorkAuthExpireDate": "13.0",
    "EmployeeModRq/IncludeRetElement": "4.0",
    "EmployeePayrollInfo/UseTimeDataToCreatePaychecks": "3.0",
    "EmployeePayrollInfoMod/UseTimeDataToCreatePaychecks": "3.0",
    "EmployeeQueryRq/IncludeRetElement": "4.0",
    "ExpenseLineAdd/DataExt": "13.0",
    "ExpenseLineAdd/SalesRepRef": "13.0",
    "ExpenseLineAdd/SalesTaxCodeRef": "6.0",
    "ExpenseLineAdd/TaxAmount": "6.1",
    "HostQueryRq/IncludeListMetaData": "6.0",
    "HostQueryRq/IncludeRetElement": "4.0",
    "InvoiceAdd/DiscountLineAdd": "4.0",
    "InvoiceAdd/ExchangeRate": "8.0",
    "InvoiceAdd/ExternalGUID": "9.0",
    "InvoiceAdd/IsFinanceCharge": "8.0",
    "InvoiceAdd/IsTaxIncluded": "6.0",
    "InvoiceAdd/IsToBeEmailed": "6.0",
    "InvoiceAdd/LinkToTxnID": "6.0",
    "InvoiceAdd/Other": "6.0",
    "InvoiceAdd/SalesTaxLineAdd": "4.0",
    "InvoiceAdd/SetCredit": "10.0",
    "InvoiceAdd/ShippingLineAdd": "4.0",
    "InvoiceAdd/TemplateRef": "3.0",
    "InvoiceAddRq/IncludeRetElement": "4.0",
    "InvoiceLineAdd/DataExt": "5.0",
    "InvoiceLineAdd/InventorySiteLocationRef": "12.0",
    "InvoiceLineAdd/InventorySiteRef": "10.0",
    "InvoiceLineAdd/IsTaxable": "4.0",
    "InvoiceLineAdd/LinkToTxn": "6.0",
    "InvoiceLineAdd/OptionForPriceRuleConflict": "13.0",
    "InvoiceLineAdd/Other1": "6.0",
    "InvoiceLineAdd/Other2": "6.0",
    "InvoiceLineAdd/PriceLevelRef": "4.0",
    "InvoiceLineAdd/TaxAmount": "6.1",
    "InvoiceLineAdd/UnitOfMeasure": "7.0",
    "InvoiceQueryRq/CurrencyFilter": "8.0",
    "InvoiceQueryRq/IncludeRetElement": "4.0",
    "InvoiceQueryRq/RefNumberCaseSensitive": "4.0",
    "ItemInventoryAdd/BarCode": "12.0",
    "ItemInventoryAdd/ClassRef": "12.0",
    "ItemInventoryAdd/ExternalGUID": "8.0",
    "ItemInventoryAdd/IsTaxIncluded": "6.0",
    "ItemInventoryAdd/ManufacturerPartNumber": "7.0",
    "ItemInventoryAdd/Max": "13.0",
    "ItemInventoryAdd/PurchaseTaxCodeRef": "6.0",
    "ItemInventoryAdd/UnitOfMeasureSetRef": "7.0",
    "ItemInventoryAddRq/IncludeRetElement": "4.0",
    "ItemInventoryMod/ApplyCOGSAccountRefToExistingTxns": "8.0",
    "ItemInventoryMod/ApplyIncomeAccountRefToExistingTxns": "7.0",
    "ItemInventoryMod/BarCode": "12.0",
    "ItemInventoryMod/ClassRef": "12.0",
    "ItemInventoryMod/ForceUOMChange": "7.0",
    "ItemInventoryMod/IncomeAccountRef": "7.0",
    "ItemInventoryMod/IsTaxIncluded": "6.0",
    "ItemInventoryMod/ManufacturerPartNumber": "7.0",
    "ItemInventoryMod/Max": "13.0",
    "ItemInventoryMod/PurchaseTaxCodeRef": "6.0",
    "ItemInventoryMod/UnitOfMeasureSetRef": "7.0",
    "ItemInventoryModRq/IncludeRetElement": "4.0",
    "ItemLineAdd/DataExt": "13.0",
    "ItemLineAdd/InventorySiteLocationRef": "12.0",
    "ItemLineAdd/InventorySiteRef": "10.0",
    "ItemLineAdd/LinkToTxn": "4.0",
    "ItemLineAdd/SalesRepRef": "13.0",
    "ItemLineAdd/SalesTaxCodeRef": "6.0",
    "ItemLineAdd/TaxAmount": "6.1",
    "ItemLineAdd/UnitOfMeasure": "7.0",
    "ItemOtherChargeAdd/BarCode": "12.0",
    "ItemOtherChargeAdd/ClassRef": "12.0",
    "ItemOtherChargeAdd/ExternalGUID": "8.0",
    "ItemOtherChargeAdd/IsTaxIncluded": "6.0",
    "ItemOtherChargeAddRq/IncludeRetElement": "4.0",
    "ItemQueryRq/IncludeRetElement": "4.0",
    "ItemSalesTaxQueryRq/ClassFilter": "12.0",
    "ItemSalesTaxQueryRq/IncludeRetElement": "4.0",
    "ItemServiceAdd/BarCode": "12.0",
    "ItemServiceAdd/ClassRef": "12.0",
    "ItemServiceAdd/ExternalGUID": "8.0",
    "ItemServiceAdd/IsTaxIncluded": "6.0",
    "ItemServiceAdd/UnitOfMeasureSetRef": "7.0",
    "ItemServiceAddRq/IncludeRetElement": "4.0",
    "ItemServiceMod/BarCode": "12.0",
    "ItemServiceMod/ClassRef": "12.0",
    "ItemServiceMod/ForceUOMChange": "7.0",
    "ItemServiceMod/IsTaxIncluded": "6.0",
    "ItemServiceMod/UnitOfMeasureSetRef": "7.0",
    "ItemServiceModRq/IncludeRetElement": "4.0",
    "PayrollItemWageQueryRq/IncludeRetElement": "4.0",
    "PreferencesQueryRq/IncludeRetElement": "4.0",
    "SalesAndPurchase/PurchaseTaxCodeRef": "6.0",
    "SalesAndPurchaseMod/ApplyExpenseAccountRefToExistingTxns": "7.0",
    "SalesAndPurchaseMod/ApplyIncomeAccountRefToExistingTxns": "7.0",
    "SalesAndPurchaseMod/ExpenseAccountRef": "7.0",
    "SalesAndPurchaseMod/IncomeAccountRef": "7.0",
    "SalesAndPurchaseMod/PurchaseTaxCodeRef": "6.0",
    "SalesOrPurchaseMod/AccountRef": "7.0",
    "SalesOrPurchaseMod/ApplyAccountRefToExistingTxns": "7.0",
    "SalesTaxCodeQueryRq/IncludeRetElement": "4.0",
    "ShipAddress/Addr5": "6.0",
    "ShipAddress/Note": "6.0",
    "StandardTermsAddRq/IncludeRetElement": "4.0",
    "TermsQueryRq/IncludeRetElement": "4.0",
    "TimeTrackingAdd/BillableStatus": "6.0",
    "TimeTrackingAdd/ExternalGUID": "9.0",
    "TimeTrackingAddRq/IncludeRetElement": "4.0",
    "TimeTrackingQueryRq/IncludeRetElement": "4.0",
    "VendorAdd/AdditionalContactRef": "12.0",
    "VendorAdd/AdditionalNotes": "12.0",
    "VendorAdd/BillingRateRef": "6.0",
    "VendorAdd/Cc": "12.0",
    "VendorAdd/ClassRef": "12.0",
    "VendorAdd/Contacts": "12.0",
    "VendorAdd/CurrencyRef": "8.0",
    "VendorAdd/ExternalGUID": "8.0",
    "VendorAdd/IsSalesTaxAgency": "8.0",
    "VendorAdd/IsTaxOnTax": "8.0",
    "VendorAdd/IsTaxTrackedOnPurchases": "8.0",
    "VendorAdd/IsTaxTrackedOnSales": "8.0",
    "VendorAdd/JobTitle": "12.0",
    "VendorAdd/Notes": "3.0",
    "VendorAdd/PrefillAccountRef": "8.0",
    "VendorAdd/ReportingPeriod": "8.0",
    "VendorAdd/SalesTaxCodeRef": "8.0",
    "VendorAdd/SalesTaxCountry": "8.0",
    "VendorAdd/SalesTaxReturnRef": "8.0",
    "VendorAdd/ShipAddress": "11.0",
    "VendorAdd/TaxOnPurchasesAccountRef": "8.0",
    "VendorAdd/TaxOnSalesAccountRef": "8.0",
    "VendorAdd/TaxRegistrationNumber": "8.0",
    "VendorAddRq/IncludeRetElement": "4.0",
    "VendorAddress/Addr5": "6.0",
    "VendorAddress/Note": "6.0",
    "VendorMod/AdditionalContactRef": "12.0",
    "VendorMod/AdditionalNotesMod": "12.0",
    "VendorMod/BillingRateRef": "6.0",
    "VendorMod/Cc": "12.0",
    "VendorMod/ClassRef": "12.0",
    "VendorMod/ContactsMod": "12.0",
    "VendorMod/CreditLimit": "3.0",
    "VendorMod/CurrencyRef": "8.0",
    "VendorMod/IsActive": "3.0",
    "VendorMod/IsSalesTaxAgency": "8.0",
    "VendorMod/IsTaxOnTax": "8.0",
    "VendorMod/IsTaxTrackedOnPurchases": "8.0",
    "VendorMod/IsTaxTrackedOnSales": "8.0",
    "VendorMod/IsVendorEligibleFor1099": "3.0",
    "VendorMod/JobTitle": "12.0",
    "VendorMod/Notes": "3.0",
    "VendorMod/PrefillAccountRef": "8.0",
    "VendorMod/ReportingPeriod": "8.0",
    "VendorMod/SalesTaxCodeRef": "8.0",
    "VendorMod/SalesTaxCountry": "8.0",
    "VendorMod/SalesTaxReturnRef": "8.0",
    "VendorMod/ShipAddress": "11.0",
    "VendorMod/TaxOnPurchasesAccountRef": "8.0",
    "VendorMod/TaxOnSalesAccountRef": "8.0",
    "VendorMod/TaxRegistrationNumber": "8.0",
    "VendorMod/TermsRef": "3.0",
    "VendorMod/VendorTaxIdent": "3.0",
    "VendorMod/VendorTypeRef": "3.0",
    "VendorModRq/IncludeRetElement": "4.0",
    "VendorQueryRq/ClassFilter": "12.0",
    "VendorQueryRq/CurrencyFilter": "8.0",
    "VendorQueryRq/IncludeRetElement": "4.0",
    "ItemSalesTaxAdd/ExternalGUID": "8.0",
    "ItemSalesTaxAddRq/IncludeRetElement": "4.0",
    # Credits: the same notes (qbxmlops130.xml, CreditMemoAddRq and VendorCreditAddRq).
    "CreditMemoAdd/ExchangeRate": "8.0",
    "CreditMemoAdd/ExternalGUID": "9.0",
    "CreditMemoAdd/IsTaxIncluded": "6.0",
    "CreditMemoAdd/IsToBeEmailed": "6.0",
    "CreditMemoAdd/Other": "6.0",
    "CreditMemoAdd/TemplateRef": "3.0",
    "CreditMemoAddRq/IncludeRetElement": "4.0",
    "CreditMemoLineAdd/Other1": "6.0",
    "CreditMemoLineAdd/Other2": "6.0",
    "CreditMemoLineAdd/UnitOfMeasure": "7.0",
    "CreditMemoQueryRq/CurrencyFilter": "8.0",
    "CreditMemoQueryRq/IncludeRetElement": "4.0",
    "CreditMemoQueryRq/RefNumberCaseSensitive": "4.0",
    "VendorCreditAdd/ExchangeRate": "8.0",
    "VendorCreditAdd/ExternalGUID": "9.0",
    "VendorCreditAdd/IsTaxIncluded": "8.0",
    "VendorCreditAdd/SalesTaxCodeRef": "8.0",
    "VendorCreditAddRq/IncludeRetElement": "4.0",
    "VendorCreditQueryRq/CurrencyFilter": "8.0",
    "VendorCreditQueryRq/IncludeRetElement": "4.0",
    "VendorCreditQueryRq/RefNumberCaseSensitive": "4.0",
}
NOT_IN_COUNTRY: dict[str, frozenset[str]] = {
    # EmployeeAddress has no Addr5 and no Note in the schema at all.
    "EmployeeAddress/Addr5": frozenset({'US', 'CA', 'UK'}),
    "EmployeeAddress/Note": frozenset({'US', 'CA', 'UK'}),
    "AccountAdd/DetailAccountType": frozenset({'CA', 'US', 'UK'}),
    "AccountAdd/SalesTaxCodeRef": frozenset({'US'}),
    "AccountAdd/TaxLineID": frozenset({'UK'}),
    "BillAdd/IsTaxIncluded": frozenset({'US'}),
    "BillAdd/SalesTaxCodeRef": frozenset({'US'}),
    "CustomerAdd/DeliveryMethod": frozenset({'CA', 'US', 'UK'}),
    "CustomerAdd/IsStatementWithParent": frozenset({'CA', 'US', 'UK'}),
    "CustomerAdd/ItemSalesTaxRef": frozenset({'CA', 'UK'}),
    "CustomerAdd/Mobile": frozenset({'CA', 'US', 'UK'}),
    "CustomerAdd/Pager": frozenset({'CA', 'US', 'UK'}),
    "CustomerAdd/PrintAs": frozenset({'CA', 'US', 'UK'}),
    "CustomerAdd/SalesTaxCountry": frozenset({'US'}),
    "CustomerAdd/Suffix": frozenset({'CA', 'US', 'UK'}),
    "CustomerAdd/TaxRegistrationNumber": frozenset({'US'}),
    "CustomerMod/DeliveryMethod": frozenset({'CA', 'US', 'UK'}),
    "CustomerMod/IsStatementWithParent": frozenset({'CA', 'US', 'UK'}),
    "CustomerMod/ItemSalesTaxRef": frozenset({'CA', 'UK'}),
    "CustomerMod/Mobile": frozenset({'CA', 'US', 'UK'}),
    "CustomerMod/Pager": frozenset({'CA', 'US', 'UK'}),
    "CustomerMod/PrintAs": frozenset({'CA', 'US', 'UK'}),
    "CustomerMod/SalesTaxCountry": frozenset({'US'}),
    "CustomerMod/Suffix": frozenset({'CA', 'US', 'UK'}),
    "CustomerMod/TaxRegistrationNumber": frozenset({'US'}),
    "EmployeeAdd/AdjustedServiceDate": frozenset({'CA', 'UK'}),
    "EmployeeAdd/Department": frozenset({'CA', 'UK'}),
    "EmployeeAdd/Description": frozenset({'CA', 'UK'}),
    "EmployeeAdd/DisabilityDesc": frozenset({'CA', 'UK'}),
    "EmployeeAdd/Disabled": frozenset({'CA', 'UK'}),
    "EmployeeAdd/EmergencyContacts": frozenset({'CA', 'UK'}),
    "EmployeeAdd/Ethnicity": frozenset({'CA', 'UK'}),
    "EmployeeAdd/Exempt": frozenset({'CA', 'UK'}),
    "EmployeeAdd/KeyEmployee": frozenset({'CA', 'UK'}),
    "EmployeeAdd/MilitaryStatus": frozenset({'CA', 'UK'}),
    "EmployeeAdd/Name": frozenset({'CA', 'US', 'UK'}),
    "EmployeeAdd/OnFile": frozenset({'CA', 'UK'}),
    "EmployeeAdd/OriginalHireDate": frozenset({'CA', 'UK'}),
    "EmployeeAdd/Suffix": frozenset({'CA', 'US', 'UK'}),
    "EmployeeAdd/SupervisorRef": frozenset({'CA', 'UK'}),
    "EmployeeAdd/USCitizen": frozenset({'CA', 'UK'}),
    "EmployeeAdd/USVeteran": frozenset({'CA', 'UK'}),
    "EmployeeAdd/WorkAuthExpireDate": frozenset({'CA', 'UK'}),
    "EmployeeAddress/Addr3": frozenset({'CA', 'US', 'UK'}),
    "EmployeeAddress/Addr4": frozenset({'CA', 'US', 'UK'}),
    "EmployeeAddress/Country": frozenset({'CA', 'US', 'UK'}),
    "EmployeeMod/AdjustedServiceDate": frozenset({'CA', 'UK'}),
    "EmployeeMod/Department": frozenset({'CA', 'UK'}),
    "EmployeeMod/Description": frozenset({'CA', 'UK'}),
    "EmployeeMod/DisabilityDesc": frozenset({'CA', 'UK'}),
    "EmployeeMod/Disabled": frozenset({'CA', 'UK'}),
    "EmployeeMod/EmergencyContacts": frozenset({'CA', 'UK'}),
    "EmployeeMod/Ethnicity": frozenset({'CA', 'UK'}),
    "EmployeeMod/Exempt": frozenset({'CA', 'UK'}),
    "EmployeeMod/KeyEmployee": frozenset({'CA', 'UK'}),
    "EmployeeMod/MilitaryStatus": frozenset({'CA', 'UK'}),
    "EmployeeMod/Name": frozenset({'CA', 'US', 'UK'}),
    "EmployeeMod/OnFile": frozenset({'CA', 'UK'}),
    "EmployeeMod/OriginalHireDate": frozenset({'CA', 'UK'}),
    "EmployeeMod/PartOrFullTime": frozenset({'CA', 'UK'}),
    "EmployeeMod/Suffix": frozenset({'CA', 'US', 'UK'}),
    "EmployeeMod/SupervisorRef": frozenset({'CA', 'UK'}),
    "EmployeeMod/USCitizen": frozenset({'CA', 'UK'}),
    "EmployeeMod/USVeteran": frozenset({'CA', 'UK'}),
    "EmployeeMod/WorkAuthExpireDate": frozenset({'CA', 'UK'}),
    "ExpenseLineAdd/SalesTaxCodeRef": frozenset({'US'}),
    "ExpenseLineAdd/TaxAmount": frozenset({'CA', 'US', 'UK'}),
    "InvoiceAdd/DiscountLineAdd": frozenset({'CA', 'US', 'UK'}),
    "InvoiceAdd/IsTaxIncluded": frozenset({'US'}),
    "InvoiceAdd/SalesTaxLineAdd": frozenset({'CA', 'US', 'UK'}),
    "InvoiceAdd/ShippingLineAdd": frozenset({'CA', 'US', 'UK'}),
    "InvoiceLineAdd/IsTaxable": frozenset({'CA', 'US', 'UK'}),
    "InvoiceLineAdd/TaxAmount": frozenset({'CA', 'US', 'UK'}),
    "ItemInventoryAdd/IsTaxIncluded": frozenset({'US'}),
    "ItemInventoryAdd/PurchaseTaxCodeRef": frozenset({'US'}),
    "ItemInventoryMod/IsTaxIncluded": frozenset({'US'}),
    "ItemInventoryMod/PurchaseTaxCodeRef": frozenset({'US'}),
    "ItemLineAdd/SalesTaxCodeRef": frozenset({'US'}),
    "ItemLineAdd/TaxAmount": frozenset({'CA', 'US', 'UK'}),
    "ItemOtherChargeAdd/IsTaxIncluded": frozenset({'US'}),
    "ItemServiceAdd/IsTaxIncluded": frozenset({'US'}),
    "ItemServiceMod/IsTaxIncluded": frozenset({'US'}),
    "SalesAndPurchase/PurchaseTaxCodeRef": frozenset({'US'}),
    "SalesAndPurchaseMod/PurchaseTaxCodeRef": frozenset({'US'}),
    "TimeTrackingAdd/Rate": frozenset({'CA', 'US', 'UK'}),
    "VendorAdd/IsSalesTaxAgency": frozenset({'US'}),
    "VendorAdd/IsTaxOnTax": frozenset({'US'}),
    "VendorAdd/IsTaxTrackedOnPurchases": frozenset({'US'}),
    "VendorAdd/IsTaxTrackedOnSales": frozenset({'US'}),
    "VendorAdd/IsVendorEligibleFor1099": frozenset({'CA', 'UK'}),
    "VendorAdd/Mobile": frozenset({'CA', 'US', 'UK'}),
    "VendorAdd/Pager": frozenset({'CA', 'US', 'UK'}),
    "VendorAdd/ReportingPeriod": frozenset({'US'}),
    "VendorAdd/SalesTaxCodeRef": frozenset({'US'}),
    "VendorAdd/SalesTaxCountry": frozenset({'US'}),
    "VendorAdd/SalesTaxReturnRef": frozenset({'US'}),
    "VendorAdd/Suffix": frozenset({'CA', 'US', 'UK'}),
    "VendorAdd/TaxOnPurchasesAccountRef": frozenset({'US'}),
    "VendorAdd/TaxOnSalesAccountRef": frozenset({'US'}),
    "VendorAdd/TaxRegistrationNumber": frozenset({'US'}),
    "VendorMod/IsSalesTaxAgency": frozenset({'US'}),
    "VendorMod/IsTaxOnTax": frozenset({'US'}),
    "VendorMod/IsTaxTrackedOnPurchases": frozenset({'US'}),
    "VendorMod/IsTaxTrackedOnSales": frozenset({'US'}),
    "VendorMod/IsVendorEligibleFor1099": frozenset({'CA', 'UK'}),
    "VendorMod/Mobile": frozenset({'CA', 'US', 'UK'}),
    "VendorMod/Pager": frozenset({'CA', 'US', 'UK'}),
    "VendorMod/ReportingPeriod": frozenset({'US'}),
    "VendorMod/SalesTaxCodeRef": frozenset({'US'}),
    "VendorMod/SalesTaxCountry": frozenset({'US'}),
    "VendorMod/SalesTaxReturnRef": frozenset({'US'}),
    "VendorMod/Suffix": frozenset({'CA', 'US', 'UK'}),
    "VendorMod/TaxOnPurchasesAccountRef": frozenset({'US'}),
    "VendorMod/TaxOnSalesAccountRef": frozenset({'US'}),
    "VendorMod/TaxRegistrationNumber": frozenset({'US'}),
    "CreditMemoAdd/IsTaxIncluded": frozenset({'US'}),
    "CreditMemoLineAdd/IsTaxable": frozenset({'CA', 'US', 'UK'}),
    "CreditMemoLineAdd/TaxAmount": frozenset({'CA', 'US', 'UK'}),
    "VendorCreditAdd/IsTaxIncluded": frozenset({'US'}),
    "VendorCreditAdd/SalesTaxCodeRef": frozenset({'US'}),
}
