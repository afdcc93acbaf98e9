"""A QuickBooks stand-in: a stateful company file that answers qbXML.

It validates every message against its own copy of Intuit's schema
(:mod:`.schema`; never the service's validator or schemas), enforces names,
references and EditSequence, pages queries with iterators and writes
responses that validate. It never uses the service's own request builders.

What it refuses, as QuickBooks does (statusCode: message). Whole-message
failures raise :class:`QbXmlParseFailure` (HRESULT 0x80040400): a message that
does not parse or validate, has no ``<?qbxml version?>`` or one this
QuickBooks lacks, uses an element newer than its version, or carries a raw
non-ASCII character. Per request:

- 3070, names (and every other string) over their limits, the ``maxLength``
  of the schema (Customer/Vendor 41, items, accounts and terms 31, employee
  first/last 25, middle 5, Invoice RefNumber 11, Bill 20 ...):
  ``The string "X" in the field "Name" is too long.``; the other requests of
  the message go on.
- 3100, a name in use in its namespace, compared without case:
  ``The name "X" of the list element is already in use.``
- 3120, a Mod of a ListID that does not exist:
  ``Object "X" specified in the request cannot be found.``
- 3140, a reference to a list entry that does not exist or is of the wrong
  list: ``There is an invalid reference to QuickBooks Customer "X" in the Invoice.``
- 3200, a Mod with an old EditSequence:
  ``The provided edit sequence "N" is out-of-date.``
- 3210, an empty name, or a job made its own parent:
  ``The "Name" field has an invalid value "".``

and the refusals of :data:`.rules.REFUSALS`, one entry each:

- colon in a name, 3210: a ``:`` in Name (or an employee's First, Middle or
  Last name) of a list Add or Mod: ``The "Name" field has an invalid value
  "A:B". QuickBooks error message: ":" separates the levels of a name and
  cannot be part of one.``
- inventory off, 3250: an ItemInventoryAdd while the file does not use
  inventory: ``This feature is not enabled or not available in this version
  of QuickBooks.``
- time tracking off, 3250: a TimeTrackingAdd while the file does not track
  time (same message).
- inventory item without its accounts, 3180: an ItemInventoryAdd lacking its
  IncomeAccountRef, COGSAccountRef or AssetAccountRef: ``There was an error
  when saving an Item list element. QuickBooks error message: An inventory
  item needs an income, a COGS and an asset account ("X" lacks COGSAccount).``
- inventory value without quantity, 3210: a TotalValue without a
  QuantityOnHand above zero: ``The "TotalValue" field has an invalid value
  "50.00". QuickBooks error message: A total value needs a quantity on hand
  above zero.``
- bill without lines, 3180: a BillAdd with neither expense nor item lines:
  ``There was an error when saving a Bill transaction. QuickBooks error
  message: A transaction must have at least one line.``
- total below zero, 3180: an invoice, bill, credit memo or vendor credit whose
  total (as computed) is below zero: ``There was an error when saving an
  Invoice transaction. QuickBooks error message: Transaction amount must be
  positive.`` (a credit is sent as a CreditMemoAdd or VendorCreditAdd).
- exchange rate for another currency than the customer's, 3140: with
  multicurrency on, an invoice or credit memo (whose currency is always its
  customer's) with an ExchangeRate other than 1 for a customer in the home
  currency: ``There is an invalid reference to QuickBooks Customer "X" in the
  Invoice. QuickBooks error message: The transaction currency is the
  customer's currency, US Dollar (the home currency); exchange rate 1.1 is for
  another currency.`` A customer or vendor added with a ``CurrencyRef``
  outside the currency list (:mod:`.currencies`) is an ordinary 3140.
- billable time without customer and service item, 3180: BillableStatus
  ``Billable`` on a TimeTrackingAdd lacking CustomerRef or ItemServiceRef:
  ``... QuickBooks error message: Billable time needs a customer:job and a
  service item.``
- reference to an inactive entry, 3140: any reference, in the record or a
  line, to a list entry made inactive: ``There is an invalid reference to
  QuickBooks Customer "X" in the Invoice. QuickBooks error message: This list
  element is inactive.`` (``in the Invoice line.`` for a line).
- dated on or before the closing date, 3171: a transaction dated on or before
  the ``closing_date`` setting: ``There was an error when saving an Invoice
  transaction. QuickBooks error message: The date D is on or before the
  closing date C.``

Where no public source gives QuickBooks' exact words (the ``:`` in a name,
the missing inventory accounts, the empty bill, billable time), the code is
the one QuickBooks uses for that family of refusal and the message says what
is wrong in the same form.
"""

from qbwc_service.simulator.quickbooks.company import QuickBooksCompany
from qbwc_service.simulator.quickbooks.errors import PARSE_HRESULT, QbXmlParseFailure, Status
from qbwc_service.simulator.quickbooks.products import PRODUCTS, Product, product_for

__all__ = ["PARSE_HRESULT", "PRODUCTS", "Product", "QbXmlParseFailure", "QuickBooksCompany", "Status",
           "product_for"]
