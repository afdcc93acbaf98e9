"""What each Web Connector callback does, one method per callback.

Free of spyne so it can be tested directly. Every method opens its own
database transaction; nothing is kept in the process, so any number of
server processes can share one queue database.

Tickets: :func:`~qbwc_service.security.tickets.new_ticket` (256 random bits);
only their SHA-256 is stored. A ticket is valid while its session is
``open``, its user enabled, and it was last used less than
``qbwc.ticket_ttl_minutes`` ago. An unknown or expired ticket never reaches
the sync engine: sendRequestXML answers ``""``, receiveResponseXML ``-1``,
connectionError ``"done"``, and getLastError explains. A session that ends
without closing (expired, or its user disabled) releases the jobs it left
``sent`` to ``verify`` (:mod:`qbwc_service.queue.lost`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, joinedload, sessionmaker

import qbwc_service
from qbwc_service import accounts
from qbwc_service.config import Config
from qbwc_service.observe import sessions as session_events
from qbwc_service.queue import lost
from qbwc_service.queue.db import transaction
from qbwc_service.queue.models import QbwcSession, User, as_utc
from qbwc_service.security import throttle
from qbwc_service.security.tickets import new_ticket, ticket_hash
from qbwc_service.soap import hcp
from qbwc_service.soap.calllog import short_repr
from qbwc_service.soap.versions import client_version_answer
from qbwc_service.sync.contract import RequestContext, SyncEngine

log = logging.getLogger(__name__)

T = TypeVar("T")

NVU = "nvu"
NONE = "none"
DONE = "done"
EXPIRED_TEXT = ("Session expired or unknown ticket; the Web Connector will start a new session "
                "on its next run.")
#: getLastError for a ticket whose session exists but is no longer open, by session state.
ENDED_TEXTS = {
    "expired": ("Session expired after {minutes} minutes without a call from the Web Connector; "
                "it will start a new session on its next run."),
    "closed": ("Session closed, so its ticket has expired; the Web Connector will start a new session "
               "on its next run."),
    "failed": ("Session ended and its ticket expired because its user was disabled; ask the "
               "qbwc-service administrator."),
}
INTERNAL_ERROR_TEXT = "qbwc-service hit an internal error; details are in the service log."
NO_DETAIL_TEXT = "qbwc-service reported no further detail for this session."
INTERACTIVE_UNUSED_TEXT = "qbwc-service does not use interactive mode."
#: A session's last_seen_at is written at most this often: a call within a second of the one
#: before changes nothing a ticket's lifetime (minutes) could notice, and a call whose engine had
#: nothing to write then runs no write transaction at all.
SEEN_RESOLUTION = timedelta(seconds=1)


#: The session of a ticket hash, locked; its user comes along in the same statement (every callback
#: reads it). Built once: building it again on every call costs as much as running it.
SESSION_BY_TICKET = (select(QbwcSession).where(QbwcSession.ticket_hash == bindparam("ticket_hash"))
                     .options(joinedload(QbwcSession.user, innerjoin=True))
                     .with_for_update(of=QbwcSession))


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class QbwcSettings:
    """The configuration the callbacks need."""

    ticket_ttl: timedelta = timedelta(minutes=30)
    throttle: throttle.ThrottlePolicy = throttle.ThrottlePolicy()
    min_client_version: str = ""
    warn_client_version: str = ""
    paused_message: str = ""
    server_version: str = qbwc_service.__version__

    @classmethod
    def from_config(cls, config: Config) -> QbwcSettings:
        return cls(
            ticket_ttl=timedelta(minutes=config["qbwc.ticket_ttl_minutes"]),
            throttle=throttle.ThrottlePolicy.from_config(config),
            min_client_version=config["qbwc.min_client_version"],
            warn_client_version=config["qbwc.warn_client_version"],
            paused_message=config["qbwc.paused_message"],
        )


class QbwcCallbacks:
    """The Web Connector callbacks over a queue database and a sync engine."""

    def __init__(self, sessions: sessionmaker[Session], engine: SyncEngine,
                 settings: QbwcSettings | None = None,
                 clock: Callable[[], datetime] = utcnow,
                 observers: Sequence[session_events.SessionObserver] = ()) -> None:
        self.sessions = sessions
        self.engine = engine
        self.settings = settings or QbwcSettings()
        self.clock = clock
        #: Told of every session that closes (after the log line): metrics, alerts.
        self.observers = list(observers)

    # -- callbacks without a session ---------------------------------------

    def server_version(self) -> str:
        return f"qbwc-service {self.settings.server_version}"

    def client_version(self, version: str) -> str:
        return client_version_answer(version, self.settings.min_client_version,
                                     self.settings.warn_client_version, self.settings.paused_message)

    def authenticate(self, user_name: str, password: str, remote_addr: str = "") -> list[str]:
        """``[ticket, "none" | company file | ""]``, or ``["", "nvu"]``.

        The password is checked (scrypt, tens of milliseconds) between two short
        transactions, never while the queue database is being written.
        """
        now = self.clock()
        attempt = throttle.Attempt(throttle.Channel.QBWC, user_name, remote_addr)
        with self.sessions() as db:
            user = accounts.get_user(db, user_name) if user_name else None
            refused = throttle.check(db, attempt, user.id if user else None, now)
        if refused is not None:
            log.warning("authenticate %s from %s refused unchecked for %d s: %s after repeated failures",
                        short_repr(user_name), remote_addr or "?", refused.retry_after(now),
                        "the address is slowed down" if refused.by_address else "locked from this address")
            return ["", NVU]
        matches = accounts.password_matches(user, password)
        with transaction(self.sessions) as db:
            # The same user, still enabled, with the password just checked (not changed meanwhile).
            current = db.get(User, user.id) if user is not None and matches else None
            if current is None or not current.enabled or current.password_hash != user.password_hash:
                newly = throttle.record_failure(db, attempt, self.settings.throttle, now)
                log.warning("authenticate %s from %s failed: unknown user, wrong password or disabled%s",
                            short_repr(user_name), remote_addr or "?",
                            f"; now locked: {', '.join(r.key[:80] for r in newly)}" if newly else "")
                return ["", NVU]
            accounts.upgrade_hash(current, password)
            throttle.record_success(db, attempt)
            return self._open(db, current, remote_addr, now)

    def _open(self, db: Session, user: User, remote_addr: str, now: datetime) -> list[str]:
        """A new session for *user*: its ticket, and what the Web Connector should open."""
        self._expire_idle_sessions(db, user, now)
        ticket = new_ticket()
        session = QbwcSession(ticket_hash=ticket_hash(ticket), user_id=user.id,
                              remote_addr=remote_addr[:64], created_at=now, last_seen_at=now,
                              state="open")
        db.add(session)
        db.flush()
        has_work = self._has_work(db, user, session)
        return [ticket, (user.company_file or "") if has_work else NONE]

    # -- callbacks of an open session ---------------------------------------

    def send_request_xml(self, ticket: str, ctx: RequestContext) -> str:
        """The next qbXML request, or ``""`` (then getLastError says why)."""
        def call(db: Session, session: QbwcSession) -> str:
            _note_host(session, ctx)
            return self.engine.next_request(db, session, ctx) or ""
        return self._in_session(ticket, call, invalid="", failed="")

    def receive_response_xml(self, ticket: str, response: str, hresult: str, message: str) -> int:
        """Percent done: 100 finished, below 0 error (then getLastError)."""
        def call(db: Session, session: QbwcSession) -> int:
            percent = int(self.engine.apply_response(db, session, response, hresult, message))
            if session.progress != percent:  # an unchanged row is not written
                session.progress = percent
            if percent < 0 and not session.last_error:
                session.last_error = NO_DETAIL_TEXT
            return percent
        return self._in_session(ticket, call, invalid=-1, failed=-1)

    def connection_error(self, ticket: str, hresult: str, message: str) -> str:
        """QuickBooks could not be opened: ``"done"`` or a company file to retry."""
        def call(db: Session, session: QbwcSession) -> str:
            log.warning("connectionError for session %s: %s %s", session.id, short_repr(hresult),
                        short_repr(message))
            answer = self.engine.connection_error(db, session, hresult, message)
            return DONE if answer is None else answer
        return self._in_session(ticket, call, invalid=DONE, failed=DONE)

    def get_last_error(self, ticket: str) -> str:
        """The text the Web Connector shows, or ``"NoOp"`` to pause and ask again."""
        def call(db: Session, session: QbwcSession) -> str:
            return session.last_error or NO_DETAIL_TEXT
        answer = self._in_session(ticket, call, invalid="", failed=INTERNAL_ERROR_TEXT)
        return answer or self._ended_text(ticket)

    def close_connection(self, ticket: str) -> str:
        """End the session; the answer is shown in the Web Connector's status column."""
        ended: list[session_events.SessionEnd] = []

        def call(db: Session, session: QbwcSession) -> str:
            summary = self.engine.close(db, session) or "OK"
            session.state = "closed"
            ended.append(session_events.describe(db, session, self.clock()))
            return summary
        if not ticket:
            return "Session closed."
        answer = self._in_session(ticket, call, invalid=EXPIRED_TEXT, failed=INTERNAL_ERROR_TEXT)
        for end in ended:  # after the commit: what observers read is what the database holds
            self._tell(end)
        return answer

    # -- interactive mode: not used, answered politely -------------------------

    def get_interactive_url(self, ticket: str, session_id: str) -> str:
        return ""

    def interactive_done(self, ticket: str) -> str:
        return "Done"

    def interactive_rejected(self, ticket: str, reason: str) -> str:
        return INTERACTIVE_UNUSED_TEXT

    # -- helpers -------------------------------------------------------------

    def _tell(self, end: session_events.SessionEnd) -> None:
        """Log the session's line and tell each observer; an observer's failure is only logged."""
        session_events.log_line(end)
        for observer in self.observers:
            try:
                observer(end)
            except Exception:
                log.exception("session %s: observer %r failed", end.session_id, observer)

    def _has_work(self, db: Session, user: User, session: QbwcSession) -> bool:
        """Ask the engine; a failing engine means "nothing to do", never a broken login."""
        try:
            with db.begin_nested():
                return bool(self.engine.has_work(db, user))
        except Exception:
            log.exception("sync engine failed to plan for user %r; answering 'none'", user.name)
            session.last_error = INTERNAL_ERROR_TEXT
            return False

    def _expire_idle_sessions(self, db: Session, user: User, now: datetime) -> None:
        """Mark the user's abandoned sessions (a crashed Web Connector never closes) expired,
        and release what they left sent to be verified."""
        expired = list(db.scalars(update(QbwcSession)
                                  .where(QbwcSession.user_id == user.id, QbwcSession.state == "open",
                                         QbwcSession.last_seen_at < now - self.settings.ticket_ttl)
                                  .values(state="expired").returning(QbwcSession.id)))
        lost.release(db, user.id, session_ids=expired, reason=lost.EXPIRED)

    def _in_session(self, ticket: str, call: Callable[[Session, QbwcSession], T], *,
                    invalid: T, failed: T) -> T:
        """Run *call* on the ticket's open session; *invalid* if there is none.

        An exception inside *call* rolls its work back, is logged, leaves
        :data:`INTERNAL_ERROR_TEXT` for getLastError and answers *failed*. The
        session is marked seen after *call* (at most once per
        :data:`SEEN_RESOLUTION`): a change made before would be written at the
        engine's first query, and on SQLite every other session would wait for
        the write lock through all of the engine's reading too.
        """
        try:
            with transaction(self.sessions) as db:
                session = self._open_session(db, ticket)
                if session is None:
                    return invalid
                answer = call(db, session)
                now = self.clock()
                if now - as_utc(session.last_seen_at) >= SEEN_RESOLUTION:
                    session.last_seen_at = now
                return answer
        except Exception:
            log.exception("callback failed for session ticket %s", _ticket_ref(ticket))
            self._record_error(ticket, INTERNAL_ERROR_TEXT)
            return failed

    def _open_session(self, db: Session, ticket: str) -> QbwcSession | None:
        """The open, unexpired session of *ticket*, else ``None``."""
        if not ticket:
            return None
        session = db.scalar(SESSION_BY_TICKET, {"ticket_hash": ticket_hash(ticket)})
        if session is None:
            log.info("unknown ticket %s", _ticket_ref(ticket))
            return None
        if session.state != "open":
            log.info("ticket %s belongs to session %s, which is %s", _ticket_ref(ticket), session.id,
                     session.state)
            return None
        now = self.clock()
        if now - as_utc(session.last_seen_at) > self.settings.ticket_ttl:
            session.state = "expired"
            log.info("session %s expired: idle since %s", session.id, session.last_seen_at)
            lost.release(db, session.user_id, session_ids=[session.id], reason=lost.EXPIRED)
            return None
        if not session.user.enabled:
            session.state = "failed"
            log.warning("session %s ended: user %r was disabled", session.id, session.user.name)
            lost.release(db, session.user_id, session_ids=[session.id])
            return None
        return session

    def _ended_text(self, ticket: str) -> str:
        """Why *ticket* has no open session: expired, closed, user disabled, or unknown."""
        try:
            with self.sessions() as db:
                state = db.scalar(select(QbwcSession.state)
                                  .where(QbwcSession.ticket_hash == ticket_hash(ticket))) if ticket else None
        except Exception:
            log.exception("could not look up the session of ticket %s", _ticket_ref(ticket))
            state = None
        minutes = int(self.settings.ticket_ttl.total_seconds() // 60)
        return ENDED_TEXTS.get(state or "", EXPIRED_TEXT).format(minutes=minutes)

    def _record_error(self, ticket: str, text: str) -> None:
        try:
            with transaction(self.sessions) as db:
                session = self._open_session(db, ticket)
                if session is not None:
                    session.last_error = text
        except Exception:
            log.exception("could not record the error of session ticket %s", _ticket_ref(ticket))


def _note_host(session: QbwcSession, ctx: RequestContext) -> None:
    """Keep what the first sendRequestXML says about QuickBooks on the session row."""
    if not session.qbxml_version:
        session.qbxml_version = f"{ctx.major_version}.{ctx.minor_version}"[:8]
        session.company_file = ctx.company_file[:500]
        session.qb_country = ctx.country[:8]
    if ctx.hcp_response and not session.host_info:
        facts = hcp.host_facts(ctx.hcp_response)
        if facts:
            session.host_info = facts
            session.qb_product = str(facts.get("product", ""))[:200]


def _ticket_ref(ticket: str) -> str:
    """A short, non-secret reference to a ticket for the log."""
    return ticket_hash(ticket)[:10] if ticket else "(empty)"

