"""The default accounts named in the settings (``defaults.*_account``) as QuickBooks accounts.

They are QuickBooks names, not JobBOSS2 records: the AR and AP accounts of
invoices and bills, the expense account of lines without a GL account, the
accounts new items are created with. ``sync defaults`` ensures them all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from qbwc_service.qbxml import requests as rq
from qbwc_service.sync.kinds.base import ListKind, query_of
from qbwc_service.sync.kinds.context import MapContext, Need, list_name
from qbwc_service.sync.settings import SyncSettings

#: What each default-account setting is for: (setting key, QuickBooks account type).
DEFAULT_ACCOUNTS: dict[str, tuple[str, rq.AccountType]] = {
    "income": ("defaults.income_account", "Income"),
    "cogs": ("defaults.cogs_account", "CostOfGoodsSold"),
    "asset": ("defaults.asset_account", "OtherCurrentAsset"),
    "expense": ("defaults.expense_account", "CostOfGoodsSold"),
    "ar": ("defaults.ar_account", "AccountsReceivable"),
    "ap": ("defaults.ap_account", "AccountsPayable"),
}


def need(settings: SyncSettings, purpose: str) -> Need:
    """The default account for ``purpose`` (a key of :data:`DEFAULT_ACCOUNTS`)."""
    name = settings[DEFAULT_ACCOUNTS[purpose][0]]
    return Need("qb_account", name, name)


def ref_for(ctx: MapContext) -> Callable[[str], rq.Ref]:
    """``purpose -> the reference to that default account`` in a request."""
    return lambda purpose: ctx.ref(need(ctx.settings, purpose))


def default_account_add(name: str, account_type: str) -> rq.AccountAdd:
    return rq.AccountAdd(name=list_name(name, "account"), account_type=account_type)  # type: ignore[arg-type]


def _account_type(n: Need, settings: SyncSettings) -> Mapping[str, str]:
    """The type the account is created with: that of the first setting naming it."""
    for setting_key, account_type in DEFAULT_ACCOUNTS.values():
        if settings[setting_key] == n.name:
            return {"account_type": account_type}
    return {"account_type": "Expense"}


def defaults(settings: SyncSettings) -> list[Need]:
    """What ``sync defaults`` ensures: every default account set."""
    return [need(settings, p) for p, (key, _type) in DEFAULT_ACCOUNTS.items() if settings[key]]


KIND: ListKind[object] = ListKind(
    entity="qb_account", table="Account", query=query_of(rq.AccountQuery), priority=10, sync_order=8,
    add=lambda n, _record, payload, _ctx: default_account_add(n.name, payload.account_type or "Expense"),
    planned_with=_account_type, defaults=defaults,
)
