"""The Telegram and Twilio settings the conversation tests' Rasa server runs with: its outbound calls go
to fake APIs on 127.0.0.1 (tests/fakes/), started for the whole session. And the customer's side: posts to
the server's webhooks as Telegram and Twilio make them (the secret header; the form signed with twilio's
RequestValidator)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from twilio.request_validator import RequestValidator

from bot.channels.telegram_channel import SECRET_HEADER
from tests.conversation.polling import DEADLINE_S
from tests.fakes.http_api import FakeApi
from tests.stack import Assistant

TELEGRAM_TOKEN = "123456789:TEST-telegram-token"
TELEGRAM_SECRET = "test-telegram-webhook-secret"
TWILIO_ACCOUNT_SID = "AC" + "0" * 30 + "42"
TWILIO_AUTH_TOKEN = "test-twilio-auth-token"
WHATSAPP_FROM = "whatsapp:+14155238886"
# Twilio signs the URL it calls, the public one; the server is reached behind a "proxy" on another URL.
WHATSAPP_PUBLIC_BASE_URL = "https://bot.example.test"


def channel_env(telegram: FakeApi, twilio: FakeApi) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "TELEGRAM_API_URL": telegram.url,
        "TWILIO_ACCOUNT_SID": TWILIO_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_AUTH_TOKEN,
        "TWILIO_WHATSAPP_FROM": WHATSAPP_FROM,
        "TWILIO_API_URL": twilio.url,
        "WHATSAPP_PUBLIC_BASE_URL": WHATSAPP_PUBLIC_BASE_URL,
    }


TELEGRAM_WEBHOOK_PATH = "/webhooks/telegram/webhook"
WHATSAPP_WEBHOOK_PATH = "/webhooks/whatsapp/webhook"


def post_telegram(
    assistant: Assistant, update: dict[str, Any], secret: str = TELEGRAM_SECRET
) -> httpx.Response:
    return httpx.post(
        f"{assistant.base_url}{TELEGRAM_WEBHOOK_PATH}",
        json=update,
        headers={SECRET_HEADER: secret},
        timeout=DEADLINE_S,
    )


def whatsapp_form(number: str, body: str = "", sid: str | None = None, **fields: str) -> dict[str, str]:
    """Twilio's incoming-message form from `number` (a new MessageSid unless given)."""
    return {
        "MessageSid": sid or f"SM{uuid.uuid4().hex}",
        "AccountSid": "AC" + "0" * 32,
        "From": f"whatsapp:{number}",
        "To": WHATSAPP_FROM,
        "Body": body,
        "NumMedia": "0",
        **fields,
    }


def post_whatsapp(
    assistant: Assistant, fields: dict[str, str], signature: str | None = None
) -> httpx.Response:
    """Posts as Twilio does: signed for the public URL it calls (the server is behind a "proxy")."""
    valid = RequestValidator(TWILIO_AUTH_TOKEN).compute_signature(
        WHATSAPP_PUBLIC_BASE_URL + WHATSAPP_WEBHOOK_PATH, fields
    )
    return httpx.post(
        f"{assistant.base_url}{WHATSAPP_WEBHOOK_PATH}",
        data=fields,
        headers={"X-Twilio-Signature": signature or valid},
        timeout=DEADLINE_S,
    )
