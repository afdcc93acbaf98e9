"""The name map of one user: read once, consulted while planning and building, added to.

:class:`NameBook` loads the user's whole map in one query (a few rows: only
records too long for QuickBooks, or named by hand, are in it). Planning asks
:meth:`NameBook.assign` for each record name and document number it plans:
one QuickBooks cannot hold gets a shortened name by :mod:`.rule`, unique in
its namespace and stored at once, when the kind's ``names.<kind>`` setting
says ``shorten``. Building a request asks :meth:`NameBook.name_for` (the
mapped name, else the JobBOSS2 value) and :meth:`NameBook.mapped` (for
references).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbwc_service.queue.models import IdMapEntry, NameMapEntry, utcnow
from qbwc_service.sync.names.rule import (
    SHORTEN,
    NameProblem,
    NameRule,
    candidates,
    check_source,
    fits,
    fold,
)

#: Who is recorded as having set an automatic name.
AUTO_ACTOR = "shortened automatically"
AUTO, MANUAL = "auto", "manual"


@dataclass(frozen=True)
class Mapped:
    """One row of the map, as read."""

    kind: str
    key: str
    qb_name: str
    source_value: str
    origin: str


def norm_key(key: str) -> str:
    """JobBOSS2 keys are compared trimmed (its ``char`` codes are padded)."""
    return (key or "").strip()


def rules() -> dict[str, NameRule]:
    """Every kind's name rule, by name map kind (what the kind modules declare)."""
    from qbwc_service.sync.kinds import registry

    found: dict[str, NameRule] = {}
    for kind in [*registry.LIST_KINDS.values(), *registry.TXN_KINDS.values()]:
        if kind.names is not None:
            found.setdefault(kind.names.kind, kind.names)
    return found


def rule_for(kind: str) -> NameRule:
    """The rule of a name map kind; :class:`NameProblem` listing the kinds for another."""
    found = rules()
    if kind not in found:
        raise NameProblem(f"unknown kind {kind!r}; choose from: {', '.join(sorted(found))}")
    return found[kind]


class NameBook:
    """The name map of one user (see the module docs)."""

    def __init__(self, db: Session, user_id: int, policies: Mapping[str, str]) -> None:
        self.db = db
        self.user_id = user_id
        #: ``names.<kind>`` -> ``shorten`` | ``error`` (the user's settings).
        self.policies = policies
        self.rows: dict[tuple[str, str], Mapped] = {}
        self.taken: dict[tuple[str, str], tuple[str, str]] = {}  # (namespace, folded) -> (kind, key)
        self._id_names: set[str] = set()  # namespaces whose ID map names are loaded
        for row in db.scalars(select(NameMapEntry).where(NameMapEntry.user_id == user_id)):
            self._keep(row.kind, row.source_key, row.namespace, row.qb_name, row.source_value,
                       row.origin)

    def _keep(self, kind: str, key: str, namespace: str, qb_name: str, value: str,
              origin: str) -> None:
        self.rows[(kind, key)] = Mapped(kind, key, qb_name, value, origin)
        self.taken[(namespace, fold(qb_name))] = (kind, key)

    # -- reading

    def mapped(self, kind: str, key: str) -> str | None:
        """The QuickBooks name the map gives ``kind`` + ``key``, if any."""
        row = self.rows.get((kind, norm_key(key)))
        return row.qb_name if row is not None else None

    def entry(self, kind: str, key: str) -> Mapped | None:
        return self.rows.get((kind, norm_key(key)))

    def name_for(self, rule: NameRule, key: str, value: str) -> str:
        """The name (or number) to send for a record: the mapped one, else its own.

        Raises :class:`NameProblem` for an empty key or a value with nothing
        QuickBooks can store; a value too long under ``shorten`` is given its
        name now (planning normally has).
        """
        known = self.mapped(rule.kind, key)
        if known is not None:
            return known
        check_source(rule, key, value)
        return self.assign(rule, key, value) or value.strip()

    # -- assigning

    def assign(self, rule: NameRule, key: str, value: str) -> str | None:
        """The mapped name of a record, shortening a value too long when the policy says so.

        ``None``: the record keeps its own name (it fits, the policy is
        ``error``, or no name can be made from it: building says why).
        """
        known = self.mapped(rule.kind, key)
        if known is not None:
            return known
        if fits(rule, value) or self.policies.get(rule.setting, SHORTEN) != SHORTEN:
            return None
        try:
            text = check_source(rule, key, value)
        except NameProblem:
            return None
        self._load_id_names(rule)
        name = next(n for n in candidates(rule, text) if (rule.namespace, fold(n)) not in self.taken)
        self.store(rule, norm_key(key), text, name, AUTO, AUTO_ACTOR)
        return name

    def store(self, rule: NameRule, key: str, value: str, name: str, origin: str,
               actor: str) -> None:
        row = self.db.scalars(select(NameMapEntry).where(
            NameMapEntry.user_id == self.user_id, NameMapEntry.kind == rule.kind,
            NameMapEntry.source_key == key)).first()
        if row is None:
            row = NameMapEntry(user_id=self.user_id, kind=rule.kind, source_key=key)
            self.db.add(row)
        else:
            self.taken.pop((row.namespace, fold(row.qb_name)), None)
        row.namespace, row.qb_name, row.qb_name_key = rule.namespace, name, fold(name)
        row.source_value, row.origin, row.set_by, row.set_at = value, origin, actor, utcnow()
        self.db.flush()
        self._keep(rule.kind, key, rule.namespace, name, value, origin)

    def _load_id_names(self, rule: NameRule) -> None:
        """Names the company's records already have in QuickBooks count as taken."""
        if rule.namespace in self._id_names:
            return
        self._id_names.add(rule.namespace)
        kinds = [r.kind for r in rules().values() if r.namespace == rule.namespace]
        for entity, key, name in self.db.execute(
                select(IdMapEntry.entity, IdMapEntry.source_key, IdMapEntry.qb_name).where(
                    IdMapEntry.user_id == self.user_id, IdMapEntry.entity.in_(kinds),
                    IdMapEntry.qb_name != "")):
            self.taken.setdefault((rule.namespace, fold(name)), (entity, key))

    def owner_of(self, rule: NameRule, name: str) -> tuple[str, str] | None:
        """The record (kind, key) holding ``name`` in the rule's namespace, if any."""
        self._load_id_names(rule)
        return self.taken.get((rule.namespace, fold(name)))


def policies_of(settings: Mapping[str, object]) -> dict[str, str]:
    """The ``names.<kind>`` settings among a user's settings."""
    return {k: str(v) for k, v in settings.items() if k.startswith("names.")}
