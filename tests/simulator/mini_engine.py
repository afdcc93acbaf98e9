"""A small but honest SyncEngine for driving the emulator before the real one exists.

Its work is ``customer.add`` rows in the queue's ``jobs`` table; each
sendRequestXML takes up to ``batch`` of them into one message built by hand
with lxml (never with the service's builders); receiveResponseXML reads the
answers by requestID, marks jobs done or failed, and reports progress.
Nothing lives in the process except test knobs (``noops``, ``broken_first``).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qbwc_service import xmlsafe
from qbwc_service.queue.models import Job, QbwcSession, User
from qbwc_service.queue.states import JobStatus
from qbwc_service.sync.contract import RequestContext

KIND = "customer.add"


def queue_customers(db: Session, user: User, *names: str) -> None:
    for name in names:
        db.add(Job(user_id=user.id, area="lists", kind=KIND, source_table="Customer", source_key=name,
                   payload={"name": name}))


@dataclass
class MiniEngine:
    batch: int = 2
    noops: int = 0  # answer NoOp this many times first
    broken_first: bool = False  # first message has its elements out of schema order
    noop_each: bool = False  # pause (NoOp) once before every message
    _paused: bool = False

    def has_work(self, db: Session, user: User) -> bool:
        return bool(db.scalar(select(func.count(Job.id)).where(
            Job.user_id == user.id, Job.status.in_([JobStatus.PENDING.value, JobStatus.SENT.value]))))

    def next_request(self, db: Session, session: QbwcSession, ctx: RequestContext) -> str:
        if self.noops > 0:
            self.noops -= 1
            session.last_error = "NoOp"
            return ""
        if self.noop_each and not self._paused:
            self._paused, session.last_error = True, "NoOp"
            return ""
        self._paused = False
        jobs = db.scalars(select(Job).where(
            Job.user_id == session.user_id,
            Job.status.in_([JobStatus.PENDING.value, JobStatus.SENT.value])).order_by(Job.id)
            .limit(self.batch)).all()
        if not jobs:
            session.last_error = ""
            return ""
        for job in jobs:
            job.status, job.session_id = JobStatus.SENT.value, session.id
        version = f"{min(ctx.major_version, 13)}.0"
        return self._message(jobs, version)

    def _message(self, jobs: list[Job], version: str) -> str:
        msgs = etree.Element("QBXMLMsgsRq", onError="continueOnError")
        for job in jobs:
            rq = etree.SubElement(msgs, "CustomerAddRq", requestID=str(job.id))
            add = etree.SubElement(rq, "CustomerAdd")
            etree.SubElement(add, "Name").text = job.payload["name"]
            if self.broken_first:
                add.insert(0, etree.Element("CompanyName"))
                add[0].text = "misplaced"
        self.broken_first = False
        root = etree.Element("QBXML")
        root.append(msgs)
        body = etree.tostring(root, encoding="ascii").decode("ascii")
        return f'<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="{version}"?>\n{body}'

    def apply_response(self, db: Session, session: QbwcSession, response: str, hresult: str,
                       message: str) -> int:
        sent = db.scalars(select(Job).where(Job.session_id == session.id,
                                            Job.status == JobStatus.SENT.value)).all()
        if hresult:
            for job in sent:
                job.status, job.attempts = JobStatus.PENDING.value, job.attempts + 1
            session.last_error = f"QuickBooks rejected the message: {hresult} {message}"
            return -1
        failed = []
        for rs in xmlsafe.parse(response).find("QBXMLMsgsRs"):
            job = db.get(Job, int(rs.get("requestID")))
            job.error_code = rs.get("statusCode")
            if job.error_code == "0":
                job.status, job.qb_list_id = JobStatus.DONE.value, rs.findtext("CustomerRet/ListID")
            else:
                job.status, job.error_message = JobStatus.ERROR.value, rs.get("statusMessage")
                failed.append(f"{job.error_code} {job.error_message}")
        db.flush()
        if failed:
            session.last_error = "; ".join(failed)
            return -2
        total = db.scalar(select(func.count(Job.id)).where(Job.user_id == session.user_id))
        left = db.scalar(select(func.count(Job.id)).where(
            Job.user_id == session.user_id, Job.status.in_([JobStatus.PENDING.value, JobStatus.SENT.value])))
        return 100 if not left else min(99, int(100 * (total - left) / total))

    def connection_error(self, db: Session, session: QbwcSession, hresult: str, message: str) -> str:
        session.last_error = f"QuickBooks could not open the company file: {hresult} {message}"
        return "done"

    def close(self, db: Session, session: QbwcSession) -> str:
        done = db.scalar(select(func.count(Job.id)).where(Job.session_id == session.id,
                                                          Job.status == JobStatus.DONE.value))
        return f"OK: {done} customer(s) added"
