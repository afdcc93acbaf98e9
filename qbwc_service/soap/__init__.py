"""The QuickBooks Web Connector SOAP edge.

Kept thin on purpose: :mod:`.callbacks` holds one small function per
callback (tickets, passwords, throttling, session rows) and hands every
decision about qbXML to a :class:`~qbwc_service.sync.contract.SyncEngine`;
:mod:`.service` is the spyne plumbing that exposes those functions with
Intuit's exact element names; :mod:`.guard` refuses unsafe XML and parses
each body once; :mod:`.fastpath` answers the plain calls from that parse
with the same operation functions (spyne answers the rest and the WSDL).
"""

# First: spyne's own copy of six cannot be imported on Python 3.12+.
from qbwc_service.soap import spyne_compat  # noqa: F401  # isort: skip
from qbwc_service.soap.callbacks import QbwcCallbacks, QbwcSettings
from qbwc_service.soap.service import NAMESPACE, create_soap_app

__all__ = ["NAMESPACE", "QbwcCallbacks", "QbwcSettings", "create_soap_app"]
