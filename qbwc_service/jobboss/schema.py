"""The E2 tables of JobBOSS2 the sync reads and writes, as SQLAlchemy Core tables.

Names and types follow JobBOSS2's SQL Server database: an identity key
``<Table>_ID``, ``LastModDate`` / ``LastModUser`` on every table, ``char(1)``
Y/N flags, ``float`` money, dates kept as text on attendance. Only the
columns the sync needs are declared (plus a few neighbours for realism).

The demo database (:mod:`qbwc_service.simulator.demo_db`) is created from
:data:`metadata`; the reader takes each column's *type* from here and its
*name* from the table layout (:mod:`.layout`), so a site whose columns are
named differently still reads typed values.
"""

from __future__ import annotations

from sqlalchemy import (
    CHAR,
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)
from sqlalchemy.types import TypeEngine

metadata = MetaData()


def c(n: int) -> CHAR:
    """``char(n)``: codes, flags, and every column the E2 reference gives as ``cN`` (names too)."""
    return CHAR(n)


def vc(n: int) -> String:
    """``varchar(n)``: the columns the E2 reference leaves untyped (phones, remit/bill-to lines)."""
    return String(n)


def _table(name: str, *columns: Column) -> Table:
    """An E2 table: the given columns plus ``<name>_ID``, ``LastModDate``, ``LastModUser``."""
    return Table(
        name, metadata,
        Column(f"{name}_ID", Integer, primary_key=True, autoincrement=True),
        *columns,
        Column("LastModDate", DateTime),
        Column("LastModUser", c(12)),
    )


def _col(name: str, type_: TypeEngine | type[TypeEngine], **kw: object) -> Column:
    return Column(name, type_, **kw)  # type: ignore[arg-type]


YN = c(1)
MONEY = Float

# ----------------------------------------------------------------- AR: invoices, packing lists, orders

billing = _table(
    "Billing",
    _col("InvoiceNo", c(30), unique=True, nullable=False), _col("CustCode", c(12)),
    _col("CustDesc", c(30)), _col("InvDate", DateTime), _col("TermsCode", c(12)),
    _col("TaxCode", c(12)), _col("SalesTaxChgs", MONEY), _col("ShippingChgs", MONEY),
    _col("FreightAcct", c(12)), _col("ARAcct", c(12)), _col("TaxAcct", c(12)),
    _col("InvoiceTotal", MONEY), _col("AmtPaidSoFar", MONEY), _col("PymtStatus", c(1)),
    _col("PymtDate", DateTime), _col("NetDueDate", DateTime), _col("DiscDate", DateTime),
    _col("CashDiscAmt", MONEY), _col("DelTicketNo", c(12)), _col("ShipToName", c(30)),
    _col("SAddr1", c(50)), _col("SAddr2", c(50)), _col("SCity", c(50)), _col("SSt", c(2)),
    _col("SZip", c(10)), _col("Country", c(30)), _col("ShipVia", c(30)), _col("SalesID", c(12)),
    _col("CurrencyCode", c(3)), _col("ExchRate", Float),
    _col("Notes", Text), _col("InvPosted", YN), _col("Exported", YN),
)

billing_det = _table(
    "BillingDet",
    _col("InvoiceNo", c(30), index=True), _col("InvItemNo", SmallInteger), _col("PartNo", c(50)),
    _col("PartDesc", Text), _col("Revision", c(8)), _col("JobNo", c(16)), _col("QtyOrd", Integer),
    _col("QtyShipped", Integer), _col("QtyCancel", Integer), _col("Unit", c(3)),
    _col("UnitPrice", MONEY), _col("DiscPct", Float), _col("LineTotal", MONEY),
    _col("SalesAcct", c(12)), _col("TaxStatus", c(1)), _col("IsTaxable", Boolean),
    _col("PONum", c(30)), _col("DelTicketNo", c(12)), _col("DelTicketDate", DateTime),
    _col("ProdCode", c(12)), _col("WorkCode", c(12)),
)

del_ticket = _table(
    "DelTicket",
    _col("DelTicketNo", c(12), unique=True, nullable=False), _col("OrderNo", c(12)),
    _col("CustCode", c(12)), _col("CustPONum", c(30)), _col("ShipDate", DateTime),
    _col("Status", c(1)), _col("ShippingChgs", MONEY), _col("FreightCharge", MONEY),
    _col("HandlingChg", MONEY), _col("ShipToName", c(30)), _col("ShipAddr1", vc(50)),
    _col("ShipAddr2", vc(50)), _col("ShipCity", vc(50)), _col("ShipSt", c(2)), _col("ShipZIP", c(10)),
    _col("Country", c(30)), _col("ShipVia", c(30)), _col("Comments", Text), _col("Exported", YN),
)

