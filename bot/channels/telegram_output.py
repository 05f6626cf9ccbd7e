"""Sends bot messages to Telegram chats through python-telegram-bot's `Bot`, retrying what can be.

A message becomes, in order: its text, cut at Telegram's 4096 UTF-16 units (plain text: no parse
mode, so nothing the bot says can break the formatting), its buttons as an inline keyboard (one per
row) on the last part, and its document (an invoice PDF) fetched from its link and uploaded, with the
text as caption when it fits in 1024 units. A human agent's message starts with the agent's name in
bold (HTML). Each Bot API call is retried on its own (bot/channels/telegram_client.py): a part that
went out is never sent again.

A message the agent console sent (bot/channels/messages.py `handoff_event_of`) that cannot be
delivered raises `DeliveryFailed`, so the console tells the agent; the bot's own replies are logged
as `telegram.delivery_failed` and dropped.
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit, ParseMode

from bot.channels.delivery import REJECTED, UNREACHABLE, DeliveryFailed
from bot.channels.messages import (
    Button,
    Document,
    agent_name_of,
    buttons_of,
    document_of,
    handoff_event_of,
    text_of,
)
from bot.channels.output import MessageOutput
from bot.channels.splitting import split_text, utf16_length
from bot.channels.telegram_client import SendFailed, TelegramClient
from bot.channels.telegram_settings import TelegramSettings
from bot.channels.telegram_updates import TITLE_DATA_PREFIX, chat_id_of

logger = logging.getLogger(__name__)

CHANNEL_NAME = "telegram"
MESSAGE_LIMIT = MessageLimit.MAX_TEXT_LENGTH  # 4096, in UTF-16 code units
CAPTION_LIMIT = MessageLimit.CAPTION_LENGTH  # 1024
MAX_CALLBACK_DATA_BYTES = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA  # 64
T = TypeVar("T")


@dataclass(frozen=True)
class Part:
    text: str
    parse_mode: str | None = None


class TelegramOutput(MessageOutput):
    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    def __init__(self, client: TelegramClient, settings: TelegramSettings) -> None:
        self.client = client
        self.settings = settings

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        event = handoff_event_of(message)
        try:
            await self._deliver(recipient_id, message, event)
            return
        except SendFailed as failure:
            reason = failure.reason
            logger.warning(
                "telegram.delivery_failed",
                extra={
                    "recipient": recipient_id,
                    "reason": reason,
                    "method": failure.method,
                    "error": failure.error,
                    "handoff_event": event,
                },
            )
        except Exception:  # a library's surprise: Rasa's message handling goes on all the same
            reason = UNREACHABLE
            logger.exception(
                "telegram.delivery_failed",
                extra={"recipient": recipient_id, "reason": reason, "handoff_event": event},
            )
        if event is not None:  # the agent console waits for the answer
            raise DeliveryFailed(reason)

    async def _deliver(self, recipient_id: str, message: Mapping[str, Any], event: str | None) -> None:
        chat_id = chat_id_of(recipient_id)
        if chat_id is None:
            raise SendFailed(REJECTED, "sendMessage", "not a Telegram conversation")
        text = text_of(message)
        agent = agent_name_of(message) if event == "agent_message" else ""
        keyboard = keyboard_of(buttons_of(message))
        document = document_of(message)
        content = await self._download(document) if document else None
        if document and content is not None:
            caption = text_parts(text, CAPTION_LIMIT, agent)
            if len(caption) <= 1:
                await self._send_document(
                    chat_id, document, content, caption[0] if caption else None, keyboard
                )
                return
        parts = text_parts(text, MESSAGE_LIMIT, agent)
        for index, part in enumerate(parts):
            last = index == len(parts) - 1 and content is None
            await self._send_message(chat_id, part, keyboard if last else None)
        if document and content is not None:
            await self._send_document(chat_id, document, content, None, keyboard)
        elif not parts and keyboard is not None:
            logger.warning("telegram.buttons_without_text", extra={"chat_id": chat_id})

    async def _send_message(self, chat_id: int, part: Part, keyboard: InlineKeyboardMarkup | None) -> None:
        await self.client.call(
            "sendMessage",
            lambda bot: bot.send_message(
                chat_id, part.text, parse_mode=part.parse_mode, reply_markup=keyboard
            ),
        )

    async def _send_document(
        self,
        chat_id: int,
        document: Document,
        content: bytes,
        caption: Part | None,
        keyboard: InlineKeyboardMarkup | None,
    ) -> None:
        await self.client.call(
            "sendDocument",
            lambda bot: bot.send_document(
                chat_id,
                InputFile(content, filename=document.name),
                caption=caption.text if caption else None,
                parse_mode=caption.parse_mode if caption else None,
                reply_markup=keyboard,
            ),
        )

    async def _download(self, document: Document) -> bytes | None:
        """The file's bytes; None (logged) when it cannot be fetched or is too large: the text, which
        holds the link, still goes out."""
        try:
            return await asyncio.wait_for(
                fetch(document.url, self.settings.max_document_bytes), self.settings.download_timeout_s
            )
        except (
            httpx.HTTPError,
            httpx.InvalidURL,
            asyncio.TimeoutError,
            DocumentTooLarge,
            ValueError,
        ) as error:
            logger.warning("telegram.document_unavailable", extra={"error": type(error).__name__})
            return None


class DocumentTooLarge(Exception):
    pass


async def fetch(url: str, max_bytes: int) -> bytes:
    async with httpx.AsyncClient(follow_redirects=True) as http, http.stream("GET", url) as response:
        response.raise_for_status()
        if int(response.headers.get("Content-Length") or 0) > max_bytes:
            raise DocumentTooLarge
        content = bytearray()
        async for chunk in response.aiter_bytes():
            content += chunk
            if len(content) > max_bytes:
                raise DocumentTooLarge
        return bytes(content)


def text_parts(text: str, limit: int, agent: str = "") -> list[Part]:
    """The text in parts of at most `limit` UTF-16 units; with an agent's name, the first part starts
    with it in bold (HTML, the text escaped), counted in the limit."""
    if not agent:
        return [Part(piece) for piece in split_text(text, limit, utf16_length)]
    pieces = split_text(text, limit - utf16_length(agent) - 1, utf16_length) or [""]
    first = Part(
        f"<b>{html.escape(agent, quote=False)}</b>\n{html.escape(pieces[0], quote=False)}", ParseMode.HTML
    )
    return [first, *(Part(piece) for piece in pieces[1:])]


def keyboard_of(buttons: list[Button]) -> InlineKeyboardMarkup | None:
    """One button per row. A payload longer than Telegram's 64 bytes of callback data cannot ride on
    its button: the button gets `t:<index>` and its click brings its title (telegram_updates.py)."""
    if not buttons:
        return None
    rows = []
    for index, button in enumerate(buttons):
        data = button.payload
        if len(data.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES:
            logger.warning(
                "telegram.button_payload_too_long", extra={"index": index, "bytes": len(data.encode())}
            )
            data = f"{TITLE_DATA_PREFIX}{index}"
        rows.append([InlineKeyboardButton(button.title, callback_data=data)])
    return InlineKeyboardMarkup(rows)
