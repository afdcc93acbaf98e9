"""One log line per callback, with secrets masked.

Passwords never reach the log; tickets appear as a short hash prefix;
qbXML bodies appear as their length at INFO and, truncated, at DEBUG. Other
values are cut at :data:`VALUE_CHARS`, so a hostile client cannot write
megabyte lines into the log through a user name or a version string.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from qbwc_service.security.tickets import ticket_hash

log = logging.getLogger("qbwc_service.soap.calls")

SECRET = frozenset({"strPassword"})
TICKETS = frozenset({"ticket", "wcTicket"})
BODIES = frozenset({"strHCPResponse", "response"})
#: Callbacks whose result is a qbXML body.
BODY_RESULTS = frozenset({"sendRequestXML"})
DEBUG_BODY_CHARS = 2000
VALUE_CHARS = 200


def log_call(operation: str, params: Mapping[str, Any], result: Any, elapsed_ms: float,
             remote_addr: str = "") -> None:
    """Log one callback: masked parameters, masked result, time taken."""
    shown = ", ".join(f"{name}={_param(name, value)}" for name, value in params.items())
    log.info("%s(%s) from %s -> %s [%.1f ms]", operation, shown, remote_addr or "?",
             _result(operation, result), elapsed_ms)
    if log.isEnabledFor(logging.DEBUG):
        for name, value in params.items():
            if name in BODIES and value:
                log.debug("%s %s: %s", operation, name, _truncate(value))
        if operation in BODY_RESULTS and result:
            log.debug("%s result: %s", operation, _truncate(result))


def _param(name: str, value: Any) -> str:
    if name in SECRET:
        return "***"
    if name in TICKETS:
        return _ticket(value)
    if name in BODIES:
        return f"<{len(value or '')} chars>"
    return short_repr(value)


def short_repr(value: Any) -> str:
    """``repr(value)``, cut to :data:`VALUE_CHARS` characters with the full length noted."""
    text = repr(value)
    return text if len(text) <= VALUE_CHARS else f"{text[:VALUE_CHARS]}... ({len(text)} chars)"


def _result(operation: str, result: Any) -> str:
    if operation == "authenticate" and isinstance(result, list) and result:
        return short_repr([_ticket(result[0]), *result[1:]])
    if operation in BODY_RESULTS:
        return f"<{len(result or '')} chars>"
    return short_repr(result)


def _ticket(value: str | None) -> str:
    return f"#{ticket_hash(value)[:10]}" if value else "''"


def _truncate(text: str) -> str:
    return text if len(text) <= DEBUG_BODY_CHARS else text[:DEBUG_BODY_CHARS] + f"... ({len(text)} chars)"
