"""Customers (JobBOSS2 ``CustCode``) as QuickBooks customers.

A customer is named in QuickBooks by its ``QBCustCode`` when set, else its
name; an invoice references it by the ListID the ID map holds, else by that
name. A customer in a foreign currency is added in it when QuickBooks'
multicurrency is on (see :mod:`.currency`). Added when missing; with ``options.update_after_edit`` a changed
customer is sent as a ``CustomerMod``.
"""

from __future__ import annotations

from typing import Any

from qbwc_service.jobboss import records as jb
from qbwc_service.jobboss.reader import JobBossReader
from qbwc_service.qbxml import requests as rq
from qbwc_service.sync.kinds import currency
from qbwc_service.sync.kinds.base import ListKind, named_record_kind, query_of
from qbwc_service.sync.kinds.context import (
    MapContext,
    Need,
    address,
    list_name,
    noted,
    original_note,
    text,
)
from qbwc_service.sync.names.rule import NameRule

#: Customers, vendors, employees and other names share one namespace in QuickBooks.
NAMES = NameRule("customer", 41, "names", "customer name")


def need(code: str, customer: jb.Customer | None = None) -> Need:
    """The customer ``code`` as a transaction references it."""
    return Need("customer", code, customer.qb_name if customer else code)


def _fields(c: jb.Customer, name: str) -> dict[str, Any]:
    # A customer under a mapped name keeps its JobBOSS2 name in the notes.
    return dict(company_name=text(c.name), bill_address=address(c.address), phone=text(c.phone),
                fax=text(c.fax), contact=text(c.contact),
                notes=noted(original_note(NAMES, c.qb_name, name), None))


def _name(c: jb.Customer, ctx: MapContext) -> str:
    return list_name(ctx.name(NAMES, c.cust_code, c.qb_name), "customer")


def customer_add(c: jb.Customer, ctx: MapContext) -> rq.CustomerAdd:
    name = _name(c, ctx)
    return rq.CustomerAdd(name=name, external_guid=ctx.guid(c.key, since="8.0"),
                          currency=currency.customer_currency(c, ctx), **_fields(c, name))


def customer_mod(c: jb.Customer, list_id: str, edit_sequence: str, ctx: MapContext) -> rq.CustomerMod:
    name = _name(c, ctx)
    return rq.CustomerMod(list_id=list_id, edit_sequence=edit_sequence, name=name,
                          **_fields(c, name))


def _by_name(n: Need) -> jb.Customer:
    """A customer JobBOSS2 did not return: added by name only."""
    return jb.Customer(cust_code=n.key, name=n.name, qb_name=n.name, terms_code=None,
                       tax_code=None, address=jb.Address(), phone=None, fax=None, contact=None,
                       active=True)


KIND: ListKind[jb.Customer] = named_record_kind(
    entity="customer", table="CustCode", query=query_of(rq.CustomerQuery), sync_order=1,
    record_type=jb.Customer, key_of=lambda c: c.cust_code, need=need, read=JobBossReader.customers,
    add=customer_add, mod=customer_mod, by_name=_by_name, names=NAMES)
