"""The WhatsApp channel's settings, from the environment. The channel is off while any of
TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_WHATSAPP_FROM is empty.

- TWILIO_API_URL: Twilio's REST API (another URL for a test double or a regional host).
- WHATSAPP_PUBLIC_BASE_URL: the Rasa server's base URL as Twilio calls it (https://bot.example.com).
  Twilio signs the URL it calls: behind a proxy, the server sees another one, so the signature is checked
  against this base + the request's path and query. Empty: against the URL the server sees (forwarded
  headers are not trusted for this). Also where Twilio posts the messages' delivery statuses.
- WHATSAPP_AGENT_TEMPLATE_FR / _PT: approved Twilio Content templates ("HX...") for an agent's message
  once WhatsApp's 24-hour window is closed, with the variables {"1": agent's first name, "2": message}.
- CHANNEL_MEMORY_REDIS_URL: where the MessageSids, the options offered and the time each customer last
  wrote are remembered, shared by every Rasa instance (redis://host:6379/2); empty, in each process
  (bot/channels/memory.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.channels.memory import MEMORY_URL_ENV
from bot.i18n import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES, normalize_language
from bot.settings import _env

DEFAULT_API_URL = "https://api.twilio.com"
WEBHOOK_PREFIX = "/webhooks/whatsapp"  # where Rasa mounts the channel's routes (/webhooks/<name>)
STATUS_PATH = "/status"
ADDRESS_PREFIX = "whatsapp:"


@dataclass(frozen=True)
class WhatsAppSettings:
    account_sid: str
    auth_token: str
    from_address: str  # "whatsapp:+14155238886"
    api_url: str = DEFAULT_API_URL
    public_base_url: str = ""
    agent_templates: Mapping[str, str] = field(default_factory=dict)  # language -> Content SID
    default_language: str = DEFAULT_LANGUAGE
    memory_redis_url: str = field(default="", repr=False)  # may hold Redis's password

    @property
    def configured(self) -> bool:
        return bool(self.account_sid and self.auth_token and self.from_address)

    def signed_url(self, request_url: str, path: str, query_string: str) -> str:
        """The URL Twilio signed for a request the server received at `request_url`."""
        if not self.public_base_url:
            return request_url
        return self.public_base_url + path + (f"?{query_string}" if query_string else "")

    @property
    def status_callback(self) -> str | None:
        """Where Twilio posts the delivery statuses of the messages sent; None without a public URL."""
        return f"{self.public_base_url}{WEBHOOK_PREFIX}{STATUS_PATH}" if self.public_base_url else None

    def agent_template(self, language: str) -> str | None:
        return self.agent_templates.get(language) or None

    @classmethod
    def from_env(cls) -> WhatsAppSettings:
        sender = _env("TWILIO_WHATSAPP_FROM", "")
        if sender and not sender.startswith(ADDRESS_PREFIX):
            sender = ADDRESS_PREFIX + sender  # "+14155238886" as configured for SMS
        templates = {
            language: sid
            for language in SUPPORTED_LANGUAGES
            if (sid := _env(f"WHATSAPP_AGENT_TEMPLATE_{language.upper()}", ""))
        }
        return cls(
            account_sid=_env("TWILIO_ACCOUNT_SID", ""),
            auth_token=_env("TWILIO_AUTH_TOKEN", ""),
            from_address=sender,
            api_url=_env("TWILIO_API_URL", DEFAULT_API_URL).rstrip("/"),
            public_base_url=_env("WHATSAPP_PUBLIC_BASE_URL", "").rstrip("/"),
            agent_templates=templates,
            default_language=normalize_language(_env("DEFAULT_LANGUAGE", DEFAULT_LANGUAGE))
            or DEFAULT_LANGUAGE,
            memory_redis_url=_env(MEMORY_URL_ENV, ""),
        )
