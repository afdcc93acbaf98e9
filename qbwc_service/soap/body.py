"""Reading a request body without holding it in memory.

A body is copied in chunks into a :class:`~tempfile.SpooledTemporaryFile`:
small ones stay in memory, anything over :data:`IN_MEMORY_BYTES` goes to a
temporary file, so a 60 MB SOAP body costs disk, not RAM. A body over the
limit is refused as soon as that is known: from ``Content-Length`` before
reading anything, or once a chunked body passes it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

#: Bytes read from the socket at a time.
CHUNK = 64 * 1024
#: A body up to this size stays in memory; a larger one is spooled to a temporary file.
IN_MEMORY_BYTES = 1024 * 1024

Environ = dict[str, Any]


class BodyTooLarge(Exception):
    pass


def declared_length(environ: Environ) -> int | None:
    """``Content-Length`` as a number, ``None`` when absent or unreadable (a chunked body)."""
    text = (environ.get("CONTENT_LENGTH") or "").strip()
    return int(text) if text.isascii() and text.isdigit() else None


@contextmanager
def spooled(environ: Environ, limit: int) -> Iterator[IO[bytes]]:
    """The body, in a file positioned at its start; :class:`BodyTooLarge` past *limit* bytes."""
    with tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES) as out:
        for chunk in _chunks(environ, limit):
            out.write(chunk)
        out.seek(0)
        yield out


def discard(environ: Environ, limit: int) -> None:
    """Read the body (up to *limit* bytes) and forget it, so the answer can be read by the client."""
    try:
        for _chunk in _chunks(environ, limit):
            pass
    except (BodyTooLarge, OSError):
        pass


def _chunks(environ: Environ, limit: int) -> Iterator[bytes]:
    stream = environ["wsgi.input"]
    length = declared_length(environ)
    if length is not None and length > limit:
        raise BodyTooLarge
    remaining = length if length is not None else limit + 1
    total = 0
    while remaining > 0:
        chunk = stream.read(min(CHUNK, remaining))
        if not chunk:
            break
        total += len(chunk)
        if total > limit:
            raise BodyTooLarge
        remaining -= len(chunk)
        yield chunk
