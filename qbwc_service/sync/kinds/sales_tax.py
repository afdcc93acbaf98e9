"""Sales tax codes (JobBOSS2 ``TaxCode``) as QuickBooks sales tax items (US) or codes.

The service never creates them: a code QuickBooks lacks is remembered as
absent and invoices go without it, with a warning.
"""

from __future__ import annotations

from collections.abc import Callable

from qbwc_service.jobboss import records as jb
from qbwc_service.jobboss.reader import JobBossReader
from qbwc_service.qbxml import requests as rq
from qbwc_service.sync.kinds.base import ListKind
from qbwc_service.sync.kinds.context import Need


def need(code: str) -> Need:
    """The tax code ``code`` as an invoice references it."""
    return Need("sales_tax", code, code)


def _query(country: str) -> Callable[..., rq.Request]:
    # US companies tax with sales tax items; Canada and the UK with sales tax codes.
    return rq.ItemSalesTaxQuery if country.upper() in ("US", "") else rq.SalesTaxCodeQuery


KIND: ListKind[jb.TaxCode] = ListKind(
    entity="sales_tax", table="TaxCode", query=_query, priority=20, sync_order=7,
    record_type=jb.TaxCode, key_of=lambda t: t.code,
    read=JobBossReader.tax_codes,
    absent_ok=True,
)
