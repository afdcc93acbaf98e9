"""The demo, watched as a shop would watch it: JSON log file, /metrics, alerts by email and webhook.

One demo run (its data has deliberate errors) with every observing key set; the
tests read what each channel got. The demo's names too long for QuickBooks are
refused (``names.<kind> = error``) so that its run has errors to report.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import Hooks, Inbox, wait_for

from qbwc_service import accounts, config, logsetup
from qbwc_service.queue import db
from qbwc_service.simulator.demo import DEMO_USER, DemoResult, prepare, run_demo
from qbwc_service.sync.settings import set_settings

TOKEN = "scrape-secret"


@dataclass
class Observed:
    demo: DemoResult
    log_file: Path
    metrics: str


@pytest.fixture(scope="module")
def observed(tmp_path_factory, smtp, webhook) -> Observed:
    inbox, port = smtp
    hooks, hook_url = webhook
    folder = tmp_path_factory.mktemp("observed")
    (folder / "qbwc-service.toml").write_text(f"""
[logging]
level = "INFO"
file = "logs/qbwc-service.log"
format = "json"

[metrics]
token = "{TOKEN}"

[alerts]
email_to = "it@shop.example, owner@shop.example"
email_from = "sync@shop.example"
smtp_host = "127.0.0.1"
smtp_port = {port}
webhook_url = "{hook_url}"
""", encoding="utf-8")
    _refuse_long_names(folder)
    level = logging.getLogger().level
    logsetup.configure(config.load(folder / "qbwc-service.toml"))  # as every command does
    demo = run_demo(folder, serve=True, port=0)
    try:
        request = urllib.request.Request(demo.server.url + "/metrics",
                                         headers={"Authorization": f"Bearer {TOKEN}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            metrics = response.read().decode()
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(demo.server.url + "/metrics", timeout=10)
        assert refused.value.code == 401
    finally:
        demo.server.stop()
        logsetup.reset()
        logging.getLogger().setLevel(level)
    wait_for(lambda: inbox.messages and hooks.posts)
    return Observed(demo, folder / "logs" / "qbwc-service.log", metrics)


def _refuse_long_names(folder: Path) -> None:
    """The demo user, made ahead in the demo's folder, refusing names too long for QuickBooks."""
    prepared = prepare(folder, 0, 1)
    engine = db.make_engine(config.load(prepared.config_path).database_url)
    try:
        with db.transaction(db.session_factory(engine)) as dbs:
            user = accounts.create_user(dbs, DEMO_USER, prepared.password,
                                        jobboss_url=str(prepared.jobboss_path))
            set_settings(dbs, user.id, {"names.customer": "error", "names.item": "error"})
    finally:
        engine.dispose()


def session_lines(path: Path) -> list[dict]:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [r for r in records if r["logger"] == "qbwc_service.sessions"]


def test_one_json_log_line_per_session_with_user_counts_and_duration(observed):
    lines = session_lines(observed.log_file)
    assert len(lines) == len(observed.demo.sessions)
    assert [line["session_id"] for line in lines] == sorted({line["session_id"] for line in lines})
    first = lines[0]
    assert first["user"] == "demo" and first["duration_s"] >= 0 and first["time"]
    assert first["message"].startswith(f"session {first['session_id']} user=demo ")
    assert sum(line["jobs"].get("done", 0) for line in lines) > 0
    assert any(line["outcome"] == "errors" and line["level"] == "WARNING" for line in lines)


def test_metrics_show_jobs_sessions_latency_and_last_success(observed):
    text = observed.metrics
    assert 'qbwc_jobs{area="ar",status="done"}' in text
    assert 'qbwc_jobs{area="ar",status="error"}' in text or 'qbwc_jobs{area="lists",status="error"}' in text
    sessions = [line for line in text.splitlines() if line.startswith("qbwc_sessions_total{")]
    assert sum(float(line.split()[-1]) for line in sessions) == len(observed.demo.sessions)
    count = next(line for line in text.splitlines() if line.startswith("qbwc_round_trip_seconds_count"))
    assert float(count.split()[-1]) > 0
    assert 'qbwc_round_trip_seconds_bucket{le="+Inf"}' in text


def test_an_email_alert_names_the_user_and_the_errors(observed, smtp):
    inbox, _port = smtp
    message = inbox.messages[0]
    assert message["Subject"].startswith("[qbwc-service] sync for demo ended with ")
    assert message["From"] == "sync@shop.example"
    assert inbox.envelopes[0][1] == ["it@shop.example", "owner@shop.example"]
    body = message.get_payload()
    assert "Errors (" in body and "qbwc-service report" in body


def test_a_webhook_alert_carries_the_facts_as_json(observed, webhook):
    hooks: Hooks = webhook[0]
    post = hooks.posts[0]
    assert post["content_type"] == "application/json"
    assert post["kind"] == "run_errors" and post["user"] == "demo" and post["outcome"] == "errors"
    assert post["jobs"]["error"] > 0 and "Errors (" in post["text"]


def test_no_alert_for_sessions_without_errors(observed, smtp):
    inbox: Inbox = smtp[0]
    failed = [s for s in session_lines(observed.log_file) if s["outcome"] in ("errors", "failed")]
    wait_for(lambda: len(inbox.messages) >= len(failed))
    assert len(inbox.messages) == len(failed)
