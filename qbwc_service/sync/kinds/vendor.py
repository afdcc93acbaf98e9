"""Vendors (JobBOSS2 ``VendCode``) as QuickBooks vendors.

Named by ``QBVendCode`` when set, else the vendor name; added when missing,
sent as a ``VendorMod`` when changed (``options.update_after_edit``). The
1099 flag exists in US companies only.
"""

from __future__ import annotations

from typing import Any

from qbwc_service.jobboss import records as jb
from qbwc_service.jobboss.reader import JobBossReader
from qbwc_service.qbxml import requests as rq
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
NAMES = NameRule("vendor", 41, "names", "vendor name")


def need(code: str, vendor: jb.Vendor | None = None) -> Need:
    """The vendor ``code`` as a bill references it."""
    return Need("vendor", code, vendor.qb_name if vendor else code)


def _fields(v: jb.Vendor, name: str, ctx: MapContext) -> dict[str, Any]:
    # A vendor under a mapped name keeps its JobBOSS2 name in the notes.
    return dict(company_name=text(v.name), vendor_address=address(v.address),
                phone=text(v.phone), fax=text(v.fax), account_number=text(v.account_number),
                notes=noted(original_note(NAMES, v.qb_name, name), None),
                vendor_tax_ident=text(v.tax_id),
                is_vendor_eligible_for_1099=v.is_1099 if ctx.is_us else None)


def _name(v: jb.Vendor, ctx: MapContext) -> str:
    return list_name(ctx.name(NAMES, v.vend_code, v.qb_name), "vendor")


def vendor_add(v: jb.Vendor, ctx: MapContext) -> rq.VendorAdd:
    name = _name(v, ctx)
    return rq.VendorAdd(name=name, external_guid=ctx.guid(v.key, since="8.0"),
                        **_fields(v, name, ctx))


def vendor_mod(v: jb.Vendor, list_id: str, edit_sequence: str, ctx: MapContext) -> rq.VendorMod:
    name = _name(v, ctx)
    return rq.VendorMod(list_id=list_id, edit_sequence=edit_sequence, name=name,
                        **_fields(v, name, ctx))


def _by_name(n: Need) -> jb.Vendor:
    """A vendor JobBOSS2 did not return: added by name only."""
    return jb.Vendor(vend_code=n.key, name=n.name, qb_name=n.name, terms_code=None,
                     address=jb.Address(), phone=None, account_number=None, is_1099=False,
                     tax_id=None, gl_acct=None, active=True)


KIND: ListKind[jb.Vendor] = named_record_kind(
    entity="vendor", table="VendCode", query=query_of(rq.VendorQuery), sync_order=2,
    record_type=jb.Vendor, key_of=lambda v: v.vend_code, need=need, read=JobBossReader.vendors,
    add=vendor_add, mod=vendor_mod, by_name=_by_name, names=NAMES)
