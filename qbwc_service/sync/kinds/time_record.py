"""Attendance days (JobBOSS2 ``Attend``) -> one ``TimeTrackingAdd`` per punch pair.

Each punch (clock-in / clock-out pair) of a JobBOSS2 attendance ticket is a
QuickBooks time record, and a job of its own: the employee, the ticket's
date, the hours as a duration (``PT8H30M``) and the payroll wage item for the
punch's pay rate code (``defaults.payroll_item.N``). Its Notes start with a
marker, ``JB2:Attend:<key>#<n>``, by which a lost record is found again. A
day still open waits for its clock-out; it is marked exported in JobBOSS2
once every punch of it is in QuickBooks.
"""

from __future__ import annotations

from decimal import Decimal

from qbwc_service.jobboss import records as jb
from qbwc_service.qbxml import requests as rq
from qbwc_service.qbxml.parse import RetInfo
from qbwc_service.queue.areas import TIME
from qbwc_service.sync.kinds import employee, payroll_item
from qbwc_service.sync.kinds.base import EXPORTED, Source, TxnKind
from qbwc_service.sync.kinds.context import BuildError, MapContext, Need, text
from qbwc_service.sync.kinds.summary import Summary
from qbwc_service.sync.settings import SyncSettings


def marker(day: jb.AttendanceDay, index: int) -> str:
    """The Notes marker of punch ``index`` (1-based) of a day."""
    return f"JB2:{day.key}#{index}"


def punches_to_send(day: jb.AttendanceDay) -> list[tuple[int, jb.Punch]]:
    """``(index, punch)`` of the punches that become time records (closed, with hours)."""
    return [(i, p) for i, p in enumerate(day.punches, start=1)
            if p.clock_out is not None and p.hours > 0]


def _units(day: jb.AttendanceDay) -> list[int]:
    if not day.complete:
        return []  # a day still open waits for its clock-out
    return [index for index, _punch in punches_to_send(day)]


def needs(day: jb.AttendanceDay, index: int, settings: SyncSettings) -> list[Need]:
    punch = day.punches[index - 1]
    return [employee.need(day.empl_code),
            payroll_item.need(settings.payroll_item(punch.pay_rate_code))]


def time_add(day: jb.AttendanceDay, index: int, ctx: MapContext) -> rq.TimeTrackingAdd:
    """The time record of punch ``index`` of ``day``."""
    punch = day.punches[index - 1]
    if punch.hours <= 0 or punch.hours >= Decimal(24):
        raise BuildError(f"punch {index} has {punch.hours} hours")
    notes = marker(day, index)
    comment = text(punch.comments)
    return rq.TimeTrackingAdd(
        entity=ctx.ref(employee.need(day.empl_code)),
        duration=punch.hours,
        txn_date=day.ticket_date,
        payroll_item_wage=ctx.ref(payroll_item.need(ctx.settings.payroll_item(punch.pay_rate_code))),
        notes=f"{notes} {comment}" if comment else notes,
        external_guid=ctx.guid(f"{day.key}#{index}"),
    )


def verify_query(day: jb.AttendanceDay, ctx: MapContext) -> rq.TimeTrackingQuery:
    """The employee's time records of that date."""
    held_by = ctx.ref(employee.need(day.empl_code))
    return rq.TimeTrackingQuery(from_txn_date=day.ticket_date, to_txn_date=day.ticket_date,
                                entity=rq.EntityFilter.for_ref(held_by))


def matches(day: jb.AttendanceDay, index: int, ret: RetInfo) -> bool:
    """Whether a returned time record carries this punch's marker."""
    notes = (ret.notes or "").split(" ", 1)[0]
    return notes == marker(day, index)


def summary(day: jb.AttendanceDay, index: int) -> Summary:
    """Punch ``index`` of the day as the admin lists it (hours, not money)."""
    punch = day.punches[index - 1] if 0 < index <= len(day.punches) else None
    return Summary("Time record", f"{day.ticket_date:%Y-%m-%d} #{index}", "employee",
                   str(day.empl_code), party_name=day.empl_name or "", day=day.ticket_date,
                   quantity=f"{punch.hours} h" if punch is not None else "")


#: Attendance tickets (``Attend`` / ``AttendDet``); job time tickets are never read.
ATTENDANCE: Source[jb.AttendanceDay] = Source(
    "attendance", TIME, switch="items.time_and_attendance",
    read=lambda reader, flt, _known: reader.attendance(flt))

KIND: TxnKind[jb.AttendanceDay] = TxnKind(
    name="time.add", area=TIME, entity="time", record_type=jb.AttendanceDay,
    sources=(ATTENDANCE,), needs=needs, build=time_add,
    verify=lambda day, _index, ctx: verify_query(day, ctx), matches=matches,
    noun="time record", plural="time records", writebacks=(EXPORTED,), units=_units,
    summary=lambda day, index: summary(day, index),
)
