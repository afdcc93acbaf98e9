"""A QuickBooks stand-in: a stateful company file that answers qbXML.

It validates every message against Intuit's schema, enforces names,
references and EditSequence, pages queries with iterators and writes
responses that validate. It never uses the service's own request builders.
"""

from qbwc_service.simulator.quickbooks.company import QuickBooksCompany
from qbwc_service.simulator.quickbooks.errors import PARSE_HRESULT, QbXmlParseFailure, Status
from qbwc_service.simulator.quickbooks.hcp import PRODUCTS, Product, product_for

__all__ = ["PARSE_HRESULT", "PRODUCTS", "Product", "QbXmlParseFailure", "QuickBooksCompany", "Status",
           "product_for"]
