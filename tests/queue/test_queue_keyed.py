"""The jobs of a list of source keys: each once, only those meeting the criteria, in id order."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from qbwc_service.queue import keyed
from qbwc_service.queue.models import Job


def test_jobs_of_the_keys_meeting_the_criteria(sessions: sessionmaker[Session], user_id: int,
                                              plan: Callable[..., Job]) -> None:
    with sessions.begin() as db:
        for n in range(keyed.CHUNK + 5):  # more keys than one statement takes
            plan(db, f"K{n}")
        plan(db, "K1", source_version="2").status = "cancelled"
        plan(db, "K3", area="ap")  # another kind
    keys = ["K3", "K1", "K1", "MISSING", *(f"K{n}" for n in range(keyed.CHUNK, keyed.CHUNK + 5))]
    with sessions() as db:
        found = list(keyed.jobs_with_keys(db, keys, Job.user_id == user_id, Job.kind == "ar.add",
                                          Job.status != "cancelled", payload=False))
        assert [(j.source_key, j.source_version) for j in found] == [
            ("K1", "1"), ("K3", "1"), *((f"K{n}", "1") for n in range(keyed.CHUNK, keyed.CHUNK + 5))]
        assert "payload" not in found[0].__dict__  # left unread...
        assert found[0].payload == {"key": "K1"}  # ... until asked for
