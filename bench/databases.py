"""The queue database of a bench: SQLite in its work folder, or a schema of its own on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@contextmanager
def queue_database(url: str, work: Path, prefix: str = "bench") -> Iterator[str]:
    """The queue URL to use: SQLite in *work*, or a fresh schema on the given server, dropped after."""
    if not url:
        yield f"sqlite:///{work / 'queue.sqlite3'}"
        return
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
