"""Registers, removes and shows the bot's webhook at Telegram: `python -m bot.cli telegram-webhook
{set [--url URL] [--drop-pending], delete, info}`.

An operator command rather than a step of the server's start: the public URL is known to whoever
deploys (it sits behind a proxy), several servers must not fight over it, and a restart must not drop
or re-register anything. `set` gives Telegram the webhook secret the channel checks (from
TELEGRAM_WEBHOOK_SECRET or var/telegram-webhook-secret) and asks for messages and button clicks only.
Nothing printed holds the token or the secret.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any

from telegram.error import TelegramError

from bot.channels.telegram_settings import TOKEN_ENV, WEBHOOK_MAX_CONNECTIONS, TelegramSettings, make_bot

ALLOWED_UPDATES = ("message", "callback_query")
Printer = Callable[[str], None]


class WebhookError(Exception):
    """A failure to tell the operator, without the token."""


async def set_webhook(settings: TelegramSettings, url: str, drop_pending: bool = False) -> bool:
    async with make_bot(settings) as bot:
        return await bot.set_webhook(
            url,
            secret_token=settings.webhook_secret,
            allowed_updates=list(ALLOWED_UPDATES),
            max_connections=WEBHOOK_MAX_CONNECTIONS,
            drop_pending_updates=drop_pending,
        )


async def delete_webhook(settings: TelegramSettings, drop_pending: bool = False) -> bool:
    async with make_bot(settings) as bot:
        return await bot.delete_webhook(drop_pending_updates=drop_pending)


async def webhook_info(settings: TelegramSettings) -> dict[str, Any]:
    """What Telegram knows of the webhook: its URL, the updates waiting, the last delivery error."""
    async with make_bot(settings) as bot:
        info = await bot.get_webhook_info()
    return {key: value for key, value in info.to_dict().items() if value not in (None, [], "")}


def run(
    action: str,
    url: str | None = None,
    drop_pending: bool = False,
    settings: TelegramSettings | None = None,
    out: Printer = print,
) -> int:
    """The CLI's `telegram-webhook <action>`: 0 when Telegram accepted, 1 otherwise (told on `out`)."""
    settings = settings or TelegramSettings.from_env()
    try:
        if not settings.configured:
            raise WebhookError(f"{TOKEN_ENV} is not set")
        if action == "set":
            target = url or settings.webhook_url
            if not target:
                raise WebhookError("no webhook URL: pass --url or set TELEGRAM_WEBHOOK_URL")
            _accepted(asyncio.run(set_webhook(settings, target, drop_pending)))
            out(f"webhook set: {target} (updates: {', '.join(ALLOWED_UPDATES)}; secret token sent)")
        elif action == "delete":
            _accepted(asyncio.run(delete_webhook(settings, drop_pending)))
            out("webhook deleted")
        elif action == "info":
            for key, value in asyncio.run(webhook_info(settings)).items():
                out(f"{key}: {_shown(key, value)}")
        else:
            raise WebhookError(f"unknown action: {action}")
    except WebhookError as error:
        out(f"error: {error}")
        return 1
    except TelegramError as error:
        # PTB names the token in some messages (a token the server rejected).
        description = error.message.replace(settings.bot_token, "<token>")
        out(f"error: Telegram answered {type(error).__name__}: {description}")
        return 1
    return 0


def _accepted(result: bool) -> None:
    if not result:
        raise WebhookError("Telegram did not confirm")


def _shown(key: str, value: Any) -> str:
    if key.endswith("_date") and isinstance(value, int):
        return datetime.fromtimestamp(value).astimezone().isoformat(timespec="seconds")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)
