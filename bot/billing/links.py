"""Signed, expiring, stateless link tokens (HMAC-SHA256), e.g. for invoice PDF links.

A token is `base64url(expiry ":" subject) "." base64url(mac)`, the MAC taken over the purpose, the
expiry and the subject, so a token made for one purpose is worthless for another. The subject is
signed, not encrypted: put in it only what the holder of the link may see.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from datetime import datetime

from bot.billing.backend import NotFound
from bot.billing.clock import epoch_seconds

MAX_TOKEN_LENGTH = 2048
_SEPARATOR = "."
_TOKEN = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    """Only the canonical encoding is accepted, so that no two tokens carry the same content."""
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _encode(data) != text:
        raise ValueError("non-canonical base64")
    return data


def _mac(secret: str, purpose: str, payload: bytes) -> bytes:
    message = purpose.encode("utf-8") + b"\x00" + payload
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()


def sign_link(secret: str, purpose: str, subject: str, expires_at: datetime) -> str:
    """A URL-safe token for `subject`, valid for `purpose` until `expires_at` (whole seconds)."""
    if not secret:
        raise ValueError("a link secret cannot be empty")
    payload = f"{epoch_seconds(expires_at)}:{subject}".encode()
    return f"{_encode(payload)}{_SEPARATOR}{_encode(_mac(secret, purpose, payload))}"


def read_link(secret: str, purpose: str, token: str, now: datetime) -> str:
    """The subject of a token signed with `secret` for `purpose`; `NotFound` when the signature is
    wrong, the purpose is another, the token is malformed or it has expired."""
    if not secret:
        raise ValueError("a link secret cannot be empty")
    if len(token) > MAX_TOKEN_LENGTH or not _TOKEN.fullmatch(token):
        raise NotFound("link")
    encoded_payload, encoded_mac = token.split(_SEPARATOR)
    try:
        payload, mac = _decode(encoded_payload), _decode(encoded_mac)
    except (binascii.Error, ValueError):
        raise NotFound("link") from None
    if not hmac.compare_digest(mac, _mac(secret, purpose, payload)):
        raise NotFound("link")
    expiry, _, subject = payload.decode("utf-8").partition(":")
    if epoch_seconds(now) >= int(expiry):  # a payload we signed: always "<int>:<subject>"
        raise NotFound("link")
    return subject
