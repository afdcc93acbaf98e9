"""Alerts by email (``alerts.email_to`` and the SMTP keys) and webhook (``alerts.webhook_url``).

Two things alert: a session whose run ended with errors (or failed), and a
user whose Web Connector has not called for ``alerts.silent_hours`` (its PC
is off, QuickBooks is closed, or the schedule was removed). Sending happens
on a worker thread, never inside a Web Connector callback; a channel that
fails is logged and the others still get the alert.
"""

from __future__ import annotations

import json
import logging
import smtplib
import socket
import ssl
import threading
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from qbwc_service.config import Config
from qbwc_service.observe.sessions import SessionEnd, aware
from qbwc_service.queue.models import QbwcSession, User

log = logging.getLogger(__name__)

SUBJECT_PREFIX = "[qbwc-service]"
TIMEOUT_SECONDS = 20
#: Errors an alert lists before pointing at the full report.
REPORT_LINES = 10
#: How often ``serve`` looks for silent Web Connectors.
SILENCE_CHECK_SECONDS = 15 * 60


@dataclass(frozen=True)
class Alert:
    """One alert: a subject line, a plain-text body and the facts as fields."""

    kind: str  # run_errors, silent, test
    user: str
    subject: str
    body: str
    fields: dict[str, object] = field(default_factory=dict)

    def as_json(self) -> bytes:
        return json.dumps({"kind": self.kind, "user": self.user, "subject": self.subject,
                           "text": self.body, **self.fields}, default=str).encode("utf-8")


class Channel(Protocol):
    """Somewhere an alert can be delivered."""

    def send(self, alert: Alert) -> None: ...


@dataclass(frozen=True)
class EmailChannel:
    """Alert emails through an SMTP server (plain, STARTTLS or SSL; login optional)."""

    to: tuple[str, ...]
    sender: str
    host: str
    port: int
    security: str = "none"
    user: str = ""
    password: str = ""

    def send(self, alert: Alert) -> None:
        message = EmailMessage()
        message["Subject"] = f"{SUBJECT_PREFIX} {alert.subject}"
        message["From"] = self.sender
        message["To"] = ", ".join(self.to)
        message.set_content(alert.body)
        smtp_class = smtplib.SMTP_SSL if self.security == "ssl" else smtplib.SMTP
        with smtp_class(self.host, self.port, timeout=TIMEOUT_SECONDS) as smtp:
            if self.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(message)


@dataclass(frozen=True)
class WebhookChannel:
    """Each alert POSTed as JSON: ``kind``, ``user``, ``subject``, ``text`` and the facts."""

    url: str

    def send(self, alert: Alert) -> None:
        request = urllib.request.Request(self.url, data=alert.as_json(), method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "User-Agent": "qbwc-service"})
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            response.read()


def channels_from_config(config: Config) -> list[Channel]:
    """The channels *config* turns on (none when no alert key is set)."""
    channels: list[Channel] = []
    to = tuple(a.strip() for a in config["alerts.email_to"].split(",") if a.strip())
    if to:
        channels.append(EmailChannel(
            to=to, sender=config["alerts.email_from"] or f"qbwc-service@{socket.getfqdn()}",
            host=config["alerts.smtp_host"], port=config["alerts.smtp_port"],
            security=config["alerts.smtp_security"], user=config["alerts.smtp_user"],
            password=config["alerts.smtp_password"]))
    if config["alerts.webhook_url"]:
        channels.append(WebhookChannel(config["alerts.webhook_url"]))
    return channels


