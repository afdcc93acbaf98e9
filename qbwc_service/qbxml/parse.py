"""Reading QuickBooks' answers: qbXML responses and the host/company/preferences reply.

Documents are parsed with :func:`qbwc_service.xmlsafe.parse` (no DTD, no entities,
no network; a DOCTYPE is refused) and read element by element. Unknown elements
are ignored, so newer QuickBooks versions that add fields do not break us.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from lxml import etree

from qbwc_service import xmlsafe

REF_SUFFIX = "Ref"


class QbxmlParseError(ValueError):
    """A response that is not a qbXML response, or a failure QuickBooks reported by hresult."""


@dataclass(frozen=True)
class RetInfo:
    """The common fields of one ``...Ret`` (a list entry or transaction QuickBooks returned).

    ``refs`` maps each top-level reference element (``CustomerRef``, ``VendorRef``,
    ``EntityRef``, ``ItemRef``...) to its FullName (its ListID when it has no FullName).
    """

    ret_name: str
    list_id: str | None = None
    txn_id: str | None = None
    edit_sequence: str | None = None
    time_created: datetime | None = None
    time_modified: datetime | None = None
    name: str | None = None
    full_name: str | None = None
    ref_number: str | None = None
    total_amount: Decimal | None = None
    txn_date: date | None = None
    is_active: bool | None = None
    refs: dict[str, str] = field(default_factory=dict)
    notes: str | None = None
    memo: str | None = None
    duration: str | None = None
    external_guid: str | None = None


@dataclass(frozen=True)
class RequestResult:
    """The answer to one request (one ``...Rs``)."""

    request_id: str
    rs_name: str
    status_code: int
    status_severity: str
    status_message: str
    rets: list[RetInfo] = field(default_factory=list)
    iterator_id: str | None = None
    iterator_remaining_count: int | None = None
    ret_count: int | None = None

    @property
    def ok(self) -> bool:
        """Status 0, or an Info/Warn severity (data returned, possibly with a warning)."""
        return self.status_code == 0 or self.status_severity in ("Info", "Warn", "Warning")

    @property
    def is_error(self) -> bool:
        return not self.ok

    @property
    def ret(self) -> RetInfo | None:
        """The first Ret, if any (adds and mods return exactly one on success)."""
        return self.rets[0] if self.rets else None


@dataclass(frozen=True)
class ResponseSet:
    """Every ``...Rs`` of one ``QBXMLMsgsRs``, keyed by requestID (and iterable in document order)."""

    results: dict[str, RequestResult]
    new_message_set_id: str | None = None
    message_set_status_code: str | None = None

    def __iter__(self) -> Iterator[RequestResult]:
        return iter(self.results.values())

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, request_id: str) -> RequestResult:
        return self.results[request_id]


@dataclass(frozen=True)
class HostInfo:
    """What the first ``strHCPResponse`` says about the QuickBooks in use (missing parts stay None)."""

    product_name: str | None = None
    major_version: int | None = None
    minor_version: int | None = None
    country: str | None = None
    supported_versions: tuple[str, ...] = ()
    company_name: str | None = None
    is_using_inventory: bool | None = None
    sales_tax_on: bool | None = None
    time_tracking_on: bool | None = None
    multicurrency_on: bool | None = None
    class_tracking_on: bool | None = None
    is_using_account_numbers: bool | None = None


def raise_for_hresult(hresult: str | None, message: str | None = None) -> None:
    """Raise :class:`QbxmlParseError` when receiveResponseXML reported an ``hresult`` failure."""
    if hresult and hresult.strip() not in ("", "0", "0x0", "0x00000000"):
        raise QbxmlParseError(f"QuickBooks reported hresult {hresult.strip()}: {message or 'no message'}")


def parse_response(xml: str | bytes) -> ResponseSet:
    """Parse a ``QBXML/QBXMLMsgsRs`` document into a :class:`ResponseSet`."""
    msgs = _messages(xml)
    results: dict[str, RequestResult] = {}
    for index, rs in enumerate(_elements(msgs)):
        result = _result(rs, index)
        if result.request_id in results:  # one answer would hide the other: a success could be lost
            raise QbxmlParseError(f"the response repeats requestID {result.request_id!r}")
        results[result.request_id] = result
    return ResponseSet(results, msgs.get("newMessageSetID"), msgs.get("messageSetStatusCode"))


def parse_host_response(hcp: str | bytes) -> HostInfo:
    """Parse the HostQuery/CompanyQuery/PreferencesQuery reply QBWC passes as ``strHCPResponse``.

    Tolerant: an empty string, a non-XML text (as QuickBooks POS sends) or missing
    parts give a :class:`HostInfo` with ``None`` fields instead of an error.
    """
    text = hcp.decode("utf-8", "replace") if isinstance(hcp, bytes) else (hcp or "")
    if "<" not in text:
        return HostInfo(product_name=text.strip() or None)
    try:
        msgs = _messages(text)
    except QbxmlParseError:
        return HostInfo()
    host = _first(msgs, "HostQueryRs/HostRet")
    company = _first(msgs, "CompanyQueryRs/CompanyRet")
    prefs = _first(msgs, "PreferencesQueryRs/PreferencesRet")
    return HostInfo(
        product_name=_text(host, "ProductName"),
        major_version=_int(_text(host, "MajorVersion")),
        minor_version=_int(_text(host, "MinorVersion")),
        country=_text(host, "Country"),
        supported_versions=tuple((v.text or "").strip() for v in _all(host, "SupportedQBXMLVersion")),
        company_name=_text(company, "CompanyName"),
        is_using_inventory=_bool(_text(prefs, "PurchasesAndVendorsPreferences/IsUsingInventory")),
        sales_tax_on=_present(prefs, "SalesTaxPreferences"),
        time_tracking_on=_present(prefs, "TimeTrackingPreferences"),
        multicurrency_on=_bool(_text(prefs, "MultiCurrencyPreferences/IsMultiCurrencyOn")),
        class_tracking_on=_bool(_text(prefs, "AccountingPreferences/IsUsingClassTracking")),
        is_using_account_numbers=_bool(_text(prefs, "AccountingPreferences/IsUsingAccountNumbers")),
    )


# --------------------------------------------------------------------------- internals


def _messages(xml: str | bytes) -> etree._Element:
    if not isinstance(xml, str | bytes):  # e.g. None when QuickBooks failed and sent no response
        raise QbxmlParseError(f"not a qbXML response: got {type(xml).__name__}, not text")
    try:
        root = xmlsafe.parse(xml)
    except (xmlsafe.UnsafeXMLError, UnicodeError) as exc:  # UnicodeError: a lone surrogate in a str
        raise QbxmlParseError(f"not a readable qbXML response: {exc}") from exc
    if root.tag != "QBXML":
        raise QbxmlParseError(f"not a qbXML response: root element is <{root.tag}>, not <QBXML>")
    msgs = root.find("QBXMLMsgsRs")
    if msgs is None:
        raise QbxmlParseError("not a qbXML response: no <QBXMLMsgsRs>")
    return msgs


def _result(rs: etree._Element, index: int) -> RequestResult:
    code = _int(rs.get("statusCode"))
    if code is None:
        raise QbxmlParseError(f"<{rs.tag}> has no valid statusCode")
    rets = [_ret(child) for child in _elements(rs) if child.tag.endswith("Ret")]
    return RequestResult(
        request_id=rs.get("requestID") or str(index),
        rs_name=rs.tag,
        status_code=code,
        status_severity=rs.get("statusSeverity") or "",
        status_message=rs.get("statusMessage") or "",
        rets=rets,
        iterator_id=rs.get("iteratorID"),
        iterator_remaining_count=_int(rs.get("iteratorRemainingCount")),
        ret_count=_int(rs.get("retCount")),
    )


def _ret(ret: etree._Element) -> RetInfo:
    refs = {}
    texts: dict[str, str | None] = {}  # first child of each name -> its text
    for child in _elements(ret):
        tag = child.tag
        texts.setdefault(tag, child.text)
        if tag.endswith(REF_SUFFIX) and tag not in refs:
            value = _text(child, "FullName") or _text(child, "ListID")
            if value is not None:
                refs[tag] = value
    # One pass over the children instead of a find() per field: a Ret has dozens.
    text = texts.get
    return RetInfo(
        ret_name=ret.tag,
        list_id=text("ListID"),
        txn_id=text("TxnID"),
        edit_sequence=text("EditSequence"),
        time_created=_datetime(text("TimeCreated")),
        time_modified=_datetime(text("TimeModified")),
        name=text("Name"),
        full_name=text("FullName"),
        ref_number=text("RefNumber"),
        total_amount=_total(texts),
        txn_date=_date(text("TxnDate")),
        is_active=_bool(text("IsActive")),
        refs=refs,
        notes=text("Notes"),
        memo=text("Memo"),
        duration=text("Duration"),
        external_guid=text("ExternalGUID"),
    )


def _total(texts: dict[str, str | None]) -> Decimal | None:
    """TotalAmount where the Ret has one; a bill's AmountDue; a vendor credit's CreditAmount;
    an invoice's Subtotal + SalesTaxTotal."""
    for tag in ("TotalAmount", "AmountDue", "CreditAmount", "Amount"):
        if (value := _decimal(texts.get(tag))) is not None:
            return value
    subtotal = _decimal(texts.get("Subtotal"))
    if subtotal is None:
        return None
    return subtotal + (_decimal(texts.get("SalesTaxTotal")) or Decimal(0))


def _elements(parent: etree._Element) -> Iterator[etree._Element]:
    return (child for child in parent if isinstance(child.tag, str))


def _first(root: etree._Element, path: str) -> etree._Element | None:
    return root.find(path)


def _text(parent: etree._Element | None, path: str) -> str | None:
    if parent is None:
        return None
    found = parent.find(path)
    return found.text if found is not None and found.text is not None else None


def _all(parent: etree._Element | None, path: str) -> list[etree._Element]:
    return [] if parent is None else parent.findall(path)


def _present(parent: etree._Element | None, path: str) -> bool | None:
    return None if parent is None else parent.find(path) is not None


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _bool(text: str | None) -> bool | None:
    return {"true": True, "false": False, "1": True, "0": False}.get((text or "").strip().lower())


def _decimal(text: str | None) -> Decimal | None:
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        return None


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text else None
    except ValueError:
        return None


def _datetime(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text.strip()) if text else None
    except ValueError:
        return None
