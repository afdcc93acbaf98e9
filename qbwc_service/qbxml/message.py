"""Whole qbXML request messages.

:func:`build_message` wraps requests in ``QBXML/QBXMLMsgsRq``, each with its
``requestID``, behind the two header lines QuickBooks expects::

    <?xml version="1.0" encoding="utf-8"?>
    <?qbxml version="13.0"?>

The ``qbxml`` line always names the version the elements were chosen for. The
body is serialized by lxml as ASCII, so every non-ASCII (Latin-1) character is
a numeric character reference (``&#233;``), the form QuickBooks accepts; that
is still valid UTF-8, which the declaration promises.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from lxml import etree

from qbwc_service.qbxml.build import build_request_element
from qbwc_service.qbxml.fields import FieldWarning, QbxmlFieldError
from qbwc_service.qbxml.requests import Request
from qbwc_service.qbxml.validate import QbxmlValidationError, schema, schema_version_for
from qbwc_service.qbxml.versions import check

ON_ERROR = ("stopOnError", "continueOnError")
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'


@dataclass(frozen=True)
class BuiltMessage:
    """A serialized message and every change the builders made to the caller's values."""

    xml: str
    version: str
    country: str
    request_ids: tuple[str, ...]
    warnings: list[FieldWarning] = field(default_factory=list)


def build_message(requests: Sequence[tuple[str, Request]], *, version: str = "13.0", country: str = "US",
                  on_error: str = "stopOnError", check_schema: bool = True) -> BuiltMessage:
    """Build one qbXML message from ``(request_id, request)`` pairs, in the order given.

    Raises :class:`~qbwc_service.qbxml.versions.QbxmlVersionError` for an unknown
    version or country (or a request the version lacks),
    :class:`~qbwc_service.qbxml.fields.QbxmlFieldError` for a value that cannot be
    sent (naming the element), and :class:`ValueError` for a bad ``on_error`` or
    duplicate request IDs. With ``check_schema`` (the default) the tree is validated
    against Intuit's XSD before it is serialized and
    :class:`~qbwc_service.qbxml.validate.QbxmlValidationError` is raised if it does
    not validate, so a message QuickBooks would reject as a whole never leaves.
    """
    check(version, country)
    if on_error not in ON_ERROR:
        raise ValueError(f"on_error must be one of {', '.join(ON_ERROR)}, not {on_error!r}")
    ids = [request_id for request_id, _ in requests]
    if len(set(ids)) != len(ids):
        raise QbxmlFieldError("requestID", ids, reason="repeats a requestID")
    warnings: list[FieldWarning] = []
    root = etree.Element("QBXML")
    msgs = etree.SubElement(root, "QBXMLMsgsRq", onError=on_error)
    for request_id, request in requests:
        msgs.append(build_request_element(request, version, country, request_id, warnings))
    if check_schema:
        xsd = schema(schema_version_for(version))
        if not xsd.validate(root.getroottree()):
            raise QbxmlValidationError([e.message for e in xsd.error_log])
    return BuiltMessage(serialize(root, version), version, country, tuple(ids), warnings)


def serialize(root: etree._Element, version: str) -> str:
    """The message text for a ``QBXML`` element: declaration, ``qbxml`` line, ASCII body."""
    body = etree.tostring(root, encoding="us-ascii", pretty_print=False).decode("ascii")
    return f'{XML_DECLARATION}<?qbxml version="{version}"?>\n{body}'
