"""The queue database: SQLAlchemy 2 ORM models.

One database per installation, SQLite by default, PostgreSQL to share the
queue between several ``serve`` processes. Nothing here keeps state in the
process: sessions, throttling and the queue all live in these tables.

Tables: ``users`` (one per Web Connector user = one QuickBooks company),
``qbwc_sessions`` (a Web Connector session, found by the SHA-256 of its
ticket), ``jobs`` + ``job_dependencies`` (the queue, see
:mod:`qbwc_service.queue.states`), ``runs`` (one per session that did work,
with counts and the report), ``audit_events``, ``id_map`` (JobBOSS2 key ->
QuickBooks ListID / TxnID per company), ``settings`` (sync options per user),
``name_map`` (the QuickBooks name or RefNumber of a JobBOSS2 record too
long for QuickBooks, per company), ``auth_failures`` (login throttling), ``admin_sessions`` (logins to the
admin page, revocable), ``writebacks`` (JobBOSS2 flag
updates still owed) and ``messages`` (each qbXML message sent to QuickBooks
with its response, which the jobs sent in it point at).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from qbwc_service.queue.states import JobStatus


def utcnow() -> datetime:
    """Timezone-aware now; stored as UTC everywhere."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """*moment* made timezone-aware: SQLite gives back naive datetimes, all stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def new_guid() -> str:
    """A GUID in braces, the form QuickBooks and the Web Connector use."""
    return "{" + str(uuid.uuid4()).upper() + "}"


class Base(DeclarativeBase):
    type_annotation_map = {datetime: DateTime(timezone=True), dict[str, Any]: JSON}


