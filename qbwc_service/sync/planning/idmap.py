"""The ID map: which JobBOSS2 records a QuickBooks company already holds.

One row per (user, entity, JobBOSS2 key) with the QuickBooks ListID or TxnID,
its name and EditSequence. A record in the map is never added again for that
company; transactions reference list records by the ListID kept here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbwc_service.queue import bulk, keyed
from qbwc_service.queue.models import IdMapEntry, utcnow

#: Keys are compared after stripping and folding case (QuickBooks names are case-insensitive,
#: JobBOSS2 codes are padded).
EntityKey = tuple[str, str]


def norm_key(key: str) -> str:
    """The form a JobBOSS2 key is stored under."""
    return key.strip()


@dataclass(frozen=True)
class Known:
    """A record QuickBooks holds: its id, name and EditSequence."""

    qb_id: str
    qb_name: str
    edit_sequence: str
    source_version: str


def lookup(db: Session, user_id: int, entity: str, key: str) -> IdMapEntry | None:
    """The map row of one record, if any."""
    return db.scalars(select(IdMapEntry).where(
        IdMapEntry.user_id == user_id, IdMapEntry.entity == entity,
        IdMapEntry.source_key == norm_key(key))).first()


def lookup_many(db: Session, user_id: int, keys: Iterable[EntityKey]) -> dict[EntityKey, Known]:
    """The known records among ``keys`` (entity, key), in one query per entity and 500 keys
    (each key read from the ``uq_id_map`` index, as :meth:`IdMapCache.preload` does)."""
    by_entity: dict[str, set[str]] = {}
    for entity, key in keys:
        by_entity.setdefault(entity, set()).add(norm_key(key))
    found: dict[EntityKey, Known] = {}
    # One entity at a time: (entity, key) IN (pairs) would not use the uq_id_map index.
    for entity, entity_keys in sorted(by_entity.items()):
        for row in keyed.rows_with_keys(db, IdMapEntry, sorted(entity_keys),
                                        IdMapEntry.user_id == user_id, IdMapEntry.entity == entity):
            found[(entity, row.source_key)] = Known(row.qb_id, row.qb_name, row.edit_sequence,
                                                    row.source_version)
    return found


def known_keys(db: Session, user_id: int, entity: str) -> dict[str, str]:
    """Every key of ``entity`` the company holds -> the source version it was sent as."""
    rows = db.execute(select(IdMapEntry.source_key, IdMapEntry.source_version).where(
        IdMapEntry.user_id == user_id, IdMapEntry.entity == entity))
    return dict(rows.all())


def remember(db: Session, user_id: int, entity: str, key: str, qb_id: str, *,
             name: str = "", edit_sequence: str = "", source_version: str = "") -> IdMapEntry:
    """Record (or update) the QuickBooks identity of a JobBOSS2 record."""
    row = lookup(db, user_id, entity, key)
    if row is None:
        row = IdMapEntry(user_id=user_id, entity=entity, source_key=norm_key(key), qb_id=qb_id)
        db.add(row)
    row.qb_id = qb_id
    row.qb_name = name[:260] or row.qb_name
    row.edit_sequence = edit_sequence or row.edit_sequence
    row.source_version = source_version or row.source_version
    return row


def forget(db: Session, user_id: int, entity: str, key: str) -> None:
    """Drop a record QuickBooks no longer has (a 3140 on its ListID)."""
    row = lookup(db, user_id, entity, key)
    if row is not None:
        db.delete(row)


class IdMapCache:
    """The ID map rows of one user for a batch of jobs: loaded in one query, then kept.

    :meth:`remember` and :meth:`forget` behave as the module functions of the
    same names; a key not loaded by :meth:`preload` is looked up on its own.
    Rows it creates are kept out of the ORM session and written by
    :meth:`flush` in one INSERT (a message creates up to ``sync.batch_size``
    of them); until then only this cache knows them, so whoever reads the
    ``id_map`` table in the same unit of work flushes it first.
    """

    def __init__(self, db: Session, user_id: int) -> None:
        self.db = db
        self.user_id = user_id
        self.rows: dict[EntityKey, IdMapEntry | None] = {}
        #: Rows created since the last :meth:`flush` (transient objects, not in the session).
        self.added: dict[EntityKey, IdMapEntry] = {}

    def preload(self, keys: Iterable[EntityKey]) -> None:
        wanted = sorted({(e, norm_key(k)) for e, k in keys} - set(self.rows))
        by_entity: dict[str, list[str]] = {}
        for entity, key in wanted:
            by_entity.setdefault(entity, []).append(key)
        # One entity at a time: (entity, key) IN (pairs) would not use the uq_id_map index;
        # keyed reads each key from it on PostgreSQL too, whatever its statistics say.
        for entity, entity_keys in by_entity.items():
            found = {row.source_key: row for row in keyed.rows_with_keys(
                self.db, IdMapEntry, entity_keys, IdMapEntry.user_id == self.user_id,
                IdMapEntry.entity == entity)}
            for key in entity_keys:
                self.rows[(entity, key)] = found.get(key)

    def lookup(self, entity: str, key: str) -> IdMapEntry | None:
        ident = (entity, norm_key(key))
        if ident not in self.rows:
            self.rows[ident] = lookup(self.db, self.user_id, entity, key)
        return self.rows[ident]

    def remember(self, user_id: int, entity: str, key: str, qb_id: str, *, name: str = "",
                 edit_sequence: str = "", source_version: str = "") -> IdMapEntry:
        if user_id != self.user_id:
            return remember(self.db, user_id, entity, key, qb_id, name=name,
                            edit_sequence=edit_sequence, source_version=source_version)
        row = self.lookup(entity, key)
        if row is None:
            ident = (entity, norm_key(key))
            row = IdMapEntry(user_id=user_id, entity=entity, source_key=ident[1], qb_id=qb_id,
                             qb_name="", edit_sequence="", source_version="")
            self.rows[ident] = self.added[ident] = row
        row.qb_id = qb_id
        row.qb_name = name[:260] or row.qb_name
        row.edit_sequence = edit_sequence or row.edit_sequence
        row.source_version = source_version or row.source_version
        return row

    def forget(self, user_id: int, entity: str, key: str) -> None:
        self.flush()  # a row remembered in this batch is deleted like any other
        self.rows.pop((entity, norm_key(key)), None)
        self.db.flush()
        forget(self.db, user_id, entity, key)

    def flush(self) -> None:
        """Write the rows created since the last flush, in one INSERT.

        They are dropped from the cache: a later :meth:`lookup` reads the
        stored row, so a change made after this point goes through the ORM.
        """
        if not self.added:
            return
        added, self.added = self.added, {}
        now = utcnow()  # given, so that PostgreSQL takes the rows by COPY (queue.bulk)
        bulk.insert_rows(self.db, IdMapEntry.__table__, [
            dict(user_id=row.user_id, entity=row.entity, source_key=row.source_key,
                 qb_id=row.qb_id, qb_name=row.qb_name, edit_sequence=row.edit_sequence,
                 source_version=row.source_version, updated_at=now) for row in added.values()])
        for ident in added:
            self.rows.pop(ident, None)
