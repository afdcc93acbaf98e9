"""JobBOSS2 write-backs: done ones close with an event, a failed one stays owed."""

from __future__ import annotations

from sqlalchemy import select

from qbwc_service.queue.db import transaction
from qbwc_service.queue.models import AuditEvent, User, WriteBack, utcnow
from qbwc_service.sync.running import apply, writebacks


class FlakyTarget:
    """Marks records exported, except the keys in ``refuse``; batches too."""

    def __init__(self, refuse: set[str]) -> None:
        self.refuse = refuse
        self.written: list[tuple[str, str, str]] = []

    def __call__(self, action: str, table: str, key: str) -> None:
        if key in self.refuse:
            raise RuntimeError(f"{key} is locked")
        self.written.append((action, table, key))

    def many(self, action: str, table: str, keys: list[str]) -> dict[str, str]:
        for key in keys:
            if key not in self.refuse:
                self.written.append((action, table, key))
        return {key: f"{key} is locked" for key in keys if key in self.refuse}


def test_a_failed_write_back_stays_owed_and_is_retried_alone(sessions):
    with transaction(sessions) as db:
        user = User(name="shop", password_hash="x")
        db.add(user)
        db.flush()
        user_id = user.id
        ac = apply.ApplyContext(db=db, run_id=None, settings=None, now=utcnow(),
                                ensure=lambda *_a: None)  # type: ignore[arg-type,return-value]
        ac.writebacks = [dict(user_id=user_id, job_id=None, action="exported",
                              source_table="Billing", source_key=key, attempts=0, last_error="",
                              created_at=ac.now) for key in ("A", "B", "C")]
        ac.flush()
        target = FlakyTarget({"B"})
        assert writebacks.run_writebacks(db, user_id, target) == 2
        assert sorted(key for _a, _t, key in target.written) == ["A", "C"]
    with transaction(sessions) as db:
        rows = {w.source_key: w for w in db.scalars(select(WriteBack))}
        assert {k: (w.attempts, w.done_at is not None) for k, w in rows.items()} == {
            "A": (1, True), "B": (1, False), "C": (1, True)}
        assert rows["B"].last_error == "B is locked"
        events = [(e.record_key, e.event) for e in db.scalars(select(AuditEvent)
                                                               .order_by(AuditEvent.id))]
        assert events == [("Billing:A", "exported"), ("Billing:B", "writeback_failed"),
                          ("Billing:C", "exported")]
        again = FlakyTarget(set())
        assert writebacks.run_writebacks(db, user_id, again) == 1
        assert again.written == [("exported", "Billing", "B")]
    with sessions() as db:
        owed = db.get(WriteBack, rows["B"].id)
        assert (owed.attempts, owed.last_error, owed.done_at is not None) == (2, "", True)
