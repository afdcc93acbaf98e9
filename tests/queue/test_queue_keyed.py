"""The jobs of a list of source keys: each once, only those meeting the criteria, in id order."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from qbwc_service.queue import keyed
from qbwc_service.queue.models import IdMapEntry, Job
from qbwc_service.sync.planning import idmap


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


def test_id_map_rows_of_the_keys_and_the_cache_built_on_them(
        sessions: sessionmaker[Session], user_id: int, make_user: Callable[[str], int]) -> None:
    other = make_user("other shop")
    with sessions.begin() as db:
        for n in range(keyed.CHUNK + 3):
            idmap.remember(db, user_id, "customer", f"C{n}", f"LIST-{n}", name=f"Customer {n}")
        idmap.remember(db, user_id, "item", "C1", "ITEM-1")  # another entity, same key
        idmap.remember(db, other, "customer", "C2", "OTHER-2")  # another user
    keys = ["C2", "C1", "C1", "MISSING", f"C{keyed.CHUNK + 2}"]
    with sessions() as db:
        found = list(keyed.rows_with_keys(db, IdMapEntry, keys, IdMapEntry.user_id == user_id,
                                          IdMapEntry.entity == "customer", deferred=("qb_name",)))
        assert sorted((row.source_key, row.qb_id) for row in found) == [
            ("C1", "LIST-1"), ("C2", "LIST-2"), (f"C{keyed.CHUNK + 2}", f"LIST-{keyed.CHUNK + 2}")]
        assert "qb_name" not in found[0].__dict__
        cache = idmap.IdMapCache(db, user_id)
        cache.preload([("customer", " C1 "), ("item", "C1"), ("customer", "MISSING"),
                       *(("customer", f"C{n}") for n in range(keyed.CHUNK + 3))])
        assert cache.rows[("customer", "C1")].qb_id == "LIST-1"  # keys compared stripped
        assert cache.rows[("item", "C1")].qb_id == "ITEM-1"
        assert cache.rows[("customer", "MISSING")] is None
        assert len(cache.rows) == keyed.CHUNK + 3 + 2
