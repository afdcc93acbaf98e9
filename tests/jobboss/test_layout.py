"""The configurable mapping: overrides, extra filters, and the missing-column check."""

from __future__ import annotations

import sqlite3

import pytest

from qbwc_service.jobboss.layout import (
    JobBossLayout,
    LayoutError,
    SchemaMismatch,
    check_schema,
    load_layout,
)
from qbwc_service.jobboss.reader import ALL, JobBossReader
from qbwc_service.jobboss.writeback import JobBossWriter


def test_demo_database_matches_the_default_mapping(demo_path):
    check_schema(JobBossReader(demo_path, check=False).engine)


def test_missing_check_lists_every_missing_table_and_column(demo_copy):
    with sqlite3.connect(demo_copy) as conn:
        conn.execute("ALTER TABLE Billing DROP COLUMN Exported")
        conn.execute("ALTER TABLE Billing DROP COLUMN ShipVia")
        conn.execute("ALTER TABLE AttendDet DROP COLUMN ActClockInTime")
        conn.execute('DROP TABLE "PODet"')
    with pytest.raises(SchemaMismatch) as info:
        JobBossReader(demo_copy)
    assert info.value.missing == [
        "Billing.ShipVia",
        "Billing.Exported",
        "PODet (table)",
        "AttendDet.ActClockInTime",
    ]
    for name in info.value.missing:
        assert name in str(info.value)


def test_renamed_table_and_columns_read_the_same(demo_path, demo_copy):
    with sqlite3.connect(demo_copy) as conn:
        conn.execute('ALTER TABLE "Billing" RENAME TO "Billing2"')
        conn.execute('ALTER TABLE "Billing2" RENAME COLUMN "Exported" TO "ExportedToQB"')
        conn.execute('ALTER TABLE "Billing2" RENAME COLUMN "Billing_ID" TO "BillingKey"')
        conn.execute('ALTER TABLE "CustCode" DROP COLUMN "FAX"')
    mapping = {
        "Billing": {"table": "Billing2", "columns": {"Exported": "ExportedToQB", "_ID": "BillingKey"}},
        "CustCode": {"columns": {"FAX": ""}},
    }
    renamed = JobBossReader(demo_copy, layout=mapping)
    original = JobBossReader(demo_path)
    assert list(renamed.ar_invoices()) == list(original.ar_invoices())
    assert all(c.fax is None for c in renamed.customers())
    writer = JobBossWriter(demo_copy, layout=mapping)
    first = next(renamed.ar_invoices())
    assert writer.mark_exported("Billing", first.key)
    with sqlite3.connect(demo_copy) as conn:
        assert conn.execute(
            "SELECT ExportedToQB FROM Billing2 WHERE InvoiceNo = ?", (first.invoice_no,)
        ).fetchone() == ("Y",)


def test_extra_where_filter_per_entity(demo_path, tmp_path):
    path = tmp_path / "mapping.toml"
    path.write_text(
        "[Billing]\nwhere = \"CustCode = 'ACME'\"\n\n[CustCode]\nwhere = \"Active = 'N'\"\n", encoding="utf-8"
    )
    reader = JobBossReader(demo_path, layout=str(path))
    invoices = list(reader.ar_invoices(ALL))
    assert invoices and {i.cust_code for i in invoices} == {"ACME"}
    assert [c.cust_code for c in reader.customers()] == ["DEFUNCT"]


def test_receiver_exported_column_can_be_mapped(demo_copy):
    with sqlite3.connect(demo_copy) as conn:
        conn.execute('ALTER TABLE "Receiver" ADD COLUMN "QBExported" CHAR(1)')
        conn.execute("UPDATE Receiver SET QBExported = 'Y' WHERE ReceiverNo = 'R500001'")
    mapping = {"Receiver": {"columns": {"Exported": "QBExported"}}}
    reader = JobBossReader(demo_copy, layout=mapping)
    keys = {r.key for r in reader.receiver_bills()}
    assert "Receiver:R500001" not in keys and "Receiver:R500002" in keys
    assert JobBossWriter(demo_copy, layout=mapping).mark_exported("Receiver", "R500002")
    assert "Receiver:R500002" not in {r.key for r in reader.receiver_bills()}


@pytest.mark.parametrize(
    "raw, message",
    [
        ({"Invoices": {}}, "unknown entity"),
        ({"Billing": {"columns": {"Nope": "X"}}}, "unknown column"),
        ({"Billing": {"columns": {"InvoiceNo": ""}}}, "required"),
        ({"Billing": {"tabel": "X"}}, "unknown option"),
        ({"Billing": {"where": 3}}, "where"),
        ({"schema": 1}, "schema"),
    ],
)
def test_bad_mappings_are_refused(raw, message):
    with pytest.raises(LayoutError, match=message):
        JobBossLayout.from_dict(raw)


def test_load_mapping_sources(tmp_path):
    assert load_layout(None) == JobBossLayout.default()
    assert load_layout("") == JobBossLayout.default()
    bad = tmp_path / "bad.toml"
    bad.write_text("[Billing\n", encoding="utf-8")
    with pytest.raises(LayoutError):
        load_layout(bad)
    assert load_layout({"schema": "dbo"}).table("Billing").schema == "dbo"


def test_mapping_from_config(tmp_path):
    from qbwc_service.config import from_mapping
    from qbwc_service.jobboss.layout import layout_from_config

    (tmp_path / "site.toml").write_text('[Billing]\ntable = "Invoices"\n', encoding="utf-8")
    config = from_mapping({"jobboss": {"mapping_file": "site.toml"}}, tmp_path / "qbwc-service.toml")
    assert layout_from_config(config)["Billing"].table == "Invoices"
    assert layout_from_config(from_mapping({}, tmp_path / "x.toml")) == JobBossLayout.default()


def test_extra_where_filter_on_a_lines_table(demo_path):
    """A filter on a lines table drops those lines; its unqualified names mean that table's columns."""
    mapping = {"BillingDet": {"where": "InvoiceNo IS NOT NULL AND QtyShipped <> 0"}}
    filtered = {i.key: i for i in JobBossReader(demo_path, layout=mapping).ar_invoices(ALL)}
    original = {i.key: i for i in JobBossReader(demo_path).ar_invoices(ALL)}
    assert filtered.keys() == original.keys()
    assert any(ln.quantity == 0 for i in original.values() for ln in i.lines)
    for key, inv in original.items():
        assert filtered[key].lines == tuple(ln for ln in inv.lines if ln.quantity != 0)


def test_an_entity_may_be_mapped_to_a_view(demo_path, demo_copy):
    with sqlite3.connect(demo_copy) as conn:
        conn.execute('CREATE VIEW "QBBilling" AS SELECT * FROM "Billing"')
    reader = JobBossReader(demo_copy, layout={"Billing": {"table": "QBBilling"}})
    assert list(reader.ar_invoices()) == list(JobBossReader(demo_path).ar_invoices())
