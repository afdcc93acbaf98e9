"""The QuickBooks releases the stand-in can play, and the qbXML versions each accepts."""

from __future__ import annotations

from dataclasses import dataclass

US_VERSIONS = ("1.0", "1.1", "2.0", "2.1", "3.0", "4.0", "4.1", "5.0", "6.0", "7.0", "8.0",
               "9.0", "10.0", "11.0", "12.0", "13.0", "14.0", "15.0", "16.0")


def _up_to(version: str, prefix: tuple[str, ...] = ()) -> tuple[str, ...]:
    return prefix + US_VERSIONS[: US_VERSIONS.index(version) + 1]


@dataclass(frozen=True)
class Product:
    """A QuickBooks release: what HostRet says about it."""

    name: str
    major: int
    country: str
    qbxml: str  # newest qbXML spec it supports
    supported: tuple[str, ...]

    @property
    def qbxml_major_minor(self) -> tuple[int, int]:
        major, _, minor = self.qbxml.partition(".")
        return int(major), int(minor or 0)


#: (country, newest qbXML) -> product. ``--qb-version`` / ``--country`` pick one.
PRODUCTS: dict[tuple[str, str], Product] = {
    ("US", "13.0"): Product("QuickBooks Enterprise Solutions: Manufacturing and Wholesale 14.0", 24, "US",
                            "13.0", _up_to("13.0")),
    ("US", "16.0"): Product("QuickBooks Enterprise Solutions: Manufacturing and Wholesale 23.0", 33, "US",
                            "16.0", _up_to("16.0")),
    ("US", "8.0"): Product("QuickBooks Premier Edition 2009", 19, "US", "8.0", _up_to("8.0")),
    ("CA", "13.0"): Product("QuickBooks Premier Edition 2014 (Canada)", 24, "CA", "13.0",
                            _up_to("13.0", ("CA2.0", "CA3.0"))),
    ("UK", "13.0"): Product("QuickBooks Pro 2014 (UK)", 24, "UK", "13.0",
                            _up_to("13.0", ("UK2.0", "UK3.0"))),
}


def product_for(country: str = "US", version: str = "13.0") -> Product:
    try:
        return PRODUCTS[(country.upper(), version)]
    except KeyError:
        known = ", ".join(f"{c} {v}" for c, v in PRODUCTS)
        raise ValueError(f"no QuickBooks product for {country} {version} (have: {known})") from None
