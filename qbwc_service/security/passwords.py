"""Password hashing with scrypt, a memory-hard KDF from the standard library.

A stored hash carries its own parameters, ``scrypt$n$r$p$salt$hash`` (salt
and hash in URL-safe base64), so the cost can be raised later: a login with
an older hash still verifies, and :func:`needs_rehash` says when to store a
new one. Comparison is constant-time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import lru_cache

SCHEME = "scrypt"


@dataclass(frozen=True)
class ScryptParams:
    """scrypt cost: ``n`` (CPU/memory), ``r`` (block size), ``p`` (parallelism)."""

    n: int = 2**14
    r: int = 8
    p: int = 1
    salt_bytes: int = 16
    key_bytes: int = 32

    @property
    def maxmem(self) -> int:
        # scrypt needs 128 * r * n bytes; leave headroom for OpenSSL's own use.
        return 128 * self.r * self.n * 2 + 1024 * 1024


DEFAULT_PARAMS = ScryptParams()


def hash_password(password: str, params: ScryptParams = DEFAULT_PARAMS) -> str:
    """A new salted hash of *password*, with its parameters, ready to store."""
    salt = secrets.token_bytes(params.salt_bytes)
    key = _derive(password, salt, params.n, params.r, params.p, params.key_bytes)
    return "$".join((SCHEME, str(params.n), str(params.r), str(params.p), _b64(salt), _b64(key)))


def verify_password(password: str, stored: str) -> bool:
    """Whether *password* matches *stored*; a malformed hash never matches."""
    parsed = _parse(stored)
    if parsed is None:
        return False
    n, r, p, salt, expected = parsed
    actual = _derive(password, salt, n, r, p, len(expected))
    return hmac.compare_digest(actual, expected)


def verify_dummy(password: str) -> bool:
    """Spend the time of a real check and fail: used for unknown user names."""
    verify_password(password, _dummy_hash())
    return False


def needs_rehash(stored: str, params: ScryptParams = DEFAULT_PARAMS) -> bool:
    """Whether *stored* was made with other parameters than *params*."""
    parsed = _parse(stored)
    return parsed is None or parsed[:3] != (params.n, params.r, params.p)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def _derive(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    maxmem = ScryptParams(n=n, r=r, p=p).maxmem
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                          dklen=length, maxmem=maxmem)


def _parse(stored: str) -> tuple[int, int, int, bytes, bytes] | None:
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        return None
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt, key = _unb64(parts[4]), _unb64(parts[5])
    except ValueError:
        return None
    # Refuse absurd costs from a tampered row rather than exhausting memory.
    if n < 2 or n & (n - 1) or n > 2**20 or not 0 < r <= 32 or not 0 < p <= 16 or not key:
        return None
    return n, r, p, salt, key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
