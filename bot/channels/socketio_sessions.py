"""Web chat session ids, issued by the server and signed: `<random>.<signature>`.

The browser keeps its id (to continue the conversation after a reload) and presents it again; only an
id this server signed is accepted, so a page cannot pick, guess or forge another customer's id. The
Rasa sender id comes from the verified random part only ("web-<random>").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from bot.settings import PROJECT_DIR, _env, stored_secret

SECRET_ENV = "WIDGET_SESSION_SECRET"  # noqa: S105 (the variable's name, not a secret)
SECRET_FILE = PROJECT_DIR / "var" / "widget-session-secret"
SENDER_PREFIX = "web-"
_RANDOM_BYTES = 18  # 144 bits, 24 base64url characters
_SIGNATURE_BYTES = 18  # 24 base64url characters too
_TOKEN = re.compile(r"([A-Za-z0-9_-]{24})\.[A-Za-z0-9_-]{24}")
_DOMAIN = b"widget-session:"


@dataclass(frozen=True)
class WidgetSession:
    """A verified session: `token` is what the browser holds, `sender_id` is Rasa's conversation id."""

    token: str

    @property
    def key(self) -> str:
        """The random part of the token."""
        return self.token.partition(".")[0]

    @property
    def sender_id(self) -> str:
        return f"{SENDER_PREFIX}{self.key}"


class SessionSigner:
    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("the widget session secret cannot be empty")
        self._mac = hmac.new(secret.encode("utf-8"), _DOMAIN, hashlib.sha256)

    @classmethod
    def from_env(cls) -> SessionSigner:
        """`WIDGET_SESSION_SECRET`, else a random secret made once in var/widget-session-secret (mode
        0600), as for the other secrets (bot/settings.py)."""
        return cls(_env(SECRET_ENV, "") or stored_secret(SECRET_FILE))

    def issue(self) -> WidgetSession:
        key = _encode(secrets.token_bytes(_RANDOM_BYTES))
        return WidgetSession(f"{key}.{self._signature(key)}")

    def verify(self, token: object) -> WidgetSession | None:
        """The session of a token this server issued; None for anything else (missing, malformed, forged)."""
        if not isinstance(token, str) or not (match := _TOKEN.fullmatch(token)):
            return None
        key = match[1]
        if not hmac.compare_digest(token, f"{key}.{self._signature(key)}"):
            return None
        return WidgetSession(token)

    def _signature(self, key: str) -> str:
        mac = self._mac.copy()
        mac.update(key.encode("ascii"))
        return _encode(mac.digest()[:_SIGNATURE_BYTES])


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")
