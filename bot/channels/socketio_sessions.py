"""Web chat session ids, issued by the server and signed: `<random>.<signature>`.

The browser keeps its id (to continue the conversation after a reload) and presents it again; only an
id this server signed is accepted, so a page cannot pick, guess or forge another customer's id. The
Rasa sender id comes from the verified random part only ("web-<random>").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import re
import secrets
from dataclasses import dataclass

logger = logging.getLogger(__name__)

SECRET_ENV = "WIDGET_SESSION_SECRET"  # noqa: S105 (the variable's name, not a secret)
SENDER_PREFIX = "web-"
_RANDOM_BYTES = 18  # 144 bits, 24 base64url characters
_SIGNATURE_BYTES = 18
_PART = re.compile(r"[A-Za-z0-9_-]{24}")
_MAX_TOKEN_CHARS = 64
_DOMAIN = b"widget-session:"


@dataclass(frozen=True)
class WidgetSession:
    """A verified session: `token` is what the browser holds, `sender_id` is Rasa's conversation id."""

    token: str
    key: str

    @property
    def sender_id(self) -> str:
        return f"{SENDER_PREFIX}{self.key}"


class SessionSigner:
    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("the widget session secret cannot be empty")
        self._secret = secret.encode("utf-8")

    @classmethod
    def from_env(cls) -> SessionSigner:
        """`WIDGET_SESSION_SECRET`, else a random secret for this process only (ids then do not survive
        a restart, and several Rasa instances would not accept each other's ids)."""
        secret = os.environ.get(SECRET_ENV, "").strip()
        if not secret:
            logger.warning("widget.session_secret_missing", extra={"setting": SECRET_ENV})
            secret = secrets.token_urlsafe(32)
        return cls(secret)

    def issue(self) -> WidgetSession:
        key = _encode(secrets.token_bytes(_RANDOM_BYTES))
        return WidgetSession(token=f"{key}.{self._signature(key)}", key=key)

    def verify(self, token: object) -> WidgetSession | None:
        """The session of a token this server issued; None for anything else (missing, malformed, forged)."""
        if not isinstance(token, str) or len(token) > _MAX_TOKEN_CHARS:
            return None
        key, _, signature = token.partition(".")
        if not (_PART.fullmatch(key) and _PART.fullmatch(signature)):
            return None
        if not hmac.compare_digest(signature, self._signature(key)):
            return None
        return WidgetSession(token=token, key=key)

    def _signature(self, key: str) -> str:
        digest = hmac.new(self._secret, _DOMAIN + key.encode("ascii"), hashlib.sha256).digest()
        return _encode(digest[:_SIGNATURE_BYTES])


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")
