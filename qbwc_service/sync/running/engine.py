"""The sync engine the SOAP edge calls: :class:`JobBossSync`.

One Web Connector session is one *run*:

1. ``has_work`` (authenticate): retry owed JobBOSS2 write-backs, plan new and
   changed records when ``sync.type = auto``, turn jobs left ``sent`` by an
   earlier session of the user (dead: it will never apply their answer) into
   ``verify``, then ask the queue whether a session would have anything to do.
   So a crash never strands records: their lookups are work of their own.
2. ``next_request`` (sendRequestXML): on the first call read the HCP
   response, negotiate the qbXML version and start the run (releasing jobs a
   session opened meanwhile left ``sent``). Then send, in this order, the
   verification queries of lost jobs, then up to ``sync.batch_size`` ready
   jobs of one area in ONE message (requestID = job id). The jobs are read and
   each request built and checked alone before the jobs are claimed, so the
   transaction writes (on SQLite: holds the one write lock) only from the claim
   to the commit; a job another session claimed meanwhile is left out. One that
   cannot be built fails alone and never leaves the service. The whole message
   is validated against the XSD.
3. ``apply_response`` (receiveResponseXML): each result is applied to its job
   by the error policy; the return value is the session's real progress.
   JobBOSS2 write-backs owed go in batches of :data:`WRITEBACK_BATCH`, and
   all of them once nothing is left.
4. ``close`` (closeConnection): jobs still ``sent`` become ``verify``, the
   write-backs still owed are done, the run ends with its report and a
   one-line summary.

Nothing is kept in the process: every fact lives in the queue database, so
several ``serve`` processes can share it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from lxml import etree
from sqlalchemy import Integer, Select, bindparam, func, select
from sqlalchemy.orm import Session

from qbwc_service import xmlsafe
from qbwc_service.jobboss.reader import JobBossReader
from qbwc_service.qbxml import build as qb_build
from qbwc_service.qbxml import message as qb_message
from qbwc_service.qbxml import requests as rq
from qbwc_service.qbxml import versions as qb_versions
from qbwc_service.qbxml.fields import FieldWarning, QbxmlFieldError
from qbwc_service.qbxml.parse import QbxmlParseError, parse_response, raise_for_hresult
from qbwc_service.qbxml.validate import tree_is_valid, validation_errors
from qbwc_service.queue import areas, dequeue, lost, messages
from qbwc_service.queue import jobs as jobs_mod
from qbwc_service.queue.models import IdMapEntry, Job, QbwcSession, User, WriteBack, utcnow
from qbwc_service.queue.states import JobStatus
from qbwc_service.sync import settings as settings_mod
from qbwc_service.sync.contract import RequestContext
from qbwc_service.sync.kinds import registry
from qbwc_service.sync.kinds.base import Family, ListJobKind, SourceRecord, TxnKind
from qbwc_service.sync.kinds.context import BuildError, MapContext, Need
from qbwc_service.sync.kinds.payload import JobPayload, Phase
from qbwc_service.sync.names.book import AUTO, NameBook, policies_of
from qbwc_service.sync.planning import idmap, planner
from qbwc_service.sync.planning.dependencies import DependencyPlanner, RecordLookup
from qbwc_service.sync.protocols import JobBossWrites
from qbwc_service.sync.reconcile import queries as reconcile_queries
from qbwc_service.sync.running import apply, company, runs, writebacks
from qbwc_service.sync.running.requests import names_query, request_for

log = logging.getLogger(__name__)

#: Build failures that fail the one job, never the message.
BUILD_ERRORS = (BuildError, QbxmlFieldError, qb_versions.QbxmlVersionError, ValueError,
                KeyError, TypeError)
#: Write-backs owed before receiveResponseXML performs them: JobBOSS2 sees a few large
#: transactions rather than one per message. The rest go when the session has nothing
#: left or closes, else at the next authenticate; they are rows, so none is ever lost.
WRITEBACK_BATCH = 500


class JobBossSync:
    """The :class:`~qbwc_service.sync.contract.SyncEngine` syncing JobBOSS2 into QuickBooks."""

    def __init__(self, *, reader_factory: Callable[[User], JobBossReader] | None = None,
                 writer_factory: Callable[[User], JobBossWrites] | None = None,
                 paid_status_code: str = "P", validate: bool = True,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.reader_factory = reader_factory or planner.default_reader
        self.writer_factory = writer_factory or _default_writer
        self.paid_status_code = paid_status_code
        self.validate = validate
        self.clock = clock
        #: One JobBOSS2 writer per database URL (an engine with its pool), not one per message.
        self._writers: dict[str, JobBossWrites] = {}

    # ------------------------------------------------------------ SyncEngine

    def has_work(self, db: Session, user: User) -> bool:
        settings = settings_mod.get_settings(db, user.id)
        self._writebacks(db, user, None)
        if settings.is_auto and user.jobboss_url:
            planner.plan_auto(db, user, reader=self.reader_factory(user), settings=settings,
                              now=self.clock())
        # A new session of the user: whatever an earlier one left sent will never be answered
        # there, and often everything else waits on it. It becomes work to verify, so this
        # session is never told "none" while records are stranded.
        lost.release(db, user.id, reason=lost.REPLACED)
        return (dequeue.has_open_work(db, user.id, now=self.clock())
                or reconcile_queries.has_pending(db, user.id))

    def next_request(self, db: Session, session: QbwcSession, ctx: RequestContext) -> str:
        if session.run_id is None:
            try:
                self._start(db, session, ctx)
            except qb_versions.QbxmlVersionError as exc:  # getLastError shows it; nothing is sent
                session.last_error = f"This QuickBooks cannot be synced: {exc}"
                return ""
            seen = company.identity_from(ctx.hcp_response, session.user.owner_id, session.company_file)
            if seen is not None:
                self._check_company(session, seen)
        step = company.state(session)
        if step == "wrong":
            return ""
        if step != "ok":  # the HCP response cannot tell which company: ask before anything else
            company.mark_asked(session)
            return self._company_query(session)
        settings = settings_mod.get_settings(db, session.user_id)
        work = _work_areas(db, session)
        mctx = self._map_context(db, session, settings) if any(work.values()) else None
        for status in _CLAIM_ORDER:
            while mctx is not None and work[status]:
                # Read and build first, then claim: the transaction writes (on SQLite, holds
                # the one write lock) only from the claim to the commit, not while building.
                candidates = dequeue.peek_batch(db, user_id=session.user_id,
                                                limit=settings.batch_size, areas=work[status],
                                                now=self.clock(), status=status)
                if not candidates:
                    break
                payloads = _payloads(candidates, status)
                built = self._prepare(mctx, candidates, payloads)
                xml = self._send(db, session, settings, status, candidates, payloads, built)
                if xml:
                    runs.count_round_trip(db, session.run_id)
                    return xml
                # Another session took them, or every request failed to build: that may
                # have stopped an area or emptied one.
                work = _work_areas(db, session)
        xml = reconcile_queries.next_message(db, session, session.qbxml_version or "13.0",
                                             session.qb_country or "US")
        if xml:  # only reads, so only once nothing else is ready
            runs.count_round_trip(db, session.run_id)
            return xml
        session.last_error = "Nothing is ready to send to QuickBooks."
        return ""

    def apply_response(self, db: Session, session: QbwcSession, response: str, hresult: str,
                       message: str) -> int:
        if company.state(session) == "asked":
            return self._company_answer(session, response, hresult, message)
        sent = list(db.scalars(select(Job).where(Job.session_id == session.id,
                                                 Job.status == JobStatus.SENT.value)
                               .order_by(Job.id)))
        # Reconciliation queries never share a message with jobs: look for them only when
        # no job was sent, so a sync's round trips pay no extra query.
        if not sent and reconcile_queries.sent_in(db, session):
            return self._reconcile_answer(db, session, response, hresult, message)
        messages.keep_response(db, (job.message_id for job in sent), response, at=self.clock())
        if hresult and hresult.strip() not in ("", "0", "0x0", "0x00000000"):
            return self._failed_message(db, session, sent, f"{hresult}: {message}".strip(": "))
        try:
            results = parse_response(response).results
        except (QbxmlParseError, xmlsafe.UnsafeXMLError, ValueError) as exc:
            return self._failed_message(db, session, sent, f"unreadable response: {exc}")
        settings = settings_mod.get_settings(db, session.user_id)
        ac = self._apply_context(db, session, settings)
        apply.preload(ac, sent)
        for job in sent:
            result = results.get(job.request_id)
            if result is None:  # not processed (stopOnError stopped before it)
                ac.changes.transition(job, JobStatus.PENDING, run_id=session.run_id,
                                      reason="not processed: an earlier request of the message "
                                             "failed")
                continue
            outcome = apply.apply_result(ac, job, result)
            self._maybe_stop_area(ac, session, settings, outcome)
        ac.flush()
        percent = self._progress(db, session, settings)
        if percent == 100 or _owed_writebacks(db, session.user_id) >= WRITEBACK_BATCH:
            self._writebacks(db, session.user, session.run_id)
        return percent

    def _reconcile_answer(self, db: Session, session: QbwcSession, response: str, hresult: str,
                          message: str) -> int:
        """The answer to a message of reconciliation queries (they never share one with jobs)."""
        try:
            raise_for_hresult(hresult, message)
            results = parse_response(response).results
        except (QbxmlParseError, xmlsafe.UnsafeXMLError, ValueError) as exc:
            reconcile_queries.release(db, session.user_id, session_id=session.id)
            session.last_error = f"QuickBooks could not process the reconciliation queries: {exc}"
            return -101
        reconcile_queries.apply(db, session, results, self.clock())
        return self._progress(db, session, settings_mod.get_settings(db, session.user_id))

    def connection_error(self, db: Session, session: QbwcSession, hresult: str, message: str) -> str:
        session.last_error = f"QuickBooks could not be opened: {hresult} {message}".strip()
        return "done"

    def close(self, db: Session, session: QbwcSession) -> str:
        lost_to_verify(db, session.user_id, session_id=session.id)
        reconcile_queries.release(db, session.user_id, session_id=session.id)
        if session.run_id is None:
            return "OK: nothing to sync"
        if company.state(session) != "ok":  # stopped before sending: the run says why
            return runs.fail(db, session.run_id, session.last_error or "QuickBooks did not say "
                             "which company is open; nothing was sent.")
        self._writebacks(db, session.user, session.run_id)  # those left below WRITEBACK_BATCH
        return runs.finish(db, session.run_id, settings_mod.get_settings(db, session.user_id))

    # ------------------------------------------------------------ session start

    def _start(self, db: Session, session: QbwcSession, ctx: RequestContext) -> None:
        facts = session.host_info or {}
        supported = facts.get("supported_qbxml_versions") or []
        country = (ctx.country or facts.get("country") or "US").upper()
        session.qb_country = country if country in qb_versions.COUNTRIES else "US"
        session.qbxml_version = qb_versions.negotiate(supported, ctx.major_version, ctx.minor_version,
                                                      country=session.qb_country)
        prefs = _preferences(ctx.hcp_response)
        if prefs:
            session.host_info = {**facts, **prefs}
        run = runs.start(db, session)
        session.run_id = run.id
        # Authenticate released them already; a session of the user opened since did not.
        lost.release(db, session.user_id, except_session=session.id, reason=lost.REPLACED)
        reconcile_queries.release(db, session.user_id, except_session=session.id)

    def _map_context(self, db: Session, session: QbwcSession,
                     settings: settings_mod.SyncSettings) -> MapContext:
        user_id = session.user_id
        # Every list record the company holds, in one query: a message references many
        # (their references are made when first asked for: a message uses few of them).
        held: dict[tuple[str, str], str] = dict(
            ((entity, key), qb_id) for entity, key, qb_id in db.execute(
                select(IdMapEntry.entity, IdMapEntry.source_key, IdMapEntry.qb_id).where(
                    IdMapEntry.user_id == user_id,
                    IdMapEntry.entity.in_(list(registry.LIST_KINDS)))))
        cache: dict[tuple[str, str], rq.Ref | None] = {}

        def resolve(entity: str, key: str) -> rq.Ref | None:
            ident = (entity, idmap.norm_key(key))
            if ident not in cache:
                qb_id = held.get(ident)
                if qb_id is None:
                    row = idmap.lookup(db, user_id, entity, key)
                    qb_id = row.qb_id if row is not None else None
                cache[ident] = rq.Ref(list_id=qb_id) if qb_id is not None else None
            return cache[ident]

        facts = session.host_info or {}
        return MapContext(country=session.qb_country or "US", version=session.qbxml_version or "13.0",
                          settings=settings, owner=session.user.owner_id, resolve=resolve,
                          tax_codes=facts.get("tax_codes") or {},
                          sales_tax_on=facts.get("sales_tax_on"),
                          multicurrency_on=facts.get("multicurrency_on"),
                          home_currency=facts.get("home_currency"),
                          names=NameBook(db, user_id, policies_of(settings.values)))

    # ------------------------------------------------------------ the company check

    def _check_company(self, session: QbwcSession, seen: company.CompanyIdentity, *,
                       final: bool = False) -> None:
        error = company.check(session, seen, final=final)
        if error:
            log.warning("%s", error)
            session.last_error = error

    def _company_query(self, session: QbwcSession) -> str:
        request = rq.CompanyQuery(owner_ids=(session.user.owner_id,))
        root = etree.Element("QBXML")
        etree.SubElement(root, "QBXMLMsgsRq", onError="stopOnError").append(
            qb_build.build_request_element(request, session.qbxml_version or "13.0",
                                           session.qb_country or "US", company.REQUEST_ID))
        return qb_message.serialize(root, session.qbxml_version or "13.0")

    def _company_answer(self, session: QbwcSession, response: str, hresult: str, message: str) -> int:
        seen = None
        if not hresult or hresult.strip() in ("", "0", "0x0", "0x00000000"):
            seen = company.identity_from(response, session.user.owner_id, session.company_file)
        if seen is None:
            session.last_error = ("QuickBooks did not answer the company query, so the company "
                                  f"open is unknown; nothing was sent. {hresult} {message}").strip()
            return -1
        self._check_company(session, seen, final=True)
        return -1 if company.state(session) == "wrong" else 1

    # ------------------------------------------------------------ building a message

    def _prepare(self, mctx: MapContext, jobs: list[Job],
                 payloads: dict[int, JobPayload]) -> list[_Built]:
        """Each request of a message built and checked alone, before any job is claimed.

        Nothing is written here: a request that cannot be built says why, and the job
        fails once claimed (see :meth:`_send`).
        """
        version, country = mctx.version, mctx.country
        built: list[_Built] = []
        for group in _request_groups(jobs, payloads):
            head = group[0]
            request_id = str(head.id) if len(group) == 1 else f"L{head.id}"
            found: list[FieldWarning] = []
            try:
                request = (_grouped_query(group, payloads, mctx) if len(group) > 1
                           else request_for(head, payloads[head.id], mctx))
                element = qb_build.build_request_element(request, version, country, request_id, found)
            except BUILD_ERRORS as exc:
                if len(group) > 1:  # one bad name: look the others up one by one
                    built += [self._build_one(mctx, job, payloads[job.id]) for job in group]
                else:
                    built.append(_Built([head], request_id, None, str(exc)))
                continue
            built.append(_Built(group, request_id, element, warnings={
                job.id: (_own_warnings(payloads[job.id], group, found)
                         + _name_warnings(job, payloads[job.id], mctx)) for job in group}))
        return built

    def _build_one(self, mctx: MapContext, job: Job, payload: JobPayload) -> _Built:
        found: list[FieldWarning] = []
        request_id = str(job.id)
        try:
            request = request_for(job, payload, mctx)
            element = qb_build.build_request_element(request, mctx.version, mctx.country,
                                                     request_id, found)
        except BUILD_ERRORS as exc:
            return _Built([job], request_id, None, str(exc))
        return _Built([job], request_id, element,
                      warnings={job.id: found + _name_warnings(job, payload, mctx)})

    def _send(self, db: Session, session: QbwcSession, settings: settings_mod.SyncSettings,
              status: str, candidates: list[Job], payloads: dict[int, JobPayload],
              built: list[_Built]) -> str:
        """Claim the candidates and keep the message of their requests built ("" if every one
        failed, or another session took them all).

        The message is serialized, validated and stored before the claim, so the claim
        points the jobs at it in the same UPDATE (each job row is written once to send it).
        A job another session claimed meanwhile (on SQLite; on PostgreSQL
        :func:`~qbwc_service.queue.dequeue.peek_batch` locked the rows) is left out, and
        the message is made again without it. A request that could not be built or does
        not validate fails its jobs once claimed; they never point at the message.
        """
        version = session.qbxml_version or "13.0"
        on_error = "stopOnError" if (settings["options.quit_area_on_error"]
                                     and candidates[0].area in areas.STOPPABLE) else "continueOnError"
        usable = [request for request in built if request.element is not None]
        xml, invalid = _validated(usable, on_error, version, check=self.validate)
        now = self.clock()
        earlier = {job.id: job.message_id for job in candidates}
        message_id = (messages.add_request(db, xml, user_id=session.user_id, session_id=session.id,
                                           run_id=session.run_id, at=now) if xml else None)
        own = _own_values(usable, invalid)
        claimed = dequeue.claim_jobs(db, candidates, user_id=session.user_id,
                                     session_id=session.id, now=now, run_id=session.run_id,
                                     status=status, message_id=message_id, own=own)
        if status == JobStatus.VERIFY.value:  # a lost job's payload says it is verified now
            for job in claimed:
                registry.set_payload(job, payloads[job.id])
        mine = {job.id for job in claimed}
        if len(mine) < len(candidates):
            xml, invalid = _validated([request for request in usable
                                       if any(job.id in mine for job in request.jobs)],
                                      on_error, version, check=self.validate)
            messages.replace_request(db, message_id, xml)
        ac = self._apply_context(db, session, settings)
        warnings: dict[int, list[FieldWarning]] = {}
        for request in built:
            members = [job for job in request.jobs if job.id in mine]
            if request.element is None:
                for job in members:  # never sent: not a job of this message
                    job.message_id = earlier[job.id]
                if members:
                    self._build_failed(ac, session, settings, members[0], request.error)
                continue
            problems = invalid.get(request.request_id)
            for job in members:
                job.request_id = request.request_id
                if problems:  # never sent either
                    job.message_id = earlier[job.id]
                    self._build_failed(ac, session, settings, job, "the request does not validate: "
                                       + "; ".join(problems[:3]))
                else:
                    warnings[job.id] = request.warnings.get(job.id, [])
        for job in claimed:
            if job.status != JobStatus.SENT.value:
                continue
            for warning in warnings.get(job.id, []):
                text = f"{warning.path}: {warning.reason}"
                if job.id in own:  # the claim wrote it on the job: only its audit event is left
                    ac.changes.audit(user_id=job.user_id, event=jobs_mod.WARNING, job=job,
                                     run_id=session.run_id if session.run_id is not None
                                     else job.run_id, detail=text)
                else:
                    ac.changes.add_warning(job, text, run_id=session.run_id)
        ac.flush()
        return xml

    def _build_failed(self, ac: apply.ApplyContext, session: QbwcSession,
                      settings: settings_mod.SyncSettings, job: Job, reason: str) -> None:
        kind = registry.job_kind(job.kind)
        if isinstance(kind, ListJobKind) and kind.family is Family.ENSURE and kind.kind.absent_ok:
            apply.mark_absent(ac, job, f"cannot exist in QuickBooks ({reason})")
            return
        outcome = apply.fail(ac, job, reason)
        self._maybe_stop_area(ac, session, settings, outcome)

    # ------------------------------------------------------------ applying

    def _apply_context(self, db: Session, session: QbwcSession,
                       settings: settings_mod.SyncSettings) -> apply.ApplyContext:
        return apply.ApplyContext(db=db, run_id=session.run_id, settings=settings, now=self.clock(),
                                  ensure=self._ensure_factory(db, session, settings))

    def _ensure_factory(self, db: Session, session: QbwcSession,
                        settings: settings_mod.SyncSettings) -> Callable[[Session, int, Need], Job]:
        def ensure(db_: Session, user_id: int, need: Need) -> Job:
            lookup = _safe_lookup(self.reader_factory, session.user, settings)
            return DependencyPlanner(db_, user_id, settings, lookup).ensure(db_, user_id, need)
        return ensure

    def _failed_message(self, db: Session, session: QbwcSession, sent: list[Job], why: str) -> int:
        """QuickBooks did not answer the message: its jobs are checked next session."""
        for job in sent:
            jobs_mod.transition(db, job, JobStatus.VERIFY, run_id=session.run_id, reason=why)
        session.last_error = f"QuickBooks could not process the request: {why}"
        return -101

    def _maybe_stop_area(self, ac: apply.ApplyContext, session: QbwcSession,
                         settings: settings_mod.SyncSettings, outcome: apply.Outcome) -> None:
        if (outcome.event == jobs_mod.ERROR and settings["options.quit_area_on_error"]
                and outcome.area in areas.STOPPABLE):
            ac.changes.flush()  # the stop is an audit row of its own, after the error
            runs.stop_area(ac.db, session.user_id, session.run_id, outcome.area)

    def _progress(self, db: Session, session: QbwcSession, settings: settings_mod.SyncSettings) -> int:
        stopped = runs.stopped_areas(db, session.run_id)
        going = [a for a in areas.ORDER if a not in stopped]
        if not (_has_open_work(db, session.user_id, going, self.clock())
                or reconcile_queries.has_pending(db, session.user_id)):
            return 100
        return min(99, max(1, dequeue.progress(db, user_id=session.user_id, session_id=session.id,
                                               areas=going)))

    def _writebacks(self, db: Session, user: User, run_id: int | None) -> None:
        if not user.jobboss_url:
            return
        try:
            target = writebacks.JobBossTarget(self._writer(user), self.paid_status_code)
        except Exception as exc:  # noqa: BLE001 - JobBOSS2 unreachable: retried next time
            log.warning("JobBOSS2 write-backs for %s postponed: %s", user.name, exc)
            return
        writebacks.run_writebacks(db, user.id, target, run_id)

    def _writer(self, user: User) -> JobBossWrites:
        if self.writer_factory is not _default_writer:
            return self.writer_factory(user)
        writer = self._writers.get(user.jobboss_url)
        if writer is None:
            writer = self._writers[user.jobboss_url] = _default_writer(user)
        return writer


# ---------------------------------------------------------------- helpers


def lost_to_verify(db: Session, user_id: int, *, session_id: int | None = None,
                   except_session: int | None = None) -> int:
    """Jobs left ``sent`` by a session that ended become ``verify`` (see :mod:`.queue.lost`)."""
    return lost.release(db, user_id, session_ids=None if session_id is None else [session_id],
                        except_session=except_session)


def _owed_writebacks(db: Session, user_id: int) -> int:
    """How many JobBOSS2 write-backs the user is owed (an ``ix_writebacks_open`` range)."""
    return db.scalar(select(func.count()).select_from(WriteBack).where(
        WriteBack.user_id == user_id, WriteBack.done_at.is_(None))) or 0


#: Lost jobs are looked up before anything new is sent.
_CLAIM_ORDER = (JobStatus.VERIFY.value, JobStatus.PENDING.value)


def _work_areas(db: Session, session: QbwcSession) -> dict[str, list[str]]:
    """Status -> the areas, in order, with a job in that status and not stopped in the run.

    One statement of index probes (a round trip counts on a database server), so the
    claim runs its readiness query only where there is something to find.
    """
    row = db.execute(_work_probe(session.run_id is not None),
                     {"w_user": session.user_id, "w_run": session.run_id}).one()
    probes = _WORK_PROBES
    stopped = {area for area, hit in zip(areas.ORDER, row[len(probes):], strict=False) if hit}
    work: dict[str, list[str]] = {status: [] for status in _CLAIM_ORDER}
    for (status, area), hit in zip(probes, row, strict=False):
        if hit and area not in stopped:
            work[status].append(area)
    return work


#: What :func:`_work_areas` asks: each status of the claim order in each area.
_WORK_PROBES = [(status, area) for status in _CLAIM_ORDER for area in areas.ORDER]


@cache
def _work_probe(with_run: bool) -> Select[Any]:
    """:func:`_work_areas`'s statement, built once (user and run are bound parameters)."""
    user, run = bindparam("w_user", type_=Integer), bindparam("w_run", type_=Integer)
    columns = [dequeue.has_status(user, status, area) for status, area in _WORK_PROBES]
    if with_run:
        columns += [runs.area_stopped(run, area) for area in areas.ORDER]
    return select(*columns)


