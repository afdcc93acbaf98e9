"""Large SOAP bodies: how many the process takes at once, and giving their memory back after.

Parsing a body costs memory in proportion to its size (the parsed tree, then
the text spyne hands to the callback), so bodies over :data:`LARGE_BYTES` take
turns: at most ``slots`` are parsed and answered at once
(``server.max_large_requests``); as many again may wait up to
:data:`WAIT_SECONDS` for a turn, their bodies spooled to disk meanwhile; any
more are answered 503 at once. So a burst of large bodies, with or without a
valid ticket, neither exhausts memory nor ties up every worker thread: small
requests and ``/healthz`` keep being answered. After each large body the memory
it took goes back to the operating system.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from qbwc_service.soap.body import IN_MEMORY_BYTES

#: A body over this size is large: it takes a turn.
LARGE_BYTES = IN_MEMORY_BYTES
#: How long a large body waits for its turn before the answer is 503.
WAIT_SECONDS = 30.0
#: glibc's ``mallopt`` parameter: the size from which an allocation gets a mapping of its own.
M_MMAP_THRESHOLD = -3


class LargeBodies:
    """Turns for large bodies: *slots* at a time, as many again waiting."""

    def __init__(self, slots: int, wait_seconds: float = WAIT_SECONDS) -> None:
        return_large_allocations()
        self.slots = slots
        self.wait_seconds = wait_seconds
        self._admitted = threading.BoundedSemaphore(2 * slots)
        self._turns = threading.BoundedSemaphore(slots)

    @contextmanager
    def admitted(self) -> Iterator[bool]:
        """Whether one more large body may be read now (never waits); memory is handed back after."""
        admitted = self._admitted.acquire(blocking=False)
        try:
            yield admitted
        finally:
            if admitted:
                self._admitted.release()
                release_memory()

    @contextmanager
    def turn(self) -> Iterator[bool]:
        """Whether this large body got its turn to be parsed and answered within the wait."""
        got = self._turns.acquire(timeout=self.wait_seconds)
        try:
            yield got
        finally:
            if got:
                self._turns.release()


def release_memory() -> None:
    """Hand freed heap memory back to the operating system (glibc keeps it otherwise)."""
    trim = getattr(_libc(), "malloc_trim", None)
    if trim is not None:
        trim(0)


def return_large_allocations() -> None:
    """Make glibc give every allocation of :data:`LARGE_BYTES` or more a mapping of its own,
    unmapped as soon as it is freed.

    By default glibc raises that size after freeing a large block (up to 32 MB), and then keeps
    up to 64 MB free at the top of each worker thread's heap, out of ``malloc_trim``'s reach:
    after a few large bodies the process would hold tens of MB per thread for good.
    """
    mallopt = getattr(_libc(), "mallopt", None)
    if mallopt is not None:
        mallopt(M_MMAP_THRESHOLD, LARGE_BYTES)


@cache
def _libc() -> ctypes.CDLL | None:
    """The C library, where ctypes finds one (glibc's extras are looked up on it by name)."""
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name) if name else None
    except OSError:
        return None
