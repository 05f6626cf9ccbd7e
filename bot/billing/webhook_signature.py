"""Signatures of the payment provider's webhook (Stripe-like), as pure functions.

The header `X-Payment-Signature: t=<unix seconds>,v1=<hex>` carries the HMAC-SHA256, keyed with the shared
secret, of `"<t>.<raw body>"`. A receiver accepts a request only when one `v1` matches (compared in
constant time) and `t` is within `TOLERANCE` of its own clock, either way: an old request replayed, or one
dated in the future, is refused. Several `v1` entries are allowed, for a secret being rotated.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from bot.billing.clock import epoch_seconds

SIGNATURE_HEADER = "X-Payment-Signature"
SCHEME = "v1"
TOLERANCE = timedelta(minutes=5)
MAX_HEADER_LENGTH = 1024


class SignatureError(Exception):
    """The request is not from the provider, or no longer fresh."""


class InvalidSignature(SignatureError):
    """Missing, malformed or wrong signature."""


class StaleSignature(SignatureError):
    """A correct signature outside the time tolerance: a replay, or a clock far off."""


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    if not secret:
        raise ValueError("a webhook secret cannot be empty")
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, at: datetime) -> str:
    """The signature header's value for `body` sent at `at`."""
    timestamp = epoch_seconds(at)
    return f"t={timestamp},{SCHEME}={_digest(secret, timestamp, body)}"


def _parse(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for item in header.split(","):
        key, separator, value = item.strip().partition("=")
        if not separator:
            raise InvalidSignature("malformed")
        if key == "t":
            if timestamp is not None or not (value.isascii() and value.isdigit()) or len(value) > 12:
                raise InvalidSignature("malformed")
            timestamp = int(value)
        elif key == SCHEME:
            signatures.append(value.lower())
    if timestamp is None or not signatures:
        raise InvalidSignature("malformed")
    return timestamp, signatures


def verify(
    secret: str, body: bytes, header: str | None, now: datetime, tolerance: timedelta = TOLERANCE
) -> int:
    """The signed timestamp of an authentic, fresh request; `InvalidSignature` or `StaleSignature`
    otherwise. The signature is checked before the time, so a stale answer proves the secret was known."""
    if not header or len(header) > MAX_HEADER_LENGTH:
        raise InvalidSignature("missing")
    timestamp, signatures = _parse(header)
    expected = _digest(secret, timestamp, body)
    expected_bytes = expected.encode("ascii")
    matched = False
    for candidate in signatures:  # every one compared, in constant time
        matched |= hmac.compare_digest(candidate.encode("utf-8", "surrogatepass"), expected_bytes)
    if not matched:
        raise InvalidSignature("mismatch")
    if abs(epoch_seconds(now) - timestamp) > tolerance.total_seconds():
        raise StaleSignature("outside tolerance")
    return timestamp
