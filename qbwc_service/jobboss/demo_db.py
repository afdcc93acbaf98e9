"""A demo JobBOSS2 database: SQLite, real E2 table and column names, a job shop's data.

``create_demo_database(path, seed, scale)`` (and ``qbwc-service demo-db``)
writes about 50 customers, 30 vendors, 20 employees, 200 parts and, per unit
of ``scale``, 1,000 AR invoices of 1 to 10 lines over the last 6 months with
their orders and packing lists, 300 AP invoices and 300 receivers with their
PO lines; plus 3 months of attendance (not scaled). Older records are
already exported, as on a site that has been syncing for a while.

Dates are relative to an *anchor* day, today unless given: the demo always
looks current. The content is a pure function of (seed, scale, anchor), so
tests pass a fixed anchor and get the same database every time.

The hard cases a QuickBooks sync must survive are all there: names longer
than 41 characters, ``&`` and quotes, accents and characters outside Latin-1,
an inactive customer still invoiced, zero-quantity and negative (credit)
lines, missing optional fields, names differing only in case or spaces,
blank and NULL ``Exported`` flags, padded ``char`` values, a night shift
crossing midnight, packing-list lines priced only by the part or not at all,
receiver lines without a PO line, and one vendor invoice number used by two
vendors. :data:`HARD_CASES` names the records that carry them.
"""

from __future__ import annotations

import os
import random
import sqlite3
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine

from qbwc_service.jobboss import schema

BATCH = 20_000
SQLITE_MAGIC = b"SQLite format 3\x00"
TS_FORMAT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores DateTime in SQLite

#: Records carrying each hard case (for tests and the curious).
HARD_CASES: dict[str, Any] = {
    "long_name_customer": "NWAPA",  # name > 41 characters, no QBCustCode
    "long_name_with_qb_name": "INTLFAB",  # name > 41 characters, QBCustCode set
    "ampersand_quotes": ("ACME", "OBRIEN", "BESTFIX"),
    "non_latin1": ("LODZ", "TOKYO", "PRAHA"),
    "accents": ("SGU", "MULLER"),
    "inactive_customer": "DEFUNCT",  # Active = 'N', still invoiced
    "case_and_space_twins": ("ACME", "ACME2", "ACME3"),
    "missing_fields_customer": "BARE",
    "padded_name_customer": "SMITHFAB",
    "long_part_no": "HYD-MANIFOLD-ASSY-4-PORT-STAINLESS-316L-REV-C",
    "part_without_price": "SVC-DEBURR",
    "shared_vendor_invoice_no": "8841",  # used by vendors STEELCO and FASTEN
    "night_shift_employee": 7,
    "inactive_employee": 20,
}

# ---------------------------------------------------------------------- fixed lists

GL_ACCOUNTS = [
    ("1000", "Operating Cash", "BANK"),
    ("1100", "Accounts Receivable", "AR"),
    ("1200", "Inventory - Raw Material", "ASSET"),
    ("1210", "Work In Process", "ASSET"),
    ("1500", "Machinery & Equipment", "FIXED ASSET"),
    ("2000", "Accounts Payable", "AP"),
    ("2100", "Sales Tax Payable", "LIABILITY"),
    ("2200", "Accrued Payroll", "LIABILITY"),
    ("3000", "Owner's Equity", "EQUITY"),
    ("4000", "Sales - Machined Parts", "INCOME"),
    ("4010", "Sales - Assemblies", "INCOME"),
    ("4020", "Sales - Engineering", "INCOME"),
    ("4100", "Freight Billed", "INCOME"),
    ("5000", "Material Cost", "COGS"),
    ("5100", "Outside Services", "COGS"),
    ("5200", "Purchased Components", "COGS"),
    ("6000", "Shop Supplies", "EXPENSE"),
    ("6100", "Tooling & Inserts", "EXPENSE"),
    ("6200", "Utilities", "EXPENSE"),
    ("6300", "Rent", "EXPENSE"),
    ("6400", "Repairs & Maintenance", "EXPENSE"),
    ("6500", "Wages - Shop", "EXPENSE"),
    ("6600", "Freight In", "EXPENSE"),
    ("7000", "Office Supplies", "EXPENSE"),
    ("8000", "Interest Income", "OTHER INCOME"),
    ("9000", "Interest Expense", "OTHER EXPENSE"),
]
EXPENSE_ACCTS = ["5100", "5200", "6000", "6100", "6200", "6300", "6400", "6600", "7000"]

TERMS = [
    ("NET30", "Net 30 days", 0, 0, 30),
    ("NET15", "Net 15 days", 0, 0, 15),
    ("2%10NET30", "2% 10, Net 30", 2.0, 10, 30),
    ("NET45", "Net 45 days", 0, 0, 45),
    ("COD", "Cash on delivery", 0, 0, 0),
    ("DUEREC", "Due on receipt", 0, 0, 0),
]

TAX_CODES = [
    ("TX-TRAVIS", "Travis County TX", 0.0825, "2100"),
    ("OH-CUYA", "Cuyahoga County OH", 0.08, "2100"),
    ("CA-LA", "Los Angeles CA", 0.095, "2100"),
    ("EXEMPT", "Resale / exempt", 0.0, "2100"),
]

PAYROLL_ITEMS = ["Hourly Regular", "Hourly Overtime", "Hourly Double Time", "Holiday Pay", "Vacation Pay"]

ATTEND_CODES = [
    (1, "Regular", "REG", "Y", "6500"),
    (2, "Overtime", "OT", "Y", "6500"),
    (3, "Holiday", "HOL", "N", "6500"),
    (4, "Vacation", "VAC", "N", "6500"),
    (5, "Sick", "SICK", "N", "6500"),
]

