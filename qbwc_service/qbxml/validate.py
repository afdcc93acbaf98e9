"""Validation of qbXML messages against Intuit's XSD.

Each schema (13.0, 16.0, shipped in ``schemas/``) is compiled once per process
and cached. A message names its spec version in ``<?qbxml version="X.Y"?>``;
versions we hold no schema for are checked against the nearest schema at or
above them (the schemas only ever add elements, so what a newer schema rejects
an older QuickBooks rejects too).

Cost and decision: validating a typical message (InvoiceAdd with 10 lines,
about 3 kB) takes about 50 microseconds against the cached 13.0 schema (16.0:
about 55), parsing included; building it takes about 270 microseconds, 310 with
the check (``bench/qbxml_bench.py``, best of 5 runs of 1000 on a shared 2-core
machine; loading a schema costs about 60 ms once per process). That is negligible next to a
Web Connector round trip, so the service validates every outgoing message:
:func:`~qbwc_service.qbxml.message.build_message` checks the tree before
serializing it (``check_schema=True`` by default) and raises
:class:`QbxmlValidationError` instead of sending a message QuickBooks would
reject as a whole (0x80040400).
"""

from __future__ import annotations

import threading
from functools import cache
from importlib import resources

from lxml import etree

from qbwc_service import xmlsafe

SCHEMA_VERSIONS: tuple[str, ...] = ("13.0", "16.0")


class QbxmlValidationError(ValueError):
    """The message does not validate; ``errors`` lists the schema's complaints."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors[:5]) + (" ..." if len(errors) > 5 else ""))
        self.errors = errors


#: One thread compiles a schema while the others wait for it: under load every server thread
#: meets its first message at once, and each compiling its own copy costs them all.
_COMPILING = threading.Lock()


def schema(version: str = "13.0") -> etree.XMLSchema:
    """The compiled schema for a spec version we ship (``13.0`` or ``16.0``)."""
    with _COMPILING:
        return _compiled(version)


@cache
def _compiled(version: str) -> etree.XMLSchema:
    tag = version.replace(".", "")
    path = resources.files("qbwc_service.qbxml") / "schemas" / f"qbxmlops{tag}.xsd"
    with resources.as_file(path) as real:
        return etree.XMLSchema(etree.parse(str(real)))


def schema_version_for(version: str | None) -> str:
    """The schema to check a message of spec *version* against."""
    if not version:
        return SCHEMA_VERSIONS[0]
    wanted = _as_tuple(version)
    for candidate in SCHEMA_VERSIONS:
        if _as_tuple(candidate) >= wanted:
            return candidate
    return SCHEMA_VERSIONS[-1]


def message_version(root: etree._Element) -> str | None:
    """The version in the ``<?qbxml version="X.Y"?>`` line, if any."""
    node = root.getprevious()
    while node is not None:
        if isinstance(node, etree._ProcessingInstruction) and node.target == "qbxml":
            return node.get("version")
        node = node.getprevious()
    return None


def validation_errors(message: str | bytes, version: str | None = None) -> list[str]:
    """Every schema complaint about *message* (empty list = valid)."""
    try:
        root = xmlsafe.parse(message)
    except xmlsafe.UnsafeXMLError as exc:
        return [str(exc)]
    xsd = schema(schema_version_for(version or message_version(root)))
    if xsd.validate(root.getroottree()):
        return []
    return [f"line {e.line}: {e.message}" for e in xsd.error_log]


def tree_is_valid(root: etree._Element, version: str) -> bool:
    """Whether the message *root* about to be serialized validates, checked on the tree itself.

    The text lxml serializes it to says the same, so a sender need not parse its own
    message back (a few hundred KB a batch); when this says no, :func:`validation_errors`
    on the text says why, with line numbers.
    """
    return bool(schema(schema_version_for(version)).validate(root.getroottree()))


def validate(message: str | bytes, version: str | None = None) -> None:
    """Raise :class:`QbxmlValidationError` unless *message* validates."""
    errors = validation_errors(message, version)
    if errors:
        raise QbxmlValidationError(errors)


def _as_tuple(version: str) -> tuple[int, ...]:
    digits = "".join(ch for ch in version if ch.isdigit() or ch == ".")
    return tuple(int(p) for p in digits.split(".") if p)
