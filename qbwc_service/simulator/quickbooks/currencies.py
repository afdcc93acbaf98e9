"""QuickBooks' currencies: its built-in list and the stand-in's home currency.

QuickBooks names currencies in words ("Euro", "Canadian Dollar"); a reference
(``CurrencyRef``) names one of these, else it is refused with 3140.
"""

from __future__ import annotations

#: The built-in currency list (name, ISO code). A fresh file holds it; it is used only with
#: multicurrency on, when a customer or vendor may be added in one (``CurrencyRef``).
CURRENCIES: tuple[tuple[str, str], ...] = (
    ("US Dollar", "USD"), ("Canadian Dollar", "CAD"), ("Euro", "EUR"),
    ("British Pound Sterling", "GBP"), ("Mexican Peso", "MXN"), ("Australian Dollar", "AUD"),
    ("Japanese Yen", "JPY"), ("Swiss Franc", "CHF"), ("Chinese Yuan Renminbi", "CNY"),
    ("Indian Rupee", "INR"), ("Swedish Krona", "SEK"), ("New Zealand Dollar", "NZD"),
    ("Hong Kong Dollar", "HKD"), ("Singapore Dollar", "SGD"),
)

#: The home currency of a stand-in file with multicurrency on.
HOME_CURRENCY = "US Dollar"
