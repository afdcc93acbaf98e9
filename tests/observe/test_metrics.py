"""/metrics without a token, and when the queue database is gone."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker
from webtest import TestApp

from qbwc_service.observe.metrics import ServiceMetrics
from qbwc_service.observe.sessions import SessionEnd

T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def test_open_without_a_token_and_counting_what_this_process_saw(sessions):
    metrics = ServiceMetrics(sessions)
    metrics.observe(SessionEnd(session_id=1, user="shop", remote_addr="", started_at=T0, ended_at=T0,
                               outcome="ok", round_trips=(0.2, 3.0)))
    text = TestApp(metrics.wsgi_app("")).get("/").text
    assert 'qbwc_sessions_total{outcome="ok"} 1.0' in text
    assert "qbwc_round_trip_seconds_count 2.0" in text
    assert 'qbwc_round_trip_seconds_bucket{le="0.25"} 1.0' in text
    assert "qbwc_queue_database_up 1.0" in text


def test_a_wrong_token_is_refused():
    metrics = ServiceMetrics(sessionmaker())
    app = TestApp(metrics.wsgi_app("right"))
    assert app.get("/", headers={"Authorization": "Bearer wrong"}, status=401).headers["WWW-Authenticate"]
    assert app.get("/", status=401)


def test_an_unreachable_queue_still_answers_and_says_so(tmp_path):
    gone = create_engine(f"sqlite:///{tmp_path / 'missing' / 'q.sqlite3'}")
    text = TestApp(ServiceMetrics(sessionmaker(gone)).wsgi_app()).get("/").text
    assert "qbwc_queue_database_up 0.0" in text and "qbwc_jobs{" not in text