class User(Base):
    """A Web Connector user: credentials plus the company and JobBOSS2 database it syncs."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    company_file: Mapped[str] = mapped_column(String(500), default="")
    jobboss_url: Mapped[str] = mapped_column(String(1000), default="")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    owner_id: Mapped[str] = mapped_column(String(38), default=new_guid)
    file_id: Mapped[str] = mapped_column(String(38), default=new_guid)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The QuickBooks company the user is bound to, learned on its first session
    #: (:mod:`qbwc_service.sync.running.company`); ``None`` until then.
    bound_file_id: Mapped[str | None] = mapped_column(String(255), default=None)
    bound_company_path: Mapped[str | None] = mapped_column(String(500), default=None)
    bound_company_name: Mapped[str | None] = mapped_column(String(200), default=None)
    bound_at: Mapped[datetime | None] = mapped_column(default=None)


class QbwcSession(Base):
    """One Web Connector session, from authenticate to closeConnection."""

    __tablename__ = "qbwc_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    state: Mapped[str] = mapped_column(String(16), default="open")  # open, closed, expired, failed
    company_file: Mapped[str] = mapped_column(String(500), default="")
    qb_country: Mapped[str] = mapped_column(String(8), default="")
    qb_product: Mapped[str] = mapped_column(String(200), default="")
    qbxml_version: Mapped[str] = mapped_column(String(8), default="")
    host_info: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_error: Mapped[str] = mapped_column(Text, default="")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship()


class Job(Base):
    """One request to QuickBooks for one JobBOSS2 record; see :mod:`.states`."""

    __tablename__ = "jobs"
    __table_args__ = (
        # Planning is idempotent: one job per version of a record.
        UniqueConstraint("user_id", "kind", "source_key", "source_version", name="uq_job_version"),
        # The dequeue path: ready jobs of a user and area, by priority then age.
        Index("ix_jobs_dequeue", "user_id", "status", "area", "priority", "id"),
        Index("ix_jobs_source", "user_id", "source_table", "source_key"),
        Index("ix_jobs_session", "session_id", "status"),
        # Pruning old messages sets this to NULL; without an index every message deleted scans the jobs.
        Index("ix_jobs_message", "message_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    area: Mapped[str] = mapped_column(String(16))  # lists, ar, ap, time
    kind: Mapped[str] = mapped_column(String(40))  # e.g. customer.ensure, invoice.add
    source_table: Mapped[str] = mapped_column(String(64), default="")
    source_key: Mapped[str] = mapped_column(String(200), default="")
    source_version: Mapped[str] = mapped_column(String(64), default="")
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.PENDING.value)
    priority: Mapped[int] = mapped_column(Integer, default=100)  # lower goes first
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime | None] = mapped_column()
    request_id: Mapped[str] = mapped_column(String(50), default="")
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("qbwc_sessions.id", ondelete="SET NULL"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    #: The message this job was last sent in (see :class:`Message`).
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    qb_list_id: Mapped[str] = mapped_column(String(40), default="")
    qb_txn_id: Mapped[str] = mapped_column(String(40), default="")
    qb_edit_sequence: Mapped[str] = mapped_column(String(20), default="")
    error_code: Mapped[str] = mapped_column(String(20), default="")
    error_message: Mapped[str] = mapped_column(Text, default="")
    blocked_reason: Mapped[str] = mapped_column(Text, default="")
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
    done_at: Mapped[datetime | None] = mapped_column()

    depends_on: Mapped[list[Job]] = relationship(
        secondary="job_dependencies",
        primaryjoin="Job.id == JobDependency.job_id",
        secondaryjoin="Job.id == JobDependency.depends_on_id",
        viewonly=True,
    )


class Message(Base):
    """One qbXML message sent to QuickBooks and its response, kept once for all its jobs.

    Each job sent in it points here with ``jobs.message_id`` and finds its own
    request and response in it by ``jobs.request_id`` (the ``requestID``).
    A job sent again points at its newest message; the older ones stay until
    ``db prune`` (``storage.keep_messages_days``). A request or response over
    ``storage.max_message_kb`` is kept cut short; its full size in bytes (UTF-8)
    and SHA-256 are kept beside it, as for every message.
    """

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("qbwc_sessions.id", ondelete="SET NULL"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"),
                                               index=True)
    request_xml: Mapped[str] = mapped_column(Text, default="")
    response_xml: Mapped[str] = mapped_column(Text, default="")
    request_bytes: Mapped[int] = mapped_column(Integer, default=0)
    request_sha256: Mapped[str] = mapped_column(String(64), default="")
    response_bytes: Mapped[int] = mapped_column(Integer, default=0)
    response_sha256: Mapped[str] = mapped_column(String(64), default="")
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column()


class JobDependency(Base):
    """``job_id`` may be sent only once ``depends_on_id`` is done."""

    __tablename__ = "job_dependencies"

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"),
                                        primary_key=True)
    depends_on_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"),
                                               primary_key=True, index=True)


class Run(Base):
    """One Web Connector session that reached sendRequestXML, with its counts and report."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="running")  # running, ok, errors, failed
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {area: {outcome: n}}
    round_trips: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[str] = mapped_column(Text, default="")
    report: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AuditEvent(Base):
    """What happened to a record, step by step (planned, sent, created, marked exported...)."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_record", "user_id", "record_key"),
        Index("ix_audit_run", "run_id", "event"),  # a run's report
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"),
                                               index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    record_key: Mapped[str] = mapped_column(String(200), default="")
    event: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")


class IdMapEntry(Base):
    """A JobBOSS2 record known to one QuickBooks company, with its QuickBooks identity."""

    __tablename__ = "id_map"
    __table_args__ = (UniqueConstraint("user_id", "entity", "source_key", name="uq_id_map"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    entity: Mapped[str] = mapped_column(String(40))  # customer, vendor, item, invoice, ...
    source_key: Mapped[str] = mapped_column(String(200))
    qb_id: Mapped[str] = mapped_column(String(40))  # ListID or TxnID
    qb_name: Mapped[str] = mapped_column(String(260), default="")
    edit_sequence: Mapped[str] = mapped_column(String(20), default="")
    source_version: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class NameMapEntry(Base):
    """The QuickBooks name (or RefNumber) one JobBOSS2 record is sent under, for one company.

    ``kind`` is the ID map entity (``item``, ``customer``, ``invoice``...), ``namespace``
    where QuickBooks wants the name unique, ``qb_name_key`` the name folded for that
    comparison; ``origin`` is ``auto`` (shortened by the rule) or ``manual``.
    """

    __tablename__ = "name_map"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "source_key", name="uq_name_map"),
        UniqueConstraint("user_id", "namespace", "qb_name_key", name="uq_name_map_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    source_key: Mapped[str] = mapped_column(String(200))
    #: The JobBOSS2 value the name stands for (a customer's full name, a long part number).
    source_value: Mapped[str] = mapped_column(Text, default="")
    namespace: Mapped[str] = mapped_column(String(40))
    qb_name: Mapped[str] = mapped_column(String(100))
    qb_name_key: Mapped[str] = mapped_column(String(100))
    origin: Mapped[str] = mapped_column(String(10), default="auto")
    set_by: Mapped[str] = mapped_column(String(200), default="")
    set_at: Mapped[datetime] = mapped_column(default=utcnow)


class Setting(Base):
    """One sync option of one user; keys and defaults live in ``sync.settings``."""

    __tablename__ = "settings"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_setting"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    value: Mapped[str] = mapped_column(Text)


class AuthFailure(Base):
    """Failed logins per user name or remote address, for throttling across processes."""

    __tablename__ = "auth_failures"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # "user:NAME" / "addr:IP"
    count: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column()


class AdminSession(Base):
    """One login to the admin page. The browser's cookie carries a random token; only its
    SHA-256 is kept here, so the session lives on the server and logging out ends it for good.

    A session is valid while ``ended_at`` is empty and ``expires_at`` (``admin.session_hours``
    after the login) is ahead. Ended rows stay until ``db prune``: they remember the addresses
    each user logged in from, which login throttling trusts.
    """

    __tablename__ = "admin_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column()


class WriteBack(Base):
    """A JobBOSS2 flag update owed for a record QuickBooks already holds.

    Kept apart from the job so a failed write-back is retried without ever
    sending the record to QuickBooks again.
    """

    __tablename__ = "writebacks"
    __table_args__ = (Index("ix_writebacks_open", "user_id", "done_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))  # exported, paid
    source_table: Mapped[str] = mapped_column(String(64))
    source_key: Mapped[str] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column()


class DecimalText(TypeDecorator[Decimal]):
    """Money kept exactly, as its decimal text (SQLite has no exact numeric type)."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        return None if value is None else str(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


