"""Realistic, fully populated examples of every request type (shared by the qbXML tests)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal as D
from typing import Any

from qbwc_service.qbxml import requests as rq

GUID = "{3F2504E0-4F89-11D3-9A0C-0305E82C3301}"
ADDR = rq.Address(
    addr1="Acme Widgets Inc",
    addr2="100 Main Street",
    addr3="Suite 4",
    city="Springfield",
    state="IL",
    postal_code="62701",
    country="USA",
    note="Dock 2",
)
T0, T1 = datetime(2024, 1, 1, 8, 0), datetime(2024, 3, 31, 17, 30)


def every_request() -> list[rq.Request]:
    """One realistic instance of each request type, most optional fields set; the Mods of
    transactions change the Adds of this list."""
    requests = _requests()
    adds: dict[type, Any] = {type(r): r for r in requests}
    mods = ((rq.InvoiceMod, rq.InvoiceAdd), (rq.CreditMemoMod, rq.CreditMemoAdd),
            (rq.BillMod, rq.BillAdd), (rq.VendorCreditMod, rq.VendorCreditAdd))
    return requests + [mod(txn_id=f"{n}A-1709251200", edit_sequence="1709251201", of=adds[add])
                       for n, (mod, add) in enumerate(mods, 1)]


def _requests() -> list[rq.Request]:
    return [
        rq.HostQuery(include_ret_elements=("ProductName",)),
        rq.CompanyQuery(owner_ids=(GUID,)),
        rq.PreferencesQuery(),
        rq.AccountAdd(
            name="Machining Income",
            account_type="Income",
            is_active=True,
            account_number="4100",
            desc="Income from machining",
            parent=rq.Ref.named("Income"),
            include_ret_elements=("ListID", "EditSequence"),
        ),
        rq.AccountQuery(max_returned=100, active_status="All", account_types=("Income", "Expense")),
        rq.StandardTermsAdd(name="Net 30", std_due_days=30, std_discount_days=10, discount_pct=D("2")),
        rq.TermsQuery(full_names=("Net 30", "Net 45")),
        rq.ItemSalesTaxQuery(max_returned=50, name_filter=rq.NameFilter(match="StartsWith", name="IL")),
        rq.ItemSalesTaxAdd(name="TX-TRAVIS", item_desc="Travis County 8.25%", tax_rate=D("8.25"),
                           tax_vendor=rq.Ref.named("Texas Comptroller"), external_guid=GUID),
        rq.SalesTaxCodeQuery(full_names=("Tax", "Non")),
        rq.CustomerAdd(
            name="Acme Widgets",
            is_active=True,
            company_name="Acme Widgets Inc",
            first_name="Jane",
            last_name="Doe",
            bill_address=ADDR,
            ship_address=ADDR,
            phone="217-555-0100",
            email="ap@acme.example.com",
            terms=rq.Ref.named("Net 30"),
            sales_tax_code=rq.Ref.named("Tax"),
            item_sales_tax=rq.Ref.named("IL State"),
            account_number="C-1001",
            credit_limit=D("5000"),
            notes="Key account\nsince 2001",
            open_balance=D("0"),
            open_balance_date=date(2024, 1, 1),
            external_guid=GUID,
            currency=rq.Ref.named("Euro"),
        ),
        rq.CustomerMod(
            list_id="80000001-1709251200",
            edit_sequence="1709251200",
            name="Acme Widgets",
            phone="217-555-0101",
            bill_address=ADDR,
            credit_limit=D("7500.5"),
        ),
        rq.CustomerQuery(max_returned=100, iterator="Start", from_modified=T0, to_modified=T1),
        rq.VendorAdd(
            name="Steel Supply Co",
            company_name="Steel Supply Co",
            vendor_address=ADDR,
            phone="312-555-0199",
            name_on_check="Steel Supply Company",
            account_number="V-77",
            terms=rq.Ref.named("Net 30"),
            vendor_tax_ident="12-3456789",
            is_vendor_eligible_for_1099=False,
            prefill_accounts=(rq.Ref.named("Materials"),),
            external_guid=GUID,
            currency=rq.Ref.named("Canadian Dollar"),
        ),
        rq.VendorMod(list_id="80000004-1709251203", edit_sequence="1709251203", phone="312-555-0100"),
        rq.VendorQuery(full_names=("Steel Supply Co",)),
        rq.EmployeeAdd(
            first_name="John",
            middle_name="Q",
            last_name="Smith",
            employee_address=ADDR,
            phone="217-555-0142",
            email="john@example.com",
            hired_date=date(2020, 5, 1),
            payroll=rq.EmployeePayroll(
                pay_period="Weekly",
                earnings=(rq.Earning(wage_item=rq.Ref.named("Hourly Rate"), rate=D("32.50")),),
                use_time_data="UseTimeData",
            ),
            external_guid=GUID,
        ),
        rq.EmployeeMod(list_id="80000005-1709251204", edit_sequence="1709251204", phone="217-555-0143"),
        rq.EmployeeQuery(max_returned=200, active_status="ActiveOnly"),
        rq.ItemServiceAdd(
            name="Machining Hour",
            sales_or_purchase=rq.SalesOrPurchase(
                desc="CNC machining", price=D("95"), account=rq.Ref.named("Machining Income")
            ),
            external_guid=GUID,
        ),
        rq.ItemServiceMod(
            list_id="80000003-1709251202",
            edit_sequence="1709251202",
            sales_or_purchase=rq.SalesOrPurchase(price=D("99.5")),
        ),
        rq.ItemInventoryAdd(
            name="WIDGET-BLUE",
            sales_desc="Blue widget",
            sales_price=D("12.75"),
            income_account=rq.Ref.named("Sales"),
            purchase_desc="Blue widget",
            purchase_cost=D("4.12345"),
            cogs_account=rq.Ref.named("Cost of Goods Sold"),
            pref_vendor=rq.Ref.named("Steel Supply Co"),
            asset_account=rq.Ref.named("Inventory Asset"),
            reorder_point=D("10"),
            quantity_on_hand=D("0"),
            external_guid=GUID,
        ),
        rq.ItemInventoryMod(list_id="80000006-1709251210", edit_sequence="1709251210", sales_price=D("13")),
        rq.ItemOtherChargeAdd(
            name="Freight",
            sales_and_purchase=rq.SalesAndPurchase(
                sales_desc="Freight",
                sales_price=D("0"),
                income_account=rq.Ref.named("Freight Income"),
                purchase_desc="Freight",
                expense_account=rq.Ref.named("Freight Expense"),
            ),
        ),
        rq.ItemQuery(list_ids=("80000003-1709251202",), owner_ids=("0",)),
        rq.PayrollItemWageQuery(active_status="All"),
        rq.InvoiceAdd(
            customer=rq.Ref.named("Acme Widgets:Job 1001"),
            txn_date=date(2024, 3, 1),
            ref_number="1001",
            bill_address=ADDR,
            ship_address=ADDR,
            po_number="PO-5566",
            terms=rq.Ref.named("Net 30"),
            due_date=date(2024, 3, 31),
            fob="Springfield",
            ship_date=date(2024, 3, 1),
            ship_method=rq.Ref.named("UPS"),
            item_sales_tax=rq.Ref.named("IL State"),
            memo="Job 1001",
            is_to_be_printed=True,
            external_guid=GUID,
            lines=tuple(
                rq.InvoiceLine(
                    item=rq.Ref.named("WIDGET-BLUE"),
                    desc=f"Line {n}",
                    quantity=D(n),
                    rate=D("12.75"),
                    amount=D("12.75") * n,
                    sales_tax_code=rq.Ref.named("Tax"),
                )
                for n in range(1, 4)
            )
            + (rq.InvoiceLine(desc="Thank you"),),
        ),
        rq.InvoiceQuery(
            entity=rq.EntityFilter(full_names=("Acme Widgets",)),
            ref_number_from="1001",
            ref_number_to="1001",
            include_line_items=True,
            iterator="Continue",
            iterator_id="{eb05f701-e727-472f-8ade-6753c4f0a5db}",
        ),
        rq.BillAdd(
            vendor=rq.Ref.named("Steel Supply Co"),
            vendor_address=ADDR,
            txn_date=date(2024, 3, 2),
            due_date=date(2024, 4, 1),
            ref_number="INV-99812",
            memo="PO 7788",
            external_guid=GUID,
            expense_lines=(
                rq.ExpenseLine(account=rq.Ref.named("Freight Expense"), amount=D("45.10"), memo="freight"),
            ),
            item_lines=(
                rq.ItemLine(
                    item=rq.Ref.named("WIDGET-BLUE"),
                    quantity=D("100"),
                    cost=D("4.12345"),
                    customer=rq.Ref.named("Acme Widgets"),
                    billable_status="Billable",
                ),
            ),
        ),
        rq.BillQuery(from_txn_date=date(2024, 1, 1), to_txn_date=date(2024, 3, 31), paid_status="All"),
        rq.CreditMemoAdd(
            customer=rq.Ref.named("Acme Widgets"),
            txn_date=date(2024, 3, 5),
            ref_number="CM-1001",
            po_number="PO-5566",
            item_sales_tax=rq.Ref.named("IL State"),
            memo="Returned widgets",
            exchange_rate=D("1.25"),
            external_guid=GUID,
            lines=(rq.InvoiceLine(item=rq.Ref.named("WIDGET-BLUE"), desc="Returned", quantity=D(2),
                                  rate=D("12.75"), amount=D("25.50"), sales_tax_code=rq.Ref.named("Tax")),
                   rq.InvoiceLine(desc="Credit")),
        ),
        rq.CreditMemoQuery(entity=rq.EntityFilter(full_names=("Acme Widgets",)),
                           ref_number_from="CM-1001", ref_number_to="CM-1001"),
        rq.VendorCreditAdd(
            vendor=rq.Ref.named("Steel Supply Co"),
            txn_date=date(2024, 3, 6),
            ref_number="CR-99812",
            memo="Short shipment",
            sales_tax_code=rq.Ref.named("G"),
            external_guid=GUID,
            expense_lines=(rq.ExpenseLine(account=rq.Ref.named("Freight Expense"), amount=D("10.00")),),
            item_lines=(rq.ItemLine(item=rq.Ref.named("WIDGET-BLUE"), quantity=D("5"), cost=D("4.12")),),
        ),
        rq.VendorCreditQuery(from_txn_date=date(2024, 1, 1), to_txn_date=date(2024, 3, 31)),
        rq.TimeTrackingAdd(
            entity=rq.Ref.named("John Q Smith"),
            duration=D("8.5"),
            txn_date=date(2024, 3, 4),
            customer=rq.Ref.named("Acme Widgets:Job 1001"),
            item_service=rq.Ref.named("Machining Hour"),
            payroll_item_wage=rq.Ref.named("Hourly Rate"),
            notes="Op 20 milling",
            billable_status="NotBillable",
            external_guid=GUID,
        ),
        rq.TimeTrackingQuery(
            from_txn_date=date(2024, 3, 1),
            to_txn_date=date(2024, 3, 7),
            entity=rq.EntityFilter(full_names=("John Q Smith",)),
        ),
        rq.TimeTrackingAdd(
            entity=rq.Ref.by_id("80000005-1709251204"), duration=timedelta(hours=1, minutes=15)
        ),
    ]
