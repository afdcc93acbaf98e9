"""Liveness: work a dead session left ``sent`` is found and finished by the next session.

The stranded case: with ``sync.batch_size`` 250 the first message holds every
list record, and every transaction waits on one of them. A Web Connector that
dies after that first sendRequestXML leaves nothing else claimable; the next
session must still be told there is work, look the lost records up in
QuickBooks (the request was lost, or QuickBooks processed it and the answer
was lost) and then send the rest. Every record ends in QuickBooks exactly once
or in a reported error, with the figures of a sync that never failed.

On PostgreSQL the same runs against two ``serve`` processes sharing the queue,
one of them killed with SIGKILL mid-session.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
from collections import Counter
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from soap_support import ServeProcess
from sqlalchemy import func, select

from qbwc_service import accounts
from qbwc_service.queue import dequeue, lost
from qbwc_service.queue.db import transaction
from qbwc_service.queue.models import AuditEvent, Job, QbwcSession
from qbwc_service.simulator.quickbooks import QuickBooksCompany
from qbwc_service.simulator.webconnector import (
    EmulatorOptions,
    SessionResult,
    WebConnector,
    soap_client,
)
from qbwc_service.sync import settings as settings_mod
from qbwc_service.sync.kinds import registry
from qbwc_service.sync.kinds.payload import Phase
from qbwc_service.sync.planning import planner
from sync.conftest import PASSWORD, WINDOW, World
from sync.helpers import jobs, qb_records
from sync.test_sync_crash import EXPECTED, _figures, _why

#: Where the Web Connector dies: (sendRequestXML number, QuickBooks processed it first). The
#: first message holds the name lookups of every list record, the second their adds; after
#: either, every other job waits on the lost ones.
CRASHES = {"first_lost": (1, False), "first_processed": (1, True),
           "adds_lost": (2, False), "adds_processed": (2, True)}
#: The list records QuickBooks holds, by response element.
LIST_RETS = ("CustomerRet", "VendorRet", "EmployeeRet", "AccountRet", "StandardTermsRet")
#: Settings of the stranded case: one message holds every list record; names too long for
#: QuickBooks refused, as in the crash test, whose fixed figures (:data:`EXPECTED`) apply.
STRANDING = {"sync.batch_size": "250", "items.time_and_attendance": "true",
             "names.customer": "error", "names.item": "error"}
ON_POSTGRES = os.environ.get("QBWC_TEST_DATABASE_URL", "").startswith("postgresql")


def _stranded(world: World) -> dict[int, Phase]:
    """The jobs left sent, with the phase they were sent in, after checking that nothing
    else could be claimed."""
    with world.sessions() as db:
        user_id = world.user(db).id
        sent = {job.id: registry.payload_of(job).phase for job in db.scalars(
            select(Job).where(Job.user_id == user_id, Job.status == "sent"))}
        assert sent, "the crash left nothing sent"
        assert not dequeue.has_open_work(db, user_id), "something else was claimable"
    return sent


def _first_request_kinds(result: SessionResult) -> Counter[str]:
    """The qbXML requests of the session's first message, by name."""
    from qbwc_service import xmlsafe

    xml = next(call.result for call in result.calls if call.name == "sendRequestXML")
    msgs = xmlsafe.parse(xml).find("QBXMLMsgsRq")
    assert msgs is not None
    return Counter(child.tag for child in msgs if isinstance(child.tag, str))


def _last_event(world: World) -> int:
    with world.sessions() as db:
        return db.scalar(select(func.max(AuditEvent.id))) or 0


def _events(world: World, job_ids: Iterable[int], event: str, since: int = 0) -> dict[int, str]:
    """Job id -> the detail of the first such event after event ``since`` of each job."""
    first: dict[int, str] = {}
    with world.sessions() as db:
        for job_id, detail in db.execute(
                select(AuditEvent.job_id, AuditEvent.detail).where(
                    AuditEvent.job_id.in_(list(job_ids)), AuditEvent.event == event,
                    AuditEvent.id > since)
                .order_by(AuditEvent.id)):
            first.setdefault(job_id, detail)
    return first


