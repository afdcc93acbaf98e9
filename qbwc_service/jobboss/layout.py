"""The JobBOSS2 table layout: where each entity lives (table and column names, a filter).

The default is the E2 layout (:mod:`.schema`). A site whose JobBOSS2 build
differs overrides it with a TOML file, the mapping file (config key
``jobboss.mapping_file``), or a dict of the same shape. Entities and columns are named by their E2
names; the values are the names in the site's database::

    schema = "dbo"                      # optional database schema

    [Billing]
    table = "Billing"                   # the table's name here
    where = "InvPosted = 'Y'"           # extra SQL condition on this table's rows

    [Billing.columns]
    Exported = "ExportedToQB"           # E2 name = name in this database
    Notes = ""                          # "" = column absent: read as NULL

    [Receiver.columns]
    Exported = "QBExported"             # receivers have no Exported in E2: opt in

Only columns outside an entity's keys, links and dates may be switched off
with ``""``; ``Receiver.Exported`` is the one column that can be added.
:func:`check_schema` verifies that every mapped table and column exists and
reports all that are missing in one :class:`SchemaMismatch`.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import CHAR, Column, DateTime, Dialect, Engine, MetaData, Table, inspect
from sqlalchemy.types import NullType, TypeDecorator

from qbwc_service.jobboss import schema as e2
from qbwc_service.jobboss import values


class LenientDateTime(TypeDecorator[Any]):
    """``datetime`` bound the dialect's way, read back from whatever the driver returns.

    SQLite stores text, SQL Server's drivers return ``datetime``; an ODBC driver
    over SQLite may return either.
    """

    impl = DateTime
    cache_ok = True

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        return values.timestamp


class LayoutError(ValueError):
    """The mapping file or dict is malformed (unknown entity or column, bad value)."""


class SchemaMismatch(RuntimeError):
    """Mapped tables or columns are missing from the JobBOSS2 database."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = missing
        super().__init__(f"the JobBOSS2 database lacks {len(missing)} mapped table(s)/column(s): "
                         + ", ".join(missing))


ID = "_ID"  # logical name of every table's identity key; physically "<Table>_ID"

#: Columns the sync reads (or writes) per entity, by E2 name.
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "Billing": ("InvoiceNo", "CustCode", "InvDate", "TermsCode", "TaxCode", "SalesTaxChgs",
                "ShippingChgs", "FreightAcct", "ARAcct", "TaxAcct", "InvoiceTotal", "AmtPaidSoFar",
                "PymtStatus", "PymtDate", "NetDueDate", "DelTicketNo", "ShipToName", "SAddr1", "SAddr2",
                "SCity", "SSt", "SZip", "Country", "ShipVia", "Notes", "Exported", "LastModDate",
                "CurrencyCode", "ExchRate"),
    "BillingDet": ("InvoiceNo", "InvItemNo", "PartNo", "PartDesc", "JobNo", "QtyShipped", "Unit",
                   "UnitPrice", "LineTotal", "SalesAcct", "TaxStatus", "IsTaxable", "PONum", "LastModDate",
                   "DiscPct"),
    "DelTicket": ("DelTicketNo", "OrderNo", "CustCode", "CustPONum", "ShipDate", "ShippingChgs",
                  "FreightCharge", "HandlingChg", "ShipToName", "ShipAddr1", "ShipAddr2", "ShipCity",
                  "ShipSt", "ShipZIP", "Country", "ShipVia", "Exported", "LastModDate"),
    "DelTicketDet": ("DelTicketNo", "DTItemNo", "JobNo", "PartNo", "PartDesc", "Qty2Ship", "Unit",
                     "CustPONum", "IsTaxable", "LastModDate"),
    "OrderDet": ("JobNo", "UnitPrice"),
    "VendorInv": ("VendCode", "InvoiceNo", "InvDate", "ReceiverNo", "TermsCode", "NetDueDate",
                  "InvoiceTotal", "AmtPaidSoFar", "APAcct", "FreightAcct", "ShippingChgs", "SalesTaxChgs",
                  "SalesTaxAcct", "PymtStatus", "PymtDate", "Notes", "Exported", "LastModDate"),
    "VendorInvDet": ("VendCode", "InvoiceNo", "GLAcct", "Amount", "LastModDate"),
    "Receiver": ("ReceiverNo", "PONum", "VendCode", "PackingSlipNo", "ReceiveDate", "ShippingChgs",
                 "Billed", "LastModDate"),
    "ReceiverDet": ("ReceiverNo", "PONum", "PartNo", "PartDesc", "JobNo", "Qty2Receive", "Unit",
                    "LastModDate"),
    "PODet": ("PONum", "PartNo", "UnitCost", "GLCode"),
    "Attend": ("EmplCode", "EmplName", "TicketDate", "Exported", "LastModDate"),
    "AttendDet": ("EmplCode", "TicketDate", "AttendCode", "ActClockInDate", "ActClockInTime",
                  "ActClockOutDate", "ActClockOutTime", "AdjClockInDate", "AdjClockInTime",
                  "AdjClockOutDate", "AdjClockOutTime", "TotActTime", "TotAdjTime", "PayRateCode",
                  "OverTime", "GLAcct", "Comments", "LastModDate"),
    "CustCode": ("CustCode", "CustName", "QBCustCode", "TermsCode", "TaxCode", "CurrencyCode",
                 "BAddr1", "BAddr2", "BCity", "BState", "BZIPCode", "BCountry", "Phone", "FAX",
                 "Contact1", "Active", "LastModDate"),
    "VendCode": ("VendCode", "VendName", "QBVendCode", "TermsCode", "RAddr1", "RAddr2", "RCity",
                 "RState", "RZipCode", "RCountry", "Phone", "FAX", "VendAcctNum", "Ten99", "FedIDNum",
                 "GLAcct1", "Active", "LastModDate"),
    "EmplCode": ("EmplCode", "EmplName", "EmplShortName", "Addr1", "City", "State", "ZIPCode", "Phone",
                 "HireDate", *(f"Rate{i}" for i in range(1, 11)), "Active", "LastModDate"),
    "Estim": ("PartNo", "Descrip", "Revision", "ProdCode", "GLCode", "PurchGLCode", "Price1",
              "StockingCost", "StockUnit", "IsTaxable", "Active", "LastModDate"),
    "Terms": ("TermsCode", "Descrip", "DiscPerc", "DiscDays", "NetDueDays", "LastModDate"),
    "GLAccounts": ("GLAcctNum", "Descrip", "AcctCode", "Active", "LastModDate"),
    "TaxCode": ("TaxCode", "Descrip", "TaxFactor", "TaxAcct", "Active", "LastModDate"),
    "Company": ("AR", "AP", "Freight", "SalesTax", *(f"Payroll{i}" for i in range(1, 11)),
                "DefaultQBItemType", "LastModDate"),
}

