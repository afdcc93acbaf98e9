"""The jobs of a list of source keys, read with the ``uq_job_version`` index on every database.

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

from sqlalchemy import ColumnElement, String, bindparam, func, select, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased, defer

from qbwc_service.queue.models import Job

#: Keys per statement: bounded memory, and under SQLite's bound-parameter limit.
CHUNK = 500


def jobs_with_keys(db: Session, keys: Sequence[str], *criteria: ColumnElement[bool],
                   payload: bool = True) -> Iterator[Job]:
    """The jobs meeting ``criteria`` (on :class:`Job`) whose ``source_key`` is in ``keys``.

    In id order within each chunk of :data:`CHUNK` keys; ``payload=False``
    leaves the payloads unread (loaded only if touched).
    """
    lateral = db.get_bind().dialect.name == "postgresql"
    keys = list(dict.fromkeys(keys))  # a key twice would join its jobs twice
    for start in range(0, len(keys), CHUNK):
        chunk = list(keys[start:start + CHUNK])
        if lateral:
            wanted = (func.unnest(bindparam(None, chunk, type_=ARRAY(String)))
                      .table_valued("key").render_derived("wanted"))
            found = (select(Job).where(*criteria, Job.source_key == wanted.c.key)
                     .offset(0).lateral("found"))
            job = aliased(Job, found)
            stmt = select(job).select_from(wanted).join(found, true()).order_by(job.id)
        else:
            job = Job
            stmt = select(Job).where(*criteria, Job.source_key.in_(chunk)).order_by(Job.id)
        if not payload:
            stmt = stmt.options(defer(job.payload))
        yield from db.scalars(stmt)
