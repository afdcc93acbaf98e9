"""Attendance days -> one ``TimeTrackingAdd`` per punch pair.

Each punch (clock-in / clock-out pair) of a JobBOSS2 attendance ticket is a
QuickBooks time record: the employee, the ticket's date, the hours as a
duration (``PT8H30M``) and the payroll wage item for the punch's pay rate
code (``defaults.payroll_item.N``). Its Notes start with a marker,
``JB2:Attend:<key>#<n>``, by which a lost record is found again.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from qbwc_service.jobboss import records as jb
from qbwc_service.qbxml import requests as rq
from qbwc_service.sync.mapping import lists
from qbwc_service.sync.mapping.context import MapContext, MappingError, Need, text


def marker(day: jb.AttendanceDay, index: int) -> str:
    """The Notes marker of punch ``index`` (1-based) of a day."""
    return f"JB2:{day.key}#{index}"


def punches_to_send(day: jb.AttendanceDay) -> list[tuple[int, jb.Punch]]:
    """``(index, punch)`` of the punches that become time records (closed, with hours)."""
    return [(i, p) for i, p in enumerate(day.punches, start=1)
            if p.clock_out is not None and p.hours > 0]


def needs(day: jb.AttendanceDay, index: int, settings: Any) -> list[Need]:
    punch = day.punches[index - 1]
    return [lists.employee_need(day.empl_code, None),
            lists.payroll_need(settings.payroll_item(punch.pay_rate_code))]


def time_add(day: jb.AttendanceDay, index: int, ctx: MapContext) -> rq.TimeTrackingAdd:
    """The time record of punch ``index`` of ``day``."""
    punch = day.punches[index - 1]
    if punch.hours <= 0 or punch.hours >= Decimal(24):
        raise MappingError(f"punch {index} has {punch.hours} hours")
    notes = marker(day, index)
    comment = text(punch.comments)
    return rq.TimeTrackingAdd(
        entity=ctx.ref(lists.employee_need(day.empl_code, None)),
        duration=punch.hours,
        txn_date=day.ticket_date,
        payroll_item_wage=ctx.ref(lists.payroll_need(ctx.settings.payroll_item(punch.pay_rate_code))),
        notes=f"{notes} {comment}" if comment else notes,
        external_guid=ctx.guid(f"{day.key}#{index}"),
    )


def verify_query(day: jb.AttendanceDay, ctx: MapContext) -> rq.TimeTrackingQuery:
    """The employee's time records of that date."""
    employee = ctx.ref(lists.employee_need(day.empl_code, None))
    return rq.TimeTrackingQuery(from_txn_date=day.ticket_date, to_txn_date=day.ticket_date,
                                entity=rq.EntityFilter.for_ref(employee))


def matches(day: jb.AttendanceDay, index: int, ret: Any) -> bool:
    """Whether a returned time record carries this punch's marker."""
    notes = (getattr(ret, "notes", None) or "").split(" ", 1)[0]
    return notes == marker(day, index)
