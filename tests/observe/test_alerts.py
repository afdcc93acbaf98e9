"""Alert channels and the silent Web Connector watch, against local receivers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from click.testing import CliRunner
from conftest import free_port, wait_for

from qbwc_service import accounts, config
from qbwc_service.cli import main
from qbwc_service.observe.alerts import (
    Alert,
    Alerter,
    EmailChannel,
    SilenceWatch,
    WebhookChannel,
    channels_from_config,
)
from qbwc_service.observe.sessions import SessionEnd
from qbwc_service.queue.db import transaction
from qbwc_service.queue.models import QbwcSession

T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def email(port: int) -> EmailChannel:
    return EmailChannel(to=("it@shop.example",), sender="sync@shop.example", host="127.0.0.1", port=port)


def test_a_failing_channel_is_reported_and_the_others_still_deliver(sessions, webhook):
    hooks, url = webhook
    before = len(hooks.posts)
    alerter = Alerter([email(free_port()), WebhookChannel(url)], sessions)  # nothing listens on that port
    failures = alerter.send(Alert("test", "shop", "a test", "body\n"))
    assert len(failures) == 1 and failures[0].startswith("EmailChannel:")
    assert len(hooks.posts) == before + 1 and hooks.posts[-1]["subject"] == "a test"


def test_a_webhook_answering_an_error_is_a_failure(sessions, webhook):
    hooks, url = webhook
    hooks.status = 500
    try:
        failures = Alerter([WebhookChannel(url)], sessions).send(Alert("test", "shop", "s", "b"))
    finally:
        hooks.status = 200
    assert failures and "500" in failures[0]


def test_sessions_without_errors_send_nothing(sessions, webhook):
    hooks, url = webhook
    alerter = Alerter([WebhookChannel(url)], sessions)
    end = SessionEnd(session_id=1, user="shop", remote_addr="", started_at=T0, ended_at=T0, outcome="ok")
    assert alerter.on_session_end(end) is None
    failed = SessionEnd(session_id=2, user="shop", remote_addr="", started_at=T0,
                        ended_at=T0 + timedelta(seconds=5), outcome="failed")
    assert alerter.on_session_end(failed).result(timeout=20) == []
    assert hooks.posts[-1]["subject"] == "sync for shop failed" and hooks.posts[-1]["session_id"] == 2


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def test_silence_alerts_once_per_silence_and_again_after_a_new_one(sessions, smtp):
    inbox, port = smtp
    with transaction(sessions) as db:
        shop = accounts.create_user(db, "shop", "pw")
        shop.created_at = T0 - timedelta(days=10)
        accounts.create_user(db, "off", "pw").enabled = False
        db.add(QbwcSession(ticket_hash="a" * 64, user_id=shop.id, created_at=T0, last_seen_at=T0,
                           state="closed"))
    clock = Clock()
    watch = SilenceWatch(Alerter([email(port)], sessions), sessions, hours=26, clock=clock)
    clock.now = T0 + timedelta(hours=25)
    assert watch.check() == []
    clock.now = T0 + timedelta(hours=27)
    sent = watch.check()
    assert [(a.kind, a.user) for a in sent] == [("silent", "shop")]  # the disabled user is not watched
    wait_for(lambda: any("no Web Connector session for shop in 27 hours" in m["Subject"]
                         for m in inbox.messages))
    clock.now = T0 + timedelta(hours=40)
    assert watch.check() == []  # the same silence: no second alert
    with transaction(sessions) as db:
        db.add(QbwcSession(ticket_hash="b" * 64, user_id=shop.id, created_at=T0 + timedelta(hours=41),
                           last_seen_at=T0 + timedelta(hours=41), state="closed"))
    clock.now = T0 + timedelta(hours=41 + 27)
    assert [a.user for a in watch.check()] == ["shop"]


def test_a_user_that_never_called_counts_from_its_creation(sessions):
    with transaction(sessions) as db:
        accounts.create_user(db, "new", "pw").created_at = T0
    clock = Clock()
    watch = SilenceWatch(Alerter([], sessions), sessions, hours=26, clock=clock)
    clock.now = T0 + timedelta(hours=2)
    assert watch.silent_users() == []
    clock.now = T0 + timedelta(hours=30)
    assert [u for u, _ in watch.silent_users()] == ["new"]


def test_channels_follow_the_configuration(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[alerts]\nemail_to = "a@x.example, b@x.example"\nsmtp_host = "mail.x.example"\n'
                    'smtp_port = 587\nsmtp_security = "starttls"\nwebhook_url = "https://hooks.x.example/q"\n',
                    encoding="utf-8")
    mail, hook = channels_from_config(config.load(path))
    assert mail.to == ("a@x.example", "b@x.example") and (mail.host, mail.port) == ("mail.x.example", 587)
    assert mail.security == "starttls" and mail.sender.startswith("qbwc-service@")
    assert hook.url == "https://hooks.x.example/q"
    assert channels_from_config(config.load(tmp_path / "absent.toml")) == []


def test_alerts_test_command_sends_to_every_channel(config_file, smtp, webhook):
    inbox, port = smtp
    hooks, url = webhook
    extra = (f'\n[alerts]\nemail_to = "it@x.example"\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\n'
             f'webhook_url = "{url}"\n')
    config_file.write_text(config_file.read_text(encoding="utf-8") + extra, encoding="utf-8")
    mails, posts = len(inbox.messages), len(hooks.posts)
    result = CliRunner().invoke(main, ["--config", str(config_file), "alerts", "test"])
    assert result.exit_code == 0, result.output
    assert "2 channels" in result.output
    wait_for(lambda: len(inbox.messages) > mails)
    assert len(hooks.posts) == posts + 1 and hooks.posts[-1]["kind"] == "test"


def test_alerts_test_without_channels_says_what_to_set(config_file):
    result = CliRunner().invoke(main, ["--config", str(config_file), "alerts", "test"])
    assert result.exit_code == 1 and "alerts.email_to" in result.output
