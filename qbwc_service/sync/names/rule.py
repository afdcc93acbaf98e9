"""How a name or number too long for QuickBooks is shortened, and what a name may be.

The rule (documented in the README): when a JobBOSS2 value is longer than the
kind's QuickBooks limit, keep its start and end it with ``~`` and four
characters of the SHA-256 of the full value, written in Crockford's base 32
(digits and capitals without I, L, O, U)::

    HYD-MANIFOLD-ASSY-4-PORT-STAINLESS-316L-REV-C  ->  HYD-MANIFOLD-ASSY-4-PORT-S~6D9Q

The start is cut so the result is exactly the limit long, with trailing
spaces and separators dropped. The same value gives the same name on every
machine and every run. When that name is taken in the namespace by another
record, the hash is taken again over ``value#1``, ``value#2``... until it is
free; the name given is kept in the name map, so it never changes afterwards.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from qbwc_service.qbxml.text import REPLACEMENT, clean

#: Separates the kept start from the hash; rare in JobBOSS2 codes, legal in QuickBooks names.
SEPARATOR = "~"
#: Characters of hash: 32**4, about a million values per start.
HASH_LENGTH = 4
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: What the kept start may not end with (it would read as a cut word).
_TRAILING = " -_./,;"
#: Policies a ``names.<kind>`` setting chooses from.
SHORTEN, ERROR = "shorten", "error"
POLICIES = (SHORTEN, ERROR)


@dataclass(frozen=True)
class NameRule:
    """What QuickBooks allows for the identifying name or number of one kind.

    ``kind`` is the name map kind (the ID map entity); ``namespace`` is where
    QuickBooks wants it unique (items share one, customers and vendors
    another); ``field`` says what the value is, for messages; ``list_name``:
    a list record's name (``:`` is QuickBooks' level separator there), not a
    document number.
    """

    kind: str
    limit: int
    namespace: str
    field: str
    list_name: bool = True

    @property
    def setting(self) -> str:
        """The setting choosing ``shorten`` or ``error`` for this kind."""
        return f"names.{self.kind}"


class NameProblem(ValueError):
    """A value no name can be made from (empty, nothing QuickBooks can store); says why."""


def storable(value: str) -> str:
    """``value`` as QuickBooks would store it (Latin-1, one line), trimmed."""
    return " ".join(clean(value or "").split())


def check_source(rule: NameRule, key: str, value: str) -> str:
    """The storable form of a JobBOSS2 ``value``; :class:`NameProblem` when there is none."""
    if not (key or "").strip():
        raise NameProblem(f"{rule.field}: the JobBOSS2 key is empty")
    text = storable(value)
    if not text:
        raise NameProblem(f"{rule.field} of {key.strip()!r} is empty")
    if not text.replace(REPLACEMENT, "").strip():
        raise NameProblem(
            f"{rule.field} {value.strip()!r} ({key.strip()}) has no character QuickBooks can store "
            f"(Latin-1 only); give it a QuickBooks name: qbwc-service names set --user USER "
            f"{rule.kind} {key.strip()!r} NAME")
    return text


def fits(rule: NameRule, value: str) -> bool:
    return len(storable(value)) <= rule.limit


def digest(value: str, attempt: int = 0) -> str:
    """Four base-32 characters of the SHA-256 of ``value`` (salted by ``attempt`` when > 0)."""
    data = value if attempt == 0 else f"{value}#{attempt}"
    number = int.from_bytes(hashlib.sha256(data.encode("utf-8")).digest()[:4], "big")
    chars = []
    for _ in range(HASH_LENGTH):
        number, rest = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[rest])
    return "".join(chars)


def shorten(rule: NameRule, value: str, attempt: int = 0) -> str:
    """The shortened name of a value longer than the rule's limit (see the module docs)."""
    text = storable(value)
    if rule.list_name:
        text = text.replace(":", "-")
    keep = rule.limit - len(SEPARATOR) - HASH_LENGTH
    start = text[:keep].rstrip(_TRAILING) or text[:keep]
    return f"{start}{SEPARATOR}{digest(text, attempt)}"


def candidates(rule: NameRule, value: str, tries: int = 1000) -> list[str]:
    """The names :func:`shorten` gives, in the order they are tried."""
    return [shorten(rule, value, attempt) for attempt in range(tries)]


def check_manual(rule: NameRule, name: str) -> str:
    """A QuickBooks name typed by a person, trimmed; :class:`NameProblem` when QuickBooks would refuse it."""
    text = (name or "").strip()
    if not text:
        raise NameProblem(f"the QuickBooks {rule.field} is empty")
    if len(text) > rule.limit:
        raise NameProblem(f"QuickBooks {rule.field} {text!r} is {len(text)} characters long; "
                          f"QuickBooks allows {rule.limit}")
    if storable(text) != text:
        raise NameProblem(f"QuickBooks {rule.field} {text!r} has characters QuickBooks cannot "
                          "store (Latin-1 only, one line)")
    if rule.list_name and ":" in text:
        raise NameProblem(f"QuickBooks {rule.field} {text!r} contains ':', which QuickBooks reads "
                          "as a sub-list separator")
    return text


def fold(name: str) -> str:
    """The form names are compared in (QuickBooks names are case-insensitive)."""
    return name.strip().casefold()