del_ticket_det = _table(
    "DelTicketDet",
    _col("DelTicketNo", c(12), index=True), _col("DTItemNo", SmallInteger), _col("JobNo", c(16)),
    _col("PartNo", c(50)), _col("PartDesc", Text), _col("Qty2Ship", Integer),
    _col("Qty2Stock", Integer), _col("QtyFromStock", Integer), _col("Unit", c(3)),
    _col("CustPONum", c(30)), _col("IsTaxable", Boolean),
)

orders = _table(
    "Orders",
    _col("OrderNo", c(12), unique=True), _col("CustCode", c(12)), _col("CustDesc", c(30)),
    _col("PONum", c(30)), _col("DateEnt", DateTime), _col("TermsCode", c(12)),
    _col("Status", c(1)),
)

order_det = _table(
    "OrderDet",
    _col("OrderNo", c(12), index=True), _col("ItemNo", SmallInteger), _col("JobNo", c(16), index=True),
    _col("PartNo", c(50)), _col("PartDesc", Text), _col("QtyOrdered", Integer),
    _col("UnitPrice", MONEY), _col("Unit", c(3)), _col("DueDate", DateTime), _col("Status", c(1)),
)

# ----------------------------------------------------------------- AP: vendor invoices, receivers, POs

vendor_inv = _table(
    "VendorInv",
    _col("VendCode", c(12), nullable=False), _col("InvoiceNo", c(30), nullable=False),
    _col("VendDesc", c(30)), _col("InvDate", DateTime), _col("ReceiverNo", c(12)),
    _col("TermsCode", c(12)), _col("NetDueDate", DateTime), _col("DiscDate", DateTime),
    _col("InvoiceTotal", MONEY), _col("AmtPaidSoFar", MONEY), _col("APAcct", c(12)),
    _col("FreightAcct", c(12)), _col("ShippingChgs", MONEY), _col("SalesTaxCode", c(12)),
    _col("SalesTaxChgs", MONEY), _col("SalesTaxAcct", c(12)), _col("PymtStatus", c(1)),
    _col("PymtDate", DateTime), _col("CheckNo", c(16)), _col("HoldPymt", YN), _col("Notes", Text),
    _col("Exported", YN),
)

vendor_inv_det = _table(
    "VendorInvDet",
    _col("VendCode", c(12)), _col("InvoiceNo", c(30)), _col("GLAcct", c(12)), _col("Amount", MONEY),
    _col("TaxStatus", c(1)),
)

vendor_inv_pos = _table(
    "VendorInvPOs",
    _col("VendCode", c(12)), _col("InvoiceNo", c(30)), _col("PONum", c(12)), _col("POAmt", MONEY),
)

receiver = _table(
    "Receiver",
    _col("ReceiverNo", c(12), unique=True, nullable=False), _col("PONum", c(12)),
    _col("VendCode", c(12)), _col("PackingSlipNo", c(30)), _col("ReceiveDate", DateTime),
    _col("Status", c(1)), _col("ShippingChgs", MONEY), _col("Billed", YN),
)

receiver_det = _table(
    "ReceiverDet",
    _col("ReceiverNo", c(12), index=True), _col("PONum", c(12)), _col("PartNo", c(50)),
    _col("PartDesc", Text), _col("JobNo", c(16)), _col("StepNo", SmallInteger),
    _col("Qty2Receive", Float), _col("Qty2Stock", Float), _col("Qty2Reject", Float),
    _col("Qty2Cancel", Float), _col("Unit", c(3)),
)

po_det = _table(
    "PODet",
    _col("PONum", c(12), index=True), _col("ItemNo", SmallInteger), _col("VendCode", c(12)),
    _col("PartNo", c(50)), _col("PartDesc", Text), _col("JobNo", c(16)), _col("QtyOrdered", Float),
    _col("UnitCost", MONEY), _col("GLCode", c(12)), _col("Unit", c(3)), _col("DueDate", DateTime),
)

# ----------------------------------------------------------------- time and attendance

attend = _table(
    "Attend",
    _col("EmplCode", SmallInteger, nullable=False), _col("EmplName", c(30)),
    _col("TicketDate", c(10), nullable=False), _col("SearchDate", SmallInteger),
    _col("Exported", YN),
)

attend_det = _table(
    "AttendDet",
    _col("EmplCode", SmallInteger, index=True), _col("TicketDate", c(10)),
    _col("AttendCode", SmallInteger), _col("ActClockInDate", c(8)), _col("ActClockInTime", c(5)),
    _col("ActClockOutDate", c(8)), _col("ActClockOutTime", c(5)), _col("AdjClockInDate", c(8)),
    _col("AdjClockInTime", c(5)), _col("AdjClockOutDate", c(8)), _col("AdjClockOutTime", c(5)),
    _col("TotActTime", Float), _col("TotAdjTime", Float), _col("PayRateCode", SmallInteger),
    _col("PayrollRate", Float), _col("OverTime", YN), _col("Holiday", YN), _col("Shift", SmallInteger),
    _col("GLAcct", c(12)), _col("Comments", Text),
)

