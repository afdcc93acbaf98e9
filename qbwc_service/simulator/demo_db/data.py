"""The demo JobBOSS2 database's fixed data: the hard cases, the lists, the words names are made of."""

from __future__ import annotations

from typing import Any

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
    ("NET30", "Net 30 days", 0, 0, 30), ("NET15", "Net 15 days", 0, 0, 15),
    ("2%10NET30", "2% 10, Net 30", 2.0, 10, 30), ("NET45", "Net 45 days", 0, 0, 45),
    ("COD", "Cash on delivery", 0, 0, 0), ("DUEREC", "Due on receipt", 0, 0, 0),
]

TAX_CODES = [
    ("TX-TRAVIS", "Travis County TX", 0.0825, "2100"), ("OH-CUYA", "Cuyahoga County OH", 0.08, "2100"),
    ("CA-LA", "Los Angeles CA", 0.095, "2100"), ("EXEMPT", "Resale / exempt", 0.0, "2100"),
]

PAYROLL_ITEMS = ["Hourly Regular", "Hourly Overtime", "Hourly Double Time", "Holiday Pay", "Vacation Pay"]

#: (code, name, short name, clockable, GL account) of the attendance codes.
ATTEND_CODES = [
    (1, "Regular", "REG", "Y", "6500"), (2, "Overtime", "OT", "Y", "6500"),
    (3, "Holiday", "HOL", "N", "6500"), (4, "Vacation", "VAC", "N", "6500"),
    (5, "Sick", "SICK", "N", "6500"),
]

#: (city, state, first three ZIP digits) of the made-up addresses.
CITIES = [
    ("Austin", "TX", "787"), ("Cleveland", "OH", "441"), ("Los Angeles", "CA", "900"),
    ("Milwaukee", "WI", "532"), ("Rockford", "IL", "611"), ("Wichita", "KS", "672"),
    ("Grand Rapids", "MI", "495"), ("Erie", "PA", "165"), ("Greenville", "SC", "296"), ("Tulsa", "OK", "741"),
]
#: Street names of the made-up addresses.
STREETS = [
    "Industrial Pkwy", "Commerce Dr", "Machine Shop Rd", "Foundry St", "Mill Ave", "Tech Blvd",
    "Enterprise Way", "Factory Ln",
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
    ("INTLFAB", "International Fabrication & Welding Services Corporation", "Intl Fabrication & Welding",
     "Y", {}),
    ("DEFUNCT", "Defunct Machining Inc", None, "N", {}),
    ("BARE", "Bare Minimum LLC", None, None,
     {"TermsCode": None, "TaxCode": None, "BAddr1": None, "BCity": None, "BState": None, "BZIPCode": None,
      "Phone": None, "FAX": None, "Contact1": None}),
    ("SMITHFAB", "Smith Fabrication      ", None, "Y", {"Contact1": "  Joe Smith  "}),
]
WORDS_A = [
    "Precision", "Midwest", "Allied", "Summit", "Apex", "Great Lakes", "Pioneer", "Reliable", "Advanced",
    "Triangle", "Keystone", "Liberty", "Frontier", "Superior", "Cascade",
]
WORDS_B = [
    "Gear", "Hydraulics", "Controls", "Motion", "Fluid Power", "Robotics", "Pump", "Valve", "Aerospace",
    "Automation", "Medical Devices", "Packaging", "Energy", "Rail",
]
WORDS_C = ["Inc", "LLC", "Corp.", "Co.", "Works", "Systems", "Industries", "Group"]

SPECIAL_VENDORS: list[tuple[str, str, str | None, str | None, dict[str, Any]]] = [
    ("STEELCO", "Steel & Wire Supply", None, "Y", {}),
    ("FASTEN", "Fastenal Distribution Ctr", None, "Y", {}),
    ("DANGELO", "D'Angelo Heat Treat", None, "Y", {"Ten99": "Y", "FedIDNum": "12-3456789"}),
    ("QUEBEC", "Aciers Québec Ltée", None, "Y", {"RCountry": "Canada", "RState": "QC"}),
    ("ZLIN", "Nástroje Zlín s.r.o.", None, "Y", {"RCountry": "Czechia", "RState": None}),
    ("LONGV", "Consolidated Industrial Abrasives & Cutting Tools Supply", "Consolidated Industrial Abrasives",
     "Y", {}),
    ("OLDVEND", "Old Vendor (do not use)", None, "N", {}),
    ("PLATING", "Bob's Plating & Anodizing", None, "Y", {"Ten99": "Y", "FedIDNum": "98-7654321"}),
]
VENDOR_WORDS = [
    "Metals", "Tooling", "Abrasives", "Industrial Supply", "Bearings", "Coatings", "Castings", "Electric",
    "Gases", "Plastics", "Fasteners", "Grinding",
]

#: Employee names as JobBOSS2 holds them: "Last, First" or not, accents, a single name.
EMPLOYEES = [
    "Garcia, Maria", "John Smith", "Nguyen, Thanh", "Robert J. Miller", "Ramírez, José", "Zoë O'Neil",
    "Okafor, Chinedu", "Anna-Lena Schröder", "Kowalski, Łukasz", "Madonna", "Brown, David",
    "Patricia Johnson", "Lee, Min-jun", "Dubois, François", "Chen Wei", "Wilson, James", "Sarah Davis",
    "Müller, Jürgen", "Taylor, Chris", "Emeritus, Former",
]

#: What the made-up parts are made of.
MATERIALS = [
    "6061-T6 aluminum", "304 stainless", "316L stainless", "1018 steel", "4140 chromoly", "brass C360",
    "Delrin", "Ti-6Al-4V",
]
#: (part number prefix, noun, sales account) of the made-up parts.
PART_FAMILIES = [
    ("BRKT", "Bracket", "4000"), ("SHAFT", "Shaft", "4000"), ("FLNG", "Flange", "4000"),
    ("HSG", "Housing", "4010"), ("PLT", "Plate", "4000"), ("BUSH", "Bushing", "4000"),
    ("MANF", "Manifold", "4010"), ("SPCR", "Spacer", "4000"), ("GEAR", "Gear", "4000"),
    ("ASSY", "Weldment assembly", "4010"),
]
SPECIAL_PARTS = [
    (HARD_CASES["long_part_no"], "Hydraulic manifold assembly, 4-port, 316L", "4010", 1875.5, True),
    ('BOLT-1/2"-HEX', 'Hex bolt 1/2" x 2" grade 8 & washer', "4000", 1.35, True),
    ("FLNG-Ø50-DIN", "Flange Ø50 — DIN 2633 ≤ PN16", "4000", 48.0, True),
    ("SVC-DEBURR", "Deburr & inspect (service)\nper customer drawing", "4020", None, False),
    ("ENG-HOUR", "Engineering / programming hour", "4020", 95.0, False),
]
