"""Watching the service from outside: the per-session log line, /metrics, alerts.

Every part listens to the same event, :class:`.sessions.SessionEnd`, which
the SOAP edge emits when a Web Connector session closes; :mod:`.metrics`
also reads the queue database when scraped, and :mod:`.alerts` also watches
for Web Connectors that stopped calling.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from qbwc_service.config import Config
from qbwc_service.observe.alerts import Alerter, SilenceWatch, channels_from_config
from qbwc_service.observe.metrics import ServiceMetrics
from qbwc_service.observe.sessions import SessionObserver


@dataclass
class Observers:
    """What one process runs to be watched: metrics always, alerts when configured."""

    metrics: ServiceMetrics
    alerter: Alerter | None = None
    silent_hours: int = 26

    @classmethod
    def from_config(cls, config: Config, sessions: sessionmaker[Session]) -> Observers:
        channels = channels_from_config(config)
        return cls(metrics=ServiceMetrics(sessions),
                   alerter=Alerter(channels, sessions) if channels else None,
                   silent_hours=config["alerts.silent_hours"])

    def session_observers(self) -> list[SessionObserver]:
        observers: list[SessionObserver] = [self.metrics.observe]
        if self.alerter is not None:
            observers.append(self.alerter.on_session_end)
        return observers

    def start_silence_watch(self, sessions: sessionmaker[Session]) -> threading.Event | None:
        """Start the silent Web Connector check on a daemon thread; set the event to stop it."""
        if self.alerter is None:
            return None
        stop = threading.Event()
        watch = SilenceWatch(self.alerter, sessions, self.silent_hours)
        threading.Thread(target=watch.run, args=(stop,), name="qbwc-silence-watch", daemon=True).start()
        return stop
