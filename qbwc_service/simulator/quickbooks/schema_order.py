"""Element order of qbXML aggregates, read from Intuit's XSD.

Every aggregate in qbXML is an ``xsd:sequence``: a response whose children
come in the wrong order is rejected. Rather than hand-copy that order for
every ``…Ret`` the stand-in writes, the writer asks this module for the
declared children of an element and emits a record's fields in that order.
Children the schema does not declare are dropped, so a record may carry
request-only fields without spoiling the response.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from lxml import etree

from qbwc_service.simulator.quickbooks import schema

XSD = "{http://www.w3.org/2001/XMLSchema}"
SCHEMA_FILES = ("qbxmltypes130.xsd", "qbxml130.xsd", "qbxmlops130.xsd")


@dataclass(frozen=True)
class Decl:
    """An element declaration: where to find its content model."""

    name: str
    node: etree._Element | None  # the xsd:element (None: simple content)


class SchemaIndex:
    """Global elements, groups and complex types of the 13.0 schema."""

    def __init__(self) -> None:
        self.elements: dict[str, etree._Element] = {}
        self.groups: dict[str, etree._Element] = {}
        self.types: dict[str, etree._Element] = {}
        folder = schema.folder()
        for name in SCHEMA_FILES:
            root = etree.fromstring((folder / name).read_bytes())
            for node in root:
                table = {f"{XSD}element": self.elements, f"{XSD}group": self.groups,
                         f"{XSD}complexType": self.types}.get(node.tag)
                if table is not None and node.get("name"):
                    table[node.get("name")] = node

    def children(self, decl: etree._Element) -> list[Decl]:
        """The declared children of an ``xsd:element``, in schema order."""
        return _children_cached(self, decl)

    def global_decl(self, name: str) -> etree._Element:
        return self.elements[name]

    def _content(self, decl: etree._Element) -> list[Decl]:
        if decl.get("ref"):
            decl = self.elements[decl.get("ref")]
        type_name = decl.get("type")
        if type_name and type_name in self.types:
            return self._walk(self.types[type_name])
        inline = decl.find(f"{XSD}complexType")
        return self._walk(inline) if inline is not None else []

    def _walk(self, node: etree._Element) -> list[Decl]:
        out: list[Decl] = []
        for child in node:
            tag = child.tag
            if tag == f"{XSD}element":
                name = child.get("ref") or child.get("name")
                out.append(Decl(name, child))
            elif tag == f"{XSD}group":
                out.extend(self._walk(self.groups[child.get("ref")]))
            elif tag in (f"{XSD}sequence", f"{XSD}choice", f"{XSD}all",
                         f"{XSD}complexContent", f"{XSD}simpleContent"):
                out.extend(self._walk(child))
            elif tag == f"{XSD}extension" and child.get("base") in self.types:
                out.extend(self._walk(self.types[child.get("base")]))
                out.extend(self._walk(child))
        return out


_CHILD_CACHE: dict[int, list[Decl]] = {}


def _children_cached(index: SchemaIndex, decl: etree._Element) -> list[Decl]:
    key = id(decl)
    if key not in _CHILD_CACHE:
        seen: dict[str, Decl] = {}
        for d in index._content(decl):
            seen.setdefault(d.name, d)
        _CHILD_CACHE[key] = list(seen.values())
    return _CHILD_CACHE[key]


@cache
def index() -> SchemaIndex:
    """The schema index, built once per process."""
    return SchemaIndex()
