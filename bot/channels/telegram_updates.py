"""What a Telegram update (python-telegram-bot's `Update`) means for Rasa: the text or button payload,
the conversation (sender id `telegram-<chat id>`) and the message metadata; or why it is ignored.

- Only private chats are read: the bot is not meant for groups or channels.
- Text passes as typed, except `/start` (the first message of every Telegram conversation, with or
  without a deep-link argument), which becomes Rasa's `/greet` intent. Its language hint goes with it as
  metadata, as for any message: the session start takes it (actions/session.py).
- A photo, voice note, location... becomes a placeholder text (`[image]`) with `metadata.media`, so the
  NLU can answer that it reads text only (bot/channels/media.py); a caption is read as the text.
- A button click (callback query) brings the button's payload, or its title for a payload too long for
  Telegram's 64-byte callback data (such a button's data is `t:<index>`, see telegram_output.py).
- The sender's `language_code` is passed on as `metadata.language` when it is French or Portuguese.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from telegram import CallbackQuery, Chat, MaybeInaccessibleMessage, Message, Update

from bot.channels.media import media_metadata, placeholder
from bot.i18n import normalize_language

SENDER_PREFIX = "telegram-"
GREET_PAYLOAD = "/greet"
USED_KEYBOARD_DATA = "-"  # the one button left on a keyboard once used: "✓ <title>"
TITLE_DATA_PREFIX = "t:"  # "t:<index>": a button whose payload did not fit, read by its title
_START = re.compile(r"/start(?:@\w+)?(?:\s|$)")
# Message contents the customer sent that have no kind of their own in bot/channels/media.py.
_OTHER_CONTENT = ("poll", "dice", "game", "story", "paid_media", "checklist")


@dataclass(frozen=True)
class ChosenButton:
    """The button clicked: its message keeps it, marked, in place of the whole keyboard."""

    message_id: int
    title: str


@dataclass(frozen=True)
class Inbound:
    chat_id: int
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)
    chosen: ChosenButton | None = None

    @property
    def sender_id(self) -> str:
        return sender_id_of(self.chat_id)


@dataclass(frozen=True)
class Ignored:
    reason: str  # for the logs: a Telegram field name or a fixed word, never the customer's text


def sender_id_of(chat_id: int) -> str:
    return f"{SENDER_PREFIX}{chat_id}"


def chat_id_of(sender_id: str) -> int | None:
    """The chat of a Rasa sender id made by `sender_id_of`; None for any other conversation."""
    if not sender_id.startswith(SENDER_PREFIX):
        return None
    try:
        return int(sender_id.removeprefix(SENDER_PREFIX))
    except ValueError:
        return None


def read_update(update: Update) -> Inbound | Ignored:
    user = update.effective_user
    language = normalize_language(user.language_code if user else None)
    hint = {"language": language} if language else {}
    if update.message is not None:
        return _read_message(update.message, hint)
    if update.callback_query is not None:
        return _read_click(update.callback_query, hint)
    return Ignored(_update_kind(update))  # edited messages, channel posts, reactions...


def _read_message(message: Message, hint: dict[str, str]) -> Inbound | Ignored:
    if message.chat.type != Chat.PRIVATE:
        return Ignored("not_private")
    if message.text is not None:
        text = GREET_PAYLOAD if _START.match(message.text) else message.text
        return Inbound(message.chat.id, text, dict(hint))
    if message.caption:  # the customer wrote something with the file: read that
        return Inbound(message.chat.id, message.caption, dict(hint))
    kind = media_kind_of(message)
    if kind is None:
        return Ignored("service_message")
    return Inbound(message.chat.id, placeholder(kind), {**media_metadata(kind), **hint})


def media_kind_of(message: Message) -> str | None:
    """The kind of media (bot/channels/media.py) a message without text holds; None for a service
    message (a member joined, a payment went through...)."""
    if message.photo:
        return "image"
    if message.voice or message.audio:
        return "audio"
    if message.video or message.video_note or message.animation:  # an animation is also a document
        return "video"
    if message.document:
        return "document"
    if message.sticker:
        return "sticker"
    if message.location or message.venue:
        return "location"
    if message.contact:
        return "contact"
    if any(getattr(message, name, None) for name in _OTHER_CONTENT):
        return "other"
    return None


def _read_click(query: CallbackQuery, hint: dict[str, str]) -> Inbound | Ignored:
    message = query.message
    if message is None:  # a button of an inline-mode message: not ours
        return Ignored("inline_message")
    if message.chat.type != Chat.PRIVATE:
        return Ignored("not_private")
    data = query.data
    if not data:
        return Ignored("no_callback_data")
    if data == USED_KEYBOARD_DATA:
        return Ignored("used_keyboard")
    title = button_title(message, data)
    if data.startswith(TITLE_DATA_PREFIX):
        if title is None:
            return Ignored("unknown_button")
        text = title
    else:
        text = data
    chosen = ChosenButton(message.message_id, title) if title is not None else None
    return Inbound(message.chat.id, text, dict(hint), chosen)


def button_title(message: MaybeInaccessibleMessage, data: str) -> str | None:
    """The title of the button with callback data `data` in the message's keyboard, if it is there
    (an inaccessible message, older than 48 hours, shows no keyboard)."""
    markup = message.reply_markup if isinstance(message, Message) else None
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                return button.text
    return None


def _update_kind(update: Update) -> str:
    return next((key for key in update.to_dict() if key != "update_id"), "empty")
