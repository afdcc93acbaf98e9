"""The state machine's check: every edge it has, every edge it lacks, and what the refusal says."""

from __future__ import annotations

import pytest

from qbwc_service.queue.states import TRANSITIONS, IllegalTransition, JobStatus, check_transition

EDGES = [(src, dst) for src in JobStatus for dst in JobStatus]


@pytest.mark.parametrize(("src", "dst"), EDGES)
def test_each_edge_is_allowed_exactly_when_the_table_has_it(src, dst):
    if dst in TRANSITIONS[src]:
        assert check_transition(src.value, dst.value) is dst
    else:
        with pytest.raises(IllegalTransition) as caught:
            check_transition(src.value, dst.value)
        assert str(caught.value) == f"job cannot go from {src.value} to {dst.value}"


def test_the_documented_edges():
    # A few edges the module docstring promises, spelled out.
    assert check_transition("pending", "sent") is JobStatus.SENT
    assert check_transition("sent", "verify") is JobStatus.VERIFY
    assert check_transition("error", "pending") is JobStatus.PENDING
    for final in ("done", "cancelled"):
        assert not TRANSITIONS[JobStatus(final)]
    with pytest.raises(IllegalTransition, match="job cannot go from sent to skipped"):
        check_transition("sent", "skipped")


def test_an_unknown_status_is_refused():
    with pytest.raises(ValueError):
        check_transition("pending", "lost")
    with pytest.raises(ValueError):
        check_transition("lost", "pending")
    assert issubclass(IllegalTransition, ValueError)
