"""One safe way to parse untrusted XML.

Everything the service reads from outside (SOAP bodies, qbXML responses from
QuickBooks, qbXML requests in the QuickBooks stand-in) goes through
:func:`parse`: no DTDs, no entity expansion, no network access, and a document
that declares a DOCTYPE is refused outright, so entity bombs and external
entities never expand.
"""

from __future__ import annotations

from lxml import etree

#: Bytes fed at a time while looking for a DOCTYPE before the root element.
PROLOG_CHUNK = 64 * 1024


class UnsafeXMLError(ValueError):
    """The document is malformed or uses a feature we refuse (DOCTYPE, entities)."""


def _parser(encoding: str | None = None, huge_text: bool = False) -> etree.XMLParser:
    return etree.XMLParser(
        encoding=encoding,
        resolve_entities=False,
        no_network=True,
        dtd_validation=False,
        load_dtd=False,
        huge_tree=huge_text,
        remove_blank_text=False,
    )


def parse(data: str | bytes, huge_text: bool = False) -> etree._Element:
    """Parse *data* and return its root element, or raise :class:`UnsafeXMLError`.

    ``huge_text`` lifts libxml2's 10 MB limit on one text node (a SOAP
    ``receiveResponseXML`` carries QuickBooks' whole answer as one); the caller
    bounds the document's size. libxml2's huge mode relaxes its other limits too,
    so the prolog is read first with the limits on and any DOCTYPE refused:
    without a DTD no entity can be declared, and the full parse has nothing to expand.
    """
    # lxml refuses str input that carries an encoding declaration; bytes are fine. A str is
    # already decoded, so its UTF-8 bytes are read as UTF-8 whatever the declaration says.
    is_text = isinstance(data, str)
    raw = data.encode("utf-8") if is_text else data
    if huge_text and _prolog_doctype(raw):
        raise UnsafeXMLError("XML with a DOCTYPE is refused")
    try:
        tree = etree.fromstring(raw, _parser("utf-8" if is_text else None, huge_text)).getroottree()
    except etree.XMLSyntaxError as exc:
        raise UnsafeXMLError(f"malformed XML: {exc}") from exc
    if tree.docinfo.doctype:
        raise UnsafeXMLError("XML with a DOCTYPE is refused")
    root = tree.getroot()
    if next(root.iter(etree.Entity), None) is not None:  # lxml picks entity nodes out in C
        raise UnsafeXMLError("XML entities are refused")
    return root


def _prolog_doctype(raw: bytes) -> str:
    """The DOCTYPE before the root element (``""`` if none), parsed with libxml2's limits on."""
    parser = etree.XMLPullParser(events=("start",), resolve_entities=False, no_network=True,
                                 load_dtd=False, huge_tree=False)
    try:
        for start in range(0, len(raw), PROLOG_CHUNK):
            parser.feed(raw[start:start + PROLOG_CHUNK])
            for _event, element in parser.read_events():
                return element.getroottree().docinfo.doctype or ""
    except etree.XMLSyntaxError as exc:
        raise UnsafeXMLError(f"malformed XML: {exc}") from exc
    return ""
