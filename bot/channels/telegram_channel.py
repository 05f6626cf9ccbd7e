"""The Telegram channel, in credentials.yml as `bot.channels.telegram_channel.TelegramInput` (Rasa's own
fails every webhook with "Event loop is closed", RasaHQ/rasa#10666).

Telegram posts each update to `POST /webhooks/telegram/webhook` with the secret given when the webhook
was registered (`python -m bot.cli telegram-webhook set`, bot/channels/telegram_webhook.py) in the
`X-Telegram-Bot-Api-Secret-Token` header: any other request is refused (403) unread. An update is
processed once (Telegram sends it again when it gets no answer in time, maybe to another instance:
the ids seen are shared in Redis with CHANNEL_MEMORY_REDIS_URL, bot/channels/memory.py), inside the
request, and answered 200 even when processing failed: resending it would not help.

What an update means (private chats only, `/start` → `/greet`, media → placeholder, language hint) is
decided in bot/channels/telegram_updates.py; the replies go out through bot/channels/telegram_output.py.
A button click is acknowledged at once (Telegram shows a spinner until then) and its keyboard replaced
by the one button chosen, marked, so that the choice cannot be made twice.

Off (503 `not_configured`, no output channel) while TELEGRAM_BOT_TOKEN is empty
(bot/channels/telegram_settings.py).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.channels.memory import ChannelMemory
from bot.channels.redacting import MessageHandler, redacted
from bot.channels.telegram_client import SendFailed, Sleep, TelegramClient
from bot.channels.telegram_output import CHANNEL_NAME, TelegramOutput
from bot.channels.telegram_settings import TOKEN_ENV, TelegramSettings, make_bot
from bot.channels.telegram_updates import USED_KEYBOARD_DATA, Ignored, Inbound, read_update

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header's name)
CHOSEN_MARK = "✓"


class TelegramInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls()  # everything comes from the environment

    def __init__(
        self,
        settings: TelegramSettings | None = None,
        sleep: Sleep = asyncio.sleep,
        memory: ChannelMemory | None = None,
    ) -> None:
        self.settings = settings or TelegramSettings.from_env()
        self.memory = memory or ChannelMemory(CHANNEL_NAME, self.settings.memory_redis_url)
        self._updates = self.memory.ids("update")  # update ids already seen
        self._used_keyboards = self.memory.ids("keyboard")  # "<chat id>:<message id>" already clicked
        self.client: TelegramClient | None = None
        self._output: TelegramOutput | None = None
        if self.settings.configured:
            self.client = TelegramClient(make_bot(self.settings), self.settings.retry, sleep)
            self._output = TelegramOutput(self.client, self.settings)
        else:
            logger.warning("telegram.channel_off", extra={"missing": TOKEN_ENV})

    def get_output_channel(self) -> OutputChannel | None:
        """Sends to the chat of the recipient's sender id (`telegram-<chat id>`), also outside any
        request (the Rasa HTTP API's `output_channel=latest`); None while the channel is off."""
        return self._output

    def blueprint(self, on_new_message: MessageHandler) -> Blueprint:
        webhook = Blueprint(f"{self.name()}_webhook")

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            if not self.settings.configured:
                return _not_configured()
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self._receive(request, on_new_message)

        @webhook.listener("after_server_stop")
        async def close(*_: object) -> None:
            if self.client is not None:
                await self.client.close()
            await self.memory.close()

        return webhook

    async def _receive(self, request: Request, on_new_message: MessageHandler) -> HTTPResponse:
        if self.client is None:
            return _not_configured()
        given = request.headers.get(SECRET_HEADER)
        if not self._authentic(given):
            logger.warning(
                "telegram.update_refused", extra={"reason": "bad_secret" if given else "no_secret"}
            )
            return response.json({"error": "forbidden"}, status=403)
        update = _parse(request, self.client.bot)
        if update is None:
            logger.warning("telegram.update_refused", extra={"reason": "invalid_update"})
            return response.json({"error": "invalid_update"}, status=400)
        # Seen before it is processed: a delivery Telegram repeats while this one runs is not processed.
        if not await self._updates.first_time(str(update.update_id)):
            logger.info("telegram.update_replayed", extra={"update_id": update.update_id})
            return response.json({})
        try:
            await self._process(update, on_new_message)
        except Exception:
            logger.exception("telegram.update_failed", extra={"update_id": update.update_id})
        return response.json({})

    def _authentic(self, given: str | None) -> bool:
        if not given:
            return False
        return hmac.compare_digest(given.encode("utf-8"), self.settings.webhook_secret.encode("utf-8"))

    async def _process(self, update: Update, on_new_message: MessageHandler) -> None:
        query = update.callback_query
        if query is not None:
            await self._call_quietly("answerCallbackQuery", lambda bot: bot.answer_callback_query(query.id))
        reading = read_update(update)
        if isinstance(reading, Ignored):
            logger.info(
                "telegram.update_ignored", extra={"update_id": update.update_id, "reason": reading.reason}
            )
            return
        if reading.chosen is not None:
            if not await self._used_keyboards.first_time(f"{reading.chat_id}:{reading.chosen.message_id}"):
                logger.info("telegram.keyboard_reused", extra={"update_id": update.update_id})
                return
            await self._mark_chosen(reading)
        assert self._output is not None  # made with the client
        message = UserMessage(
            reading.text,
            self._output,
            reading.sender_id,
            input_channel=self.name(),
            metadata=reading.metadata,
        )
        await on_new_message(redacted(message))

    async def _mark_chosen(self, reading: Inbound) -> None:
        """Replaces the clicked keyboard by the chosen button alone, which does nothing."""
        assert reading.chosen is not None
        chosen = reading.chosen
        marked = InlineKeyboardMarkup(
            [[InlineKeyboardButton(f"{CHOSEN_MARK} {chosen.title}", callback_data=USED_KEYBOARD_DATA)]]
        )
        await self._call_quietly(
            "editMessageReplyMarkup",
            lambda bot: bot.edit_message_reply_markup(
                chat_id=reading.chat_id, message_id=chosen.message_id, reply_markup=marked
            ),
        )

    async def _call_quietly(self, method: str, request: Callable[[Bot], Awaitable[object]]) -> None:
        """A call the conversation goes on without (a spinner, a keyboard): failures are logged only."""
        assert self.client is not None
        try:
            await self.client.call(method, request)
        except SendFailed as failure:
            logger.info("telegram.call_failed", extra={"method": method, "error": failure.error})


def _parse(request: Request, bot: Bot) -> Update | None:
    try:
        data = request.json
    except Exception:  # Sanic's InvalidUsage: not JSON
        return None
    if not isinstance(data, dict) or type(data.get("update_id")) is not int:
        return None
    try:
        update = Update.de_json(data, bot)
        # PTB checks no field's type: a shape only junk has (text a list, no chat...) is refused here,
        # rather than fail in the processing (logged as a failure, answered 200)
        reading = read_update(update)
    except Exception:  # a shape PTB cannot read (a field of the wrong type...)
        return None
    if isinstance(reading, Inbound) and not isinstance(reading.text, str):
        return None
    return update


def _not_configured() -> HTTPResponse:
    return response.json({"error": "not_configured"}, status=503)
