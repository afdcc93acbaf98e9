"""The demo database: the ``demo-db`` command, determinism, the E2 types, the sizes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from click.testing import CliRunner

from qbwc_service.cli import main
from qbwc_service.jobboss.demo_db import create_demo_database


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
