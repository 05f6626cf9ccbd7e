"""The Telegram and Twilio settings the conversation tests' Rasa server runs with: its outbound calls go
to fake APIs on 127.0.0.1 (tests/fakes/), started for the whole session."""

from __future__ import annotations

from tests.fakes.http_api import FakeApi

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