def _has_open_work(db: Session, user_id: int, areas: list[str], now: datetime) -> bool:
    """:func:`~qbwc_service.queue.dequeue.has_open_work` for ``areas``, as index probes.

    A job to verify, else a ready pending job, one area at a time: each probe
    walks ``ix_jobs_dequeue`` and stops at the first row found, where the
    conditions ORed together make the database read every job of the user.
    """
    params = {"o_user": user_id, "o_areas": areas, "o_now": now}
    if db.scalar(_VERIFY_PROBE, params) is not None:
        return True
    # Area by area, lists first: while the lists are sent, thousands of pending
    # transactions are not ready yet, and need not be looked at.
    return any(db.scalar(_READY_PROBE, {**params, "o_area": area}) is not None for area in areas)


#: :func:`_has_open_work`'s statements, built once (their values are bound parameters).
_VERIFY_PROBE = select(Job.id).where(
    Job.user_id == bindparam("o_user", type_=Integer), Job.status == JobStatus.VERIFY.value,
    Job.area.in_(bindparam("o_areas", expanding=True))).limit(1)
_READY_PROBE = select(Job.id).where(
    Job.user_id == bindparam("o_user", type_=Integer), Job.area == bindparam("o_area"),
    dequeue.ready_condition(bindparam("o_now", type_=Job.__table__.c.not_before.type))).limit(1)