class Alerter:
    """Sends alerts to every channel, on one worker thread."""

    def __init__(self, channels: Sequence[Channel], sessions: sessionmaker[Session]) -> None:
        self.channels = list(channels)
        self.sessions = sessions
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qbwc-alerts")

    def send(self, alert: Alert) -> list[str]:
        """Deliver *alert* now; returns the failures (one line each), already logged."""
        failures = []
        for channel in self.channels:
            try:
                channel.send(alert)
            except Exception as exc:  # SMTP, TLS, HTTP and socket errors alike: report, go on
                failures.append(f"{type(channel).__name__}: {exc}")
                log.warning("alert %r not delivered by %s: %s", alert.subject, type(channel).__name__, exc)
        if len(failures) < len(self.channels):
            log.info("alert sent: %s", alert.subject)
        return failures

    def on_session_end(self, end: SessionEnd) -> Future[list[str]] | None:
        """Session observer: alert when the run ended with errors or failed."""
        if not end.failed:
            return None
        # Building the alert reads the run's report: on the worker too, not in the callback.
        return self._pool.submit(lambda: self.send(self.run_alert(end)))

    def run_alert(self, end: SessionEnd) -> Alert:
        errors = end.jobs.get("error", 0)
        subject = (f"sync for {end.user} ended with {errors} error{'s' * (errors != 1)}"
                   if end.outcome == "errors" else f"sync for {end.user} failed")
        body = [f"{subject}.", "", end.summary or "(no summary)", "",
                f"Session {end.session_id} from {end.remote_addr or '?'}, "
                f"{end.started_at:%Y-%m-%d %H:%M} UTC, {end.duration:.0f} s."]
        if end.run_id is not None:
            body += ["", self._errors_text(end.run_id),
                     f"Full report: qbwc-service report {end.run_id}  (or the admin page, Runs)"]
        return Alert("run_errors", end.user, subject, "\n".join(body) + "\n", end.fields())

    def _errors_text(self, run_id: int) -> str:
        from qbwc_service.sync import reports

        with self.sessions() as db:
            report = reports.build_report(db, run_id, sections=("errors",))
        return reports.render_text(report, limit=REPORT_LINES)

    def close(self) -> None:
        self._pool.shutdown(wait=True)


class SilenceWatch:
    """Alerts once per silence when a user's Web Connector stops calling."""

    def __init__(self, alerter: Alerter, sessions: sessionmaker[Session], hours: int,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.alerter = alerter
        self.sessions = sessions
        self.limit = timedelta(hours=hours)
        self.clock = clock
        #: user -> the last call time already alerted about (a new call ends that silence).
        self._alerted: dict[str, datetime] = {}

    def silent_users(self) -> list[tuple[str, datetime]]:
        """Enabled users whose last call (or, never called, their creation) is older than the limit."""
        now = self.clock()
        with self.sessions() as db:
            rows = db.execute(select(User.name, User.created_at, func.max(QbwcSession.last_seen_at))
                              .outerjoin(QbwcSession, QbwcSession.user_id == User.id)
                              .where(User.enabled.is_(True)).group_by(User.id, User.name, User.created_at))
            last = {name: aware(seen or created) for name, created, seen in rows}
        return sorted((name, seen) for name, seen in last.items() if now - seen > self.limit)

    def check(self) -> list[Alert]:
        """Alert each newly silent user; returns the alerts sent."""
        sent = []
        for user, seen in self.silent_users():
            if self._alerted.get(user) == seen:
                continue
            alert = self._alert(user, seen)
            self.alerter.send(alert)
            self._alerted[user] = seen
            sent.append(alert)
        return sent

    def _alert(self, user: str, seen: datetime) -> Alert:
        hours = (self.clock() - seen).total_seconds() / 3600
        subject = f"no Web Connector session for {user} in {hours:.0f} hours"
        body = (f"{subject} (last call {seen:%Y-%m-%d %H:%M} UTC; alerts.silent_hours = "
                f"{self.limit.total_seconds() / 3600:.0f}).\n\nCheck on the QuickBooks PC that it is on, "
                "that QuickBooks can open the company file, and that the Web Connector runs with "
                "Auto-Run ticked for this application.\n")
        return Alert("silent", user, subject, body, {"last_seen": seen.isoformat(), "hours": round(hours, 1)})

    def run(self, stop: threading.Event, interval: float = SILENCE_CHECK_SECONDS,
            first: float = 60.0) -> None:
        """Check after *first* seconds, then every *interval*, until *stop* is set (a thread of ``serve``)."""
        delay = first
        while not stop.wait(delay):
            delay = interval
            try:
                self.check()
            except Exception:
                log.exception("silent Web Connector check failed")
