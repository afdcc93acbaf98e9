"""The settings page's words: a label and help per setting, the groups, the choices' names.

The settings themselves (keys, kinds, validation) are declared in
:mod:`qbwc_service.sync.settings`; this module only says how a person reads
them, grouped as the JobBOSS2 QuickBooks sync screen groups them. A key
without an entry here still shows, under its key.
"""

from __future__ import annotations

from dataclasses import dataclass

from qbwc_service.sync import settings as st


@dataclass(frozen=True)
class Field:
    """How one setting reads on the form."""

    label: str
    help: str = ""


#: Group title -> the key prefixes it shows, in order (the longest matching prefix wins).
GROUPS: dict[str, tuple[str, ...]] = {
    "Items to sync": ("items.", "source."),
    "Options": ("options.",),
    "Sync type and dates": ("sync.",),
    "Run report": ("report.",),
    "QuickBooks accounts and items for new records": ("defaults.",),
    "Payroll items per JobBOSS2 pay rate": ("defaults.payroll_item.",),
    "Sales tax and currency": ("tax.", "currency."),
    "Names and numbers too long for QuickBooks": ("names.",),
}

FIELDS: dict[str, Field] = {
    "items.customer_billing": Field("Customer invoices (AR)",
                                    "Send JobBOSS2 invoices to QuickBooks as invoices."),
    "items.vendor_invoices": Field("Vendor invoices (AP)",
                                   "Send JobBOSS2 vendor invoices or receivers as QuickBooks bills."),
    "items.time_and_attendance": Field("Time and attendance",
                                       "Send attendance tickets as QuickBooks time records for "
                                       "payroll."),
    "source.invoices": Field("Create QuickBooks invoices from",
                             "Packing lists are priced from their sales orders."),
    "source.bills": Field("Create QuickBooks bills from",
                          "Receivers are priced from their purchase orders."),
    "options.mark_ar_paid": Field("Mark AR invoices paid in JobBOSS2",
                                  "Once QuickBooks has an invoice, JobBOSS2 shows it paid."),
    "options.mark_ap_paid": Field("Mark AP invoices paid in JobBOSS2",
                                  "Once QuickBooks has a bill, JobBOSS2 shows it paid."),
    "options.parts_as_service_items": Field(
        "Create new parts as Service items", "Unticked: new parts become Inventory items."),
    "options.validate_sync_tables": Field(
        "Sync every customer, vendor and part",
        "Not only the ones the invoices and bills use."),
    "options.quit_area_on_error": Field(
        "Quit syncing an area after an error",
        "After an error in invoices, bills or time, the rest of that area waits for the next "
        "run."),
    "options.update_after_edit": Field(
        "Update QuickBooks after edits in JobBOSS2",
        "Send changes of customers, vendors, employees and parts already in QuickBooks."),
    "options.update_exported": Field(
        "Update invoices and bills changed after export",
        "An invoice or bill already in QuickBooks and changed since in JobBOSS2 is sent again "
        "as a change. Unticked: it is only listed as changed after export."),
    "sync.type": Field("Sync type", "Manual: you start each sync below. Automatic: every Web "
                       "Connector run sends what is new."),
    "sync.begin": Field("Begin date", "First transaction date synced. Empty: no limit."),
    "sync.end": Field("End date", "Last date of a manual sync. Empty: up to today."),
    "sync.batch_size": Field("Records per message", "How many records each message to "
                             "QuickBooks carries (1 to 500)."),
    "report.sections": Field("Show in the run report", "Counts always cover everything."),
    "defaults.income_account": Field("Income account of new items"),
    "defaults.cogs_account": Field("Cost of goods sold account of new inventory items"),
    "defaults.asset_account": Field("Asset account of new inventory items"),
    "defaults.expense_account": Field("Expense account of bill lines without a GL account"),
    "defaults.ar_account": Field("Accounts receivable account of invoices"),
    "defaults.ap_account": Field("Accounts payable account of bills"),
    "defaults.freight_item": Field("Item for freight and shipping lines"),
    "tax.agency_vendor": Field("Sales tax agency (a QuickBooks vendor)",
                               "Paid the tax of the sales tax items the service creates; created "
                               "when missing."),
    "tax.zero_item": Field("0 % sales tax item of invoice headers",
                           "JobBOSS2's tax goes on a line of its own, so QuickBooks' total is "
                           "JobBOSS2's to the cent."),
    "tax.code_map": Field("JobBOSS2 tax codes taxed through existing QuickBooks items",
                          "JB-CODE=QuickBooks item, comma separated. Codes not listed become "
                          "items named as the code, at JobBOSS2's rate."),
    "currency.home": Field("Home currency (JobBOSS2 code)",
                           "Invoices in another currency are foreign."),
    "currency.convert_foreign": Field(
        "Convert foreign-currency invoices at JobBOSS2's exchange rate",
        "Only when QuickBooks multicurrency is off; unticked, such invoices fail naming the "
        "currency."),
    **{f"names.{kind}": Field(f"{what} too long for QuickBooks",
                              "Shorten: sent under a shortened name kept in the name map, with "
                              "a warning. Refuse: the record fails until renamed in JobBOSS2.")
       for kind, what in (("item", "Part numbers"), ("customer", "Customer names"),
                          ("vendor", "Vendor names"), ("account", "GL account names"),
                          ("terms", "Terms codes"), ("invoice", "Invoice numbers"),
                          ("bill", "Vendor invoice and receiver numbers"))},
}

#: Setting -> value -> what the radio button says.
CHOICES: dict[str, dict[str, str]] = {
    "source.invoices": {"billing": "Customer Billing", "packing_list": "Packing List"},
    "source.bills": {"vendor_invoice": "Vendor Invoices", "receiver": "Receivers"},
    "sync.type": {"manual": "Manual", "auto": "Automatic"},
    **{key: {"shorten": "Shorten", "error": "Refuse"} for key in st.SETTINGS
       if key.startswith("names.")},
}
SECTION_WORDS: dict[str, str] = {"created": "Created", "updated": "Updated", "skipped": "Skipped",
                                 "warnings": "Warnings", "errors": "Errors"}


def field(spec: st.SettingSpec) -> Field:
    """The label and help of a setting (its own help text when this module has none)."""
    if spec.key in FIELDS:
        return FIELDS[spec.key]
    if spec.key.startswith("defaults.payroll_item."):
        code = spec.key.rsplit(".", 1)[-1]
        return Field(f"Payroll item for pay rate code {code}", spec.help.split("(", 1)[-1]
                     .rstrip(")") if "(" in spec.help else "")
    return Field(spec.key, spec.help)


def grouped() -> dict[str, list[st.SettingSpec]]:
    """Group title -> its settings, in declaration order; every setting in exactly one group."""
    out: dict[str, list[st.SettingSpec]] = {title: [] for title in GROUPS}
    for spec in st.SETTINGS.values():
        matches = [(len(p), t) for t, prefixes in GROUPS.items() for p in prefixes
                   if spec.key.startswith(p)]
        title = max(matches)[1] if matches else "Other"
        out.setdefault(title, []).append(spec)
    return {title: specs for title, specs in out.items() if specs}
