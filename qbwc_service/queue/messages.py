"""The qbXML messages exchanged with QuickBooks, kept once per message.

A message carries up to ``sync.batch_size`` requests; it is stored once in
``messages`` and each job sent in it points at it (``jobs.message_id``).
:func:`exchanged_xml` gives back one job's own request and response, found by
its ``requestID``. Nothing here commits.

Each text is kept with its size in bytes (UTF-8) and SHA-256; one over the
session's limit (``storage.max_message_kb``, see :func:`limit_size`) is kept
cut to that size, ending with a comment that says so, so one huge answer
cannot bloat the database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from lxml import etree
from sqlalchemy import delete, insert, update
from sqlalchemy.orm import Session, sessionmaker

from qbwc_service import xmlsafe
from qbwc_service.queue import keyed
from qbwc_service.queue.models import Job, Message, utcnow

#: ``Session.info`` key of the largest text kept whole, in bytes.
MAX_BYTES = "qbwc_service.max_message_bytes"
DEFAULT_MAX_KB = 1024


@dataclass(frozen=True)
class Kept:
    """A text as stored: itself or its start, with the whole text's size and hash."""

    text: str
    size: int
    sha256: str


def limit_size(sessions: sessionmaker[Session], max_kb: int) -> None:
    """Sessions made by *sessions* keep requests and responses of up to *max_kb* KB whole."""
    sessions.configure(info={**sessions.kw.get("info", {}), MAX_BYTES: max_kb * 1024})


def bounded(text: str, max_bytes: int) -> Kept:
    """*text* as kept: whole up to *max_bytes* (UTF-8), else its start and a note of what was cut."""
    raw = text.encode("utf-8")
    digest = hashlib.sha256(raw).hexdigest()
    if len(raw) <= max_bytes:
        return Kept(text, len(raw), digest)
    start = raw[:max_bytes].decode("utf-8", errors="ignore")  # never half a character
    note = (f"\n<!-- qbwc-service kept the first {max_bytes} of {len(raw)} bytes of this message; "
            f"SHA-256 of all of it: {digest} -->")
    return Kept(start + note, len(raw), digest)


def _kept(db: Session, text: str) -> Kept:
    return bounded(text, db.info.get(MAX_BYTES, DEFAULT_MAX_KB * 1024))


def keep_request(db: Session, jobs: Iterable[Job], xml: str, *, user_id: int,
                 session_id: int | None = None, run_id: int | None = None,
                 at: datetime | None = None) -> int:
    """Store the message ``xml`` sent with ``jobs``; each job points at it. Returns its id.

    The jobs are pointed at it by one ``UPDATE ... WHERE id IN`` rather than a
    row per job in the ORM's flush; the job objects in the session get the new
    ``message_id`` too.
    """
    message_id = add_request(db, xml, user_id=user_id, session_id=session_id, run_id=run_id, at=at)
    ids = [job.id for job in jobs]
    for batch in keyed.batches(ids):
        db.execute(update(Job).where(Job.id.in_(batch))
                   .values(message_id=message_id)
                   .execution_options(synchronize_session="evaluate"))
    return message_id


def add_request(db: Session, xml: str, *, user_id: int, session_id: int | None = None,
                run_id: int | None = None, at: datetime | None = None) -> int:
    """Store the message ``xml`` alone, for jobs the caller points at it; returns its id."""
    kept = _kept(db, xml)
    return db.execute(insert(Message).values(
        user_id=user_id, session_id=session_id, run_id=run_id, request_xml=kept.text,
        request_bytes=kept.size, request_sha256=kept.sha256, response_xml="",
        sent_at=at or utcnow()).returning(Message.id)).scalar_one()


def replace_request(db: Session, message_id: int | None, xml: str) -> None:
    """The message ``message_id`` becomes ``xml``; an empty ``xml`` deletes it (nothing was sent)."""
    if message_id is None:
        return
    if not xml:
        db.execute(delete(Message).where(Message.id == message_id))
        return
    kept = _kept(db, xml)
    db.execute(update(Message).where(Message.id == message_id).values(
        request_xml=kept.text, request_bytes=kept.size, request_sha256=kept.sha256))


def keep_response(db: Session, message_ids: Iterable[int | None], xml: str, *,
                  at: datetime | None = None) -> None:
    """Store QuickBooks' response ``xml`` on the messages it answers."""
    ids = sorted({i for i in message_ids if i is not None})
    if ids:
        kept = _kept(db, xml)
        db.execute(update(Message).where(Message.id.in_(ids))
                   .values(response_xml=kept.text, response_bytes=kept.size,
                           response_sha256=kept.sha256, answered_at=at or utcnow()))


def exchanged_xml(db: Session, job: Job) -> tuple[str, str]:
    """``(request, response)``: the job's own part of the last message it was sent in.

    ``("", "")`` when the job was never sent (or its request could not be
    built); the whole message when its requests carry no ``requestID``.
    """
    if job.message_id is None:
        return "", ""
    message = db.get(Message, job.message_id)
    if message is None:
        return "", ""
    return (own_part(message.request_xml, job.request_id),
            own_part(message.response_xml, job.request_id))


def own_part(message: str, request_id: str) -> str:
    """The elements of ``message`` whose ``requestID`` is ``request_id``, one per line."""
    if not message or not request_id:
        return message
    try:
        root = xmlsafe.parse(message)
    except xmlsafe.UnsafeXMLError:
        return message
    tagged = [el for el in root.iter() if el.get("requestID")]
    mine = [el for el in tagged if el.get("requestID") == request_id]
    if not tagged or len(mine) == len(tagged):
        return message  # requests without ids, or the job's part is the whole message
    return "\n".join(etree.tostring(el, encoding="unicode", with_tail=False) for el in mine)