@dataclass
class _Built:
    """One request of a message, built before its jobs are claimed."""

    #: The jobs it answers for (several for a shared name query).
    jobs: list[Job]
    request_id: str
    #: ``None``: it could not be built, and ``error`` says why.
    element: etree._Element | None
    error: str = ""
    #: Job id -> the warnings building gave it.
    warnings: dict[int, list[FieldWarning]] = field(default_factory=dict)


def _payloads(jobs: list[Job], status: str) -> dict[int, JobPayload]:
    """Job id -> its payload, as the message will send it: a lost job is verified."""
    payloads = {job.id: registry.payload_of(job) for job in jobs}
    if status == JobStatus.VERIFY.value:
        payloads = {i: payload.but(phase=Phase.VERIFY) for i, payload in payloads.items()}
    return payloads


def _request_groups(jobs: list[Job], payloads: dict[int, JobPayload]) -> list[list[Job]]:
    """Ensure jobs looking up names of the same list share one query; the rest go alone."""
    groups: list[list[Job]] = []
    shared: dict[str, list[Job]] = {}
    for job in jobs:
        payload = payloads[job.id]
        if (registry.job_kind(job.kind).family is Family.ENSURE
                and payload.phase in (Phase.QUERY, Phase.VERIFY)):
            entity = payload.entity
            if entity not in shared:
                shared[entity] = []
                groups.append(shared[entity])
            shared[entity].append(job)
        else:
            groups.append([job])
    return groups


