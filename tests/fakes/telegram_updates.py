"""Telegram updates as the Bot API posts them to a webhook (update JSON), for the channel's tests: a text
message, a message with any content (photo, location...), a click on an inline keyboard button."""

from __future__ import annotations

import itertools
import time
from typing import Any

from tests.fakes.telegram_api import BOT_USER

_update_ids = itertools.count(int(time.time()) % 1_000_000 * 1000)


def next_update_id() -> int:
    return next(_update_ids)


def user(chat_id: int, language: str | None = "pt-BR") -> dict[str, Any]:
    person: dict[str, Any] = {"id": chat_id, "is_bot": False, "first_name": "Ana"}
    if language:
        person["language_code"] = language
    return person


def message_update(
    chat_id: int,
    content: dict[str, Any],
    language: str | None = "pt-BR",
    chat_type: str = "private",
    kind: str = "message",
) -> dict[str, Any]:
    """An update with a message (`kind`: message, edited_message...) holding `content` (text, photo...)."""
    chat = {
        "id": chat_id,
        "type": chat_type,
        **({"first_name": "Ana"} if chat_type == "private" else {"title": "G"}),
    }
    message = {
        "message_id": 10,
        "date": int(time.time()),
        "chat": chat,
        "from": user(chat_id, language),
        **content,
    }
    return {"update_id": next_update_id(), kind: message}


def text_update(
    chat_id: int, text: str, language: str | None = "pt-BR", chat_type: str = "private"
) -> dict[str, Any]:
    return message_update(chat_id, {"text": text}, language, chat_type)


def keyboard(*buttons: tuple[str, str]) -> dict[str, Any]:
    return {"inline_keyboard": [[{"text": title, "callback_data": data}] for title, data in buttons]}


def click_update(
    chat_id: int,
    data: str,
    buttons: list[tuple[str, str]] | None = None,
    message_id: int = 77,
    language: str | None = "fr-FR",
) -> dict[str, Any]:
    """A click on a button with callback data `data` of the bot's message `message_id`, which shows
    `buttons` (title, data); None: the message is too old to be shown (inaccessible, date 0)."""
    chat = {"id": chat_id, "type": "private", "first_name": "Ana"}
    if buttons is None:
        message: dict[str, Any] = {"message_id": message_id, "date": 0, "chat": chat}
    else:
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": BOT_USER,
            "text": "Choisissez :",
            "reply_markup": keyboard(*buttons),
        }
    query = {
        "id": f"cb{next_update_id()}",
        "from": user(chat_id, language),
        "chat_instance": "42",
        "data": data,
        "message": message,
    }
    return {"update_id": next_update_id(), "callback_query": query}
