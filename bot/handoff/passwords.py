"""Password hashes with the standard library's scrypt, in a self-describing string:
`scrypt$16384$8$1$<salt base64>$<hash base64>`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

N, R, P = 2**14, 8, 1
SALT_BYTES = 16
HASH_BYTES = 32
MIN_LENGTH = 10
MAX_LENGTH = 1024  # longer input is refused before hashing: scrypt cost must not be the caller's choice
_SCHEME = "scrypt"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=length, maxmem=128 * r * (n + p + 2) + 1024
    )


def check_new_password(password: str) -> None:
    """Raises ValueError when `password` cannot be a new password."""
    if len(password) < MIN_LENGTH:
        raise ValueError(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise ValueError(f"a password has at most {MAX_LENGTH} characters")


def hash_password(password: str) -> str:
    check_new_password(password)
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, N, R, P, HASH_BYTES)
    return f"{_SCHEME}${N}${R}${P}${_b64(salt)}${_b64(digest)}"


def _parse(stored: str) -> tuple[int, int, int, bytes, bytes] | None:
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != _SCHEME:
        return None
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt = base64.b64decode(parts[4], validate=True)
        digest = base64.b64decode(parts[5], validate=True)
    except ValueError:
        return None
    if n < 2 or n & (n - 1) or not 1 <= r <= 64 or not 1 <= p <= 16 or n > 2**20 or not digest:
        return None
    return n, r, p, salt, digest


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` matches the stored hash; compared in constant time. A malformed hash never
    matches; a password longer than MAX_LENGTH never matches either, after the same work as any other."""
    parsed = _parse(stored)
    if parsed is None:
        return False
    n, r, p, salt, expected = parsed
    same = hmac.compare_digest(_scrypt(password[:MAX_LENGTH], salt, n, r, p, len(expected)), expected)
    return same and len(password) <= MAX_LENGTH


def needs_rehash(stored: str) -> bool:
    """True when the hash was made with other parameters (or is unreadable): hash again at next login."""
    parsed = _parse(stored)
    return (
        parsed is None
        or parsed[:3] != (N, R, P)
        or len(parsed[3]) != SALT_BYTES
        or len(parsed[4]) != HASH_BYTES
    )


_DUMMY: str | None = None


def dummy_hash() -> str:
    """A hash of nothing anyone knows, checked when the username is unknown so that it takes the same time."""
    global _DUMMY
    if _DUMMY is None:
        _DUMMY = hash_password(secrets.token_urlsafe(24))
    return _DUMMY
