"""A job's typed payload: what is stored, what is read back, payloads queued by older versions."""

from __future__ import annotations

import pytest

from qbwc_service.sync.kinds.payload import JobPayload, Phase


def test_only_what_is_set_is_stored_and_reads_back_the_same():
    payload = JobPayload(phase=Phase.ADD, record_type="AttendanceDay", record={"a": 1}, index=2,
                         parent_key="7/2026-01-02", retries=1)
    stored = payload.to_json()
    assert stored == {"phase": "add", "record_type": "AttendanceDay", "record": {"a": 1}, "index": 2,
                      "parent_key": "7/2026-01-02", "retries": 1}
    assert JobPayload.from_json(stored, Phase.QUERY) == payload


@pytest.mark.parametrize(("stored", "expected"), [
    # a list record's ensure job as planned before payloads were typed
    ({"entity": "customer", "key": "ACME", "name": "Acme", "phase": "query", "record_type": None,
      "record": None, "fingerprint": ""},
     JobPayload(phase=Phase.QUERY, entity="customer", key="ACME", name="Acme")),
    # a punch of an attendance day: its day was kept as day_key
    ({"record_type": "AttendanceDay", "record": {}, "phase": "verify", "index": 3, "day_key": "7/d"},
     JobPayload(phase=Phase.VERIFY, record_type="AttendanceDay", record={}, index=3, parent_key="7/d")),
    # no phase at all: the kind's first phase
    ({}, JobPayload(phase=Phase.MOD)),
])
def test_payloads_queued_before_are_read(stored, expected):
    assert JobPayload.from_json(stored, Phase.MOD) == expected


def test_a_changed_copy_leaves_the_original_alone():
    payload = JobPayload(phase=Phase.QUERY, name="Acme")
    again = payload.but(phase=Phase.QUERY, adopt_tries=payload.adopt_tries + 1)
    assert (payload.adopt_tries, again.adopt_tries, again.name) == (0, 1, "Acme")
