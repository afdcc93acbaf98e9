"""GL accounts (JobBOSS2 ``GLAccounts``) as QuickBooks accounts.

An account is named by its description (its number when it has none), or by
the name map when that is longer than QuickBooks' 31 characters; the number
goes in AccountNumber when it fits QuickBooks' 7, else in the description. Bill lines reference the account
of their distribution.
"""

from __future__ import annotations

from qbwc_service.jobboss import records as jb
from qbwc_service.jobboss.reader import JobBossReader
from qbwc_service.qbxml import requests as rq
from qbwc_service.sync.kinds.base import ListKind, query_of
from qbwc_service.sync.kinds.context import MapContext, Need, list_name, noted, text
from qbwc_service.sync.names.rule import NameRule

#: Accounts have a namespace of their own; a name (the GL description) holds 31 characters.
NAMES = NameRule("account", 31, "accounts", "account name")
#: QuickBooks' limit on AccountNumber (JobBOSS2 GL numbers run to 12).
ACCOUNT_NUMBER_MAX = 7


def account_name(account: jb.GlAccount) -> str:
    """A GL account's QuickBooks name: its description (the number when it has none)."""
    return (text(account.description) or account.number).replace(":", "-")


def need(number: str, account: jb.GlAccount | None = None) -> Need:
    """The GL account ``number`` as a line references it."""
    return Need("account", number, account_name(account) if account else number)


def account_add(number: str, account: jb.GlAccount | None, ctx: MapContext) -> rq.AccountAdd:
    """The account, named as the name map says; the full description stays in ``Desc``."""
    name = account_name(account) if account is not None else number
    name = ctx.name(NAMES, number, name)
    kind = account.account_type if account is not None else "Expense"
    fits = len(number) <= ACCOUNT_NUMBER_MAX
    desc = text(account.description) if account is not None else None
    return rq.AccountAdd(name=list_name(name, "account"), account_type=kind,  # type: ignore[arg-type]
                         account_number=number if fits else None,
                         desc=desc if fits else noted(f"JobBOSS2 GL account number: {number}", desc))


KIND: ListKind[jb.GlAccount] = ListKind(
    entity="account", table="GLAccounts", query=query_of(rq.AccountQuery), priority=10,
    sync_order=6, record_type=jb.GlAccount, key_of=lambda a: a.number, need=need,
    read=JobBossReader.gl_accounts,
    add=lambda n, account, _payload, ctx: account_add(n.key, account, ctx),
    names=NAMES,
)