def _own_warnings(payload: JobPayload, group: list[Job], found: list[FieldWarning]
                  ) -> list[FieldWarning]:
    """The warnings of a shared name query that concern the job's own name, not its neighbours'."""
    if len(group) == 1:
        return found
    name = payload.name.strip()
    return [w for w in found if str(w.original).strip() == name]


def _name_warnings(job: Job, payload: JobPayload, mctx: MapContext) -> list[FieldWarning]:
    """A record added under a name the name map shortened: a warning on it, never an error."""
    if payload.phase is not Phase.ADD or not isinstance(mctx.names, NameBook):
        return []
    kind = registry.job_kind(job.kind)
    if isinstance(kind, TxnKind):
        rule = kind.names
        key = kind.ref_number(registry.record_of(payload)) if kind.ref_number is not None else ""
    else:
        rule, key = kind.kind.names, payload.key
    entry = mctx.names.entry(rule.kind, key) if rule is not None else None
    if rule is None or entry is None or entry.origin != AUTO:
        return []
    reason = (f"{rule.field} {entry.source_value!r} is longer than the {rule.limit} characters "
              f"QuickBooks allows: sent as {entry.qb_name!r} (name map; "
              f"`qbwc-service names set` to choose another)")
    return [FieldWarning(job.request_id or str(job.id), "name map", entry.source_value,
                         entry.qb_name, reason)]