CITIES = [
    ("Austin", "TX", "787"),
    ("Cleveland", "OH", "441"),
    ("Los Angeles", "CA", "900"),
    ("Milwaukee", "WI", "532"),
    ("Rockford", "IL", "611"),
    ("Wichita", "KS", "672"),
    ("Grand Rapids", "MI", "495"),
    ("Erie", "PA", "165"),
    ("Greenville", "SC", "296"),
    ("Tulsa", "OK", "741"),
]
STREETS = [
    "Industrial Pkwy",
    "Commerce Dr",
    "Machine Shop Rd",
    "Foundry St",
    "Mill Ave",
    "Tech Blvd",
    "Enterprise Way",
    "Factory Ln",
]
SHIP_VIA = ["UPS Ground", "FedEx 2Day", "Our Truck", "Customer Pickup", "LTL Freight", None]

#: (code, name, QBCustCode, active, overrides) of the hand-written customers.
SPECIAL_CUSTOMERS: list[tuple[str, str, str | None, str | None, dict[str, Any]]] = [
    ("ACME", "Acme Tool & Die", None, "Y", {}),
    ("ACME2", "ACME TOOL & DIE", None, "Y", {}),
    ("ACME3", "Acme  Tool & Die", None, "Y", {}),
    ("OBRIEN", "O'Brien Precision", None, "Y", {}),
    ("BESTFIX", 'The "Best" Fixture Co.', None, "Y", {}),
    ("SGU", "Société Générale d'Usinage", None, "Y", {"BCountry": "France", "BState": None}),
    ("MULLER", "Müller Präzisionsteile GmbH", "Mueller Praezisionsteile", "Y", {"BCountry": "Germany"}),
    ("LODZ", "Łódź Metalworks Sp. z o.o.", None, "Y", {"BCountry": "Poland", "BState": None}),
    ("TOKYO", "東京精密工業株式会社", "Tokyo Seimitsu Kogyo", "Y", {"BCountry": "Japan", "BState": None}),
    ("PRAHA", "Strojírna Praha – Škoda Díly", None, "Y", {"BCountry": "Czechia", "BState": None}),
    ("NWAPA", "Northwestern Aerospace Precision Assemblies International", None, "Y", {}),
    (
        "INTLFAB",
        "International Fabrication & Welding Services Corporation",
        "Intl Fabrication & Welding",
        "Y",
        {},
    ),
    ("DEFUNCT", "Defunct Machining Inc", None, "N", {}),
    (
        "BARE",
        "Bare Minimum LLC",
        None,
        None,
        {
            "TermsCode": None,
            "TaxCode": None,
            "BAddr1": None,
            "BCity": None,
            "BState": None,
            "BZIPCode": None,
            "Phone": None,
            "FAX": None,
            "Contact1": None,
        },
    ),
    ("SMITHFAB", "Smith Fabrication      ", None, "Y", {"Contact1": "  Joe Smith  "}),
]
WORDS_A = [
    "Precision",
    "Midwest",
    "Allied",
    "Summit",
    "Apex",
    "Great Lakes",
    "Pioneer",
    "Reliable",
    "Advanced",
    "Triangle",
    "Keystone",
    "Liberty",
    "Frontier",
    "Superior",
    "Cascade",
]
WORDS_B = [
    "Gear",
    "Hydraulics",
    "Controls",
    "Motion",
    "Fluid Power",
    "Robotics",
    "Pump",
    "Valve",
    "Aerospace",
    "Automation",
    "Medical Devices",
    "Packaging",
    "Energy",
    "Rail",
]
WORDS_C = ["Inc", "LLC", "Corp.", "Co.", "Works", "Systems", "Industries", "Group"]

SPECIAL_VENDORS: list[tuple[str, str, str | None, str | None, dict[str, Any]]] = [
    ("STEELCO", "Steel & Wire Supply", None, "Y", {}),
    ("FASTEN", "Fastenal Distribution Ctr", None, "Y", {}),
    ("DANGELO", "D'Angelo Heat Treat", None, "Y", {"Ten99": "Y", "FedIDNum": "12-3456789"}),
    ("QUEBEC", "Aciers Québec Ltée", None, "Y", {"RCountry": "Canada", "RState": "QC"}),
    ("ZLIN", "Nástroje Zlín s.r.o.", None, "Y", {"RCountry": "Czechia", "RState": None}),
    (
        "LONGV",
        "Consolidated Industrial Abrasives & Cutting Tools Supply",
        "Consolidated Industrial Abrasives",
        "Y",
        {},
    ),
    ("OLDVEND", "Old Vendor (do not use)", None, "N", {}),
    ("PLATING", "Bob's Plating & Anodizing", None, "Y", {"Ten99": "Y", "FedIDNum": "98-7654321"}),
]
VENDOR_WORDS = [
    "Metals",
    "Tooling",
    "Abrasives",
    "Industrial Supply",
    "Bearings",
    "Coatings",
    "Castings",
    "Electric",
    "Gases",
    "Plastics",
    "Fasteners",
    "Grinding",
]

EMPLOYEES = [
    "Garcia, Maria",
    "John Smith",
    "Nguyen, Thanh",
    "Robert J. Miller",
    "Ramírez, José",
    "Zoë O'Neil",
    "Okafor, Chinedu",
    "Anna-Lena Schröder",
    "Kowalski, Łukasz",
    "Madonna",
    "Brown, David",
    "Patricia Johnson",
    "Lee, Min-jun",
    "Dubois, François",
    "Chen Wei",
    "Wilson, James",
    "Sarah Davis",
    "Müller, Jürgen",
    "Taylor, Chris",
    "Emeritus, Former",
]

