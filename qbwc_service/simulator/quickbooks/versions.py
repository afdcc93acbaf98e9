"""Which elements an older QuickBooks does not know yet.

Validation runs against the 13.0 schema, which accepts elements that an
older QuickBooks rejects. This table, taken from the ``vN.0`` notes in
Intuit's annotated ``qbxmlops130.xml``, lists for the requests the service
sends the elements introduced after 8.0 (the oldest version the emulator
plays). A message of version V that contains an element newer than V fails
as a whole, the way QuickBooks fails it.
"""

from __future__ import annotations

from lxml import etree

#: (request aggregate, path below it, spec version that introduced it)
NEWER_ELEMENTS: tuple[tuple[str, str, str], ...] = (
    ("InvoiceAdd", "ExternalGUID", "9.0"),
    ("BillAdd", "ExternalGUID", "9.0"),
    ("TimeTrackingAdd", "ExternalGUID", "9.0"),
    ("BillAdd", "VendorAddress", "13.0"),
    ("BillAdd", "ExpenseLineAdd/DataExt", "13.0"),
    ("BillAdd", "ExpenseLineAdd/SalesRepRef", "13.0"),
    ("BillAdd", "ItemLineAdd/DataExt", "13.0"),
    ("BillAdd", "ItemLineAdd/SalesRepRef", "13.0"),
    ("BillAdd", "ItemLineAdd/InventorySiteRef", "10.0"),
    ("BillAdd", "ItemLineAdd/InventorySiteLocationRef", "12.0"),
    ("InvoiceAdd", "SetCredit", "10.0"),
    ("InvoiceAdd", "InvoiceLineAdd/InventorySiteRef", "10.0"),
    ("InvoiceAdd", "InvoiceLineAdd/InventorySiteLocationRef", "12.0"),
    ("InvoiceAdd", "InvoiceLineAdd/OptionForPriceRuleConflict", "13.0"),
    ("CustomerAdd", "ClassRef", "12.0"),
    ("CustomerAdd", "JobTitle", "12.0"),
    ("CustomerAdd", "ShipToAddress", "12.0"),
    ("CustomerAdd", "Cc", "12.0"),
    ("CustomerAdd", "Contacts", "12.0"),
    ("CustomerAdd", "AdditionalContactRef", "12.0"),
    ("CustomerAdd", "AdditionalNotes", "12.0"),
    ("CustomerAdd", "PreferredDeliveryMethod", "12.0"),
    ("CustomerMod", "ClassRef", "12.0"),
    ("CustomerMod", "JobTitle", "12.0"),
    ("CustomerMod", "ShipToAddress", "12.0"),
    ("CustomerMod", "Cc", "12.0"),
    ("CustomerMod", "AdditionalContactRef", "12.0"),
    ("CustomerMod", "PreferredDeliveryMethod", "12.0"),
    ("VendorAdd", "ShipAddress", "11.0"),
    ("VendorAdd", "ClassRef", "12.0"),
    ("VendorAdd", "JobTitle", "12.0"),
    ("VendorAdd", "Cc", "12.0"),
    ("VendorAdd", "Contacts", "12.0"),
    ("VendorAdd", "AdditionalContactRef", "12.0"),
    ("VendorAdd", "AdditionalNotes", "12.0"),
    ("VendorMod", "ShipAddress", "11.0"),
    ("VendorMod", "ClassRef", "12.0"),
    ("VendorMod", "JobTitle", "12.0"),
    ("VendorMod", "Cc", "12.0"),
    ("EmployeeAdd", "JobTitle", "12.0"),
    ("EmployeeAdd", "SupervisorRef", "13.0"),
    ("EmployeeAdd", "Department", "13.0"),
    ("EmployeeAdd", "Description", "13.0"),
    ("EmployeeAdd", "OriginalHireDate", "13.0"),
    ("EmployeeAdd", "AdditionalNotes", "12.0"),
    ("EmployeeMod", "JobTitle", "12.0"),
    ("EmployeeMod", "SupervisorRef", "13.0"),
    ("EmployeeMod", "Department", "13.0"),
    ("EmployeeMod", "Description", "13.0"),
    ("ItemServiceAdd", "BarCode", "12.0"),
    ("ItemServiceAdd", "ClassRef", "12.0"),
    ("ItemServiceMod", "BarCode", "12.0"),
    ("ItemServiceMod", "ClassRef", "12.0"),
    ("ItemInventoryAdd", "BarCode", "12.0"),
    ("ItemInventoryAdd", "ClassRef", "12.0"),
    ("ItemInventoryAdd", "Max", "13.0"),
    ("ItemInventoryMod", "BarCode", "12.0"),
    ("ItemInventoryMod", "ClassRef", "12.0"),
    ("ItemInventoryMod", "Max", "13.0"),
    ("ItemNonInventoryAdd", "BarCode", "12.0"),
    ("ItemNonInventoryAdd", "ClassRef", "12.0"),
    ("ItemOtherChargeAdd", "BarCode", "12.0"),
    ("ItemOtherChargeAdd", "ClassRef", "12.0"),
    ("CustomerQueryRq", "ClassFilter", "12.0"),
    ("VendorQueryRq", "ClassFilter", "12.0"),
    ("ItemSalesTaxQueryRq", "ClassFilter", "12.0"),
)


def as_tuple(version: str) -> tuple[int, ...]:
    digits = "".join(ch for ch in version if ch.isdigit() or ch == ".")
    return tuple(int(part) for part in digits.split(".") if part) or (0,)


def too_new(message_root: etree._Element, version: str) -> list[str]:
    """``Parent/path (vN.0)`` for every element of the message newer than *version*."""
    have = as_tuple(version)
    found: list[str] = []
    for parent, path, since in NEWER_ELEMENTS:
        if as_tuple(since) <= have:
            continue
        for aggregate in message_root.iter(parent):
            if aggregate.find(path) is not None:
                found.append(f"{parent}/{path} (qbXML {since})")
    return found
