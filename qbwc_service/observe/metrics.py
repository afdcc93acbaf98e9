"""``/metrics`` in Prometheus' text format (prometheus-client).

Queue-wide figures are read from the queue database at each scrape, so every
``serve`` process sharing one queue reports the same numbers: jobs by status
and area, and the time of each user's last successful session. What a
process saw itself is counted in it: sessions by outcome and the round-trip
latency histogram (seconds from a qbXML request to QuickBooks' answer).
With ``metrics.token`` set, a scrape must send ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, make_wsgi_app
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.wrappers import Request, Response

from qbwc_service.observe.sessions import SessionEnd, aware
from qbwc_service.queue.models import Job, QbwcSession, Run, User

log = logging.getLogger(__name__)

PREFIX = "qbwc"
#: Round trips last from well under a second (a query) to minutes (a large import).
LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)


class QueueCollector(Collector):
    """Gauges read from the queue database at each scrape."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def collect(self) -> Iterator[Metric]:
        jobs = GaugeMetricFamily(f"{PREFIX}_jobs", "Jobs in the queue by status and area",
                                 labels=["status", "area"])
        last_ok = GaugeMetricFamily(f"{PREFIX}_last_successful_session_timestamp_seconds",
                                    "Unix time of each user's last session that closed without errors",
                                    labels=["user"])
        up = GaugeMetricFamily(f"{PREFIX}_queue_database_up",
                               "1 when the queue database answered this scrape, else 0")
        try:
            with self.sessions() as db:
                for status, area, count in db.execute(select(Job.status, Job.area, func.count())
                                                      .group_by(Job.status, Job.area)):
                    jobs.add_metric([status, area], count)
                for user, seen in db.execute(
                        select(User.name, func.max(QbwcSession.last_seen_at))
                        .join(User, User.id == QbwcSession.user_id)
                        .outerjoin(Run, Run.id == QbwcSession.run_id)
                        .where(QbwcSession.state == "closed",
                               or_(QbwcSession.run_id.is_(None), Run.status == "ok"))
                        .group_by(User.name)):
                    last_ok.add_metric([user], aware(seen).timestamp())
        except SQLAlchemyError:
            # The process's own figures still go out; the gauge says the queue's are missing.
            log.warning("metrics: the queue database did not answer", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield jobs
        yield last_ok


class ServiceMetrics:
    """One process's registry: the queue gauges plus what this process saw."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.registry = CollectorRegistry()
        self.registry.register(QueueCollector(sessions))
        self.sessions_total = Counter(f"{PREFIX}_sessions", "Web Connector sessions closed, by outcome",
                                      ["outcome"], registry=self.registry)
        self.round_trip = Histogram(f"{PREFIX}_round_trip_seconds",
                                    "Seconds from a qbXML request to QuickBooks' answer",
                                    buckets=LATENCY_BUCKETS, registry=self.registry)

    def observe(self, end: SessionEnd) -> None:
        """Count a closed session and its round trips."""
        self.sessions_total.labels(end.outcome).inc()
        for seconds in end.round_trips:
            self.round_trip.observe(seconds)

    def wsgi_app(self, token: str = "") -> Any:
        """The ``/metrics`` WSGI app, refusing scrapes without the bearer *token* when one is set."""
        export = make_wsgi_app(self.registry)
        expected = f"Bearer {token}".encode()

        def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
            if token:
                given = Request(environ).headers.get("Authorization", "").encode()
                if not hmac.compare_digest(given, expected):
                    response = Response("metrics.token is set: send Authorization: Bearer <token>\n",
                                        status=401, mimetype="text/plain")
                    response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
                    return response(environ, start_response)
            return export(environ, start_response)

        return app
