"""The jobs (or ID map rows) of a list of source keys, read by index on every database.

A planning pass asks, chunk after chunk, which jobs already exist for a few
hundred record keys. ``source_key IN (...)`` is the obvious query, and SQLite
answers it key by key from the index. PostgreSQL does not always: the jobs this
very transaction inserted have no statistics yet, so it guesses that
``user_id = ? AND kind = ?`` matches a row or two and checks the keys one row
at a time, reading every job of the kind planned so far for each chunk (the
pass slows down as it goes). There the keys become a relation joined
laterally, each key a lookup of its own on (user_id, kind, source_key):
``OFFSET 0`` keeps PostgreSQL from flattening the subquery back into the
guessable form.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol, TypeVar

from sqlalchemy import ColumnElement, String, bindparam, func, select, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, Session, aliased, defer

from qbwc_service.queue.models import Job


class _Keyed(Protocol):
    """A mapped class with an ``id`` and a ``source_key`` (jobs, ID map rows)."""

    id: Mapped[int]
    source_key: Mapped[str]


M = TypeVar("M", bound=_Keyed)

#: Keys per statement: bounded memory, and under SQLite's bound-parameter limit.
CHUNK = 500

T = TypeVar("T")


def batches(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """``items`` in slices of ``size``, one statement's worth each (an ``IN`` list, a page of rows)."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def jobs_with_keys(db: Session, keys: Sequence[str], *criteria: ColumnElement[bool],
                   payload: bool = True) -> Iterator[Job]:
    """The jobs meeting ``criteria`` (on :class:`Job`) whose ``source_key`` is in ``keys``.

    In id order within each chunk of :data:`CHUNK` keys; ``payload=False``
    leaves the payloads unread (loaded only if touched).
    """
    return rows_with_keys(db, Job, keys, *criteria, deferred=() if payload else ("payload",))


def rows_with_keys(db: Session, model: type[M], keys: Sequence[str], *criteria: ColumnElement[bool],
                   deferred: Sequence[str] = ()) -> Iterator[M]:
    """The rows of ``model`` meeting ``criteria`` whose ``source_key`` is in ``keys``.

    In id order within each chunk of :data:`CHUNK` keys; the columns named in
    ``deferred`` are left unread (loaded only if touched).
    """
    lateral = db.get_bind().dialect.name == "postgresql"
    keys = list(dict.fromkeys(keys))  # a key twice would join its rows twice
    for chunk in batches(keys):
        if lateral:
            wanted = (func.unnest(bindparam(None, chunk, type_=ARRAY(String)))
                      .table_valued("key").render_derived("wanted"))
            found = (select(model).where(*criteria, model.source_key == wanted.c.key)
                     .offset(0).lateral("found"))
            row = aliased(model, found)
            stmt = select(row).select_from(wanted).join(found, true()).order_by(row.id)
        else:
            row = model
            stmt = select(model).where(*criteria, model.source_key.in_(chunk)).order_by(model.id)
        if deferred:
            stmt = stmt.options(*(defer(getattr(row, name)) for name in deferred))
        yield from db.scalars(stmt)
