"""HostQuery, CompanyQuery and PreferencesQuery asked in a request message."""

from __future__ import annotations

from lxml import etree

from qbwc_service.simulator.quickbooks import hcp, writer
from qbwc_service.simulator.quickbooks.context import Company
from qbwc_service.simulator.quickbooks.errors import OK
from qbwc_service.simulator.quickbooks.handlers.common import Handler, rs_name


def host_query(company: Company, request: etree._Element) -> etree._Element:
    record = hcp.host_record(company.product)
    return writer.rs_element(request, rs_name(request), OK, [writer.ret_element("HostRet", record)])


def company_query(company: Company, request: etree._Element) -> etree._Element:
    # DataExt values come back only for the OwnerIDs the request names, as in QuickBooks.
    asked = {(o.text or "").strip("{}").casefold() for o in request.iterfind("OwnerID")}
    stamps = {owner: file_id for owner, file_id in company.owner_file_ids.items()
              if owner.strip("{}").casefold() in asked}
    record = hcp.company_record(company, stamps)
    return writer.rs_element(request, rs_name(request), OK, [writer.ret_element("CompanyRet", record)])


def preferences_query(company: Company, request: etree._Element) -> etree._Element:
    record = hcp.preferences_record(company)
    return writer.rs_element(request, rs_name(request), OK, [writer.ret_element("PreferencesRet", record)])


HANDLERS: dict[str, Handler] = {
    "HostQueryRq": host_query,
    "CompanyQueryRq": company_query,
    "PreferencesQueryRq": preferences_query,
}
