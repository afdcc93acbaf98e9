"""The generator: shared state and helpers, then one module per area, each with its own
random stream (so one area's changes leave the others' data as it was)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from qbwc_service.simulator.demo_db import attendance, lists, purchases, sales
from qbwc_service.simulator.demo_db.data import CITIES, STREETS
from qbwc_service.simulator.demo_db.writer import Writer, ts

#: A part as the transactions pick it: number, description, sales account, price, taxable.
Part = tuple[str, str, str, float | None, bool]

class Generator:
    """What every area writes with: the writer, the seed and scale, the anchor day, the lists
    written so far (the transactions pick their customers, vendors and parts from them)."""

    def __init__(self, w: Writer, seed: int, scale: int, anchor: date) -> None:
        self.w, self.seed, self.scale, self.anchor = w, seed, scale, anchor
        self.now = datetime.combine(anchor, time(17, 30))
        self.customers: list[tuple[str, str, str | None, str | None]] = []  # code, name, terms, tax
        self.vendors: list[tuple[str, str, str | None]] = []
        self.parts: list[Part] = []

    def build(self) -> None:
        lists.small_lists(self)
        lists.customers(self)
        lists.vendors(self)
        lists.employees(self)
        lists.parts(self)
        sales.write(self)
        purchases.vendor_invoices(self)
        purchases.receivers(self)
        attendance.write(self)

    def rng(self, area: str) -> random.Random:
        return random.Random(f"{self.seed}/{area}")

    def stamp(self, r: random.Random, when: date | datetime) -> str | None:
        """A LastModDate a little after ``when``, never after the anchor's evening."""
        base = when if isinstance(when, datetime) else datetime.combine(when, time(8))
        return ts(min(base + timedelta(minutes=r.randint(5, 600)), self.now))

    def address(self, r: random.Random) -> dict[str, Any]:
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

    def exported(self, r: random.Random, day: date, cutoff_days: int) -> str | None:
        """Older than the cutoff: mostly exported; newer: never. NULL and blank appear on both sides."""
        if (self.anchor - day).days > cutoff_days:
            return r.choices(["Y", "N", None, ""], weights=[90, 4, 4, 2])[0]
        return r.choices(["N", None, ""], weights=[70, 25, 5])[0]