def _age_the_crashed_session(world: World) -> int:
    """Make the one session that started a run look idle for a year; return its id."""
    with transaction(world.sessions) as db:
        session = db.scalar(select(QbwcSession).where(QbwcSession.run_id.is_not(None)))
        assert session is not None and session.state == "open"
        session.last_seen_at = session.last_seen_at - timedelta(days=365)
        return session.id


def _assert_synced_once(world: World, qb: QuickBooksCompany) -> None:
    """The figures of a clean sync, nothing left in flight, no record twice."""
    assert not [j for j in jobs(world) if j.status in ("sent", "verify", "pending")], _why(world)
    assert _figures(world, qb) == EXPECTED, _why(world)
    for ret, key in (("InvoiceRet", "RefNumber"), ("BillRet", "RefNumber"),
                     ("CustomerRet", "FullName"), ("VendorRet", "Name"), ("EmployeeRet", "Name")):
        counts = Counter(str(rec.get(key, "")) for rec in qb_records(qb, ret))
        assert not {k: n for k, n in counts.items() if n > 1}, f"duplicate {ret}"
    # Every job that did not end in QuickBooks says why.
    failed = [j for j in jobs(world) if j.status in ("error", "blocked")]
    assert failed and all(j.error_message or j.blocked_reason for j in failed)


def _list_records(qb: QuickBooksCompany) -> int:
    return sum(len(qb_records(qb, ret)) for ret in LIST_RETS)


@pytest.mark.parametrize("crash", list(CRASHES))
def test_a_crash_with_nothing_else_claimable_strands_nothing(world, crash):
    crash_after, processed = CRASHES[crash]
    with transaction(world.sessions) as db:
        settings_mod.set_settings(db, world.user(db).id, STRANDING)
    world.plan()
    qb = world.qb()
    crashed = world.session(crash_after=crash_after, crash_after_processing=processed)
    assert crashed.outcome == "crashed" and crashed.requests == crash_after - 1
    stranded = _stranded(world)
    crashed_at = _last_event(world)
    made_by_lost_message = _list_records(qb) - _list_records(QuickBooksCompany.fresh("US"))
    assert (made_by_lost_message > 0) is (processed and crash_after == 2)

    again = world.session()
    assert again.authenticate[1] != "none" and again.outcome == "finished"
    # A session whose only work is lost: its first message is the lookups, nothing sent blindly.
    kinds = _first_request_kinds(again)
    assert kinds and all(tag.endswith("QueryRq") for tag in kinds), kinds
    assert set(_events(world, stranded, "verify").values()) == {lost.REPLACED}
    assert world.sync_until_idle(limit=6)[-1].outcome == "none"
    _assert_synced_once(world, qb)
    adds = {job_id for job_id, phase in stranded.items() if phase is Phase.ADD}
    assert bool(adds) is (crash_after == 2)
    created = _events(world, adds, "created", crashed_at)
    adopted = _events(world, adds, "adopted", crashed_at)
    if processed:  # QuickBooks held them: adopted, never sent again
        assert not created and len(adopted) >= made_by_lost_message
    elif adds:  # QuickBooks never saw them: the lookups found nothing, so they were sent again
        requeued = _events(world, adds, "requeued", crashed_at)
        assert set(requeued) == adds and created
        assert all(why.startswith("not found in QuickBooks") for why in requeued.values()), requeued


def test_an_expired_ticket_releases_its_jobs(world):
    with transaction(world.sessions) as db:
        settings_mod.set_settings(db, world.user(db).id, STRANDING)
    world.plan()
    crashed = world.session(crash_after=1, crash_after_processing=True)
    stranded = _stranded(world)
    # The Web Connector comes back after the ticket's time to live: the dead session expires.
    session_id = _age_the_crashed_session(world)
    svc = soap_client(world.server.url + "/qbwc")
    assert not svc.sendRequestXML(crashed.ticket, "", "", "US", 13, 0)  # expired: nothing sent
    with world.sessions() as db:
        states = {j.status for j in db.scalars(select(Job).where(Job.id.in_(stranded)))}
        assert db.get(QbwcSession, session_id).state == "expired"
    assert states == {"verify"}
    assert set(_events(world, stranded, "verify").values()) == {lost.EXPIRED}
    assert world.session().outcome == "finished"
    assert world.sync_until_idle(limit=6)[-1].outcome == "none"
    _assert_synced_once(world, world.qb())


