"""The job state machine.

A job is one request QuickBooks must process for one JobBOSS2 record (or one
list record a transaction needs). Its life::

                 +-----------+  dependency failed   +---------+
    planned ---> |  pending  | -------------------> | blocked |
                 +-----------+ <------------------- +---------+
                   |   ^        dependency done
     dequeued into |   | retryable error (3175/3176/3180, ...) with attempts left,
     a message     |   | or a verify that found nothing in QuickBooks
                   v   |
                 +-----------+  session died before the response  +--------+
                 |   sent    | -----------------------------------> | verify |
                 +-----------+                                      +--------+
                   |     |                         query QuickBooks: |
         success   |     | error                     found -> done   |
                   v     v                         not found -> pending
                 +------+ +-------+
                 | done | | error | --- admin retry ---> pending
                 +------+ +-------+

    pending / blocked / error --- admin ---> skipped | cancelled;  skipped ---> cancelled

* ``pending``: ready to send once its dependencies are ``done`` and
  ``not_before`` has passed.
* ``blocked``: a dependency failed; ``blocked_reason`` says which. It returns
  to ``pending`` when the dependency is done (e.g. after an admin retry).
* ``sent``: in a qbXML message handed to the Web Connector; the response has
  not been applied yet. Never re-sent blindly.
* ``verify``: was ``sent`` when its session ended without a response. Before
  anything else the next session asks QuickBooks whether the record exists
  (invoice by RefNumber and customer, bill by RefNumber and vendor, time by
  date, employee and the marker in Notes) and adopts it, so no duplicate.
* ``done``: QuickBooks holds the record (``qb_list_id`` / ``qb_txn_id``).
* ``error``: QuickBooks refused it for a reason a retry will not fix.
* ``skipped`` / ``cancelled``: an admin decided not to send it (skipped keeps
  the record eligible for a later plan; cancelled retires this version).

No admin action moves a ``sent`` or ``verify`` job: QuickBooks may hold its
record, and only the verify lookup can say so. Retried, it would be sent a
second time; skipped or cancelled, the record would stay unmarked in
JobBOSS2 and be planned (and sent) again.
"""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    PENDING = "pending"
    BLOCKED = "blocked"
    SENT = "sent"
    VERIFY = "verify"
    DONE = "done"
    ERROR = "error"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


#: Allowed transitions: from -> the states it may move to.
TRANSITIONS: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.PENDING: frozenset({JobStatus.SENT, JobStatus.BLOCKED, JobStatus.DONE,
                                  JobStatus.SKIPPED, JobStatus.CANCELLED, JobStatus.ERROR}),
    JobStatus.BLOCKED: frozenset({JobStatus.PENDING, JobStatus.SKIPPED, JobStatus.CANCELLED,
                                  JobStatus.ERROR}),
    JobStatus.SENT: frozenset({JobStatus.DONE, JobStatus.ERROR, JobStatus.PENDING,
                               JobStatus.VERIFY}),
    JobStatus.VERIFY: frozenset({JobStatus.SENT, JobStatus.DONE, JobStatus.PENDING,
                                 JobStatus.ERROR}),
    JobStatus.DONE: frozenset(),
    JobStatus.ERROR: frozenset({JobStatus.PENDING, JobStatus.SKIPPED, JobStatus.CANCELLED}),
    JobStatus.SKIPPED: frozenset({JobStatus.PENDING, JobStatus.CANCELLED}),
    JobStatus.CANCELLED: frozenset(),
}

#: States in which a job still needs QuickBooks.
OPEN_STATES = frozenset({JobStatus.PENDING, JobStatus.BLOCKED, JobStatus.SENT, JobStatus.VERIFY})
#: States an admin may retry (a sent or verify job is never re-sent blindly).
RETRYABLE_STATES = frozenset({JobStatus.ERROR, JobStatus.SKIPPED, JobStatus.BLOCKED})


class IllegalTransition(ValueError):
    """A job was asked to move along an edge the state machine does not have."""


def check_transition(current: str, new: str) -> JobStatus:
    """Return ``new`` as a :class:`JobStatus` if ``current -> new`` is allowed."""
    src, dst = JobStatus(current), JobStatus(new)
    if dst not in TRANSITIONS[src]:
        raise IllegalTransition(f"job cannot go from {src} to {dst}")
    return dst
