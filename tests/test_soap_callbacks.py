"""The per-callback logic (no spyne): tickets, nvu / none / work, expiry, throttling, errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from soap_support import QBXML_REQUEST, SAMPLES, ScriptedEngine
from sqlalchemy import select

from qbwc_service import accounts, xmlsafe
from qbwc_service.queue.db import transaction
from qbwc_service.queue.models import AuthFailure, QbwcSession
from qbwc_service.security import throttle
from qbwc_service.security.throttle import ThrottlePolicy
from qbwc_service.security.tickets import ticket_hash
from qbwc_service.soap.callbacks import (
    ENDED_TEXTS,
    EXPIRED_TEXT,
    INTERNAL_ERROR_TEXT,
    QbwcCallbacks,
    QbwcSettings,
)
from qbwc_service.sync.contract import IdleEngine, RequestContext

CTX = RequestContext(hcp_response="", company_file="C:\\co.qbw", country="US", major_version=13,
                     minor_version=0)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def users(sessions):
    with transaction(sessions) as db:
        accounts.create_user(db, "alice", "s3cret!", company_file="C:\\Company\\shop.qbw")
        accounts.create_user(db, "bob", "hunter2")
        accounts.create_user(db, "carol", "pw", company_file="C:\\x.qbw")
        accounts.disable_user(db, "carol")
    return sessions


def make(sessions, engine=None, clock=None, **settings) -> QbwcCallbacks:
    base = {"ticket_ttl": timedelta(minutes=30), "throttle": ThrottlePolicy(3, 300)}
    base.update(settings)
    return QbwcCallbacks(sessions, engine or ScriptedEngine(), QbwcSettings(**base),
                         clock=clock or Clock())


def test_wrong_password_unknown_user_and_disabled_user_get_nvu(users):
    engine = ScriptedEngine()
    cb = make(users, engine)
    assert cb.authenticate("alice", "wrong") == ["", "nvu"]
    assert cb.authenticate("nobody", "s3cret!") == ["", "nvu"]
    assert cb.authenticate("carol", "pw") == ["", "nvu"]
    assert cb.authenticate("", "") == ["", "nvu"]
    assert engine.calls == []
    with users() as db:
        assert db.scalars(select(QbwcSession)).all() == []


def test_no_work_answers_none_with_a_ticket(users):
    cb = make(users, IdleEngine())
    ticket, answer = cb.authenticate("alice", "s3cret!")
    assert answer == "none"
    assert len(ticket) >= 22  # >= 128 bits in URL-safe base64
    assert cb.close_connection(ticket) == "OK: nothing to sync"


def test_work_answers_the_company_file_or_empty_for_the_open_one(users):
    cb = make(users, ScriptedEngine(work=True))
    assert cb.authenticate("alice", "s3cret!")[1] == "C:\\Company\\shop.qbw"
    assert cb.authenticate("bob", "hunter2")[1] == ""


def test_ticket_is_random_and_stored_only_as_its_hash(users):
    cb = make(users)
    t1, _ = cb.authenticate("alice", "s3cret!")
    t2, _ = cb.authenticate("alice", "s3cret!")
    assert t1 != t2
    with users() as db:
        rows = db.scalars(select(QbwcSession).order_by(QbwcSession.id)).all()
        assert [r.ticket_hash for r in rows] == [ticket_hash(t1), ticket_hash(t2)]
        assert all(r.state == "open" and r.user.name == "alice" for r in rows)
        assert t1 not in {r.ticket_hash for r in rows}


def test_full_session_delegates_to_the_engine(users):
    engine = ScriptedEngine(percent=100)
    cb = make(users, engine)
    ticket, company = cb.authenticate("alice", "s3cret!")
    assert company == "C:\\Company\\shop.qbw"
    assert cb.send_request_xml(ticket, CTX) == QBXML_REQUEST
    assert cb.receive_response_xml(ticket, "<QBXML/>", "", "") == 100
    assert cb.close_connection(ticket) == "OK: 1 record sent"
    assert engine.names() == ["has_work", "next_request", "apply_response", "close"]
    assert engine.calls[1][1] == CTX
    # A closed session's ticket is dead.
    assert cb.send_request_xml(ticket, CTX) == ""
    assert cb.get_last_error(ticket) == ENDED_TEXTS["closed"]
    assert engine.names().count("next_request") == 1


def test_first_send_request_records_quickbooks_facts(users):
    envelope = xmlsafe.parse((SAMPLES / "04-sendRequestXML.first.request.xml").read_bytes())
    hcp = envelope.findtext(".//{http://developer.intuit.com/}strHCPResponse")
    cb = make(users)
    ticket, _ = cb.authenticate("alice", "s3cret!")
    ctx = RequestContext(hcp_response=hcp, company_file="C:\\Company\\shop.qbw", country="US",
                         major_version=16, minor_version=0)
    cb.send_request_xml(ticket, ctx)
    with users() as db:
        row = db.scalar(select(QbwcSession))
        assert row.qbxml_version == "16.0"
        assert row.qb_country == "US"
        assert row.company_file == "C:\\Company\\shop.qbw"
        assert row.qb_product == "QuickBooks Enterprise Solutions 24.0"
        assert row.host_info["supported_qbxml_versions"] == ["13.0", "14.0", "15.0", "16.0"]


def test_engine_pause_is_passed_through_get_last_error(users):
    cb = make(users, ScriptedEngine(request=""))
    ticket, _ = cb.authenticate("alice", "s3cret!")
    assert cb.send_request_xml(ticket, CTX) == ""
    assert cb.get_last_error(ticket) == "NoOp"


def test_negative_percent_leaves_the_error_for_get_last_error(users):
    cb = make(users, ScriptedEngine(percent=-1))
    ticket, _ = cb.authenticate("alice", "s3cret!")
    assert cb.receive_response_xml(ticket, "", "0x80040400", "parse error") == -1
    assert cb.get_last_error(ticket) == "QuickBooks said no"


def test_connection_error_asks_the_engine(users):
    engine = ScriptedEngine()
    cb = make(users, engine)
    ticket, _ = cb.authenticate("alice", "s3cret!")
    assert cb.connection_error(ticket, "0x80040401", "Could not access QuickBooks.") == "done"
    assert engine.calls[-1] == ("connection_error", ("0x80040401", "Could not access QuickBooks."))
    assert "Could not access QuickBooks." in cb.get_last_error(ticket)


@pytest.mark.parametrize("failing", ["next_request", "apply_response"])
def test_engine_exception_becomes_an_error_answer_not_a_crash(users, failing):
    cb = make(users, ScriptedEngine(fail_on=failing))
    ticket, _ = cb.authenticate("alice", "s3cret!")
    if failing == "next_request":
        assert cb.send_request_xml(ticket, CTX) == ""
    else:
        assert cb.receive_response_xml(ticket, "<QBXML/>", "", "") == -1
    assert cb.get_last_error(ticket) == INTERNAL_ERROR_TEXT


def test_failing_planner_answers_none(users):
    cb = make(users, ScriptedEngine(fail_on="has_work"))
    ticket, answer = cb.authenticate("alice", "s3cret!")
    assert ticket and answer == "none"


def test_unknown_ticket_never_reaches_the_engine(users):
    engine = ScriptedEngine()
    cb = make(users, engine)
    for ticket in ("", "not-a-ticket", "x" * 500):
        assert cb.send_request_xml(ticket, CTX) == ""
        assert cb.receive_response_xml(ticket, "<QBXML/>", "", "") == -1
        assert cb.connection_error(ticket, "0x1", "m") == "done"
        assert cb.get_last_error(ticket) == EXPIRED_TEXT
    assert engine.calls == []


def test_ticket_expires_after_inactivity(users, clock):
    engine = ScriptedEngine()
    cb = make(users, engine, clock, ticket_ttl=timedelta(minutes=10))
    ticket, _ = cb.authenticate("alice", "s3cret!")
    clock.advance(minutes=9)
    assert cb.send_request_xml(ticket, CTX) == QBXML_REQUEST  # activity renews the ticket
    clock.advance(minutes=9)
    assert cb.receive_response_xml(ticket, "<QBXML/>", "", "") == 100
    clock.advance(minutes=10, seconds=1)
    assert cb.send_request_xml(ticket, CTX) == ""
    assert cb.receive_response_xml(ticket, "<QBXML/>", "", "") == -1
    assert cb.get_last_error(ticket).startswith("Session expired after 10 minutes without a call")
    assert "expired" in EXPIRED_TEXT.lower()
    assert engine.names() == ["has_work", "next_request", "apply_response"]
    with users() as db:
        assert db.scalar(select(QbwcSession.state)) == "expired"


def test_disabling_a_user_ends_its_open_session(users):
    engine = ScriptedEngine()
    cb = make(users, engine)
    ticket, _ = cb.authenticate("alice", "s3cret!")
    with transaction(users) as db:
        accounts.disable_user(db, "alice")
    assert cb.send_request_xml(ticket, CTX) == ""
    assert "next_request" not in engine.names()
    assert cb.get_last_error(ticket) == ENDED_TEXTS["failed"]
    assert "disabled" in ENDED_TEXTS["failed"]


def test_last_seen_is_written_at_most_once_a_second(users, clock, sessions):
    """A call within a second of the last write leaves the row alone; a later one moves it."""
    cb = make(users, ScriptedEngine(), clock)
    ticket, _ = cb.authenticate("alice", "s3cret!")
    opened = clock.now

    def seen():
        with sessions() as db:
            return db.scalar(select(QbwcSession.last_seen_at)).replace(tzinfo=UTC)

    clock.advance(milliseconds=900)
    cb.send_request_xml(ticket, CTX)
    assert seen() == opened
    clock.advance(milliseconds=100)
    cb.receive_response_xml(ticket, "<QBXML/>", "", "")
    assert seen() == clock.now
    with sessions() as db:
        assert db.scalar(select(QbwcSession.progress)) == 100


def test_failures_from_one_address_never_lock_out_the_right_password_from_another(users, clock):
    cb = make(users, clock=clock, throttle=ThrottlePolicy(max_failures=3, window_seconds=300))
    for name in ("alice", "Alice ", "ALICE"):  # one user, however the name is typed
        assert cb.authenticate(name, "guess", "10.0.0.1") == ["", "nvu"]
    # That pair is locked: even the right password from 10.0.0.1 is refused...
    assert cb.authenticate("alice", "s3cret!", "10.0.0.1") == ["", "nvu"]
    # ...but never from another address, however often 10.0.0.1 keeps guessing.
    for _ in range(5):
        clock.advance(seconds=60)
        cb.authenticate("alice", "guess", "10.0.0.1")
        assert cb.authenticate("alice", "s3cret!", "10.0.0.2")[1] != "nvu"
    assert cb.authenticate("bob", "hunter2", "10.0.0.2")[1] != "nvu"
    clock.advance(seconds=301)
    assert cb.authenticate("alice", "s3cret!", "10.0.0.1")[1] != "nvu"
    with users() as db:  # a success clears its pair's record
        assert db.get(AuthFailure, "qbwc:pair:alice|10.0.0.1") is None


def test_the_right_password_from_a_known_address_always_works(users, clock):
    cb = make(users, clock=clock, throttle=ThrottlePolicy(max_failures=3, window_seconds=300))
    assert cb.authenticate("alice", "s3cret!", "10.0.0.1")[1] != "nvu"  # 10.0.0.1 is now known
    for name in ("alice", "alice", "alice", "x1", "x2", "x3", "x4"):
        assert cb.authenticate(name, "guess", "10.0.0.1") == ["", "nvu"]
    assert cb.authenticate("alice", "s3cret!", "10.0.0.1")[1] != "nvu"
    # Known to alice only: bob from there waits like any caller from a guessing address.
    assert cb.authenticate("bob", "hunter2", "10.0.0.1") == ["", "nvu"]


def test_a_guessing_address_is_slowed_down_up_to_a_ceiling(users, clock):
    policy = ThrottlePolicy(max_failures=3, window_seconds=300, slowdown_max_seconds=8)
    cb = make(users, clock=clock, throttle=policy)
    addr = "203.0.113.9"
    waits = []
    for n in range(8):
        assert cb.authenticate(f"x{n}", "guess", addr) == ["", "nvu"]
        with users() as db:
            refusal = throttle.check(db, throttle.Attempt(throttle.Channel.QBWC, "bob", addr), None,
                                     clock.now)
        waits.append(refusal.retry_after(clock.now) if refusal else 0)
        if refusal:
            # While it waits, even the right password is refused unchecked...
            assert cb.authenticate("bob", "hunter2", addr) == ["", "nvu"]
            clock.advance(seconds=refusal.retry_after(clock.now))
    assert waits == [0, 0, 1, 2, 4, 8, 8, 8]
    # ...and other addresses are not slowed at all.
    assert cb.authenticate("bob", "hunter2", "198.51.100.1")[1] != "nvu"
    clock.advance(seconds=8)
    assert cb.authenticate("bob", "hunter2", addr)[1] != "nvu"


def test_failures_outside_the_window_do_not_add_up(users, clock):
    cb = make(users, clock=clock, throttle=ThrottlePolicy(max_failures=3, window_seconds=60))
    for _ in range(2):
        cb.authenticate("alice", "guess", "10.0.0.1")
    clock.advance(seconds=61)
    cb.authenticate("alice", "guess", "10.0.0.1")
    assert cb.authenticate("alice", "s3cret!", "10.0.0.1")[1] != "nvu"


def test_throttling_is_shared_through_the_database(users, clock):
    """Two callback objects (think: two server processes) see the same lock."""
    policy = ThrottlePolicy(max_failures=2, window_seconds=300)
    first = make(users, clock=clock, throttle=policy)
    second = make(users, clock=clock, throttle=policy)
    first.authenticate("alice", "guess")
    second.authenticate("alice", "guess")
    assert first.authenticate("alice", "s3cret!") == ["", "nvu"]


def test_server_version_and_interactive_callbacks(users):
    cb = make(users)
    assert cb.server_version().startswith("qbwc-service ")
    assert cb.get_interactive_url("t", "s") == ""
    assert cb.interactive_done("t") == "Done"
    assert cb.interactive_rejected("t", "user said no")
    assert cb.close_connection("") == "Session closed."


def test_a_new_login_marks_abandoned_sessions_expired(users, clock):
    cb = make(users, clock=clock, ticket_ttl=timedelta(minutes=10))
    old, _ = cb.authenticate("alice", "s3cret!")
    bob, _ = cb.authenticate("bob", "hunter2")
    clock.advance(minutes=11)
    fresh, _ = cb.authenticate("alice", "s3cret!")
    with users() as db:
        states = {row.ticket_hash: row.state for row in db.scalars(select(QbwcSession))}
    assert states == {ticket_hash(old): "expired", ticket_hash(bob): "open", ticket_hash(fresh): "open"}
