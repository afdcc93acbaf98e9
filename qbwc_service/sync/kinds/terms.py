"""Payment terms (JobBOSS2 ``Terms``) as QuickBooks standard terms."""

from __future__ import annotations

from qbwc_service.jobboss import records as jb
from qbwc_service.jobboss.reader import JobBossReader
from qbwc_service.qbxml import requests as rq
from qbwc_service.sync.kinds.base import ListKind, query_of
from qbwc_service.sync.kinds.context import MapContext, Need, list_name
from qbwc_service.sync.names.rule import NameRule

#: Terms have a namespace of their own, 31 characters.
NAMES = NameRule("terms", 31, "terms", "terms code")


def need(code: str) -> Need:
    """The terms ``code`` as an invoice or bill references them."""
    return Need("terms", code, code)


def terms_add(code: str, terms: jb.Terms | None, ctx: MapContext) -> rq.StandardTermsAdd:
    pct = terms.disc_pct if terms is not None and terms.disc_pct else None
    return rq.StandardTermsAdd(
        name=list_name(ctx.name(NAMES, code, code), "terms"),
        std_due_days=terms.net_due_days if terms is not None else None,
        std_discount_days=terms.disc_days if terms is not None and pct else None,
        discount_pct=pct)


KIND: ListKind[jb.Terms] = ListKind(
    entity="terms", table="Terms", query=query_of(rq.TermsQuery), priority=20, sync_order=5,
    record_type=jb.Terms, key_of=lambda t: t.code,
    read=JobBossReader.terms,
    add=lambda n, terms, _payload, ctx: terms_add(n.key, terms, ctx),
    names=NAMES,
)
