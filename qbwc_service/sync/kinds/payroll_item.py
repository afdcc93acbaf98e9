"""Payroll wage items (``defaults.payroll_item.N`` per JobBOSS2 pay rate code).

The service never creates them: a missing one fails its ensure job, and the
time records that need it wait, with what to do said in the error.
"""

from __future__ import annotations

from qbwc_service.qbxml import requests as rq
from qbwc_service.sync.kinds.base import ListKind, query_of
from qbwc_service.sync.kinds.context import Need


def need(name: str) -> Need:
    """The payroll wage item ``name`` as a time record references it."""
    return Need("payroll_item", name, name)


KIND: ListKind[object] = ListKind(
    entity="payroll_item", table="PayrollItem", query=query_of(rq.PayrollItemWageQuery),
    priority=20, sync_order=10,
    missing_hint="create the payroll wage item in QuickBooks or set defaults.payroll_item.N to "
                 "an existing one",
)
