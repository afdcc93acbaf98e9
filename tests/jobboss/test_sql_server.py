"""SQL Server reality: every query compiles for SQL Server 2012+, and the reader runs through pyodbc."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import event
from sqlalchemy.dialects import mssql
from sqlalchemy.sql import ClauseElement

from qbwc_service.jobboss.reader import ALL, JobBossReader, TxnFilter
from qbwc_service.jobboss.writeback import JobBossWriter

from .odbc_sqlite import odbc_missing_reason, sqlite_odbc_engine


def sql_server_2012() -> mssql.dialect:
    dialect = mssql.dialect()
    dialect.server_version_info = (11, 0, 2100)
    dialect._setup_version_attributes()
    return dialect


def exercise(reader: JobBossReader, writer: JobBossWriter | None = None) -> None:
    """Call every reader (and writer) method once, with every filter."""
    flt = TxnFilter(
        date_from=date(2025, 12, 1), date_to=date(2026, 1, 31), changed_since=datetime(2025, 1, 1)
    )
    for method in ("ar_invoices", "packing_list_invoices", "ap_invoices", "receiver_bills", "attendance"):
        for f in (ALL, TxnFilter(), flt):
            for _ in zip(range(3), getattr(reader, method)(f), strict=False):
                pass
    for method in ("customers", "vendors", "employees", "parts"):
        list(getattr(reader, method)())
        list(getattr(reader, method)(changed_since=datetime(2025, 1, 1)))
    reader.customer("ACME"), reader.vendor("STEELCO"), reader.employee(1), reader.part("ENG-HOUR")
    list(reader.terms()), list(reader.gl_accounts()), list(reader.tax_codes()), reader.company_defaults()
    reader.ar_invoice("INV-100001"), reader.packing_list_invoice("DT300001")
    reader.ap_invoice("STEELCO", "8841"), reader.receiver_bill("R500001")
    reader.attendance_day(1, date(2026, 1, 12))
    if writer is not None:
        writer.mark_exported("Billing", "INV-100001")
        writer.mark_exported("Attend", "Attend:1/2026-01-12")
        writer.mark_paid("VendorInv", "VendorInv:STEELCO/8841", date(2026, 1, 20), "P")
        writer.set_begin(date(2025, 9, 1))


def test_every_query_compiles_for_sql_server_2012(demo_copy):
    reader = JobBossReader(demo_copy, chunk_size=50)
    writer = JobBossWriter(demo_copy)
    statements: list[ClauseElement] = []

    def capture(conn, clauseelement, multiparams, params, execution_options):  # noqa: ANN001, ANN202
        statements.append(clauseelement)

    for engine in (reader.engine, writer.engine):
        event.listen(engine, "before_execute", capture)
    exercise(reader, writer)
    dialect = sql_server_2012()
    compiled = [str(stmt.compile(dialect=dialect)) for stmt in statements if isinstance(stmt, ClauseElement)]
    selects = [sql for sql in compiled if sql.lstrip().startswith("SELECT")]
    assert len(selects) > 40
    assert any(sql.startswith("UPDATE") for sql in compiled)
    for sql in compiled:
        assert not re.search(r"\bLIMIT\b", sql), sql
        assert "OFFSET" not in sql  # keyset paging: never OFFSET scans
    paged = [sql for sql in selects if "ORDER BY" in sql and re.search(r"_ID\] > |_ID > ", sql)]
    assert paged and all(re.match(r"SELECT TOP ", sql) for sql in paged)
    # Correlated price/cost lookups take TOP 1 too (a subquery ORDER BY needs TOP on SQL Server).
    assert any("(SELECT TOP __[POSTCOMPILE" in sql and "[OrderDet]" in sql for sql in selects)
    assert any("[PODet]" in sql and "(SELECT TOP" in sql for sql in selects)
    # Line reads are one IN (...) per chunk of headers, never one query per header.
    line_reads = [sql for sql in selects if "FROM [BillingDet] JOIN [Billing]" in sql]
    assert line_reads and all("IN (__[POSTCOMPILE" in sql for sql in line_reads)


def test_lines_are_read_per_chunk_not_per_header(demo_path):
    reader = JobBossReader(demo_path, chunk_size=100)
    statements: list[str] = []
    event.listen(
        reader.engine,
        "before_cursor_execute",
        lambda conn, cursor, statement, *args: statements.append(statement),
    )
    count = sum(1 for _ in reader.ar_invoices(ALL))
    assert count == 1000
    assert len(statements) <= 2 * (1000 // 100 + 1)


odbc_reason = odbc_missing_reason()


@pytest.mark.odbc
@pytest.mark.skipif(odbc_reason is not None, reason=odbc_reason or "")
def test_reader_through_pyodbc_and_unixodbc(demo_copy, demo_path):
    engine = sqlite_odbc_engine(demo_copy)
    assert engine.dialect.dbapi.__getattr__("version")  # pyodbc's, not sqlite3's
    through_odbc = JobBossReader(engine, chunk_size=97)
    direct = JobBossReader(demo_path)
    for method in ("ar_invoices", "packing_list_invoices", "ap_invoices", "receiver_bills", "attendance"):
        assert list(getattr(through_odbc, method)(ALL)) == list(getattr(direct, method)(ALL)), method
    flt = TxnFilter(date_from=date(2025, 12, 1), date_to=date(2025, 12, 31))
    assert list(through_odbc.ar_invoices(flt)) == list(direct.ar_invoices(flt))
    for method in ("customers", "vendors", "employees", "parts", "terms", "gl_accounts", "tax_codes"):
        assert list(getattr(through_odbc, method)()) == list(getattr(direct, method)()), method
    assert through_odbc.company_defaults() == direct.company_defaults()
    writer = JobBossWriter(engine)
    key = next(through_odbc.ar_invoices()).key
    assert writer.mark_exported("Billing", key) is True
    assert writer.mark_exported("Billing", key) is False
    assert through_odbc.get(key).exported
    engine.dispose()
