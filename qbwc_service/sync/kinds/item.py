"""Parts (JobBOSS2 ``Estim``) as QuickBooks items.

A part becomes a Service item, or an Inventory item when
``options.parts_as_service_items`` is off, created with the default
accounts (which its ensure job waits for). A changed part is sent as a Mod
of the item type QuickBooks holds it as, read first.
"""

from __future__ import annotations

from qbwc_service.jobboss import records as jb
from qbwc_service.jobboss.reader import JobBossReader
from qbwc_service.qbxml import requests as rq
from qbwc_service.sync.kinds import default_account
from qbwc_service.sync.kinds.base import ListKind, query_of
from qbwc_service.sync.kinds.context import (
    BuildError,
    MapContext,
    Need,
    list_name,
    noted,
    original_note,
    text,
)
from qbwc_service.sync.names.rule import NameRule
from qbwc_service.sync.settings import SyncSettings

#: A part number is an item name: 31 characters, in the one namespace all items share.
NAMES = NameRule("item", 31, "items", "part number")


def need(part_no: str) -> Need:
    """The part ``part_no`` as a line references it."""
    return Need("item", part_no, part_no)


def account_needs(settings: SyncSettings, service: bool) -> list[Need]:
    """The accounts a new item is created with."""
    purposes = ("income", "expense") if service else ("income", "cogs", "asset")
    return [default_account.need(settings, p) for p in purposes]


def _desc(part: jb.Part | None, fallback: str | None) -> str | None:
    return text(part.description) if part is not None and part.description else text(fallback)


def item_add(part_no: str, part: jb.Part | None, fallback_desc: str | None,
             ctx: MapContext) -> rq.ItemServiceAdd | rq.ItemInventoryAdd:
    """A JobBOSS2 part as a Service item, or an Inventory item per the option.

    A part sent under a mapped name carries its JobBOSS2 part number at the head of
    its descriptions, where the accountant finds it.
    """
    name = list_name(ctx.name(NAMES, part_no, part_no), "item")
    desc = noted(original_note(NAMES, part_no, name), _desc(part, fallback_desc))
    price = part.price if part is not None else None
    cost = part.cost if part is not None else None
    guid = ctx.guid(part.key if part is not None else f"Estim:{part_no}", since="8.0")
    account = default_account.ref_for(ctx)
    if ctx.settings["options.parts_as_service_items"]:
        return rq.ItemServiceAdd(name=name, external_guid=guid, sales_and_purchase=rq.SalesAndPurchase(
            sales_desc=desc, sales_price=price, income_account=account("income"),
            purchase_desc=desc, purchase_cost=cost, expense_account=account("expense")))
    return rq.ItemInventoryAdd(
        name=name, external_guid=guid, sales_desc=desc, sales_price=price,
        income_account=account("income"), purchase_desc=desc, purchase_cost=cost,
        cogs_account=account("cogs"), asset_account=account("asset"))


def item_mod(part: jb.Part, ret_type: str, list_id: str, edit_sequence: str,
             ctx: MapContext) -> rq.ItemServiceMod | rq.ItemInventoryMod:
    """A changed part as a Mod of the item type QuickBooks holds it as."""
    name = list_name(ctx.name(NAMES, part.part_no, part.part_no), "item")
    desc = noted(original_note(NAMES, part.part_no, name), text(part.description))
    if ret_type == "ItemInventoryRet":
        return rq.ItemInventoryMod(list_id=list_id, edit_sequence=edit_sequence, name=name,
                                   sales_desc=desc, sales_price=part.price, purchase_desc=desc,
                                   purchase_cost=part.cost)
    if ret_type not in ("ItemServiceRet", ""):
        raise BuildError(f"item {name!r} is a {ret_type[:-3]} in QuickBooks; "
                         "only service and inventory items are updated")
    return rq.ItemServiceMod(list_id=list_id, edit_sequence=edit_sequence, name=name,
                             sales_and_purchase=rq.SalesAndPurchase(
                                 sales_desc=desc, sales_price=part.price, purchase_desc=desc,
                                 purchase_cost=part.cost))


KIND: ListKind[jb.Part] = ListKind(
    entity="item", table="Estim", query=query_of(rq.ItemQuery), sync_order=4,
    record_type=jb.Part, key_of=lambda p: p.part_no,
    read=JobBossReader.parts,
    add=lambda n, part, _payload, ctx: item_add(n.key, part, None, ctx),
    mod=lambda part, held, ctx: item_mod(part, held.ret_type, held.list_id, held.edit_sequence, ctx),
    mod_reads_first=True,
    needs=lambda settings: account_needs(settings, settings["options.parts_as_service_items"]),
    names=NAMES,
)