def _grouped_query(group: list[Job], payloads: dict[int, JobPayload], mctx: MapContext) -> rq.Request:
    names = tuple(dict.fromkeys(payloads[job.id].name for job in group))
    return names_query(registry.list_kind(payloads[group[0].id].entity), names, mctx.country)


def _own_values(requests: list[_Built], invalid: dict[str, list[str]]
                ) -> dict[int, dict[str, object]]:
    """What the claim writes on single jobs of the message: the ``requestID`` of a shared
    name query, the warnings building gave (see :meth:`JobBossSync._send`)."""
    own: dict[int, dict[str, object]] = {}
    for request in requests:
        if request.request_id in invalid:
            continue
        for job in request.jobs:
            values: dict[str, object] = {}
            if request.request_id != str(job.id):
                values["request_id"] = request.request_id
            found = request.warnings.get(job.id)
            if found:
                values["warnings"] = [*(job.warnings or []),
                                      *(f"{w.path}: {w.reason}" for w in found)]
            if values:
                own[job.id] = values
    return own


def _validated(requests: list[_Built], on_error: str, version: str, *, check: bool
               ) -> tuple[str, dict[str, list[str]]]:
    """The message of ``requests`` and, when it does not validate against the XSD, the
    culprits: each request is checked alone, and the message is made of the others.

    Returns ``(xml, {request id: problems})``; ``xml`` is "" when no request is left.
    """
    if not requests:
        return "", {}
    root = etree.Element("QBXML")
    msgs = etree.SubElement(root, "QBXMLMsgsRq", onError=on_error)
    for request in requests:
        assert request.element is not None
        msgs.append(request.element)
    xml = qb_message.serialize(root, version)
    if not check or tree_is_valid(root, version) or not validation_errors(xml, version):
        return xml, {}
    keep: list[_Built] = []
    invalid: dict[str, list[str]] = {}
    for request in requests:
        assert request.element is not None
        alone = etree.Element("QBXML")
        etree.SubElement(alone, "QBXMLMsgsRq", onError=on_error).append(_copy(request.element))
        problems = validation_errors(qb_message.serialize(alone, version), version)
        if problems:
            invalid[request.request_id] = problems
        else:
            keep.append(request)
    if not keep:
        return "", invalid
    xml, more = _validated(keep, on_error, version, check=check)
    return xml, {**invalid, **more}


