"""The demo's lists: GL accounts, terms, tax codes, the company, customers, vendors,
employees and parts."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from qbwc_service.simulator.demo_db.data import (
    ATTEND_CODES,
    EMPLOYEES,
    EXPENSE_ACCTS,
    GL_ACCOUNTS,
    HARD_CASES,
    MATERIALS,
    PART_FAMILIES,
    PAYROLL_ITEMS,
    SPECIAL_CUSTOMERS,
    SPECIAL_PARTS,
    SPECIAL_VENDORS,
    TAX_CODES,
    TERMS,
    VENDOR_WORDS,
    WORDS_A,
    WORDS_B,
    WORDS_C,
)
from qbwc_service.simulator.demo_db.writer import ts

if TYPE_CHECKING:
    from qbwc_service.simulator.demo_db.generator import Generator

#: A customer or vendor: code, name, QuickBooks name, active flag, column overrides.
Company = tuple[str, str, str | None, str | None, dict[str, Any]]


def small_lists(g: Generator) -> None:
    w, r, when = g.w, g.rng("lists"), g.anchor - timedelta(days=400)
    w.many(
        "GLAccounts",
        "GLAcctNum Descrip AcctCode Active LastModDate",
        ((n, d, c, "Y", g.stamp(r, when)) for n, d, c in GL_ACCOUNTS),
    )
    w.add(
        "GLAccounts",
        "GLAcctNum Descrip AcctCode Active LastModDate",
        ("6999", "Old Misc Expense", "EXPENSE", "N", g.stamp(r, when)),
    )
    w.many(
        "Terms",
        "TermsCode Descrip DiscPerc DiscDays NetDueDays Method LastModDate",
        ((c, d, p, dd, nd, "D", g.stamp(r, when)) for c, d, p, dd, nd in TERMS),
    )
    w.many(
        "TaxCode",
        "TaxCode Descrip TaxFactor TaxAcct Active LastModDate",
        ((c, d, f, a, "Y", g.stamp(r, when)) for c, d, f, a in TAX_CODES),
    )
    payroll = [*PAYROLL_ITEMS, *([None] * (10 - len(PAYROLL_ITEMS)))]
    w.add(
        "Company",
        "CompanyName AR AP Freight SalesTax "
        + " ".join(f"Payroll{i}" for i in range(1, 11))
        + " DefaultQBItemType LastModDate",
        ("Demo Precision Machining", "1100", "2000", "4100", "2100", *payroll, "N", g.stamp(r, when)),
    )
    w.many(
        "AttendanceCodes",
        "AttendCode Descrip ShortName Clockable GLAcct LastModDate",
        ((*row, g.stamp(r, when)) for row in ATTEND_CODES),
    )
    w.many(
        "ProdCode",
        "ProdCode Descrip SalesAcct ARAcct FreightAcct LastModDate",
        ((fam, name, acct, "1100", "4100", g.stamp(r, when)) for fam, name, acct in PART_FAMILIES),
    )


def _made_up(r: random.Random, special: list[Company], count: int, words: tuple[list[str], ...],
             active: Callable[[], str | None]) -> list[Company]:
    """The hand-written companies, then made-up ones up to ``count``: a name of one word of each
    list, a code of its initials and a number."""
    rows = list(special)
    used = {code for code, *_ in rows}
    while len(rows) < count:
        name = " ".join(r.choice(choices) for choices in words)
        code = "".join(word[0] for word in name.split())[:4].upper() + str(r.randint(10, 99))
        if code not in used:
            used.add(code)
            rows.append((code, name, None, active(), {}))
    return rows


def customers(g: Generator) -> None:
    r = g.rng("customers")
    cols = (
        "CustCode CustName QBCustCode TermsCode TaxCode SalesID CurrencyCode BAddr1 BAddr2 BCity "
        "BState BZIPCode BCountry Phone FAX Contact1 APContact Active LastModDate"
    )
    rows = _made_up(r, SPECIAL_CUSTOMERS, 50, (WORDS_A, WORDS_B, WORDS_C),
                    lambda: r.choice(["Y"] * 9 + [None]))
    for code, name, qb, active, extra in rows:
        a = g.address(r)
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
        g.customers.append((code, name, values["TermsCode"], values["TaxCode"]))
        when = g.anchor - timedelta(days=r.randint(200, 900))
        g.w.add(
            "CustCode",
            cols,
            (code, name, qb, values["TermsCode"], values["TaxCode"], r.choice(["JD", "MK", None]), "USD",
             values["BAddr1"], values["BAddr2"], values["BCity"], values["BState"], values["BZIPCode"],
             values["BCountry"], values["Phone"], values["FAX"], values["Contact1"], None, active,
             g.stamp(r, when)),
        )
    # One ship-to per customer with an alternate dock.
    g.w.many(
        "ShipTo",
        "CustCode ShipToName SAddr1 SCity SSt SZip Country LastModDate",
        (
            (code, "Receiving Dock", f"{r.randint(10, 99)} Dock Rd", "Austin", "TX", "78701", "USA", None)
            for code, *_ in g.customers[:10]
        ),
    )


def vendors(g: Generator) -> None:
    r = g.rng("vendors")
    cols = (
        "VendCode VendName QBVendCode TermsCode VendType RAddr1 RAddr2 RCity RState RZipCode RCountry "
        "Phone FAX VendAcctNum Ten99 FedIDNum GLAcct1 Active LastModDate"
    )
    rows = _made_up(r, SPECIAL_VENDORS, 30, (WORDS_A, VENDOR_WORDS, WORDS_C), lambda: "Y")
    for code, name, qb, active, extra in rows:
        a = g.address(r)
        values = {
            "RCountry": a["Country"],
            "RState": a["State"],
            "Ten99": r.choice(["N", "N", None]),
            "FedIDNum": None,
        }
        values.update(extra)
        terms = r.choice(["NET30", "NET30", "2%10NET30", "NET45", None])
        g.vendors.append((code, name, terms))
        g.w.add(
            "VendCode",
            cols,
            (code, name, qb, terms, r.choice(["MATL", "SVC", "SUPPLY"]), a["Addr1"], a["Addr2"], a["City"],
             values["RState"], a["Zip"], values["RCountry"], a["Phone"], None,
             r.choice([None, f"CUST-{r.randint(1000, 9999)}"]), values["Ten99"], values["FedIDNum"],
             r.choice(EXPENSE_ACCTS), active, g.stamp(r, g.anchor - timedelta(days=r.randint(200, 900)))),
        )


def employees(g: Generator) -> None:
    r = g.rng("employees")
    cols = (
        "EmplCode EmplName EmplShortName Addr1 City State ZIPCode Phone HireDate DeptNum DefPayrollRate "
        + " ".join(f"Rate{i}" for i in range(1, 11))
        + " Active LastModDate"
    )
    for code, name in enumerate(EMPLOYEES, 1):
        a = g.address(r)
        base = round(r.uniform(17, 42), 2)
        rates = [base, round(base * 1.5, 2), round(base * 2, 2), base, base, *([None] * 5)]
        if code % 5 == 0:
            rates[2] = 0.0  # no double time: a zero rate is not a pay rate
        hired = g.anchor - timedelta(days=r.randint(120, 6000))
        g.w.add(
            "EmplCode",
            cols,
            (code, name, name.split(",")[0].split()[0][:12].upper(), a["Addr1"], a["City"], a["State"],
             a["Zip"], a["Phone"] if code != 10 else None, ts(hired),
             r.choice(["MACH", "WELD", "QC", "ASSY"]), base, *rates,
             "N" if code == HARD_CASES["inactive_employee"] else "Y", g.stamp(r, hired)),
        )


def parts(g: Generator) -> None:
    r = g.rng("parts")
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
    g.parts = parts
    for i, (no, desc, acct, price, taxable) in enumerate(parts):
        fam = no.split("-")[0]
        cost = round(price * r.uniform(0.35, 0.7), 4) if price else None
        active = "N" if i % 67 == 66 else "Y"
        g.w.add(
            "Estim",
            cols,
            (no, desc, r.choice(["A", "B", "C", None]),
             fam if fam in dict((f, 1) for f, *_ in PART_FAMILIES) else None, acct, "5000", price, cost,
             "EA", "EA", int(taxable), active, g.stamp(r, g.anchor - timedelta(days=r.randint(100, 700)))),
        )
