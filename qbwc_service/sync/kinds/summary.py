"""What a person reads about one record in a list: document, number, name, date, amount.

Each transaction kind declares ``summary`` (see :class:`~.base.TxnKind`): a
function from its JobBOSS2 record and unit index to a :class:`Summary`. The
admin pages show these fields instead of internal keys; nothing here is sent
to QuickBooks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Summary:
    """One record in the accountant's words.

    ``party_entity`` is the ID map entity of ``party`` (``customer``, ``vendor``,
    ``employee``), so a page can show the name QuickBooks knows it by; ``party``
    is the JobBOSS2 code, ``party_name`` a name the record itself carries.
    """

    document: str
    number: str
    party_entity: str = ""
    party: str = ""
    party_name: str = ""
    day: date | None = None
    amount: Decimal | None = None
    #: A quantity that is not money (hours of a time record), shown as is.
    quantity: str = ""