PART_FAMILIES = [
    ("BRKT", "Bracket", "4000"),
    ("SHAFT", "Shaft", "4000"),
    ("FLNG", "Flange", "4000"),
    ("HSG", "Housing", "4010"),
    ("PLT", "Plate", "4000"),
    ("BUSH", "Bushing", "4000"),
    ("MANF", "Manifold", "4010"),
    ("SPCR", "Spacer", "4000"),
    ("GEAR", "Gear", "4000"),
    ("ASSY", "Weldment assembly", "4010"),
]
MATERIALS = [
    "6061-T6 aluminum",
    "304 stainless",
    "316L stainless",
    "1018 steel",
    "4140 chromoly",
    "brass C360",
    "Delrin",
    "Ti-6Al-4V",
]
SPECIAL_PARTS = [
    (HARD_CASES["long_part_no"], "Hydraulic manifold assembly, 4-port, 316L", "4010", 1875.5, True),
    ('BOLT-1/2"-HEX', 'Hex bolt 1/2" x 2" grade 8 & washer', "4000", 1.35, True),
    ("FLNG-Ø50-DIN", "Flange Ø50 — DIN 2633 ≤ PN16", "4000", 48.0, True),
    ("SVC-DEBURR", "Deburr & inspect (service)\nper customer drawing", "4020", None, False),
    ("ENG-HOUR", "Engineering / programming hour", "4020", 95.0, False),
]


# ---------------------------------------------------------------------- writing


class _Writer:
    """Batched ``executemany`` inserts into one SQLite connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.pending: dict[str, tuple[str, list[Sequence[Any]]]] = {}
        self.counts: dict[str, int] = {}

    def add(self, table: str, columns: str, row: Sequence[Any]) -> None:
        sql, rows = self.pending.get(table) or (self._sql(table, columns), [])
        rows.append(row)
        self.pending[table] = (sql, rows)
        if len(rows) >= BATCH:
            self.flush(table)

    def many(self, table: str, columns: str, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            self.add(table, columns, row)

    @staticmethod
    def _sql(table: str, columns: str) -> str:
        cols = columns.split()
        return f'INSERT INTO "{table}" ({", ".join(cols)}) VALUES ({", ".join("?" * len(cols))})'

    def flush(self, table: str | None = None) -> None:
        for name in [table] if table else list(self.pending):
            sql, rows = self.pending.pop(name, ("", []))
            if rows:
                self.conn.executemany(sql, rows)
                self.counts[name] = self.counts.get(name, 0) + len(rows)


def ts(value: datetime | date | None) -> str | None:
    """A datetime as SQLAlchemy writes it into SQLite."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    return value.strftime(TS_FORMAT)


def create_demo_database(
    path: str | os.PathLike[str], seed: int = 0, scale: int = 1, anchor: date | None = None
) -> Path:
    """Write the demo JobBOSS2 database to ``path`` (SQLite) and return its path.

    An existing SQLite file at ``path`` is replaced; any other existing file is
    refused (``FileExistsError``). ``anchor`` is the day the data ends (default:
    today). The file is written beside ``path`` and moved into place at the end.
    """
    if scale < 1:
        raise ValueError("scale must be at least 1")
    target = Path(path)
    if target.exists():
        with open(target, "rb") as fh:
            head = fh.read(16)
        if head and head != SQLITE_MAGIC:
            raise FileExistsError(f"{target} exists and is not a SQLite database; not replacing it")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".demo-", suffix=".sqlite3", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        engine = create_engine(f"sqlite:///{tmp}")
        schema.metadata.create_all(engine)
        engine.dispose()
        conn = sqlite3.connect(tmp)
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        writer = _Writer(conn)
        _Demo(writer, seed, scale, anchor or date.today()).build()
        writer.flush()
        conn.commit()
        conn.close()
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


