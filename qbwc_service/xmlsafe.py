"""One safe way to parse untrusted XML.

Everything the service reads from outside (SOAP bodies, qbXML responses from
QuickBooks, qbXML requests in the QuickBooks stand-in) goes through
:func:`parse`: no DTDs, no entity expansion, no network access, and a document
that declares a DOCTYPE is refused outright, so entity bombs and external
entities never expand.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

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
    if huge_text and _prolog_doctype(raw[start:start + PROLOG_CHUNK]
                                     for start in range(0, len(raw), PROLOG_CHUNK)):
        raise UnsafeXMLError("XML with a DOCTYPE is refused")
    try:
        tree = etree.fromstring(raw, _parser("utf-8" if is_text else None, huge_text)).getroottree()
    except etree.XMLSyntaxError as exc:
        raise UnsafeXMLError(f"malformed XML: {exc}") from exc
    return _checked(tree)


def parse_file(stream: BinaryIO, huge_text: bool = False) -> etree._Element:
    """:func:`parse` for a seekable binary file, read in chunks: the bytes are never all in memory.

    The file is read from its start (twice with ``huge_text``: the prolog, then the document).
    """
    stream.seek(0)
    if huge_text:
        if _prolog_doctype(iter(lambda: stream.read(PROLOG_CHUNK), b"")):
            raise UnsafeXMLError("XML with a DOCTYPE is refused")
        stream.seek(0)
    try:
        tree = etree.parse(stream, _parser(None, huge_text))
    except etree.XMLSyntaxError as exc:
        raise UnsafeXMLError(f"malformed XML: {exc}") from exc
    return _checked(tree)


def _checked(tree: etree._ElementTree) -> etree._Element:
    """The root of *tree*, refused if the document declared a DOCTYPE or holds entity references."""
    if tree.docinfo.doctype:
        raise UnsafeXMLError("XML with a DOCTYPE is refused")
    root = tree.getroot()
    if next(root.iter(etree.Entity), None) is not None:  # lxml picks entity nodes out in C
        raise UnsafeXMLError("XML entities are refused")
    return root


def _prolog_doctype(chunks: Iterable[bytes]) -> str:
    """The DOCTYPE before the root element (``""`` if none), parsed with libxml2's limits on."""
    parser = etree.XMLPullParser(events=("start",), resolve_entities=False, no_network=True,
                                 load_dtd=False, huge_tree=False)
    try:
        for chunk in chunks:
            parser.feed(chunk)
            for _event, element in parser.read_events():
                return element.getroottree().docinfo.doctype or ""
    except etree.XMLSyntaxError as exc:
        raise UnsafeXMLError(f"malformed XML: {exc}") from exc
    return ""