attendance_codes = _table(
    "AttendanceCodes",
    _col("AttendCode", SmallInteger, unique=True), _col("Descrip", c(30)), _col("ShortName", c(12)),
    _col("Clockable", YN), _col("GLAcct", c(12)),
)

# Job time tickets: present in every JobBOSS2 database, never read by the sync.
time_ticket = _table(
    "TimeTicket",
    _col("EmplCode", SmallInteger), _col("TicketDate", DateTime), _col("Exported", YN),
)

time_ticket_det = _table(
    "TimeTicketDet",
    _col("EmplCode", SmallInteger), _col("TicketDate", DateTime), _col("JobNo", c(16)),
    _col("StepNo", SmallInteger), _col("CycleTime", Float), _col("PayRateCode", SmallInteger),
)

# ----------------------------------------------------------------- lists

cust_code = _table(
    "CustCode",
    _col("CustCode", c(12), unique=True, nullable=False), _col("CustName", c(30)),
    _col("QBCustCode", c(41)), _col("TermsCode", c(12)), _col("TaxCode", c(12)),
    _col("SalesID", c(12)), _col("CurrencyCode", c(3)), _col("BAddr1", vc(50)), _col("BAddr2", vc(50)),
    _col("BCity", vc(50)), _col("BState", c(2)), _col("BZIPCode", c(10)), _col("BCountry", vc(30)),
    _col("Phone", vc(20)), _col("FAX", vc(20)), _col("Contact1", vc(30)), _col("APContact", vc(30)),
    _col("Active", YN),
)

ship_to = _table(
    "ShipTo",
    _col("CustCode", c(12), index=True), _col("ShipToName", c(30)), _col("SAddr1", c(50)),
    _col("SAddr2", c(50)), _col("SCity", c(50)), _col("SSt", c(2)), _col("SZip", c(10)),
    _col("Country", c(30)),
)

vend_code = _table(
    "VendCode",
    _col("VendCode", c(12), unique=True, nullable=False), _col("VendName", c(30)),
    _col("QBVendCode", c(41)), _col("TermsCode", c(12)), _col("VendType", c(12)),
    _col("RAddr1", vc(50)), _col("RAddr2", vc(50)), _col("RCity", vc(50)), _col("RState", c(2)),
    _col("RZipCode", c(10)), _col("RCountry", vc(30)), _col("Phone", vc(20)), _col("FAX", vc(20)),
    _col("VendAcctNum", vc(30)), _col("Ten99", YN), _col("FedIDNum", vc(20)), _col("GLAcct1", c(12)),
    _col("Active", YN),
)

empl_code = _table(
    "EmplCode",
    _col("EmplCode", SmallInteger, unique=True, nullable=False), _col("EmplName", c(30)),
    _col("EmplShortName", c(12)), _col("Addr1", vc(50)), _col("City", vc(50)), _col("State", c(2)),
    _col("ZIPCode", c(10)), _col("Phone", vc(20)), _col("HireDate", DateTime), _col("DeptNum", c(12)),
    _col("DefPayrollRate", Float),
    *(_col(f"Rate{i}", Float) for i in range(1, 11)),
    _col("Active", YN),
)

estim = _table(
    "Estim",
    _col("PartNo", c(50), unique=True, nullable=False), _col("Descrip", Text), _col("Revision", c(8)),
    _col("ProdCode", c(12)), _col("GLCode", c(12)), _col("PurchGLCode", c(12)), _col("Price1", MONEY),
    _col("StockingCost", MONEY), _col("StockUnit", c(3)), _col("PricingUnit", c(3)),
    _col("IsTaxable", Boolean), _col("Active", YN),
)

terms = _table(
    "Terms",
    _col("TermsCode", c(12), unique=True, nullable=False), _col("Descrip", c(30)),
    _col("DiscPerc", Float), _col("DiscDays", SmallInteger), _col("NetDueDays", SmallInteger),
    _col("Method", c(1)),
)

gl_accounts = _table(
    "GLAccounts",
    _col("GLAcctNum", c(12), unique=True, nullable=False), _col("Descrip", c(30)),
    _col("AcctCode", c(12)), _col("Active", YN),
)

tax_code = _table(
    "TaxCode",
    _col("TaxCode", c(12), unique=True, nullable=False), _col("Descrip", c(30)),
    _col("TaxFactor", Float), _col("TaxAcct", c(12)), _col("Active", YN),
)

prod_code = _table(
    "ProdCode",
    _col("ProdCode", c(12), unique=True), _col("Descrip", c(30)), _col("SalesAcct", c(12)),
    _col("ARAcct", c(12)), _col("FreightAcct", c(12)),
)

company = _table(
    "Company",
    _col("CompanyName", vc(50)), _col("AR", c(12)), _col("AP", c(12)), _col("Freight", c(12)),
    _col("SalesTax", c(12)),
    *(_col(f"Payroll{i}", vc(31)) for i in range(1, 11)),
    _col("DefaultQBItemType", c(1)),
)
