"""Status codes and failures, worded the way QuickBooks words them.

A request that QuickBooks processes always gets a ``…Rs`` with a
``statusCode``; :class:`Status` is that triple. A message QuickBooks cannot
parse never reaches the requests: the whole call fails with an HRESULT,
which the Web Connector hands to ``receiveResponseXML`` in ``hresult`` and
``message``. :class:`QbXmlParseFailure` is that failure.
"""

from __future__ import annotations

from dataclasses import dataclass

PARSE_HRESULT = "0x80040400"
PARSE_MESSAGE = "QuickBooks found an error when parsing the provided XML text stream."


class QbXmlParseFailure(Exception):
    """The message failed as a whole (QuickBooks' ProcessRequest raised)."""

    def __init__(self, detail: str, hresult: str = PARSE_HRESULT) -> None:
        self.hresult = hresult
        self.detail = detail
        self.message = f"{PARSE_MESSAGE} {detail}".strip()
        super().__init__(f"{hresult}: {self.message}")


@dataclass(frozen=True)
class Status:
    """The status attributes of one ``…Rs``."""

    code: int
    message: str

    @property
    def severity(self) -> str:
        """``Info`` below 500, ``Warn`` up to 999, ``Error`` from 1000 (QuickBooks' ranges)."""
        if self.code < 500:
            return "Info"
        return "Warn" if self.code < 1000 else "Error"

    @property
    def is_error(self) -> bool:
        return self.code >= 1000


OK = Status(0, "Status OK")


def no_match() -> Status:
    return Status(1, "A query request did not find a matching object in QuickBooks")


def not_all_found(missing: str) -> Status:
    return Status(500, "The query request has not been fully completed. There was a required "
                       f'element ("{missing}") that could not be found in QuickBooks.')


def name_in_use(name: str) -> Status:
    return Status(3100, f'The name "{name}" of the list element is already in use.')


def invalid_reference(label: str, value: str, where: str) -> Status:
    return Status(3140, f'There is an invalid reference to QuickBooks {label} "{value}" in the {where}.')


def object_not_found(value: str) -> Status:
    return Status(3120, f'Object "{value}" specified in the request cannot be found.')


def stale_edit_sequence(value: str) -> Status:
    return Status(3200, f'The provided edit sequence "{value}" is out-of-date.')


def invalid_value(field: str, value: str) -> Status:
    return Status(3210, f'The "{field}" field has an invalid value "{value}".')


#: Messages of the errors a test can inject with ``inject_error``.
INJECTED_MESSAGES: dict[int, str] = {
    3170: "There was an error when modifying {what}. QuickBooks error message: "
          "Could not acquire the lock.",
    3175: "There was an error when saving {what}. QuickBooks error message: "
          "This list element is in use and could not be locked.",
    3176: "There was an error when saving {what}. QuickBooks error message: "
          "Failed to acquire the lock.",
    3180: "There was an error when saving {what}. QuickBooks error message: "
          "This list has been modified by another user.",
}


#: Labels of transactions: their errors name "a transaction", not "a list element".
TXN_LABELS = frozenset({"Invoice", "Bill", "Time Tracking", "Credit Memo", "Vendor Credit"})


def what(label: str) -> str:
    """How QuickBooks' save errors name a record: ``an Invoice transaction``, ``a Customer list element``."""
    article = "an" if label[:1] in "AEIOU" else "a"
    return f"{article} {label} {'transaction' if label in TXN_LABELS else 'list element'}"


def too_long(field: str, value: str) -> Status:
    return Status(3070, f'The string "{value}" in the field "{field}" is too long.')


def injected(code: int, label: str) -> Status:
    template = INJECTED_MESSAGES.get(code, "Injected error {code} on {label}.")
    return Status(code, template.format(label=label, code=code, what=what(label)))
