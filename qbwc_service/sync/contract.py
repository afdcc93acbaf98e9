"""The contract between the SOAP edge and the sync engine.

The SOAP layer (``soap/``) owns the protocol: tickets, passwords, throttling,
session rows. Everything that decides *what* QuickBooks gets and what its
answers mean sits behind :class:`SyncEngine`. Each method receives an open
database session (the caller commits) and a :class:`SessionContext`
describing the Web Connector session; none keeps state in the process, so
several server processes can share one queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from qbwc_service.queue.models import QbwcSession, User


@dataclass(frozen=True)
class RequestContext:
    """What the Web Connector tells us on sendRequestXML."""

    hcp_response: str
    company_file: str
    country: str
    major_version: int
    minor_version: int


class SyncEngine(Protocol):
    """What the SOAP service asks of the sync engine."""

    def has_work(self, db: Session, user: User) -> bool:
        """Plan what is due (auto sync) and say whether anything is pending."""

    def next_request(self, db: Session, session: QbwcSession, ctx: RequestContext) -> str:
        """The next qbXML message, or ``""`` when there is nothing to send.

        When it returns ``""`` it leaves the reason in ``session.last_error``
        (``"NoOp"`` to make the Web Connector pause and ask again).
        """

    def apply_response(self, db: Session, session: QbwcSession, response: str,
                       hresult: str, message: str) -> int:
        """Apply QuickBooks' answer; return percent done (100 = finished, < 0 = error)."""

    def connection_error(self, db: Session, session: QbwcSession, hresult: str,
                         message: str) -> str:
        """The Web Connector could not reach QuickBooks; return ``"done"`` or a file path."""

    def close(self, db: Session, session: QbwcSession) -> str:
        """The session ends; return the one-line summary the Web Connector shows."""


class IdleEngine:
    """A sync engine with nothing to do: authenticate answers ``none``."""

    def has_work(self, db: Session, user: User) -> bool:
        return False

    def next_request(self, db: Session, session: QbwcSession, ctx: RequestContext) -> str:
        session.last_error = "NoOp"
        return ""

    def apply_response(self, db: Session, session: QbwcSession, response: str,
                       hresult: str, message: str) -> int:
        return 100

    def connection_error(self, db: Session, session: QbwcSession, hresult: str,
                         message: str) -> str:
        session.last_error = f"QuickBooks connection failed: {hresult} {message}".strip()
        return "done"

    def close(self, db: Session, session: QbwcSession) -> str:
        return "OK: nothing to sync"