class _Demo:
    """The generator: one method per area, each with its own random stream."""

    def __init__(self, w: _Writer, seed: int, scale: int, anchor: date) -> None:
        self.w, self.seed, self.scale, self.anchor = w, seed, scale, anchor
        self.now = datetime.combine(anchor, time(17, 30))
        self.customers: list[tuple[str, str, str | None, str | None]] = []  # code, name, terms, tax
        self.vendors: list[tuple[str, str, str | None]] = []
        self.parts: list[tuple[str, str, str, float | None, bool]] = []

    def rng(self, area: str) -> random.Random:
        return random.Random(f"{self.seed}/{area}")

    def stamp(self, r: random.Random, when: date | datetime) -> str | None:
        """A LastModDate a little after ``when``, never after the anchor's evening."""
        base = when if isinstance(when, datetime) else datetime.combine(when, time(8))
        return ts(min(base + timedelta(minutes=r.randint(5, 600)), self.now))

    def build(self) -> None:
        self.lists()
        self.customer_list()
        self.vendor_list()
        self.employee_list()
        self.part_list()
        self.ar()
        self.ap()
        self.receivers()
        self.attendance()

    # ------------------------------------------------------------------ small lists

    def lists(self) -> None:
        w, r, when = self.w, self.rng("lists"), self.anchor - timedelta(days=400)
        w.many(
            "GLAccounts",
            "GLAcctNum Descrip AcctCode Active LastModDate",
            ((n, d, c, "Y", self.stamp(r, when)) for n, d, c in GL_ACCOUNTS),
        )
        w.add(
            "GLAccounts",
            "GLAcctNum Descrip AcctCode Active LastModDate",
            ("6999", "Old Misc Expense", "EXPENSE", "N", self.stamp(r, when)),
        )
        w.many(
            "Terms",
            "TermsCode Descrip DiscPerc DiscDays NetDueDays Method LastModDate",
            ((c, d, p, dd, nd, "D", self.stamp(r, when)) for c, d, p, dd, nd in TERMS),
        )
        w.many(
            "TaxCode",
            "TaxCode Descrip TaxFactor TaxAcct Active LastModDate",
            ((c, d, f, a, "Y", self.stamp(r, when)) for c, d, f, a in TAX_CODES),
        )
        payroll = [*PAYROLL_ITEMS, *([None] * (10 - len(PAYROLL_ITEMS)))]
        w.add(
            "Company",
            "CompanyName AR AP Freight SalesTax "
            + " ".join(f"Payroll{i}" for i in range(1, 11))
            + " DefaultQBItemType LastModDate",
            ("Demo Precision Machining", "1100", "2000", "4100", "2100", *payroll, "N", self.stamp(r, when)),
        )
        w.many(
            "AttendanceCodes",
            "AttendCode Descrip ShortName Clockable GLAcct LastModDate",
            ((*row, self.stamp(r, when)) for row in ATTEND_CODES),
        )
        w.many(
            "ProdCode",
            "ProdCode Descrip SalesAcct ARAcct FreightAcct LastModDate",
            ((fam, name, acct, "1100", "4100", self.stamp(r, when)) for fam, name, acct in PART_FAMILIES),
        )

    def _address(self, r: random.Random) -> dict[str, Any]:
        city, state, zip3 = r.choice(CITIES)
        return {
            "Addr1": f"{r.randint(100, 9999)} {r.choice(STREETS)}",
            "Addr2": r.choice([None, None, None, f"Suite {r.randint(100, 400)}", "Dock 3"]),
            "City": city,
            "State": state,
            "Zip": f"{zip3}{r.randint(10, 99)}",
            "Country": "USA",
            "Phone": f"({r.randint(200, 989)}) 555-{r.randint(1000, 9999)}",
        }

    def customer_list(self) -> None:
        r = self.rng("customers")
        cols = (
            "CustCode CustName QBCustCode TermsCode TaxCode SalesID CurrencyCode BAddr1 BAddr2 BCity "
            "BState BZIPCode BCountry Phone FAX Contact1 APContact Active LastModDate"
        )
        rows = [(code, name, qb, active, extra) for code, name, qb, active, extra in SPECIAL_CUSTOMERS]
        used = {code for code, *_ in rows}
        while len(rows) < 50:
            name = f"{r.choice(WORDS_A)} {r.choice(WORDS_B)} {r.choice(WORDS_C)}"
            code = "".join(word[0] for word in name.split())[:4].upper() + str(r.randint(10, 99))
            if code not in used:
                used.add(code)
                rows.append((code, name, None, r.choice(["Y"] * 9 + [None]), {}))
        for code, name, qb, active, extra in rows:
            a = self._address(r)
            values = {
                "TermsCode": r.choice(["NET30", "NET30", "NET45", "2%10NET30", "NET15"]),
                "TaxCode": r.choice(["TX-TRAVIS", "OH-CUYA", "CA-LA", "EXEMPT", "EXEMPT"]),
                "BAddr1": a["Addr1"],
                "BAddr2": a["Addr2"],
                "BCity": a["City"],
                "BState": a["State"],
                "BZIPCode": a["Zip"],
                "BCountry": a["Country"],
                "Phone": a["Phone"],
                "FAX": r.choice([None, a["Phone"][:-4] + "0000"]),
                "Contact1": r.choice(["Pat Buyer", "Accounts Payable", "Lee Purchasing", None]),
            }
            values.update(extra)
            self.customers.append((code, name, values["TermsCode"], values["TaxCode"]))
            when = self.anchor - timedelta(days=r.randint(200, 900))
            self.w.add(
                "CustCode",
                cols,
                (
                    code,
                    name,
                    qb,
                    values["TermsCode"],
                    values["TaxCode"],
                    r.choice(["JD", "MK", None]),
                    "USD",
                    values["BAddr1"],
                    values["BAddr2"],
                    values["BCity"],
                    values["BState"],
                    values["BZIPCode"],
                    values["BCountry"],
                    values["Phone"],
                    values["FAX"],
                    values["Contact1"],
                    None,
                    active,
                    self.stamp(r, when),
                ),
            )
        # One ship-to per customer with an alternate dock.
        self.w.many(
            "ShipTo",
            "CustCode ShipToName SAddr1 SCity SSt SZip Country LastModDate",
            (
                (code, "Receiving Dock", f"{r.randint(10, 99)} Dock Rd", "Austin", "TX", "78701", "USA", None)
                for code, *_ in self.customers[:10]
            ),
        )

    def vendor_list(self) -> None:
        r = self.rng("vendors")
        cols = (
            "VendCode VendName QBVendCode TermsCode VendType RAddr1 RAddr2 RCity RState RZipCode RCountry "
            "Phone FAX VendAcctNum Ten99 FedIDNum GLAcct1 Active LastModDate"
        )
        rows = list(SPECIAL_VENDORS)
        used = {code for code, *_ in rows}
        while len(rows) < 30:
            name = f"{r.choice(WORDS_A)} {r.choice(VENDOR_WORDS)} {r.choice(WORDS_C)}"
            code = "".join(word[0] for word in name.split())[:4].upper() + str(r.randint(10, 99))
            if code not in used:
                used.add(code)
                rows.append((code, name, None, "Y", {}))
        for code, name, qb, active, extra in rows:
            a = self._address(r)
            values = {
                "RCountry": a["Country"],
                "RState": a["State"],
                "Ten99": r.choice(["N", "N", None]),
                "FedIDNum": None,
            }
            values.update(extra)
            terms = r.choice(["NET30", "NET30", "2%10NET30", "NET45", None])
            self.vendors.append((code, name, terms))
            self.w.add(
                "VendCode",
                cols,
                (
                    code,
                    name,
                    qb,
                    terms,
                    r.choice(["MATL", "SVC", "SUPPLY"]),
                    a["Addr1"],
                    a["Addr2"],
                    a["City"],
                    values["RState"],
                    a["Zip"],
                    values["RCountry"],
                    a["Phone"],
                    None,
                    r.choice([None, f"CUST-{r.randint(1000, 9999)}"]),
                    values["Ten99"],
                    values["FedIDNum"],
                    r.choice(EXPENSE_ACCTS),
                    active,
                    self.stamp(r, self.anchor - timedelta(days=r.randint(200, 900))),
                ),
            )

    def employee_list(self) -> None:
        r = self.rng("employees")
        cols = (
            "EmplCode EmplName EmplShortName Addr1 City State ZIPCode Phone HireDate DeptNum DefPayrollRate "
            + " ".join(f"Rate{i}" for i in range(1, 11))
            + " Active LastModDate"
        )
        for code, name in enumerate(EMPLOYEES, 1):
            a = self._address(r)
            base = round(r.uniform(17, 42), 2)
            rates = [base, round(base * 1.5, 2), round(base * 2, 2), base, base, *([None] * 5)]
            if code % 5 == 0:
                rates[2] = 0.0  # no double time: a zero rate is not a pay rate
            hired = self.anchor - timedelta(days=r.randint(120, 6000))
            self.w.add(
                "EmplCode",
                cols,
                (
                    code,
                    name,
                    name.split(",")[0].split()[0][:12].upper(),
                    a["Addr1"],
                    a["City"],
                    a["State"],
                    a["Zip"],
                    a["Phone"] if code != 10 else None,
                    ts(hired),
                    r.choice(["MACH", "WELD", "QC", "ASSY"]),
                    base,
                    *rates,
                    "N" if code == HARD_CASES["inactive_employee"] else "Y",
                    self.stamp(r, hired),
                ),
            )

    def part_list(self) -> None:
        r = self.rng("parts")
        cols = (
            "PartNo Descrip Revision ProdCode GLCode PurchGLCode Price1 StockingCost StockUnit PricingUnit "
            "IsTaxable Active LastModDate"
        )
        parts = [(no, desc, acct, price, taxable) for no, desc, acct, price, taxable in SPECIAL_PARTS]
        used = {p[0] for p in parts}
        while len(parts) < 200:
            fam, noun, acct = r.choice(PART_FAMILIES)
            no = f"{fam}-{r.randint(1000, 9999)}-{r.choice('ABCD')}"
            if no in used:
                continue
            used.add(no)
            price = round(r.uniform(4, 900), 2) if r.random() > 0.03 else None
            parts.append((no, f"{noun}, {r.choice(MATERIALS)}", acct, price, r.random() > 0.1))
        self.parts = parts
        for i, (no, desc, acct, price, taxable) in enumerate(parts):
            fam = no.split("-")[0]
            cost = round(price * r.uniform(0.35, 0.7), 4) if price else None
            active = "N" if i % 67 == 66 else "Y"
            self.w.add(
                "Estim",
                cols,
                (
                    no,
                    desc,
                    r.choice(["A", "B", "C", None]),
                    fam if fam in dict((f, 1) for f, *_ in PART_FAMILIES) else None,
                    acct,
                    "5000",
                    price,
                    cost,
                    "EA",
                    "EA",
                    int(taxable),
                    active,
                    self.stamp(r, self.anchor - timedelta(days=r.randint(100, 700))),
                ),
            )

    # ------------------------------------------------------------------ AR

    def _exported(self, r: random.Random, day: date, cutoff_days: int) -> str | None:
        """Older than the cutoff: mostly exported; newer: never. NULL and blank appear on both sides."""
        if (self.anchor - day).days > cutoff_days:
            return r.choices(["Y", "N", None, ""], weights=[90, 4, 4, 2])[0]
        return r.choices(["N", None, ""], weights=[70, 25, 5])[0]

    def ar(self) -> None:
        r, w = self.rng("ar"), self.w
        n = 1000 * self.scale
        days = sorted(self.anchor - timedelta(days=r.randint(0, 182)) for _ in range(n))
        priced_parts = [p for p in self.parts if p[3] is not None]
        tax_rates = {c: f for c, _, f, _ in TAX_CODES}
        bill_cols = (
            "InvoiceNo CustCode CustDesc InvDate TermsCode TaxCode SalesTaxChgs ShippingChgs FreightAcct "
            "ARAcct TaxAcct InvoiceTotal AmtPaidSoFar PymtStatus PymtDate NetDueDate DelTicketNo "
            "ShipToName SAddr1 SAddr2 SCity SSt SZip Country ShipVia SalesID CurrencyCode ExchRate Notes "
            "InvPosted Exported LastModDate"
        )
        bdet_cols = (
            "InvoiceNo InvItemNo PartNo PartDesc JobNo QtyOrd QtyShipped QtyCancel Unit UnitPrice "
            "LineTotal SalesAcct TaxStatus IsTaxable PONum DelTicketNo DelTicketDate LastModDate"
        )
        dt_cols = (
            "DelTicketNo OrderNo CustCode CustPONum ShipDate Status ShippingChgs FreightCharge HandlingChg "
            "ShipToName ShipAddr1 ShipAddr2 ShipCity ShipSt ShipZIP Country ShipVia Exported LastModDate"
        )
        dtd_cols = (
            "DelTicketNo DTItemNo JobNo PartNo PartDesc Qty2Ship Qty2Stock QtyFromStock Unit CustPONum "
            "IsTaxable LastModDate"
        )
        ord_cols = "OrderNo CustCode CustDesc PONum DateEnt TermsCode Status LastModDate"
        od_cols = "OrderNo ItemNo JobNo PartNo PartDesc QtyOrdered UnitPrice Unit DueDate Status LastModDate"
        # Packing lists of the last days not billed yet: extra to the n invoices.
        extra = [self.anchor - timedelta(days=r.randint(0, 3)) for _ in range(max(5, n // 100))]
        entries = sorted([(d, True) for d in days] + [(d, False) for d in extra], key=lambda e: e[0])
        billed_no = 0
        for i, (day, billed) in enumerate(entries):
            cust = (
                self.customers[min(int(r.paretovariate(1.2)) - 1, len(self.customers) - 1)]
                if r.random() < 0.7
                else r.choice(self.customers)
            )
            code, name, terms, tax = cust
            inv_no, order_no, dt_no = f"INV-{100001 + billed_no}", f"{200001 + i}", f"DT{300001 + i}"
            billed_no += billed
            po = None if r.random() < 0.15 else f"PO {r.randint(1000, 99999)}"
            credit = r.random() < 0.01
            stock_only = r.random() < 0.05  # shipped from stock: no job, no order line
            when = datetime.combine(day, time(r.randint(7, 16), r.randint(0, 59)))
            stamp = self.stamp(r, when)
            if (self.anchor - day).days > 60 and r.random() < 0.02:
                stamp = self.stamp(r, self.anchor - timedelta(days=r.randint(0, 5)))  # edited lately
            lines, taxable_total = [], 0.0
            for item in range(1, r.randint(1, 10) + 1):
                part_no, desc, acct, price, taxable = r.choice(
                    priced_parts if r.random() < 0.97 else self.parts
                )
                qty = r.choice([1, 2, 5, 10, 25, 50, 100, 4, 8, 12])
                if r.random() < 0.02:
                    qty = 0
                if credit:
                    qty = -qty
                unit_price = price if price is not None else round(r.uniform(20, 200), 2)
                unit_price = round(unit_price * r.uniform(0.95, 1.1), 2)
                total = round(qty * unit_price, 2)
                if taxable:
                    taxable_total += total
                job = None if stock_only else f"{order_no}-{item}"
                lines.append((item, part_no, desc, qty, unit_price, total, acct, taxable, job, price))
            shipping = 0.0 if credit or r.random() < 0.5 else round(r.uniform(8, 150), 2)
            sales_tax = round(taxable_total * tax_rates.get(tax or "", 0.0), 2)
            total = round(sum(ln[5] for ln in lines) + shipping + sales_tax, 2)
            exported = self._exported(r, day, 60)
            paid = (self.anchor - day).days > 45 and r.random() < 0.8 and not credit
            due = day + timedelta(days=dict((t[0], t[4]) for t in TERMS).get(terms or "", 30))
            a = self._address(r)
            no_ship = code == "BARE" or r.random() < 0.05
            ship = (
                (None, None, None, None, None, None, None)
                if no_ship
                else (name[:30], a["Addr1"], a["Addr2"], a["City"], a["State"], a["Zip"], a["Country"])
            )
            via = r.choice(SHIP_VIA)
            notes = r.choice(
                [None] * 8
                + ["Rush order & expedite", 'Per "Rev C" drawing\r\nCert required', "Remise 5 % — accordée"]
            )
            # Order and packing list come first; the most recent packing lists are not billed yet.
            w.add(
                "Orders",
                ord_cols,
                (
                    order_no,
                    code,
                    name[:30],
                    po,
                    ts(day - timedelta(days=r.randint(5, 40))),
                    terms,
                    "C",
                    stamp,
                ),
            )
            if not stock_only:
                w.many(
                    "OrderDet",
                    od_cols,
                    (
                        (order_no, ln[0], ln[8], ln[1], ln[2], ln[3], ln[4], "EA", ts(day), "C", stamp)
                        for ln in lines
                    ),
                )
            ship_day = day - timedelta(days=r.choice([0, 0, 0, 1, 2]))
            w.add(
                "DelTicket",
                dt_cols,
                (
                    dt_no,
                    order_no,
                    code,
                    po,
                    ts(ship_day),
                    "S",
                    shipping,
                    0.0,
                    0.0 if r.random() < 0.9 else 15.0,
                    *ship,
                    via,
                    self._exported(r, ship_day, 60),
                    stamp,
                ),
            )
            w.many(
                "DelTicketDet",
                dtd_cols,
                (
                    (
                        dt_no,
                        ln[0],
                        ln[8],
                        ln[1],
                        ln[2],
                        ln[3],
                        0,
                        ln[3] if stock_only else 0,
                        "EA",
                        po,
                        int(ln[7]) if r.random() < 0.9 else None,
                        stamp,
                    )
                    for ln in lines
                ),
            )
            if not billed:
                continue
            w.add(
                "Billing",
                bill_cols,
                (
                    inv_no,
                    code,
                    name[:30],
                    ts(when),
                    terms,
                    tax,
                    sales_tax,
                    shipping,
                    "4100",
                    "1100",
                    "2100",
                    total,
                    total if paid else 0.0,
                    "P" if paid else "O",
                    ts(day + timedelta(days=r.randint(10, 40))) if paid else None,
                    ts(due),
                    dt_no,
                    *ship,
                    via,
                    r.choice(["JD", "MK", None]),
                    "USD",
                    1.0,
                    notes,
                    "Y",
                    exported,
                    stamp,
                ),
            )
            w.many(
                "BillingDet",
                bdet_cols,
                (
                    (
                        inv_no,
                        ln[0],
                        ln[1],
                        ln[2],
                        ln[8],
                        ln[3],
                        ln[3],
                        0,
                        "EA",
                        ln[4],
                        ln[5],
                        ln[6],
                        "Y" if ln[7] else "N",
                        int(ln[7]) if r.random() < 0.95 else None,
                        po,
                        dt_no,
                        ts(ship_day),
                        stamp,
                    )
                    for ln in lines
                ),
            )

    # ------------------------------------------------------------------ AP

    def ap(self) -> None:
        r, w = self.rng("ap"), self.w
        n = 300 * self.scale
        days = sorted(self.anchor - timedelta(days=r.randint(0, 182)) for _ in range(n))
        cols = (
            "VendCode InvoiceNo VendDesc InvDate ReceiverNo TermsCode NetDueDate DiscDate InvoiceTotal "
            "AmtPaidSoFar APAcct FreightAcct ShippingChgs SalesTaxCode SalesTaxChgs SalesTaxAcct PymtStatus "
            "PymtDate CheckNo HoldPymt Notes Exported LastModDate"
        )
        det_cols = "VendCode InvoiceNo GLAcct Amount TaxStatus LastModDate"
        shared = HARD_CASES["shared_vendor_invoice_no"]
        seen: set[tuple[str, str]] = set()
        for i, day in enumerate(days):
            code, name, terms = r.choice(self.vendors)
            inv_no = str(r.randint(10000, 999999)) + ("" if r.random() < 0.8 else f"-{r.randint(1, 9)}")
            if i < 2:  # the same invoice number from two vendors
                code, name, terms = next(v for v in self.vendors if v[0] == ("STEELCO", "FASTEN")[i])
                inv_no = shared
            if (code, inv_no) in seen:
                inv_no = f"{inv_no}-{i}"
            seen.add((code, inv_no))
            amounts = [round(r.uniform(15, 2500), 2) for _ in range(r.randint(1, 4))]
            if r.random() < 0.03:
                amounts.append(-round(r.uniform(5, 50), 2))  # a returned-goods credit line
            shipping = 0.0 if r.random() < 0.6 else round(r.uniform(10, 120), 2)
            total = round(sum(amounts) + shipping, 2)
            paid = (self.anchor - day).days > 40 and r.random() < 0.75
            stamp = self.stamp(r, day)
            w.add(
                "VendorInv",
                cols,
                (
                    code,
                    inv_no,
                    name[:30],
                    ts(day),
                    None,
                    terms,
                    ts(day + timedelta(days=30)),
                    None,
                    total,
                    total if paid else 0.0,
                    "2000",
                    "6600",
                    shipping,
                    None,
                    0.0,
                    None,
                    "P" if paid else "O",
                    ts(day + timedelta(days=30)) if paid else None,
                    f"{5000 + i}" if paid else None,
                    "N",
                    r.choice([None, None, None, "Tooling for job 200451 & 200452", "Qté livrée: 12 — OK"]),
                    self._exported(r, day, 45),
                    stamp,
                ),
            )
            w.many(
                "VendorInvDet",
                det_cols,
                (
                    (code, inv_no, r.choice(EXPENSE_ACCTS) if r.random() > 0.02 else None, amt, "N", stamp)
                    for amt in amounts
                ),
            )

    def receivers(self) -> None:
        r, w = self.rng("receivers"), self.w
        n = 300 * self.scale
        days = sorted(self.anchor - timedelta(days=r.randint(0, 120)) for _ in range(n))
        cols = "ReceiverNo PONum VendCode PackingSlipNo ReceiveDate Status ShippingChgs Billed LastModDate"
        det_cols = (
            "ReceiverNo PONum PartNo PartDesc JobNo StepNo Qty2Receive Qty2Stock Qty2Reject Qty2Cancel "
            "Unit LastModDate"
        )
        po_cols = (
            "PONum ItemNo VendCode PartNo PartDesc JobNo QtyOrdered UnitCost GLCode Unit DueDate LastModDate"
        )
        for i, day in enumerate(days):
            code = r.choice(self.vendors)[0]
            po_num, rec_no = f"P{400001 + i}", f"R{500001 + i}"
            stamp = self.stamp(r, day)
            po_lines = []
            for item in range(1, r.randint(1, 5) + 1):
                part_no, desc, *_ = r.choice(self.parts)
                if any(p[0] == part_no for p in po_lines):
                    continue
                qty = float(r.choice([10, 20, 50, 100, 250]))
                cost = round(r.uniform(0.5, 300), 4)
                po_lines.append((part_no, desc, qty, cost, item))
                w.add(
                    "PODet",
                    po_cols,
                    (
                        po_num,
                        item,
                        code,
                        part_no,
                        desc,
                        r.choice([None, f"{200001 + i}-1"]),
                        qty,
                        cost,
                        r.choice(["1200", "5000", "5200"]),
                        "EA",
                        ts(day + timedelta(days=7)),
                        stamp,
                    ),
                )
            w.add(
                "Receiver",
                cols,
                (
                    rec_no,
                    po_num,
                    code,
                    r.choice([None, f"PS-{r.randint(10000, 99999)}"]),
                    ts(day),
                    "C",
                    0.0 if r.random() < 0.7 else round(r.uniform(10, 90), 2),
                    "Y" if (self.anchor - day).days > 30 and r.random() < 0.8 else "N",
                    stamp,
                ),
            )
            for part_no, desc, qty, _cost, _item in po_lines:
                got = qty if r.random() < 0.8 else float(r.randint(1, int(qty)))
                w.add(
                    "ReceiverDet",
                    det_cols,
                    (rec_no, po_num, part_no, desc, None, None, got, got, 0.0, 0.0, "EA", stamp),
                )
            if r.random() < 0.03:  # a part received that is on no PO line: no cost to find
                part_no, desc, *_ = r.choice(self.parts)
                if all(p[0] != part_no for p in po_lines):
                    w.add(
                        "ReceiverDet",
                        det_cols,
                        (rec_no, po_num, part_no, desc, None, None, 1.0, 1.0, 0.0, 0.0, "EA", stamp),
                    )

    # ------------------------------------------------------------------ attendance

    def attendance(self) -> None:
        r, w = self.rng("attendance"), self.w
        cols = "EmplCode EmplName TicketDate SearchDate Exported LastModDate"
        det_cols = (
            "EmplCode TicketDate AttendCode ActClockInDate ActClockInTime ActClockOutDate ActClockOutTime "
            "AdjClockInDate AdjClockInTime AdjClockOutDate AdjClockOutTime TotActTime TotAdjTime "
            "PayRateCode PayrollRate OverTime Holiday Shift GLAcct Comments LastModDate"
        )
        night = HARD_CASES["night_shift_employee"]
        start = self.anchor - timedelta(days=91)
        for offset in range(91):
            day = start + timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            for code, name in enumerate(EMPLOYEES, 1):
                if code == HARD_CASES["inactive_employee"] or r.random() < 0.04:
                    continue
                ticket = day.strftime("%m/%d/%Y")
                stamp = self.stamp(r, datetime.combine(day, time(18)))
                exported = "Y" if (self.anchor - day).days > 21 else r.choice(["N", None])
                w.add(
                    "Attend", cols, (code, name[:30], ticket, (day - date(2000, 1, 1)).days, exported, stamp)
                )
                for row in self._punches(r, code, day, night):
                    w.add("AttendDet", det_cols, (code, ticket, *row[:-1], "6500", row[-1], stamp))
        # Job time tickets exist too; the sync never reads them.
        w.many(
            "TimeTicket",
            "EmplCode TicketDate Exported LastModDate",
            ((code, ts(self.anchor - timedelta(days=1)), "N", None) for code in range(1, 6)),
        )

    @staticmethod
    def _hhmm(minutes: int) -> str:
        return f"{(minutes // 60) % 24:02d}:{minutes % 60:02d}"

    def _punches(self, r: random.Random, code: int, day: date, night: int) -> list[tuple[Any, ...]]:
        """AttendDet values from AttendCode to Shift, then Comments."""
        d8 = day.strftime("%m/%d/%y")
        if r.random() < 0.02:  # a vacation day: hours, no clock times
            return [(4, None, None, None, None, None, None, None, None, 8.0, 8.0, 5, None, "N", "N", 1, None)]
        if code == night:  # 22:00 to 06:30 the next morning
            nxt = (day + timedelta(days=1)).strftime("%m/%d/%y")
            return [
                (
                    1,
                    d8,
                    "22:00",
                    nxt,
                    "06:30",
                    None,
                    None,
                    None,
                    None,
                    8.5,
                    8.5,
                    1,
                    None,
                    "N",
                    "N",
                    3,
                    "Nuit — équipe C",
                )
            ]
        start = 6 * 60 + r.randint(30, 90)
        lunch = start + 4 * 60 + r.randint(0, 30)
        back = lunch + 30
        end = back + 4 * 60 + r.randint(-20, 40)
        punches = [
            (
                1,
                d8,
                self._hhmm(start),
                d8,
                self._hhmm(lunch),
                None,
                None,
                None,
                None,
                round((lunch - start) / 60, 2),
                round((lunch - start) / 60, 2),
                1,
                None,
                "N",
                "N",
                1,
                None,
            )
        ]
        if r.random() < 0.03:  # a supervisor corrected a forgotten punch
            adj_end = back + 4 * 60
            punches.append(
                (
                    1,
                    d8,
                    self._hhmm(back),
                    d8,
                    "23:59",
                    d8,
                    self._hhmm(back),
                    d8,
                    self._hhmm(adj_end),
                    round((23 * 60 + 59 - back) / 60, 2),
                    4.0,
                    1,
                    None,
                    "N",
                    "N",
                    1,
                    "Forgot to punch out & fixed",
                )
            )
            return punches
        punches.append(
            (
                1,
                d8,
                self._hhmm(back),
                d8,
                self._hhmm(end),
                None,
                None,
                None,
                None,
                round((end - back) / 60, 2),
                round((end - back) / 60, 2),
                1,
                None,
                "N",
                "N",
                1,
                None,
            )
        )
        if r.random() < 0.12:  # overtime after the shift
            ot_end = end + r.choice([60, 90, 120])
            punches.append(
                (
                    2,
                    d8,
                    self._hhmm(end),
                    d8,
                    self._hhmm(ot_end),
                    None,
                    None,
                    None,
                    None,
                    round((ot_end - end) / 60, 2),
                    round((ot_end - end) / 60, 2),
                    2,
                    None,
                    "Y",
                    "N",
                    1,
                    None,
                )
            )
        return punches
