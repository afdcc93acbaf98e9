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
    record = hcp.company_record(company, company.owner_file_ids)
    return writer.rs_element(request, rs_name(request), OK, [writer.ret_element("CompanyRet", record)])


def preferences_query(company: Company, request: etree._Element) -> etree._Element:
    record = hcp.preferences_record(company)
    return writer.rs_element(request, rs_name(request), OK, [writer.ret_element("PreferencesRet", record)])


HANDLERS: dict[str, Handler] = {
    "HostQueryRq": host_query,
    "CompanyQueryRq": company_query,
    "PreferencesQueryRq": preferences_query,
}
