"""Other-charge items named by the service: the freight item (``defaults.freight_item``) and
the item of invoice lines that name no part.

They are QuickBooks names, not JobBOSS2 records, created as ``ItemOtherChargeAdd``
on the default income account when missing.
"""

from __future__ import annotations

from qbwc_service.qbxml import requests as rq
from qbwc_service.sync.kinds import default_account
from qbwc_service.sync.kinds.base import ListKind, query_of
from qbwc_service.sync.kinds.context import MapContext, Need, list_name
from qbwc_service.sync.settings import SyncSettings

#: The item of invoice lines that name no part.
MISC_ITEM = "Misc Charge"


def freight_need(settings: SyncSettings) -> Need:
    """The item carrying shipping and freight charges."""
    name = settings["defaults.freight_item"]
    return Need("qb_item", name, name)


def misc_need() -> Need:
    return Need("qb_item", MISC_ITEM, MISC_ITEM)


def freight_item_add(name: str, ctx: MapContext) -> rq.ItemOtherChargeAdd:
    """The item carrying freight and shipping lines on invoices."""
    return rq.ItemOtherChargeAdd(name=list_name(name, "item"), sales_or_purchase=rq.SalesOrPurchase(
        desc="Freight and shipping", account=ctx.ref(default_account.need(ctx.settings, "income"))))


KIND: ListKind[object] = ListKind(
    entity="qb_item", table="Item", query=query_of(rq.ItemQuery), sync_order=9,
    add=lambda n, _record, _payload, ctx: freight_item_add(n.name, ctx),
    needs=lambda settings: [default_account.need(settings, "income")],
    defaults=lambda settings: [freight_need(settings)],
)
