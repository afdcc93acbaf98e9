"""Errors in plain words: what went wrong, in which JobBOSS2 record and field, what to do.

Two tables say it all: :data:`CODE_ADVICE` for the QuickBooks statusCodes the
service can end a job with (PROTOCOL.md section 6), :data:`PHRASE_ADVICE` for
the service's own refusals (a value QuickBooks would refuse, totals that do
not add up, a record waiting for another). :func:`explain` picks the row and
fills in the record; the raw message stays available to the page.

An advice names an :class:`Action` the page turns into a link or button:
edit the QuickBooks name (the name map), open the record that blocks this
one, or retry once the cause is fixed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    """What the page offers next to the sentence."""

    NAMES = "names"  # edit the QuickBooks name in the name map
    BLOCKER = "blocker"  # open the record this one waits for
    RETRY = "retry"  # fix it in JobBOSS2 or QuickBooks, then retry
    WAIT = "wait"  # nothing to do: the service tries again by itself


@dataclass(frozen=True)
class Advice:
    """One row: what is wrong and what to do. ``{record}``, ``{name}``, ``{field}`` are filled in."""

    what: str
    todo: str
    actions: tuple[Action, ...] = (Action.RETRY,)


#: QuickBooks statusCode -> advice (codes a job can end with; the others are retried or adopted).
CODE_ADVICE: dict[str, Advice] = {
    "3100": Advice("QuickBooks already has another list entry named {name}.",
                   "Give the JobBOSS2 record a QuickBooks name no customer, vendor, employee or "
                   "other name uses yet (names are shared across those lists), then retry.",
                   (Action.NAMES, Action.RETRY)),
    "3140": Advice("{record} refers to {name}, which QuickBooks does not have.",
                   "Create {name} in QuickBooks, or map the JobBOSS2 code to the name QuickBooks "
                   "uses, then retry.", (Action.NAMES, Action.RETRY)),
    "3120": Advice("QuickBooks no longer has the record {record} was synced to (it was deleted "
                   "or merged).", "Check the record in QuickBooks, then retry: the service looks "
                   "it up again.", (Action.RETRY,)),
    "3170": Advice("QuickBooks could not lock the record for {record}.",
                   "Someone has it open in QuickBooks: close it there, then retry."),
    "3175": Advice("The QuickBooks list or record {record} needs is in use.",
                   "Close the open QuickBooks window that uses it, then retry."),
    "3176": Advice("Another QuickBooks user is editing the record {record} needs.",
                   "Wait until they are done, then retry."),
    "3180": Advice("QuickBooks could not save {record}: the list was changed by another user.",
                   "Retry; if it keeps failing, close other QuickBooks windows first."),
    "3200": Advice("{record} was changed in QuickBooks while the service was updating it.",
                   "Retry: the service reads the current version first."),
    "3210": Advice("QuickBooks refused a value of {record}.",
                   "Read QuickBooks' message below, correct the value in JobBOSS2, then retry."),
    "3250": Advice("This QuickBooks edition or its preferences do not allow {record}.",
                   "Turn the feature on in QuickBooks (Edit > Preferences), or stop syncing this "
                   "area in the settings, then retry."),
    "3260": Advice("The QuickBooks user the Web Connector logs in as may not do this.",
                   "Give that QuickBooks user the permission (Company > Users), then retry."),
    "3261": Advice("QuickBooks has not allowed this application to change the company file.",
                   "In QuickBooks, Edit > Preferences > Integrated Applications: allow it, then "
                   "retry."),
    "1000": Advice("QuickBooks had an internal error with {record}.",
                   "Retry; if it fails again, run Verify Data in QuickBooks."),
    "1010": Advice("QuickBooks was not available.", "Open the company file, then retry."),
    "3000": Advice("{record} names a QuickBooks record by an ID QuickBooks does not know.",
                   "Retry: the service looks the record up by name again.",
                   (Action.NAMES, Action.RETRY)),
    "3020": Advice("QuickBooks refused a date of {record}.",
                   "Check the record's dates in JobBOSS2 (and QuickBooks' closing date), then "
                   "retry."),
}

_TOO_LONG_NAME = Advice(
    "The {field} of {record}, {name}, is longer than QuickBooks allows.",
    "Give it a shorter QuickBooks name in the name map: the service plans the record again "
    "under that name by itself, and JobBOSS2 keeps its own. Or shorten it in JobBOSS2, then "
    "retry.", (Action.NAMES, Action.RETRY))

#: A phrase of the service's own message -> advice (first match wins).
PHRASE_ADVICE: tuple[tuple[str, Advice], ...] = (
    ("waiting for ", Advice(
        "{record} waits for another record that failed.",
        "Fix the record it waits for; retrying this one retries that one first.",
        (Action.BLOCKER, Action.RETRY))),
    # A name or number the name map can hold for the record (the ``names.<kind>`` setting
    # is ``error``): QuickBooks gets a shorter one, JobBOSS2 keeps its own.
    ("/Name: value ", _TOO_LONG_NAME),
    ("/RefNumber: value ", _TOO_LONG_NAME),
    ("is longer than", Advice(
        "The {field} of {record} is longer than QuickBooks allows.",
        "Shorten it in JobBOSS2 (the service never cuts it, so nothing is lost), then retry.")),
    ("is not allowed", Advice(
        "QuickBooks does not accept the {field} of {record}.",
        "Correct it in JobBOSS2, then retry.")),
    ("does not match its", Advice(
        "The total of {record} does not match its lines, charges and tax.",
        "Correct the document in JobBOSS2 so the total adds up, then retry.")),
    ("has no lines", Advice("{record} has no lines.",
                            "Add its lines in JobBOSS2, or skip it, then retry.")),
    ("has no distribution lines", Advice(
        "{record} has no distribution lines.",
        "Distribute the vendor invoice to GL accounts in JobBOSS2, then retry.")),
    ("has no vendor", Advice("{record} has no vendor.",
                             "Set the vendor on the receiver's PO in JobBOSS2, then retry.")),
    ("no PO cost for", Advice(
        "Some lines of {record} have no cost on their purchase order.",
        "Enter the unit cost on the PO lines in JobBOSS2, then retry.")),
    ("has no name", Advice("The JobBOSS2 record {record} needs has no name.",
                           "Give it a name in JobBOSS2, then retry.", (Action.NAMES, Action.RETRY))),
    ("contains ':'", Advice(
        "The name {name} contains ':', which QuickBooks reads as a parent:child name.",
        "Remove the ':' from the name in JobBOSS2 or map it to another QuickBooks name, "
        "then retry.", (Action.NAMES, Action.RETRY))),
    ("does not exist in QuickBooks", Advice(
        "{record} refers to {name}, which QuickBooks does not have.",
        "Create {name} in QuickBooks or map the code to an existing name, then retry.",
        (Action.NAMES, Action.RETRY))),
    ("cannot be added by the service", Advice(
        "{name} is missing in QuickBooks and the service cannot create it.",
        "Create {name} in QuickBooks yourself (or change the name in the settings), then retry.",
        (Action.NAMES, Action.RETRY))),
    ("is not in the ID map", Advice(
        "The service does not know which QuickBooks record {name} is.",
        "Retry: the service looks it up by name.", (Action.NAMES, Action.RETRY))),
    (" hours", Advice("A punch of {record} has no hours.",
                      "Correct the punch's clock-in and clock-out in JobBOSS2, then retry.")),
    (" in QuickBooks; only service and inventory", Advice(
        "{name} is a kind of item the service does not update.",
        "Update it in QuickBooks yourself, or skip this record.", (Action.NAMES,))),
)

#: The end of a qbXML path -> the field as the accountant knows it.
FIELD_WORDS: dict[str, str] = {
    "Name": "name", "CompanyName": "company name", "RefNumber": "document number",
    "PONumber": "PO number", "Memo": "memo", "Desc": "line description", "Notes": "notes",
    "Addr1": "address", "Addr2": "address", "Addr3": "address", "Addr4": "address",
    "Addr5": "address", "City": "city", "State": "state", "PostalCode": "postal code",
    "Country": "country", "Phone": "phone number", "Fax": "fax number", "Contact": "contact",
    "AccountNumber": "account number", "FullName": "QuickBooks name",
}
FALLBACK = Advice("QuickBooks refused {record}.",
                  "Read QuickBooks' message below; correct the record in JobBOSS2 or QuickBooks, "
                  "then retry.")


@dataclass(frozen=True)
class Explanation:
    """The sentence shown for a failed or waiting record."""

    what: str
    todo: str
    actions: tuple[Action, ...]
    #: The QuickBooks or JobBOSS2 name the error is about (the name map's search).
    name: str


def explain(message: str, code: str, record: str, fallback_name: str = "") -> Explanation:
    """The plain-language explanation of ``message`` (statusCode ``code``) about ``record``.

    ``record`` names the record for a person ("Invoice 10234 (JobBOSS2 Billing:10234)");
    ``fallback_name`` is the name to act on when the message quotes none.
    """
    # A message written as "3140: ..." carries its code (jobs failed before error_code was kept).
    head = message.split(":", 1)[0]
    code = code or (head if head.isdigit() else "")
    advice = CODE_ADVICE.get(code) or _by_phrase(message) or FALLBACK
    name = _quoted(message) or fallback_name
    field = _field(message)
    fill = {"record": record, "name": f"“{name}”" if name else "a list record", "field": field}
    return Explanation(advice.what.format(**fill), advice.todo.format(**fill), advice.actions, name)


def _by_phrase(message: str) -> Advice | None:
    return next((advice for phrase, advice in PHRASE_ADVICE if phrase in message), None)


def _quoted(message: str) -> str:
    """The first name quoted in the message: QuickBooks uses "...", the service '...'."""
    for quote in ('"', "'"):
        head, found, rest = message.partition(quote)
        name, closed, _tail = rest.partition(quote)
        if found and closed and name:
            return name
    return ""


def _field(message: str) -> str:
    """The field of a ``Path/To/Element: value ...`` message, in words."""
    path, found, _rest = message.partition(":")
    if found and " " not in path:
        element = path.rsplit("/", 1)[-1]
        return FIELD_WORDS.get(element, element)
    # The service's own refusals start with the field: "invoice number '...' is longer ..."
    head = message.split("'", 1)[0].strip()
    return head if head and len(head) < 40 and head != message.strip() else "value"
