"""The stand-in's own copy of Intuit's qbXML schemas, and checking a message with it.

The XSDs in ``schemas/`` are the stand-in's, loaded from its own package data:
the service validates what it sends with its copy and code, the stand-in with
this one, so a mistake on one side cannot hide the same mistake on the other.

QuickBooks tells two kinds of schema trouble apart. A string longer than its
field allows is refused by the one request carrying it (statusCode 3070, the
others in the message go on); anything else (an unknown or misplaced element, a
malformed value) fails the whole message. :func:`check` sorts the schema's
complaints the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

from lxml import etree

#: Schema versions held, oldest first; a message is checked against the first at or above its version.
SCHEMA_VERSIONS: tuple[str, ...] = ("13.0", "16.0")
FOLDER = "schemas"


def folder() -> Traversable:
    """Where the stand-in's XSD files are."""
    return resources.files(__package__) / FOLDER


@cache
def schema(version: str) -> etree.XMLSchema:
    """The compiled schema ``qbxmlops<version>.xsd`` (``13.0`` or ``16.0``), loaded once."""
    path = folder() / f"qbxmlops{version.replace('.', '')}.xsd"
    with resources.as_file(path) as real:
        return etree.XMLSchema(etree.parse(str(real)))


def as_tuple(version: str) -> tuple[int, ...]:
    """``"13.0"`` -> ``(13, 0)``; country prefixes (``CA3.0``) are ignored."""
    digits = "".join(ch for ch in version if ch.isdigit() or ch == ".")
    return tuple(int(part) for part in digits.split(".") if part) or (0,)


def schema_version_for(version: str) -> str:
    wanted = as_tuple(version)
    return next((v for v in SCHEMA_VERSIONS if as_tuple(v) >= wanted), SCHEMA_VERSIONS[-1])


def message_version(root: etree._Element) -> str | None:
    """The version of the ``<?qbxml version="X.Y"?>`` line before the root, if any."""
    pis = (n for n in root.itersiblings(preceding=True) if isinstance(n, etree._ProcessingInstruction))
    return next((pi.get("version") for pi in pis if pi.target == "qbxml"), None)


@dataclass(frozen=True)
class TooLong:
    """A string over its field's limit: the field and the value."""

    field: str
    value: str


@dataclass
class SchemaCheck:
    """What the schema says about a message."""

    #: Complaints that fail the whole message.
    fatal: list[str] = field(default_factory=list)
    #: Request element -> the first over-long string in it (that request alone is refused).
    too_long: dict[etree._Element, TooLong] = field(default_factory=dict)


def check(root: etree._Element, version: str) -> SchemaCheck:
    """Validate the message under *root* against the schema for *version*."""
    xsd = schema(schema_version_for(version))
    result = SchemaCheck()
    if xsd.validate(root.getroottree()):
        return result
    tree = root.getroottree()
    for error in xsd.error_log:
        request = _request_of(tree, error.path) if error.type_name == "SCHEMAV_CVC_MAXLENGTH_VALID" else None
        if request is None:
            result.fatal.append(f"line {error.line}: {error.message}")
            continue
        node = tree.xpath(error.path)[0]
        result.too_long.setdefault(request, TooLong(node.tag, node.text or ""))
    return result


def _request_of(tree: etree._ElementTree, path: str | None) -> etree._Element | None:
    """The ``…Rq`` (a child of ``QBXMLMsgsRq``) holding the element at *path*."""
    found = tree.xpath(path) if path else []
    node = found[0] if found else None
    while node is not None and node.getparent() is not None:
        if node.getparent().tag == "QBXMLMsgsRq":
            return node
        node = node.getparent()
    return None
