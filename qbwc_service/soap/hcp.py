"""Facts about QuickBooks from the first sendRequestXML's ``strHCPResponse``.

The Web Connector passes the answers to a HostQuery, CompanyQuery and
PreferencesQuery once per session. The session row keeps the product and
the qbXML versions QuickBooks supports, for the admin pages and the sync
engine. Anything unreadable (QuickBooks POS sends plain text) gives ``{}``.
"""

from __future__ import annotations

from typing import Any

from qbwc_service import xmlsafe

_HOST_FIELDS = {"ProductName": "product", "MajorVersion": "major_version",
                "MinorVersion": "minor_version", "Country": "country"}


def host_facts(hcp_response: str) -> dict[str, Any]:
    """Product, version, country and supported qbXML versions from HostRet."""
    if not hcp_response.lstrip().startswith("<"):
        return {}
    try:
        root = xmlsafe.parse(hcp_response)
    except xmlsafe.UnsafeXMLError:
        return {}
    host = root.find("./QBXMLMsgsRs/HostQueryRs/HostRet")
    if host is None:
        return {}
    facts: dict[str, Any] = {key: (host.findtext(tag) or "").strip()
                             for tag, key in _HOST_FIELDS.items()}
    facts["supported_qbxml_versions"] = [
        (el.text or "").strip() for el in host.findall("SupportedQBXMLVersion")]
    return facts
