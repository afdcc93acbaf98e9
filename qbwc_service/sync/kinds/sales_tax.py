"""Sales tax codes (JobBOSS2 ``TaxCode``) as QuickBooks sales tax items (US) or codes.

US companies: each JobBOSS2 tax code is a sales tax item. ``tax.code_map``
maps a code to an existing QuickBooks item (``TX-TRAVIS=Travis County``): it
is adopted by that name and never created. An unmapped code is looked up by
its own name, adopted when QuickBooks has it, else added (``ItemSalesTaxAdd``)
at the ``TaxFactor`` of JobBOSS2's ``TaxCode`` table, paid to the tax agency
vendor of ``tax.agency_vendor`` (ensured first: adopted or created). The
``tax.zero_item`` (0 %) is ensured the same way, by ``sync defaults`` too: it
is the header tax item of every invoice with tax, whose tax then stands on a
line of its own (see :mod:`.invoice`).

A code that cannot be added (missing from JobBOSS2's TaxCode table, a NULL or
negative TaxFactor, a mapped item QuickBooks lacks, a Canadian or UK file
where codes are QuickBooks' own) is remembered as absent with the reason as a
warning; an invoice that needs it for its tax then fails naming the code.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from qbwc_service.jobboss import records as jb
from qbwc_service.jobboss.reader import JobBossReader
from qbwc_service.qbxml import requests as rq
from qbwc_service.sync.kinds import vendor
from qbwc_service.sync.kinds.base import ListKind
from qbwc_service.sync.kinds.context import BuildError, MapContext, Need, list_name
from qbwc_service.sync.kinds.payload import JobPayload
from qbwc_service.sync.settings import SyncSettings


def _mapped(settings: SyncSettings | None) -> dict[str, str]:
    if settings is None:
        return {}
    return {code.casefold(): name for code, name in settings["tax.code_map"]}


def need(code: str, settings: SyncSettings | None = None) -> Need:
    """The tax code ``code`` as an invoice references it: named as ``tax.code_map`` maps it."""
    return Need("sales_tax", code, _mapped(settings).get(code.casefold(), code))


def zero_need(settings: SyncSettings) -> Need:
    """The 0 % header item of invoices whose tax is a line of its own."""
    name = settings["tax.zero_item"]
    return Need("sales_tax", name, name)


def agency_need(settings: SyncSettings) -> Need:
    """The tax agency vendor of the sales tax items the service adds."""
    return vendor.need(settings["tax.agency_vendor"])


def _query(country: str) -> Callable[..., rq.Request]:
    # US companies tax with sales tax items; Canada and the UK with sales tax codes.
    return rq.ItemSalesTaxQuery if country.upper() in ("US", "") else rq.SalesTaxCodeQuery


def sales_tax_add(want: Need, record: jb.TaxCode | None, ctx: MapContext) -> rq.ItemSalesTaxAdd:
    """The ``ItemSalesTaxAdd`` of a tax code or of the 0 % item (raises :class:`BuildError`)."""
    settings = ctx.settings
    if not ctx.is_us:
        raise BuildError(f"a {ctx.country} QuickBooks file taxes with its own sales tax codes: "
                         f"create {want.name!r} in QuickBooks")
    agency = ctx.ref(agency_need(settings))
    if want == zero_need(settings):
        return rq.ItemSalesTaxAdd(name=list_name(want.name, "sales tax item"), tax_rate=Decimal(0),
                                  item_desc="No tax here: the JobBOSS2 tax is a line of its own",
                                  tax_vendor=agency)
    if want.key.casefold() in _mapped(settings):
        raise BuildError(f"tax.code_map maps tax code {want.key!r} to {want.name!r}, which is not "
                         "in QuickBooks: create that sales tax item or fix the map")
    if record is None:
        raise BuildError(f"tax code {want.key!r} is not in JobBOSS2's TaxCode table")
    if record.rate is None or record.rate < 0:
        raise BuildError(f"TaxCode {want.key!r}: TaxFactor {record.rate} is not a rate "
                         "(NULL or negative)")
    return rq.ItemSalesTaxAdd(name=list_name(want.name, "sales tax item"),
                              item_desc=record.description, tax_rate=record.rate, tax_vendor=agency)


def _add(want: Need, record: object | None, _payload: JobPayload, ctx: MapContext) -> rq.Request:
    return sales_tax_add(want, record if isinstance(record, jb.TaxCode) else None, ctx)


def _planned_name(want: Need, settings: SyncSettings) -> dict[str, str]:
    """Whatever path plans the ensure job, it looks for the QuickBooks name the map gives."""
    return {"name": _mapped(settings).get(want.key.casefold(), want.name)}


KIND: ListKind[jb.TaxCode] = ListKind(
    entity="sales_tax", table="TaxCode", query=_query, priority=20, sync_order=7,
    record_type=jb.TaxCode, key_of=lambda t: t.code,
    read=JobBossReader.tax_codes,
    add=_add,
    needs=lambda settings: [agency_need(settings)],
    planned_with=_planned_name,
    defaults=lambda settings: [zero_need(settings)],
    absent_ok=True,
    noun="sales tax item", plural="sales tax items",
)
