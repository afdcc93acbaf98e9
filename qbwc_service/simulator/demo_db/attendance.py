"""The demo's attendance: three months of punches, a night shift crossing midnight included."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from qbwc_service.simulator.demo_db.data import EMPLOYEES, HARD_CASES
from qbwc_service.simulator.demo_db.writer import ts

if TYPE_CHECKING:
    from qbwc_service.simulator.demo_db.generator import Generator


def write(g: Generator) -> None:
    r, w = g.rng("attendance"), g.w
    cols = "EmplCode EmplName TicketDate SearchDate Exported LastModDate"
    det_cols = (
        "EmplCode TicketDate AttendCode ActClockInDate ActClockInTime ActClockOutDate ActClockOutTime "
        "AdjClockInDate AdjClockInTime AdjClockOutDate AdjClockOutTime TotActTime TotAdjTime "
        "PayRateCode PayrollRate OverTime Holiday Shift GLAcct Comments LastModDate"
    )
    night = HARD_CASES["night_shift_employee"]
    start = g.anchor - timedelta(days=91)
    for offset in range(91):
        day = start + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for code, name in enumerate(EMPLOYEES, 1):
            if code == HARD_CASES["inactive_employee"] or r.random() < 0.04:
                continue
            ticket = day.strftime("%m/%d/%Y")
            stamp = g.stamp(r, datetime.combine(day, time(18)))
            exported = "Y" if (g.anchor - day).days > 21 else r.choice(["N", None])
            w.add(
                "Attend", cols, (code, name[:30], ticket, (day - date(2000, 1, 1)).days, exported, stamp)
            )
            for row in _punches(r, code, day, night):
                w.add("AttendDet", det_cols, (code, ticket, *row[:-1], "6500", row[-1], stamp))
    # Job time tickets exist too; the sync never reads them.
    w.many(
        "TimeTicket",
        "EmplCode TicketDate Exported LastModDate",
        ((code, ts(g.anchor - timedelta(days=1)), "N", None) for code in range(1, 6)),
    )


def _hhmm(minutes: int) -> str:
    return f"{(minutes // 60) % 24:02d}:{minutes % 60:02d}"


#: A punch's clock times: in date, in time, out date, out time (text, as JobBOSS2 keeps them).
Clock = tuple[str | None, str | None, str | None, str | None]
NO_CLOCK: Clock = (None, None, None, None)


def _row(attend_code: int, clock: Clock, hours: float, *, adjusted: Clock = NO_CLOCK,
         adjusted_hours: float | None = None, rate_code: int = 1, overtime: str = "N", shift: int = 1,
         comment: str | None = None) -> tuple[Any, ...]:
    """AttendDet values from AttendCode to Shift, then Comments."""
    return (attend_code, *clock, *adjusted, hours, hours if adjusted_hours is None else adjusted_hours,
            rate_code, None, overtime, "N", shift, comment)


def _punches(r: random.Random, code: int, day: date, night: int) -> list[tuple[Any, ...]]:
    """The punches of one employee's day."""
    d8 = day.strftime("%m/%d/%y")
    if r.random() < 0.02:  # a vacation day: hours, no clock times
        return [_row(4, NO_CLOCK, 8.0, rate_code=5)]
    if code == night:  # 22:00 to 06:30 the next morning
        nxt = (day + timedelta(days=1)).strftime("%m/%d/%y")
        return [_row(1, (d8, "22:00", nxt, "06:30"), 8.5, shift=3, comment="Nuit — équipe C")]
    start = 6 * 60 + r.randint(30, 90)
    lunch = start + 4 * 60 + r.randint(0, 30)
    back = lunch + 30
    end = back + 4 * 60 + r.randint(-20, 40)
    punches = [_row(1, (d8, _hhmm(start), d8, _hhmm(lunch)), round((lunch - start) / 60, 2))]
    if r.random() < 0.03:  # a supervisor corrected a forgotten punch
        punches.append(_row(1, (d8, _hhmm(back), d8, "23:59"), round((23 * 60 + 59 - back) / 60, 2),
                            adjusted=(d8, _hhmm(back), d8, _hhmm(back + 4 * 60)), adjusted_hours=4.0,
                            comment="Forgot to punch out & fixed"))
        return punches
    punches.append(_row(1, (d8, _hhmm(back), d8, _hhmm(end)), round((end - back) / 60, 2)))
    if r.random() < 0.12:  # overtime after the shift
        ot_end = end + r.choice([60, 90, 120])
        punches.append(_row(2, (d8, _hhmm(end), d8, _hhmm(ot_end)), round((ot_end - end) / 60, 2),
                            rate_code=2, overtime="Y"))
    return punches