def _copy(element: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(element))


def _safe_lookup(factory: Callable[[User], JobBossReader], user: User,
                 settings: settings_mod.SyncSettings) -> RecordLookup:
    def lookup(entity: str, keys: list[str]) -> dict[str, SourceRecord]:
        try:
            reader = factory(user)
        except Exception:  # noqa: BLE001 - without JobBOSS2 the ensure adds by name only
            return {}
        return planner.lookup_records(reader, entity, keys)
    return lookup


def _preferences(hcp: str) -> dict[str, object]:
    """What the HCP response's PreferencesRet says that mapping needs: the default taxable /
    non-taxable sales tax codes, whether sales tax and multicurrency are on, the home currency.
    Empty when the response holds no preferences (nothing is assumed then)."""
    if not hcp or not hcp.lstrip().startswith("<"):
        return {}
    try:
        root = xmlsafe.parse(hcp)
    except xmlsafe.UnsafeXMLError:
        return {}
    found = root.find(".//PreferencesRet")
    if found is None:
        return {}
    prefs: etree._Element = found
    tax = prefs.find("SalesTaxPreferences")
    codes = {} if tax is None else {
        "taxable": tax.findtext("DefaultTaxableSalesTaxCodeRef/FullName") or "",
        "non_taxable": tax.findtext("DefaultNonTaxableSalesTaxCodeRef/FullName") or ""}
    currency = prefs.find("MultiCurrencyPreferences")
    return {"tax_codes": {k: v for k, v in codes.items() if v}, "sales_tax_on": tax is not None,
            "multicurrency_on": currency is not None
            and (currency.findtext("IsMultiCurrencyOn") or "").strip().lower() == "true",
            "home_currency": None if currency is None
            else (currency.findtext("HomeCurrencyRef/FullName") or None)}


def _default_writer(user: User) -> JobBossWrites:
    from qbwc_service.jobboss.writeback import JobBossWriter

    return JobBossWriter(user.jobboss_url)


__all__ = ["JobBossSync", "lost_to_verify"]
