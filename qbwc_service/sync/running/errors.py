"""The error policy: what a QuickBooks statusCode means for the job that got it.

The policy is a table, :data:`POLICY`, from ``(statusCode, operation)`` to an
:class:`Action`; ``"*"`` stands for any operation. :func:`decide` looks a
result up (the message rules of :data:`BY_MESSAGE` first, then the exact
operation, then ``"*"``, then the severity range) and never branches on codes
itself, so the whole behaviour can be read here.

One code can mean two things: QuickBooks answers 3180 both when another user
changed the list (a retry helps) and when it will not save the record as it is
("Transaction amount must be positive": every retry fails alike). The message
tells them apart; an error that will not change on retry is final.

Operations are what the job asked of QuickBooks: ``query`` (a lookup by name,
RefNumber or date), ``add`` and ``mod``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Action(StrEnum):
    """What the engine does with a job after a result."""

    SUCCESS = "success"  # QuickBooks did it; a Ret came back
    NOT_FOUND = "not_found"  # a query matched nothing: add it (ensure) or re-send (verify)
    RETRY = "retry"  # transient (record or list locked): back to pending after a pause
    REQUERY_MOD = "requery_mod"  # stale EditSequence: fetch the current one, then Mod again
    ADOPT = "adopt"  # the name exists already: query it and take its ListID
    PLAN_DEPENDENCY = "plan_dependency"  # a reference is unknown: ensure it, then re-send
    FAIL = "fail"  # a retry will not help: the job fails with QuickBooks' message


@dataclass(frozen=True)
class Rule:
    """One row of the policy."""

    action: Action
    why: str


#: statusCode x operation -> rule. ``"*"`` = any operation.
POLICY: dict[tuple[int, str], Rule] = {
    (0, "*"): Rule(Action.SUCCESS, "status OK"),
    (1, "query"): Rule(Action.NOT_FOUND, "the query matched nothing"),
    (500, "query"): Rule(Action.NOT_FOUND, "some of the names asked for do not exist"),
    (3100, "add"): Rule(Action.ADOPT, "the name is in use: take the existing record"),
    (3140, "*"): Rule(Action.PLAN_DEPENDENCY, "a referenced list record is missing"),
    (3170, "*"): Rule(Action.RETRY, "the record could not be locked"),
    (3175, "*"): Rule(Action.RETRY, "the list or record is in use"),
    (3176, "*"): Rule(Action.RETRY, "the record is in use by another user"),
    (3180, "*"): Rule(Action.RETRY, "the list was modified by another user"),
    (3200, "mod"): Rule(Action.REQUERY_MOD, "EditSequence out of date"),
}

@dataclass(frozen=True)
class MessageRule:
    """A rule for a code whose meaning depends on words of QuickBooks' message (any of ``words``)."""

    code: int
    words: tuple[str, ...]
    rule: Rule


#: Checked before :data:`POLICY`, in order; words are compared case-insensitively.
BY_MESSAGE: tuple[MessageRule, ...] = (
    MessageRule(3180, ("another user", "lock", "in use"),
                Rule(Action.RETRY, "the list was modified by another user")),
    MessageRule(3180, ("amount", "must", "needs"),
                Rule(Action.FAIL, "QuickBooks will not save the record as it is: "
                                  "a retry sends the same record")),
)

#: When no row matches: by severity range (PROTOCOL.md section 6).
INFO_CODES = range(0, 500)
WARNING_CODES = range(500, 1000)

#: Transient errors are retried this many times (per job) before the job fails.
MAX_RETRY_ATTEMPTS = 5
#: Pause before retry n is ``BACKOFF_BASE * 2**(n-1)``, at most ``BACKOFF_CAP``.
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(minutes=30)


def rule_for(status_code: int, operation: str, message: str = "") -> Rule:
    """The rule for a result: its message, exact operation, then any operation, then the code's range."""
    words = message.casefold()
    for by_message in BY_MESSAGE:
        if by_message.code == status_code and any(w in words for w in by_message.words):
            return by_message.rule
    rule = POLICY.get((status_code, operation)) or POLICY.get((status_code, "*"))
    if rule is not None:
        return rule
    if status_code in INFO_CODES or status_code in WARNING_CODES:
        return Rule(Action.SUCCESS, "informational or warning status")
    return Rule(Action.FAIL, "QuickBooks refused the request")


def decide(status_code: int, operation: str, message: str = "") -> Action:
    """The action for ``status_code`` (with QuickBooks' ``message``) answered to an ``operation`` request."""
    return rule_for(status_code, operation, message).action


def retry_after(attempts: int, now: datetime) -> datetime | None:
    """When a transient failure may be retried, or ``None`` once attempts are used up."""
    if attempts >= MAX_RETRY_ATTEMPTS:
        return None
    delay = min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)
    return now + delay
