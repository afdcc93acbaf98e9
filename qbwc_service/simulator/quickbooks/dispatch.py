"""Processing one request message the way QuickBooks does.

1. The message must parse, carry a ``<?qbxml version?>`` this QuickBooks
   supports, validate against Intuit's schema (the stand-in's own copy, see
   :mod:`.schema`) and use no element newer than its version; otherwise the
   whole call fails (:class:`QbXmlParseFailure`, HRESULT 0x80040400) and no
   request is processed. A string over its field's limit is the exception:
   only the request carrying it is refused (3070).
2. Each request is answered in order: by an injected error, else by the
   first request-stage refusal of :mod:`.rules`, else by its handler. With
   ``onError="stopOnError"`` (and ``rollbackOnError``, which QuickBooks
   Desktop does not honour) the first error ends the message: later requests
   get no response at all.
"""

from __future__ import annotations

from lxml import etree

from qbwc_service import xmlsafe
from qbwc_service.simulator.quickbooks import errors, refs, rules, schema, versions, writer
from qbwc_service.simulator.quickbooks.context import Company
from qbwc_service.simulator.quickbooks.errors import QbXmlParseFailure
from qbwc_service.simulator.quickbooks.handlers import host, lists, queries, txns
from qbwc_service.simulator.quickbooks.handlers.common import Handler, failure, rs_name
from qbwc_service.simulator.quickbooks.records import element_to_record, text

#: Request element -> handler: the whole repertoire of the stand-in.
HANDLERS: dict[str, Handler] = {**host.HANDLERS, **lists.HANDLERS, **queries.HANDLERS, **txns.HANDLERS}

#: Where an injection target may be found in a request (names and RefNumbers).
TARGET_PATHS = ("Name", "FullName", "RefNumber", "ListID", "TxnID", "FirstName")


def process(company: Company, request_xml: str) -> str:
    root, checked = parse_message(company, request_xml)
    msgs = root.find("QBXMLMsgsRq")
    if msgs is None:
        raise QbXmlParseFailure("only QBXMLMsgsRq messages are supported")
    stop_on_error = msgs.get("onError") != "continueOnError"
    responses: list[etree._Element] = []
    for request in msgs:
        if not isinstance(request.tag, str):
            continue
        too_long = checked.too_long.get(request)
        response = (failure(request, errors.too_long(too_long.field, too_long.value)) if too_long
                    else answer(company, request))
        company.requests_processed += 1
        responses.append(response)
        if stop_on_error and int(response.get("statusCode")) >= 1000:
            break
    return writer.message(responses)


def parse_message(company: Company, request_xml: str) -> tuple[etree._Element, schema.SchemaCheck]:
    """The message's root element and what the schema says of its requests, or
    :class:`QbXmlParseFailure` as QuickBooks would raise."""
    if company.reject_raw_non_ascii and any(ord(ch) > 127 for ch in request_xml):
        bad = next(ch for ch in request_xml if ord(ch) > 127)
        raise QbXmlParseFailure(f"Raw non-ASCII character {bad!r} (U+{ord(bad):04X}) in the request.")
    try:
        root = xmlsafe.parse(request_xml)
    except xmlsafe.UnsafeXMLError as exc:
        raise QbXmlParseFailure(str(exc)) from exc
    version = schema.message_version(root)
    if not version:
        raise QbXmlParseFailure("The request has no <?qbxml version?> processing instruction.")
    if version not in company.product.supported:
        raise QbXmlParseFailure(f'qbXML version "{version}" is not supported by {company.product.name} '
                                f"(newest: {company.max_version}).")
    checked = schema.check(root, version)
    if checked.fatal:
        raise QbXmlParseFailure("; ".join(checked.fatal[:3]))
    newer = versions.too_new(root, version)
    if newer:
        raise QbXmlParseFailure(f"Elements unknown to qbXML {version}: {', '.join(newer)}.")
    return root, checked


def answer(company: Company, request: etree._Element) -> etree._Element:
    injected = _take_injection(company, request)
    if injected is not None:
        return failure(request, injected)
    handler = HANDLERS.get(request.tag)
    if handler is None:
        return writer.rs_element(request, rs_name(request), errors.Status(
            1030, f"The stand-in does not support {request.tag}."))
    aggregate = request.find(request.tag[:-2])
    if aggregate is not None:
        refused = rules.refusal(company, "request", aggregate.tag, element_to_record(aggregate))
        if refused is not None:
            return failure(request, refused)
    return handler(company, request)


def _take_injection(company: Company, request: etree._Element) -> errors.Status | None:
    request_type = request.tag
    values = {v.casefold() for v in _identities(request)}
    for injection in company.injections:
        target = injection.target
        matches = target in (request_type, request_type[:-2]) or target.casefold() in values
        if matches and injection.remaining > 0:
            injection.remaining -= 1
            return errors.injected(injection.code, refs.label_of(request_type))
    company.injections = [i for i in company.injections if i.remaining > 0]
    return None


def _identities(request: etree._Element) -> list[str]:
    aggregate = request[0] if len(request) and len(request[0]) else request
    return [text(aggregate, path) for path in TARGET_PATHS if text(aggregate, path)] + [
        text(ref, "FullName") for ref in aggregate if ref.tag.endswith("Ref")
    ]
