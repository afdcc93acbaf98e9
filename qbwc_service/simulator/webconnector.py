"""A QuickBooks Web Connector emulator: the SOAP client side of a sync.

It speaks to any qbwc-service (or other QBWC server) over HTTP with zeep,
built from Intuit's own WSDL (shipped in ``simulator/wsdl/``), and plays one
session the way the Web Connector does:

clientVersion -> authenticate -> [connectionError when the company file
cannot be opened] -> sendRequestXML (first call with the HCP response) ->
QuickBooks (the stand-in) -> receiveResponseXML ... until 100 (done) or a
negative value (getLastError) -> closeConnection. An empty sendRequestXML
makes it ask getLastError; ``NoOp`` there means pause and ask again.

Faults a test can ask for (:class:`EmulatorOptions`): a crash after N
sendRequestXML calls (no receiveResponseXML, no closeConnection; QuickBooks
may or may not have processed the last request), an
HRESULT instead of a response, a company file that cannot be opened. Run
:func:`run_concurrent` for several users at once.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import zeep
from zeep.transports import Transport

from qbwc_service import xmlsafe
from qbwc_service.simulator.quickbooks import QbXmlParseFailure, QuickBooksCompany, product_for

WSDL_NAME = "TroubleshootWebServiceFS.wsdl"
BINDING = "{http://developer.intuit.com/}TroubleshootWebServiceFSSoap"
CLIENT_VERSION = "2.3.0.215"
DEFAULT_COMPANY_FILE = r"C:\Users\Public\Documents\Intuit\QuickBooks\Company Files\Sample Manufacturing.qbw"
CANNOT_OPEN = ("0x80040408", "Could not start QuickBooks.")
MAX_CONNECT_RETRIES = 2
#: Arguments a compact call line keeps: who, what QuickBooks said, and the HCP response once.
COMPACT_ARGS = frozenset({"strUserName", "strHCPResponse", "response", "hresult", "message"})

Printer = Callable[[str], None]


@dataclass
class EmulatorOptions:
    """How the emulated Web Connector and QuickBooks behave."""

    qb_version: str = "13.0"
    country: str = "US"
    client_version: str = CLIENT_VERSION
    #: The company file open in QuickBooks (used when authenticate answers "").
    company_file: str = DEFAULT_COMPANY_FILE
    #: Crash after this many sendRequestXML calls: no receiveResponseXML, no closeConnection.
    crash_after: int | None = None
    #: With ``crash_after``: QuickBooks processes that last request before the crash, so its
    #: records exist and the service never hears of them (else QuickBooks never sees it).
    crash_after_processing: bool = False
    #: sendRequestXML call number (1-based) -> (hresult, message) passed instead of a response.
    hresults: dict[int, tuple[str, str]] = field(default_factory=dict)
    #: QuickBooks cannot open the company file: connectionError instead of sendRequestXML.
    company_file_unavailable: bool = False
    #: Pause after getLastError says "NoOp" (the Web Connector waits 5 s).
    noop_pause: float = 5.0
    #: NoOps in a row after which the emulator gives up (the Web Connector would wait forever).
    max_noops: int = 3
    #: Safety net against a server that never says 100.
    max_round_trips: int = 10_000
    #: Print calls without the arguments every call repeats (ticket, company file, version).
    compact_calls: bool = False
    #: OwnerID -> FileID the Web Connector stamps on the company file (from the .qwc).
    owner_file_ids: dict[str, str] = field(default_factory=dict)
    timeout: float = 120.0


@dataclass
class Call:
    """One SOAP call: its name, a short summary of the arguments, the result."""

    name: str
    args: dict[str, str]
    result: Any
    seconds: float

    def line(self, compact: bool = False) -> str:
        """``name(args) -> result``; *compact* keeps only the arguments that change between calls."""
        shown = {k: v for k, v in self.args.items()
                 if not compact or (k in COMPACT_ARGS and v not in ("''", "None"))}
        args = ", ".join(f"{k}={v}" for k, v in shown.items())
        return f"{self.name}({args}) -> {summarize(self.result)}"


@dataclass
class SessionResult:
    """What happened in one session."""

    user: str
    calls: list[Call] = field(default_factory=list)
    ticket: str = ""
    authenticate: list[str] = field(default_factory=list)
    #: finished, error, nvu, none, busy, crashed, connection_error, noop_limit, rejected_client,
    #: round_trip_limit, failed (an exception: transport error or SOAP fault)
    outcome: str = ""
    progress: int = 0
    last_error: str = ""
    close_message: str = ""
    requests: int = 0
    responses: int = 0
    hresults_sent: int = 0
    seconds: float = 0.0

    @property
    def counts(self) -> dict[str, int]:
        """Calls made, per operation."""
        return dict(Counter(call.name for call in self.calls))

    @property
    def call_names(self) -> list[str]:
        return [call.name for call in self.calls]

    def summary(self) -> str:
        text = (f"user {self.user}: {self.outcome}, {self.requests} request message(s), "
                f"{self.responses} response(s), {self.hresults_sent} HRESULT(s), "
                f"last progress {self.progress}%, {self.seconds:.2f}s")
        if self.last_error:
            text += f"\n  last error: {self.last_error}"
        if self.close_message:
            text += f"\n  closeConnection: {self.close_message}"
        return text


def summarize(value: Any, limit: int = 70) -> str:
    """A value as one short line; qbXML is shown as the list of its requests/responses."""
    if isinstance(value, list):
        return "[" + ", ".join(summarize(v, 40) for v in value) + "]"
    if not isinstance(value, str):
        return repr(value)
    if "<QBXML" in value:
        return _qbxml_summary(value)
    return repr(value) if len(value) <= limit else repr(value[: limit - 3] + "...")


def _qbxml_summary(value: str) -> str:
    try:
        root = xmlsafe.parse(value)
    except xmlsafe.UnsafeXMLError:
        return f"<malformed qbXML, {len(value)} chars>"
    msgs = root.find("QBXMLMsgsRq")
    if msgs is None:
        msgs = root.find("QBXMLMsgsRs")
    if msgs is None:
        return f"<qbXML, {len(value)} chars>"
    tags = Counter(child.tag if child.get("statusCode") in (None, "0") else
                   f"{child.tag}[{child.get('statusCode')}]" for child in msgs if isinstance(child.tag, str))
    return "<qbXML " + ", ".join(f"{n}x{tag}" if n > 1 else tag for tag, n in tags.items()) + ">"


def soap_client(url: str, timeout: float = 120.0) -> Any:
    """A zeep service proxy for the QBWC operations at *url*."""
    wsdl = resources.files("qbwc_service.simulator") / "wsdl" / WSDL_NAME
    with resources.as_file(wsdl) as path:
        client = zeep.Client(str(path), transport=Transport(timeout=timeout, operation_timeout=timeout))
    return client.create_service(BINDING, url)


class WebConnector:
    """Runs Web Connector sessions against *url* with *quickbooks* answering the qbXML."""

    def __init__(self, url: str, quickbooks: QuickBooksCompany, options: EmulatorOptions | None = None,
                 printer: Printer | None = None) -> None:
        self.url = url
        self.quickbooks = quickbooks
        self.options = options or EmulatorOptions()
        self.printer = printer
        self.product = product_for(self.options.country, self.options.qb_version)
        quickbooks.product = self.product
        self.service = soap_client(url, self.options.timeout)

    def run_session(self, user: str, password: str) -> SessionResult:
        """One full session for *user*; see the module docstring for the sequence."""
        result = SessionResult(user=user)
        started = time.perf_counter()
        try:
            self._session(result, user, password)
        except Exception as exc:  # transport or SOAP fault: say so in the summary, then let it through
            result.outcome, result.last_error = "failed", f"{type(exc).__name__}: {exc}"
            raise
        finally:
            result.seconds = time.perf_counter() - started
            if self.printer:
                self.printer(result.summary())
        return result

    # -- the sequence ---------------------------------------------------------

    def _session(self, result: SessionResult, user: str, password: str) -> None:
        answer = self._call(result, "clientVersion", strVersion=self.options.client_version) or ""
        if answer.startswith(("E:", "O:")):
            result.outcome, result.last_error = "rejected_client", answer
            return
        auth = self._call(result, "authenticate", strUserName=user, strPassword=password)
        result.authenticate = [v or "" for v in _strings(auth)]
        result.ticket = result.authenticate[0] if result.authenticate else ""
        status = result.authenticate[1] if len(result.authenticate) > 1 else "nvu"
        if status.lower() in ("nvu", "none", "busy"):
            result.outcome = status.lower()
            result.close_message = self._call(result, "closeConnection", ticket=result.ticket) or ""
            return
        company_file = status or self.options.company_file
        company_file = self._open_company(result, company_file)
        if company_file is None:
            result.last_error = self._call(result, "getLastError", ticket=result.ticket) or ""
            result.outcome = "connection_error"
            result.close_message = self._call(result, "closeConnection", ticket=result.ticket) or ""
            return
        for owner, file_id in self.options.owner_file_ids.items():
            # The Web Connector stamps a company file once; another .qwc never overwrites it.
            self.quickbooks.owner_file_ids.setdefault(owner, file_id)
        if self._exchange(result, company_file):
            result.close_message = self._call(result, "closeConnection", ticket=result.ticket) or ""

    def _open_company(self, result: SessionResult, company_file: str) -> str | None:
        """The file QuickBooks opened, or ``None`` after connectionError said ``done``."""
        for _attempt in range(MAX_CONNECT_RETRIES + 1):
            if not self.options.company_file_unavailable:
                return company_file
            hresult, message = CANNOT_OPEN
            answer = self._call(result, "connectionError", ticket=result.ticket, hresult=hresult,
                                message=message) or ""
            if answer.lower() == "done":
                return None
            company_file = answer or self.options.company_file
        return None

    def _exchange(self, result: SessionResult, company_file: str) -> bool:
        """The sendRequestXML / receiveResponseXML loop; ``False`` when the session crashed."""
        major, minor = self.product.qbxml_major_minor
        hcp = self.quickbooks.hcp_response()
        sends, noops = 0, 0
        while sends < self.options.max_round_trips:
            request = self._call(result, "sendRequestXML", ticket=result.ticket,
                                 strHCPResponse=hcp if sends == 0 else "", strCompanyFileName=company_file,
                                 qbXMLCountry=self.product.country, qbXMLMajorVers=major,
                                 qbXMLMinorVers=minor) or ""
            sends += 1
            if self.options.crash_after is not None and sends >= self.options.crash_after:
                if self.options.crash_after_processing and request and request != "NoOp":
                    self._quickbooks_answer(sends, request)
                result.outcome = "crashed"
                return False
            if not request or request == "NoOp":
                text = self._call(result, "getLastError", ticket=result.ticket) or ""
                if text == "NoOp" and noops < self.options.max_noops:
                    noops += 1
                    time.sleep(self.options.noop_pause)
                    continue
                result.last_error = text
                result.outcome = "noop_limit" if text == "NoOp" else ("finished" if not text else "error")
                return True
            result.requests += 1
            noops = 0  # the limit is on NoOps in a row: a long session may pause many times
            response, hresult, message = self._quickbooks_answer(sends, request)
            result.hresults_sent += bool(hresult)
            result.responses += not hresult
            percent = self._call(result, "receiveResponseXML", ticket=result.ticket, response=response,
                                 hresult=hresult, message=message)
            result.progress = int(percent or 0)
            if result.progress >= 100:
                result.outcome = "finished"
                return True
            if result.progress < 0:
                result.last_error = self._call(result, "getLastError", ticket=result.ticket) or ""
                result.outcome = "error"
                return True
        result.outcome = "round_trip_limit"
        return True

    def _quickbooks_answer(self, send_number: int, request: str) -> tuple[str, str, str]:
        """(response, hresult, message) as the Web Connector passes them on."""
        injected = self.options.hresults.get(send_number)
        if injected:
            return "", injected[0], injected[1]
        try:
            return self.quickbooks.process(request), "", ""
        except QbXmlParseFailure as failure:
            return "", failure.hresult, failure.message

    def _call(self, result: SessionResult, name: str, **args: Any) -> Any:
        started = time.perf_counter()
        value = getattr(self.service, name)(**args)
        shown = value
        if name == "authenticate" and value is not None:
            shown = [("<ticket>" if i == 0 and v else v) for i, v in enumerate(_strings(value))]
        call = Call(name, {k: _arg_summary(k, v) for k, v in args.items()}, shown,
                    time.perf_counter() - started)
        result.calls.append(call)
        if self.printer:
            self.printer(call.line(self.options.compact_calls))
        return value


def _strings(value: Any) -> list[str]:
    """An ArrayOfString as zeep hands it over (a list, or an object with ``.string``)."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return list(getattr(value, "string", None) or [])


def _arg_summary(name: str, value: Any) -> str:
    if name in ("strPassword",):
        return "'***'"
    if name in ("ticket",) and value:
        return "<ticket>"
    return summarize(value, 50)


def run_concurrent(url: str, runs: list[tuple[str, str, QuickBooksCompany]],
                   options: EmulatorOptions | None = None) -> list[SessionResult]:
    """Run one session per ``(user, password, company)`` at the same time, in threads."""
    results: list[SessionResult | None] = [None] * len(runs)
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(runs))

    def work(index: int, user: str, password: str, company: QuickBooksCompany) -> None:
        try:
            connector = WebConnector(url, company, options)
            barrier.wait(timeout=30)
            results[index] = connector.run_session(user, password)
        except BaseException as exc:  # reported to the caller below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i, *run)) for i, run in enumerate(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return [r for r in results if r is not None]