#: Columns that cannot be switched off: keys, links, dates the filters need.
REQUIRED: dict[str, frozenset[str]] = {
    "Billing": frozenset({"InvoiceNo", "InvDate", "Exported"}),
    "BillingDet": frozenset({"InvoiceNo"}),
    "DelTicket": frozenset({"DelTicketNo", "ShipDate", "Exported"}),
    "DelTicketDet": frozenset({"DelTicketNo"}),
    "OrderDet": frozenset({"JobNo", "UnitPrice"}),
    "VendorInv": frozenset({"VendCode", "InvoiceNo", "InvDate", "Exported"}),
    "VendorInvDet": frozenset({"VendCode", "InvoiceNo"}),
    "Receiver": frozenset({"ReceiverNo", "ReceiveDate"}),
    "ReceiverDet": frozenset({"ReceiverNo", "PONum", "PartNo"}),
    "PODet": frozenset({"PONum", "PartNo"}),
    "Attend": frozenset({"EmplCode", "TicketDate", "Exported"}),
    "AttendDet": frozenset({"EmplCode", "TicketDate"}),
    "CustCode": frozenset({"CustCode"}),
    "VendCode": frozenset({"VendCode"}),
    "EmplCode": frozenset({"EmplCode"}),
    "Estim": frozenset({"PartNo"}),
    "Terms": frozenset({"TermsCode"}),
    "GLAccounts": frozenset({"GLAcctNum"}),
    "TaxCode": frozenset({"TaxCode"}),
    "Company": frozenset(),
}

#: Columns a site may add although E2 has none, with their type.
ADDABLE: dict[tuple[str, str], Any] = {("Receiver", "Exported"): CHAR(1)}


@dataclass(frozen=True)
class EntityLayout:
    """One entity: its table, its columns (E2 name -> name here; absent = switched off), a filter."""

    entity: str
    table: str
    columns: Mapping[str, str]
    where: str | None = None

    @property
    def id_column(self) -> str:
        return self.columns[ID]


