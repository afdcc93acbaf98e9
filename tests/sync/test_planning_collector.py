"""A planning pass sets the process's older objects aside from the collector, and back after."""

from __future__ import annotations

import gc

import pytest

from qbwc_service.sync.planning.collector import older_objects_set_aside


def test_older_objects_are_set_aside_for_the_block_only() -> None:
    assert gc.get_freeze_count() == 0
    older = object.__new__(type("Older", (), {}))
    with older_objects_set_aside():
        assert gc.get_freeze_count() > 0
        assert not any(obj is older for obj in gc.get_objects())  # not walked meanwhile
    assert gc.get_freeze_count() == 0
    assert any(obj is older for obj in gc.get_objects())


def test_they_come_back_when_the_block_fails() -> None:
    with pytest.raises(RuntimeError), older_objects_set_aside():
        raise RuntimeError("planning failed")
    assert gc.get_freeze_count() == 0


def test_a_process_that_froze_objects_itself_keeps_them_frozen() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with older_objects_set_aside():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
