"""The character policy: what text QuickBooks can store, and what we do with the rest.

QuickBooks Desktop stores ISO-8859-1 (Latin-1) only. Raw UTF-8 beyond ASCII is
rejected with "QuickBooks found an error with the XML"; characters outside
Latin-1 sent as references are stored as ``?``. So every text value goes
through :func:`clean` before it becomes an element:

1. ``\\r\\n`` and ``\\r`` become ``\\n``; tab becomes a space.
2. Control characters (C0 except newline, DEL, C1), surrogates, non-characters
   and format characters (zero-width space, BOM...) are removed.
3. Newlines are kept only in multi-line fields (Memo, Notes, descriptions);
   elsewhere they become a space.
4. Characters outside Latin-1 are folded: typographic punctuation to its ASCII
   twin (curly quotes to ``'``/``"``, en/em dash to ``-``, ellipsis to ``...``,
   non-breaking and other spaces to a space, ``€`` to ``EUR``), then Unicode
   compatibility decomposition (NFKD) without combining marks (``ő`` -> ``o``,
   ``ﬁ`` -> ``fi``); whatever is still outside Latin-1 becomes ``?``.
5. Latin-1 letters (``é``, ``ß``, ``£``) are kept; the serializer writes every
   non-ASCII character as a numeric character reference (``&#233;``), the form
   QuickBooks accepts, so the message itself is pure ASCII.

The builders also strip leading and trailing whitespace (JobBOSS pads its
``char`` codes); that alone is not reported. Every other change is reported to the caller as a
:class:`~qbwc_service.qbxml.fields.FieldWarning`. Names (list ``Name``
elements) must not contain ``:``, QuickBooks' level separator: that is a
:class:`~qbwc_service.qbxml.fields.QbxmlFieldError`, not a silent change.
"""

from __future__ import annotations

import unicodedata

FOLDS: dict[str, str] = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u2039": "<",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u203a": ">",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u2026": "...", "\u2022": "*", "\u20ac": "EUR", "\u2122": "TM", "\u2044": "/",
    "\u2028": "\n", "\u2029": "\n",
    "\u0141": "L", "\u0142": "l", "\u0110": "D", "\u0111": "d", "\u0152": "OE", "\u0153": "oe",
    "\u0131": "i", "\u0126": "H", "\u0127": "h",
}
"""Non-Latin-1 characters with a customary ASCII spelling (applied before NFKD)."""

MULTILINE_FIELDS = frozenset({"Memo", "Notes", "Desc", "SalesDesc", "PurchaseDesc", "JobDesc"})
"""Elements where a newline is meaningful and kept."""

REPLACEMENT = "?"


def clean(value: str, tag: str = "") -> str:
    """*value* made storable by QuickBooks (see the module docstring); ``tag`` decides newlines."""
    if value.isascii() and value.isprintable():  # " " to "~" only: the usual case, kept as is
        return value
    text = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    keep_newline = tag in MULTILINE_FIELDS
    return "".join(_storable(ch, keep_newline) for ch in text)


def is_latin1(text: str) -> bool:
    """True when every character of *text* is in ISO-8859-1."""
    return all(ord(ch) < 256 for ch in text)


def _storable(ch: str, keep_newline: bool) -> str:
    if ch == "\n":
        return ch if keep_newline else " "
    if " " <= ch <= "~":
        return ch
    category = unicodedata.category(ch)
    if category in ("Cc", "Cs", "Co", "Cn", "Cf"):
        return ""
    if category == "Zs":
        return " " if ch != "\u00a0" else ch
    if ord(ch) < 256:
        return ch
    if ch in FOLDS:
        return FOLDS[ch] if keep_newline or FOLDS[ch] != "\n" else " "
    folded = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if folded and is_latin1(folded) and all(unicodedata.category(c)[0] != "C" for c in folded):
        return folded
    return REPLACEMENT
