"""closeConnection tells the log and every observer what the session did, once."""

from __future__ import annotations

import logging

from qbwc_service import accounts
from qbwc_service.queue.db import transaction
from qbwc_service.soap.callbacks import QbwcCallbacks
from qbwc_service.sync.contract import IdleEngine


def test_an_idle_session_gives_one_line_and_one_event(sessions, caplog):
    with transaction(sessions) as db:
        accounts.create_user(db, "shop", "pw")
    seen = []

    def broken(_end: object) -> None:
        raise RuntimeError("observer down")

    callbacks = QbwcCallbacks(sessions, IdleEngine(), observers=[broken, seen.append])
    ticket, answer = callbacks.authenticate("shop", "pw", "10.0.0.7")
    assert answer == "none"
    with caplog.at_level(logging.INFO):
        assert callbacks.close_connection(ticket)
        assert callbacks.close_connection(ticket)  # a second close is no new session end
    [end] = seen
    assert (end.user, end.remote_addr, end.outcome, end.jobs) == ("shop", "10.0.0.7", "idle", {})
    lines = [r for r in caplog.records if r.name == "qbwc_service.sessions"]
    assert [r.getMessage() for r in lines] == [end.line()]
    assert end.line().startswith(f"session {end.session_id} user=shop from=10.0.0.7 outcome=idle jobs=0 ")
    assert any("observer" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)
