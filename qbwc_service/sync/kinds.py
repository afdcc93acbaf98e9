"""The kinds of jobs the engine sends, and what each sends in each phase.

A job's ``kind`` names what it does for which record:

* ``<entity>.ensure`` (area ``lists``): make sure QuickBooks has a list record
  a transaction needs. Phase ``query`` looks it up by name (several jobs of
  one entity share one query), phase ``add`` creates it.
* ``<entity>.mod`` (area ``lists``): send a changed customer, vendor, employee
  or part (``options.update_after_edit``). Phase ``mod`` sends the Mod with
  the EditSequence in the ID map; phase ``read`` fetches the current one.
* ``invoice.add``, ``bill.add``, ``receiver_bill.add``, ``time.add``: a
  transaction. Phase ``add`` creates it.

Any job whose response was lost is sent in phase ``verify``: a query that
finds the record if QuickBooks made it (see :mod:`.verify`).

The job's ``payload`` holds the JobBOSS2 record as planned
(:mod:`.serialize`), the phase, and counters; nothing lives in the process.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from qbwc_service.jobboss import records as jb
from qbwc_service.qbxml import requests as rq
from qbwc_service.queue.models import Job
from qbwc_service.sync.mapping import ap, ar, lists
from qbwc_service.sync.mapping import time as time_map
from qbwc_service.sync.mapping.context import MapContext, MappingError, Need
from qbwc_service.sync.serialize import from_jsonable

RECORD_TYPES: dict[str, type] = {cls.__name__: cls for cls in (
    jb.ArInvoice, jb.ApInvoice, jb.ReceiverBill, jb.AttendanceDay, jb.Customer, jb.Vendor,
    jb.Employee, jb.Part, jb.Terms, jb.GlAccount, jb.TaxCode)}


@dataclass(frozen=True)
class TxnKind:
    """A transaction kind: where it goes and how it is built, found and written back."""

    kind: str
    area: str
    entity: str  # ID map entity
    record_type: type
    build: Callable[[Any, Job, MapContext], Any]
    verify: Callable[[Any, Job, MapContext], Any]
    matches: Callable[[Any, Job, Any], bool]
    noun: str  # for the one-line summary
    #: JobBOSS2 write-backs after QuickBooks has it: (action, setting that enables it or "").
    writebacks: tuple[tuple[str, str], ...] = (("exported", ""),)


def _index(job: Job) -> int:
    return int(job.payload.get("index", 1))


def _invoice_add(inv: jb.ArInvoice, job: Job, ctx: MapContext) -> rq.InvoiceAdd:
    codes = ctx.tax_codes
    return ar.invoice_add(inv, ctx, codes.get("taxable", "Tax"), codes.get("non_taxable", "Non"))


TXN_KINDS: dict[str, TxnKind] = {k.kind: k for k in (
    TxnKind("invoice.add", "ar", "invoice", jb.ArInvoice,
            build=_invoice_add,
            verify=lambda inv, job, ctx: ar.verify_query(inv, ctx),
            matches=lambda inv, job, ret: ar.matches(inv, ret),
            noun="invoice",
            writebacks=(("exported", ""), ("paid", "options.mark_ar_paid"))),
    TxnKind("bill.add", "ap", "bill", jb.ApInvoice,
            build=lambda bill, job, ctx: ap.bill_add(bill, ctx),
            verify=lambda bill, job, ctx: ap.verify_query(
                ctx.ref(lists.vendor_need(bill.vend_code, None)), bill.invoice_no),
            matches=lambda bill, job, ret: ap.matches(bill.invoice_no, bill.txn_date, ret),
            noun="bill",
            writebacks=(("exported", ""), ("paid", "options.mark_ap_paid"))),
    TxnKind("receiver_bill.add", "ap", "bill", jb.ReceiverBill,
            build=lambda rec, job, ctx: ap.receiver_bill_add(rec, ctx),
            verify=lambda rec, job, ctx: ap.verify_query(
                ctx.ref(lists.vendor_need(rec.vend_code or "", None)), rec.receiver_no),
            matches=lambda rec, job, ret: ap.matches(rec.receiver_no, rec.txn_date, ret),
            noun="bill",
            writebacks=()),
    TxnKind("time.add", "time", "time", jb.AttendanceDay,
            build=lambda day, job, ctx: time_map.time_add(day, _index(job), ctx),
            verify=lambda day, job, ctx: time_map.verify_query(day, ctx),
            matches=lambda day, job, ret: time_map.matches(day, _index(job), ret),
            noun="time record",
            writebacks=(("exported", ""),)),
)}

#: Plural nouns for the summary line.
PLURALS = {"invoice": "invoices", "bill": "bills", "time record": "time records",
           "list record": "list records"}


def kind_of(job: Job) -> str:
    """``"ensure"``, ``"mod"`` or ``"txn"``."""
    if job.kind.endswith(".ensure"):
        return "ensure"
    if job.kind.endswith(".mod"):
        return "mod"
    return "txn"


def phase(job: Job) -> str:
    return str(job.payload.get("phase") or _FIRST_PHASE[kind_of(job)])


_FIRST_PHASE = {"ensure": "query", "mod": "mod", "txn": "add"}


def record_of(job: Job) -> Any:
    """The JobBOSS2 record the job was planned from (``None`` for a name-only list record)."""
    data = job.payload.get("record")
    type_name = job.payload.get("record_type")
    if data is None or type_name is None:
        return None
    return from_jsonable(RECORD_TYPES[type_name], data)


def need_of(job: Job) -> Need:
    """The list record an ensure or mod job is about."""
    p = job.payload
    return Need(p["entity"], p["key"], p["name"])


# ---------------------------------------------------------------- requests per phase


def request_for(job: Job, ctx: MapContext) -> Any:
    """The request a job sends in its current phase (raises ``MappingError``)."""
    family = kind_of(job)
    current = phase(job)
    if family == "txn":
        spec = TXN_KINDS[job.kind]
        record = record_of(job)
        if current == "verify":
            return spec.verify(record, job, ctx)
        return spec.build(record, job, ctx)
    need = need_of(job)
    if current in ("query", "verify"):
        return lists.query_for(need.entity, (need.name,), ctx.country)
    if current == "read":
        known = ctx.resolve(need.entity, need.key)
        if known is None or not known.list_id:
            raise MappingError(f"{need.entity} {need.name!r} is not in the ID map")
        return lists.query_by_id(need.entity, known.list_id, ctx.country)
    if family == "mod":
        return _mod_request(job, need, ctx)
    return add_request(job, need, ctx)


def add_request(job: Job, need: Need, ctx: MapContext) -> Any:
    """The Add of a list record QuickBooks does not have."""
    record = record_of(job)
    p = job.payload
    builders: dict[str, Callable[[], Any]] = {
        "customer": lambda: lists.customer_add(record or _bare_customer(need), ctx),
        "vendor": lambda: lists.vendor_add(record or _bare_vendor(need), ctx),
        "employee": lambda: lists.employee_add(record or _bare_employee(need), ctx),
        "item": lambda: lists.item_add(need.key, record, p.get("desc"), ctx),
        "terms": lambda: lists.terms_add(need.key, record),
        "account": lambda: lists.account_add(need.key, record),
        "qb_account": lambda: lists.default_account_add(need.name, p.get("account_type", "Expense")),
        "qb_item": lambda: lists.freight_item_add(need.name, ctx),
    }
    builder = builders.get(need.entity)
    if builder is None:
        raise MappingError(f"{need.entity.replace('_', ' ')} {need.name!r} cannot be added by the "
                           "service")
    return builder()


def _mod_request(job: Job, need: Need, ctx: MapContext) -> Any:
    record = record_of(job)
    known = ctx.resolve(need.entity, need.key)
    if known is None or not known.list_id:
        raise MappingError(f"{need.entity} {need.name!r} is not in the ID map")
    seq = str(job.payload.get("edit_sequence") or "")
    builders: dict[str, Callable[[], Any]] = {
        "customer": lambda: lists.customer_mod(record, known.list_id, seq, ctx),
        "vendor": lambda: lists.vendor_mod(record, known.list_id, seq, ctx),
        "employee": lambda: lists.employee_mod(record, known.list_id, seq, ctx),
        "item": lambda: lists.item_mod(record, str(job.payload.get("ret_type", "")), known.list_id,
                                       seq, ctx),
    }
    return builders[need.entity]()


def _bare_customer(need: Need) -> jb.Customer:
    return jb.Customer(cust_code=need.key, name=need.name, qb_name=need.name, terms_code=None,
                       tax_code=None, address=jb.Address(), phone=None, fax=None, contact=None,
                       active=True)


def _bare_vendor(need: Need) -> jb.Vendor:
    return jb.Vendor(vend_code=need.key, name=need.name, qb_name=need.name, terms_code=None,
                     address=jb.Address(), phone=None, account_number=None, is_1099=False,
                     tax_id=None, gl_acct=None, active=True)


def _bare_employee(need: Need) -> jb.Employee:
    return jb.Employee(empl_code=int(need.key) if need.key.isdigit() else 0, name=need.name,
                       first_name=None, last_name=need.name, address=jb.Address(), phone=None,
                       hire_date=None, pay_rates={}, active=True)


def operation(job: Job) -> str:
    """What the current phase asks of QuickBooks, for the error policy: query, add or mod."""
    current = phase(job)
    if current in ("query", "verify", "read"):
        return "query"
    return "mod" if current == "mod" else "add"
