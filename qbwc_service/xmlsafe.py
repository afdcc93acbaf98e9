"""One safe way to parse untrusted XML.

Everything the service reads from outside (SOAP bodies, qbXML responses from
QuickBooks, qbXML requests in the QuickBooks stand-in) goes through
:func:`parse`: no DTDs, no entity expansion, no network access, and a document
that declares a DOCTYPE is refused outright, so entity bombs and external
entities never expand.
"""

from __future__ import annotations

from lxml import etree


class UnsafeXMLError(ValueError):
    """The document is malformed or uses a feature we refuse (DOCTYPE, entities)."""


def _parser(encoding: str | None = None) -> etree.XMLParser:
    return etree.XMLParser(
        encoding=encoding,
        resolve_entities=False,
        no_network=True,
        dtd_validation=False,
        load_dtd=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def parse(data: str | bytes) -> etree._Element:
    """Parse *data* and return its root element, or raise :class:`UnsafeXMLError`."""
    # lxml refuses str input that carries an encoding declaration; bytes are fine. A str is
    # already decoded, so its UTF-8 bytes are read as UTF-8 whatever the declaration says.
    is_text = isinstance(data, str)
    raw = data.encode("utf-8") if is_text else data
    try:
        tree = etree.fromstring(raw, _parser("utf-8" if is_text else None)).getroottree()
    except etree.XMLSyntaxError as exc:
        raise UnsafeXMLError(f"malformed XML: {exc}") from exc
    if tree.docinfo.doctype:
        raise UnsafeXMLError("XML with a DOCTYPE is refused")
    root = tree.getroot()
    if next(root.iter(etree.Entity), None) is not None:  # lxml picks entity nodes out in C
        raise UnsafeXMLError("XML entities are refused")
    return root
