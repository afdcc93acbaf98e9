"""Facts about QuickBooks from the first sendRequestXML's ``strHCPResponse``.

The Web Connector passes the answers to a HostQuery, CompanyQuery and
PreferencesQuery once per session. The session row keeps the product and
the qbXML versions QuickBooks supports, for the admin pages and the sync
engine. Reading is :func:`qbwc_service.qbxml.parse_host_response`'s job;
anything without a HostRet (QuickBooks POS sends plain text) gives ``{}``.
"""

from __future__ import annotations

from typing import Any

from qbwc_service.qbxml.parse import parse_host_response


def host_facts(hcp_response: str) -> dict[str, Any]:
    """Product, version, country and supported qbXML versions from HostRet."""
    if not hcp_response.lstrip().startswith("<"):
        return {}
    host = parse_host_response(hcp_response)
    if host.product_name is None and not host.supported_versions:
        return {}
    return {"product": host.product_name or "",
            "major_version": "" if host.major_version is None else str(host.major_version),
            "minor_version": "" if host.minor_version is None else str(host.minor_version),
            "country": host.country or "",
            "supported_qbxml_versions": list(host.supported_versions)}
