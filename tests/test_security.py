"""Password hashing, tickets and the throttle table."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime, timedelta

import pytest

from qbwc_service.queue.db import transaction
from qbwc_service.queue.models import AuthFailure
from qbwc_service.security import passwords, throttle, tickets

FAST = passwords.ScryptParams(n=2**10)


def test_hash_format_and_verify():
    stored = passwords.hash_password("correct horse")
    scheme, n, r, p, salt, key = stored.split("$")
    assert (scheme, int(n), int(r), int(p)) == ("scrypt", 2**14, 8, 1)
    assert len(salt) >= 22 and len(key) >= 43
    assert passwords.verify_password("correct horse", stored)
    assert not passwords.verify_password("correct horsf", stored)
    assert not passwords.verify_password("", stored)


def test_same_password_gets_different_salts():
    assert passwords.hash_password("x", FAST) != passwords.hash_password("x", FAST)


@pytest.mark.parametrize("stored", ["", "plain", "scrypt$16384$8$1$c2FsdA", "bcrypt$1$2$3$a$b",
                                    "scrypt$abc$8$1$c2FsdA$a2V5", "scrypt$1048577$8$1$c2FsdA$a2V5",
                                    "scrypt$3$8$1$c2FsdA$a2V5", "scrypt$16384$8$1$c2FsdA$"])
def test_malformed_or_hostile_hashes_never_match(stored):
    assert passwords.verify_password("anything", stored) is False


def test_needs_rehash_when_parameters_change():
    old = passwords.hash_password("pw", FAST)
    assert passwords.needs_rehash(old)
    assert not passwords.needs_rehash(passwords.hash_password("pw"))
    assert passwords.verify_password("pw", old)  # older parameters still verify


def test_dummy_check_fails_and_costs_like_a_real_one():
    stored = passwords.hash_password("pw")
    passwords.verify_dummy("warm-up")
    t0 = time.perf_counter()
    passwords.verify_password("nope", stored)
    real = time.perf_counter() - t0
    t0 = time.perf_counter()
    assert passwords.verify_dummy("nope") is False
    dummy = time.perf_counter() - t0
    assert dummy > real / 5  # same scrypt cost, not a shortcut


def test_tickets_are_long_random_and_hashed():
    many = {tickets.new_ticket() for _ in range(200)}
    assert len(many) == 200
    ticket = many.pop()
    assert len(ticket) >= 43  # 256 bits, URL-safe base64
    assert tickets.ticket_hash(ticket) == hashlib.sha256(ticket.encode()).hexdigest()


def test_throttle_keys_pair_and_address_per_channel():
    attempt = throttle.Attempt(throttle.Channel.QBWC, " Alice ", "10.0.0.1")
    assert attempt.keys == ("qbwc:pair:alice|10.0.0.1", "qbwc:addr:10.0.0.1")
    admin = throttle.Attempt(throttle.Channel.ADMIN, "alice", "10.0.0.1")
    assert set(admin.keys).isdisjoint(attempt.keys)
    # A name far longer than any user's cannot push the address out of its key.
    long = throttle.Attempt(throttle.Channel.QBWC, "x" * 500, "2001:db8::1")
    assert long.pair_key.endswith("|2001:db8::1")


def test_throttle_pair_locks_for_the_window_and_address_waits_double_to_the_ceiling():
    policy = throttle.ThrottlePolicy(max_failures=3, window_seconds=300, slowdown_max_seconds=10)
    assert [policy.pair_lock(n) for n in (2, 3, 9)] == [None, timedelta(seconds=300),
                                                         timedelta(seconds=300)]
    assert [policy.address_wait(n) for n in range(2, 9)] == [
        None, *(timedelta(seconds=s) for s in (1, 2, 4, 8, 10, 10))]
    assert policy.address_wait(10_000) == timedelta(seconds=10)


def test_throttle_locks_resets_and_prunes(sessions):
    policy = throttle.ThrottlePolicy(max_failures=2, window_seconds=60)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    attempt = throttle.Attempt(throttle.Channel.QBWC, "Alice", "10.0.0.1")
    with transaction(sessions) as db:
        assert throttle.record_failure(db, attempt, policy, now) == []
        assert throttle.check(db, attempt, None, now) is None
    with transaction(sessions) as db:
        locked = throttle.record_failure(db, attempt, policy, now + timedelta(seconds=1))
        assert [r.key for r in locked] == list(attempt.keys)
        refusal = throttle.check(db, attempt, None, now + timedelta(seconds=2))
        assert refusal.key == attempt.pair_key and refusal.retry_after(now + timedelta(seconds=2)) == 59
    with transaction(sessions) as db:
        assert throttle.check(db, attempt, None, now + timedelta(seconds=62)) is None
    # A failure much later prunes stale rows of other keys.
    other = throttle.Attempt(throttle.Channel.QBWC, "other", "10.0.0.2")
    with transaction(sessions) as db:
        throttle.record_failure(db, other, policy, now + timedelta(minutes=10))
    with sessions() as db:
        assert db.get(AuthFailure, attempt.pair_key) is None
        assert db.get(AuthFailure, other.pair_key).count == 1
