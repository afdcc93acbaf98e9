"""Sparing CPython's cyclic garbage collector the objects older than a planning pass.

A pass over 100,000 records allocates tens of millions of objects and keeps a
few chunks of them alive at a time, long enough to reach the oldest
generation. CPython then runs a full collection every so often, and each one
walks every object the process holds, eighty times a pass: 3 s of 28. The
objects that were there before the pass (modules, mappings, caches) are not
garbage the pass makes, so while it runs they are set aside (``gc.freeze``)
and only the pass's own objects are walked. Refcounting still frees what the
pass lets go of; nothing set aside is lost, it is walked again afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def older_objects_set_aside() -> Iterator[None]:
    """Set aside the objects that exist now from the collector's walks, until the block ends.

    A process that froze objects of its own (``gc.freeze`` at start-up, say)
    is left as it is: unfreezing afterwards would undo that too.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