def test_idle_sessions_expire_at_authenticate_and_release_their_jobs(world):
    with transaction(world.sessions) as db:
        settings_mod.set_settings(db, world.user(db).id, STRANDING)
    world.plan()
    world.session(crash_after=1)
    stranded = _stranded(world)
    _age_the_crashed_session(world)
    assert world.session().outcome == "finished"
    assert set(_events(world, stranded, "verify").values()) == {lost.EXPIRED}


# ---------------------------------------------------------------- two serve processes


class KillingConnector(WebConnector):
    """A Web Connector whose server is killed (SIGKILL) at its second message, the list adds.

    ``before_quickbooks``: right after sendRequestXML answered; ``after_quickbooks``: once
    QuickBooks processed the request; ``during_response``: while the server applies
    QuickBooks' answer (killed mid-transaction or just after its commit: either must hold).
    """

    AT = 2

    def __init__(self, *args: Any, victim: ServeProcess, when: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.victim, self.when = victim, when

    def _call(self, result: SessionResult, name: str, **args: Any) -> Any:
        sends = result.counts.get("sendRequestXML", 0)
        if name == "receiveResponseXML" and sends == self.AT and self.when == "during_response":
            threading.Timer(0.05, self._kill).start()
        value = super()._call(result, name, **args)
        if (name == "sendRequestXML" and sends + 1 == self.AT and value
                and self.when != "during_response"):
            if self.when == "after_quickbooks":
                self.quickbooks.process(value)
            self._kill()
        return value

    def _kill(self) -> None:
        if self.victim.proc.poll() is None:
            os.kill(self.victim.proc.pid, signal.SIGKILL)
            self.victim.proc.wait(timeout=30)


@pytest.fixture
def pg_world(tmp_path: Path, sessions, config_file: Path, demo_template: Path) -> World:
    jobboss = tmp_path / "jobboss.sqlite3"
    shutil.copy(demo_template, jobboss)
    with transaction(sessions) as db:
        user = accounts.create_user(db, "shop", PASSWORD, jobboss_url=str(jobboss))
        settings_mod.set_settings(db, user.id, STRANDING)
    with transaction(sessions) as db:
        planner.plan_manual(db, accounts.require_user(db, "shop"), *WINDOW)
    return World(sessions=sessions, server=None, jobboss=jobboss)  # type: ignore[arg-type]


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="needs QBWC_TEST_DATABASE_URL pointing at PostgreSQL")
@pytest.mark.parametrize("when", ["before_quickbooks", "after_quickbooks", "during_response"])
def test_two_serve_processes_one_killed_strand_nothing(pg_world, config_file, when):
    first, second = ServeProcess(config_file), ServeProcess(config_file)
    try:
        qb = pg_world.qb()
        options = EmulatorOptions(noop_pause=0.01, timeout=30)
        dying = KillingConnector(first.url + "/qbwc", qb, options, victim=first, when=when)
        with pytest.raises(Exception):  # noqa: B017 - whatever the transport says of a dead server
            dying.run_session("shop", PASSWORD)
        assert first.proc.wait(timeout=30) == -signal.SIGKILL
        if when != "during_response":
            _stranded(pg_world)
        results = []
        for _ in range(6):
            connector = WebConnector(second.url + "/qbwc", qb, EmulatorOptions(noop_pause=0.01))
            results.append(connector.run_session("shop", PASSWORD))
            if results[-1].outcome == "none":
                break
        assert results[0].outcome == "finished", results[0].summary()
        assert results[-1].outcome == "none"
        _assert_synced_once(pg_world, qb)
    finally:
        first.stop()
        second.stop()
