"""The demo database: the ``demo-db`` command, determinism, the E2 types, the sizes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from click.testing import CliRunner

from qbwc_service.cli import main
from qbwc_service.simulator.demo_db import create_demo_database


def dump(
    path: Path, tables=("Billing", "BillingDet", "VendorInv", "Attend", "AttendDet", "CustCode")
) -> list:
    with sqlite3.connect(path) as conn:
        return [conn.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables]


def test_demo_db_command(tmp_path):
    target = tmp_path / "jb.sqlite3"
    result = CliRunner().invoke(
        main, ["demo-db", str(target), "--seed", "5", "--scale", "1", "--anchor", "2026-01-31"]
    )
    assert result.exit_code == 0, result.output
    assert "Billing 1,000" in result.output
    assert dump(target) == dump(
        create_demo_database(
            tmp_path / "again.sqlite3", seed=5, anchor=__import__("datetime").date(2026, 1, 31)
        )
    )
    assert dump(target) != dump(
        create_demo_database(
            tmp_path / "other.sqlite3", seed=6, anchor=__import__("datetime").date(2026, 1, 31)
        )
    )
    rerun = CliRunner().invoke(main, ["demo-db", str(target), "--anchor", "2026-01-31"])
    assert rerun.exit_code == 0  # an existing demo database is replaced


def test_demo_db_refuses_to_overwrite_other_files(tmp_path):
    precious = tmp_path / "notes.txt"
    precious.write_text("keep me", encoding="utf-8")
    result = CliRunner().invoke(main, ["demo-db", str(precious)])
    assert result.exit_code != 0 and precious.read_text(encoding="utf-8") == "keep me"
    assert (
        CliRunner().invoke(main, ["demo-db", str(tmp_path / "x.sqlite3"), "--anchor", "31/01/2026"]).exit_code
        == 2
    )
    assert CliRunner().invoke(main, ["demo-db", str(tmp_path / "x.sqlite3"), "--scale", "0"]).exit_code == 2


def test_demo_contents_and_types(demo_path):
    with sqlite3.connect(demo_path) as conn:

        def count(sql):
            return conn.execute(sql).fetchone()[0]

        assert count("SELECT COUNT(*) FROM CustCode") == 50
        assert count("SELECT COUNT(*) FROM VendCode") == 30
        assert count("SELECT COUNT(*) FROM EmplCode") == 20
        assert count("SELECT COUNT(*) FROM Estim") == 200
        assert count("SELECT COUNT(*) FROM Billing") == 1000
        assert count("SELECT COUNT(*) FROM VendorInv") == 300
        assert count("SELECT COUNT(*) FROM Receiver") == 300
        assert count("SELECT COUNT(*) FROM DelTicket") > 1000  # recent packing lists not billed yet
        per_invoice = conn.execute(
            "SELECT MIN(n), MAX(n) FROM (SELECT COUNT(*) n FROM BillingDet GROUP BY InvoiceNo)"
        ).fetchone()
        assert per_invoice == (1, 10)
        span = conn.execute("SELECT MIN(date(InvDate)), MAX(date(InvDate)) FROM Billing").fetchone()
        assert span[0] >= "2025-08-01" and span[1] <= "2026-01-31"
        att = conn.execute("SELECT MIN(TicketDate), COUNT(DISTINCT TicketDate) FROM Attend").fetchone()
        assert len(att[0]) == 10 and att[0][2] == "/" and 55 <= att[1] <= 66  # ~3 months of weekdays
        assert count("SELECT COUNT(*) FROM Billing WHERE Exported = 'Y'") > 0
        assert count("SELECT COUNT(*) FROM TimeTicket") > 0
        types = {r[1]: r[2] for r in conn.execute('PRAGMA table_info("Billing")')}
        assert types["Exported"] == "CHAR(1)" and types["InvoiceTotal"] == "FLOAT"
        assert types["Billing_ID"] == "INTEGER" and types["InvDate"] == "DATETIME"
        att_types = {r[1]: r[2] for r in conn.execute('PRAGMA table_info("AttendDet")')}
        assert att_types["ActClockInTime"] == "CHAR(5)" and att_types["ActClockInDate"] == "CHAR(8)"


#: Column types as JobBOSS2's SQL Server declares them (the E2 reference): ``cN`` is ``char(N)``.
DOCUMENTED_TYPES = {
    "Billing": "InvoiceNo c30, CustCode c12, CustDesc c30, InvDate datetime, TermsCode c12, TaxCode c12, "
    "SalesTaxChgs float, ShippingChgs float, FreightAcct c12, ARAcct c12, TaxAcct c12, InvoiceTotal float, "
    "AmtPaidSoFar float, PymtStatus c1, PymtDate datetime, NetDueDate datetime, DelTicketNo c12, "
    "ShipToName c30, SAddr1 c50, SAddr2 c50, SCity c50, SSt c2, SZip c10, Country c30, ShipVia c30, "
    "SalesID c12, Notes text, InvPosted c1, Exported c1, Billing_ID int",
    "BillingDet": "InvItemNo smallint, PartNo c50, PartDesc text, JobNo c16, QtyOrd int, QtyShipped int, "
    "QtyCancel int, Unit c3, UnitPrice float, LineTotal float, SalesAcct c12, TaxStatus c1, IsTaxable bit, "
    "PONum c30",
    "DelTicket": "DelTicketNo c12, OrderNo c12, CustCode c12, CustPONum c30, ShipDate datetime, Status c1, "
    "ShippingChgs float, FreightCharge float, HandlingChg float, Exported c1, DelTicket_ID int",
    "DelTicketDet": "DTItemNo smallint, JobNo c16, PartNo c50, Qty2Ship int, Qty2Stock int, "
    "QtyFromStock int, Unit c3",
    "VendorInv": "InvoiceNo c30, VendDesc c30, ReceiverNo c12, APAcct c12, PymtStatus c1, CheckNo c16, "
    "HoldPymt c1, Notes text, Exported c1, VendorInv_ID int",
    "VendorInvDet": "GLAcct c12, Amount float, TaxStatus c1",
    "Receiver": "ReceiverNo c12, PONum c12, VendCode c12, PackingSlipNo c30, ReceiveDate datetime, "
    "Status c1, ShippingChgs float, Billed c1, Receiver_ID int",
    "ReceiverDet": "PartNo c50, Qty2Receive float, Qty2Stock float, Qty2Reject float, Qty2Cancel float, "
    "Unit c3",
    "Attend": "EmplCode smallint, EmplName c30, TicketDate c10, SearchDate smallint, Exported c1, "
    "Attend_ID int",
    "AttendDet": "AttendCode smallint, ActClockInDate c8, ActClockInTime c5, TotActTime float, "
    "TotAdjTime float, PayRateCode smallint, PayrollRate float, OverTime c1, Holiday c1, Comments text",
    "CustCode": "CustCode c12, CustName c30, QBCustCode c41, Active c1",
    "VendCode": "VendCode c12, VendName c30, QBVendCode c41, Ten99 c1, Active c1",
    "EmplCode": "EmplCode smallint, EmplName c30, Active c1",
    "Estim": "PartNo c50, Descrip text, IsTaxable bit, Active c1",
    "GLAccounts": "GLAcctNum c12, Descrip c30, Active c1",
}
SQL_SERVER_TYPE = {"int": "INTEGER", "smallint": "SMALLINT", "float": "FLOAT", "datetime": "DATETIME",
                   "text": "TEXT", "bit": "BIT"}


def test_schema_declares_the_documented_sql_server_types():
    from sqlalchemy.dialects import mssql

    from qbwc_service.jobboss.schema import metadata

    dialect = mssql.dialect()
    wrong = []
    for table, spec in DOCUMENTED_TYPES.items():
        columns = [*(item.split() for item in spec.split(", ")), ["LastModDate", "datetime"],
                   ["LastModUser", "c12"]]
        for name, doc in columns:
            want = f"CHAR({doc[1:]})" if doc.startswith("c") else SQL_SERVER_TYPE[doc]
            got = metadata.tables[table].c[name].type.compile(dialect=dialect)
            if got != want:
                wrong.append(f"{table}.{name}: {got} (documented {want})")
    assert wrong == []


def test_demo_db_unwritable_place_is_a_clear_error():
    result = CliRunner().invoke(main, ["demo-db", "/proc/demo-db-test.sqlite3"])
    assert result.exit_code == 1 and not isinstance(result.exception, OSError)
    assert "cannot write /proc/demo-db-test.sqlite3" in result.output