class Reconciliation(Base):
    """One ``reconcile --from --to``: read-only queries planned for the next session."""

    __tablename__ = "reconciliations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    date_from: Mapped[date] = mapped_column(Date)
    date_to: Mapped[date] = mapped_column(Date)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class ReconcileQuery(Base):
    """One transaction type's query of a reconciliation, read page by page (an iterator)."""

    __tablename__ = "reconcile_queries"

    id: Mapped[int] = mapped_column(primary_key=True)
    reconciliation_id: Mapped[int] = mapped_column(
        ForeignKey("reconciliations.id", ondelete="CASCADE"), index=True)
    txn_type: Mapped[str] = mapped_column(String(32))  # Invoice, Bill, CreditMemo ...
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, sent, done, error
    #: The iterator of the session that read the last page ("" before the first page).
    iterator_id: Mapped[str] = mapped_column(String(64), default="")
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("qbwc_sessions.id", ondelete="SET NULL"))
    pages: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")


class ReconcileDoc(Base):
    """A document QuickBooks returned to a reconciliation query."""

    __tablename__ = "reconcile_docs"
    __table_args__ = (UniqueConstraint("reconciliation_id", "txn_type", "txn_id",
                                       name="uq_reconcile_doc"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reconciliation_id: Mapped[int] = mapped_column(
        ForeignKey("reconciliations.id", ondelete="CASCADE"), index=True)
    txn_type: Mapped[str] = mapped_column(String(32))
    txn_id: Mapped[str] = mapped_column(String(40))
    ref_number: Mapped[str] = mapped_column(String(40), default="")
    txn_date: Mapped[date | None] = mapped_column(Date, default=None)
    party: Mapped[str] = mapped_column(String(255), default="")
    total: Mapped[Decimal | None] = mapped_column(DecimalText, default=None)
