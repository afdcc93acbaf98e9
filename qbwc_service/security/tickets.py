"""Web Connector session tickets.

A ticket is 256 random bits, URL-safe. Only its SHA-256 is stored
(``qbwc_sessions.ticket_hash``), so a copy of the database holds no usable
ticket; hashing is enough because the ticket itself is high-entropy.
"""

from __future__ import annotations

import hashlib
import secrets

TICKET_BYTES = 32


def new_ticket() -> str:
    """A fresh random ticket (43 characters)."""
    return secrets.token_urlsafe(TICKET_BYTES)


def ticket_hash(ticket: str) -> str:
    """The stored form of *ticket*: hex SHA-256."""
    return hashlib.sha256(ticket.encode("utf-8")).hexdigest()