@dataclass(frozen=True)
class JobBossLayout:
    """The whole layout. Build with :meth:`default`, :meth:`from_dict` or :meth:`from_file`."""

    entities: Mapping[str, EntityLayout]
    schema: str | None = None
    _metadata: MetaData = field(default_factory=MetaData, compare=False, repr=False)

    @classmethod
    def default(cls) -> JobBossLayout:
        """The E2 layout, unchanged."""
        return cls.from_dict({})

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> JobBossLayout:
        """Read a TOML mapping file (see module docs)."""
        p = Path(path)
        try:
            raw = tomllib.loads(p.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise LayoutError(f"{p}: cannot read the JobBOSS2 mapping: {exc}") from exc
        return cls.from_dict(raw)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> JobBossLayout:
        """Apply overrides (see module docs) to the E2 layout."""
        raw = dict(raw)
        schema = raw.pop("schema", None)
        if schema is not None and not isinstance(schema, str):
            raise LayoutError("mapping: 'schema' must be a string")
        unknown = sorted(set(raw) - set(DEFAULT_COLUMNS))
        if unknown:
            raise LayoutError(f"mapping: unknown entity {unknown[0]!r} "
                               f"(known: {', '.join(DEFAULT_COLUMNS)})")
        entities = {name: _entity(name, raw.get(name) or {}) for name in DEFAULT_COLUMNS}
        return cls(entities=entities, schema=schema or None)

    def __getitem__(self, entity: str) -> EntityLayout:
        return self.entities[entity]

    def has(self, entity: str, column: str) -> bool:
        """Whether ``column`` (E2 name) is mapped for ``entity``."""
        return column in self.entities[entity].columns

    def table(self, entity: str) -> Table:
        """A Core table for ``entity``: physical names, E2 names as column keys, E2 types.

        ``table.c.Exported`` is the mapped ``Exported`` column whatever its name
        here; ``table.c._ID`` is the identity key.
        """
        return self._tables[entity]

    @cached_property
    def _tables(self) -> dict[str, Table]:
        return {name: self._build(em) for name, em in self.entities.items()}

    def _build(self, em: EntityLayout) -> Table:
        source = e2.metadata.tables.get(em.entity)
        cols = []
        for logical, physical in em.columns.items():
            if logical == ID:
                type_ = source.c[f"{em.entity}_ID"].type if source is not None else NullType()
            elif source is not None and logical in source.c:
                type_ = source.c[logical].type
            else:
                type_ = ADDABLE.get((em.entity, logical), NullType())
            if isinstance(type_, DateTime):
                type_ = LenientDateTime()
            cols.append(Column(physical, type_, key=logical, primary_key=logical == ID))
        return Table(em.table, self._metadata, *cols, schema=self.schema)

    def describe(self) -> Iterable[tuple[str, str, list[str]]]:
        """(entity, table, columns here) for every entity: what :func:`check_schema` checks."""
        for em in self.entities.values():
            yield em.entity, em.table, list(em.columns.values())


def _entity(name: str, raw: Any) -> EntityLayout:
    if not isinstance(raw, Mapping):
        raise LayoutError(f"mapping: [{name}] must be a table")
    extra = sorted(set(raw) - {"table", "columns", "where"})
    if extra:
        raise LayoutError(f"mapping: [{name}] has unknown option {extra[0]!r} (table, columns, where)")
    table = raw.get("table", name)
    where = raw.get("where") or None
    overrides = raw.get("columns") or {}
    if not isinstance(table, str) or not table:
        raise LayoutError(f"mapping: [{name}] table must be a non-empty string")
    if where is not None and not isinstance(where, str):
        raise LayoutError(f"mapping: [{name}] where must be a string")
    if not isinstance(overrides, Mapping):
        raise LayoutError(f"mapping: [{name}.columns] must be a table")
    columns = {ID: f"{name}_ID", **{col: col for col in DEFAULT_COLUMNS[name]}}
    for logical, physical in overrides.items():
        if logical not in columns and (name, logical) not in ADDABLE:
            raise LayoutError(f"mapping: [{name}.columns] unknown column {logical!r}")
        if not isinstance(physical, str):
            raise LayoutError(f"mapping: [{name}.columns] {logical} must be a string")
        if physical:
            columns[logical] = physical
        elif logical == ID or logical in REQUIRED[name]:
            raise LayoutError(f"mapping: [{name}.columns] {logical} is required and cannot be blank")
        else:
            columns.pop(logical, None)
    return EntityLayout(entity=name, table=table, columns=columns, where=where)


def load_layout(source: JobBossLayout | Mapping[str, Any] | str | os.PathLike[str] | None
                ) -> JobBossLayout:
    """A layout from whatever was given: a layout, a dict, a TOML path, or None (E2 default)."""
    if source is None or source == "":
        return JobBossLayout.default()
    if isinstance(source, JobBossLayout):
        return source
    if isinstance(source, Mapping):
        return JobBossLayout.from_dict(source)
    return JobBossLayout.from_file(source)


def check_schema(engine: Engine, layout: JobBossLayout | None = None) -> None:
    """Raise :class:`SchemaMismatch` listing every mapped table and column the database lacks.

    Names compare case-insensitively, as on SQL Server's usual collation.
    A missing table is reported once as ``"Table (table)"``; a missing column
    as ``"Table.Column"``.
    """
    layout = layout or JobBossLayout.default()
    insp = inspect(engine)
    # A site may map an entity to a view (a build whose tables differ): views count as tables.
    names = [*insp.get_table_names(schema=layout.schema), *insp.get_view_names(schema=layout.schema)]
    tables = {name.lower(): name for name in names}
    missing: list[str] = []
    for _entity_name, table, columns in layout.describe():
        real = tables.get(table.lower())
        if real is None:
            missing.append(f"{table} (table)")
            continue
        present = {col["name"].lower() for col in insp.get_columns(real, schema=layout.schema)}
        missing += [f"{table}.{col}" for col in columns if col.lower() not in present]
    if missing:
        raise SchemaMismatch(missing)


def layout_from_config(config: Any) -> JobBossLayout:
    """The layout a :class:`~qbwc_service.config.Config` names (``jobboss.mapping_file``,
    relative to the config file's folder), or the E2 default when the key is empty."""
    name = config["jobboss.mapping_file"]
    return JobBossLayout.from_file(config.resolve(name)) if name else JobBossLayout.default()
