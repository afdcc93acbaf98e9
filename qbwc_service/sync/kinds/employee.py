"""Employees (JobBOSS2 ``EmplCode``) as QuickBooks employees.

QuickBooks Desktop names an employee by its first, middle and last name
joined, so that is the name a time record references it by. Added when
missing, sent as an ``EmployeeMod`` when changed (``options.update_after_edit``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from qbwc_service.jobboss import records as jb
from qbwc_service.jobboss.reader import JobBossReader
from qbwc_service.qbxml import requests as rq
from qbwc_service.sync.kinds.base import ListKind, named_record_kind, query_of
from qbwc_service.sync.kinds.context import MapContext, Need, text


def employee_name(employee: jb.Employee) -> str:
    """The name Desktop gives an employee: first, middle and last name joined."""
    first, last = _names(employee)
    return " ".join(p for p in (first, last) if p)


def need(code: int | str, employee: jb.Employee | None = None) -> Need:
    """The employee ``code`` as a time record references it."""
    return Need("employee", str(code), employee_name(employee) if employee else str(code))


def _names(e: jb.Employee) -> tuple[str | None, str | None]:
    return text(e.first_name), text(e.last_name) or text(e.name)


def _fields(e: jb.Employee) -> dict[str, Any]:
    first, last = _names(e)
    addr = e.address
    # An employee's address has no name line.
    home = None if addr.is_empty else rq.Address(
        addr1=text(addr.line1), addr2=text(addr.line2), city=text(addr.city),
        state=text(addr.state), postal_code=text(addr.postal_code))
    return dict(first_name=first, last_name=last, employee_address=home, phone=text(e.phone),
                hired_date=e.hire_date)


def employee_add(e: jb.Employee, ctx: MapContext) -> rq.EmployeeAdd:
    return rq.EmployeeAdd(external_guid=ctx.guid(e.key, since="8.0"), **_fields(e))


def employee_mod(e: jb.Employee, list_id: str, edit_sequence: str, ctx: MapContext) -> rq.EmployeeMod:
    return rq.EmployeeMod(list_id=list_id, edit_sequence=edit_sequence, **_fields(e))


def _by_name(n: Need) -> jb.Employee:
    """An employee JobBOSS2 did not return: added by name only."""
    return jb.Employee(empl_code=int(n.key) if n.key.isdigit() else 0, name=n.name,
                       first_name=None, last_name=n.name, address=jb.Address(), phone=None,
                       hire_date=None, pay_rates={}, active=True)


def _read(reader: JobBossReader, keys: Sequence[str] | None = None,
          changed_since: datetime | None = None) -> Iterable[jb.Employee]:
    if keys is None:
        return reader.employees(changed_since=changed_since)
    codes = [int(k) for k in keys if k.isdigit()]  # EmplCode is a number
    return reader.employees(codes) if codes else ()


KIND: ListKind[jb.Employee] = named_record_kind(
    entity="employee", table="EmplCode", query=query_of(rq.EmployeeQuery), sync_order=3,
    record_type=jb.Employee, key_of=lambda e: str(e.empl_code), need=need, read=_read,
    add=employee_add, mod=employee_mod, by_name=_by_name)
