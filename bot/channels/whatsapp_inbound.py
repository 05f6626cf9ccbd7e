"""What Twilio's incoming-message webhook (its form fields) means for Rasa: the customer's text, or a
placeholder with `metadata.media` for a photo, voice note, file or location (bot/channels/media.py), the
conversation (sender id `whatsapp-+<number>`) and the language hint of the number's country."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.channels.media import media_metadata, placeholder
from bot.channels.phone_language import language_of_number
from bot.channels.whatsapp_output import sender_id_of

_FROM = re.compile(r"whatsapp:(\+[1-9]\d{6,14})")
_MEDIA_KINDS = {"image": "image", "audio": "audio", "video": "video", "application": "document"}
_SPECIAL_MEDIA = {"image/webp": "sticker", "text/vcard": "contact", "text/x-vcard": "contact"}


@dataclass(frozen=True)
class Inbound:
    """A customer's message, as read from Twilio's form."""

    message_sid: str
    sender_id: str  # "whatsapp-+33612345678"
    text: str
    metadata: dict[str, Any]
    typed: bool  # the customer's own text (which may pick an option), not a media placeholder


def inbound_message(form: Mapping[str, list[str]]) -> Inbound | None:
    """The message of an incoming-message webhook; None if the form is not one."""
    sid, sender = first(form, "MessageSid"), _FROM.fullmatch(first(form, "From"))
    try:
        media_count = int(first(form, "NumMedia") or 0)
    except ValueError:
        return None
    if not sid or sender is None:
        return None
    number = sender[1]
    language = language_of_number(number)
    hint = {"language": language} if language else {}
    body = first(form, "Body").strip()
    if first(form, "Latitude") and first(form, "Longitude"):
        kind: str | None = "location"
    elif body:
        kind = None  # a caption under a file counts as the message
    elif media_count > 0:
        content_type = first(form, "MediaContentType0").lower()
        kind = _SPECIAL_MEDIA.get(content_type) or _MEDIA_KINDS.get(content_type.split("/")[0], "other")
    else:
        kind = "other"  # nothing Twilio describes (a reaction, an unsupported message)
    if kind is None:
        return Inbound(sid, sender_id_of(number), body, hint, typed=True)
    return Inbound(
        sid, sender_id_of(number), placeholder(kind), {**media_metadata(kind), **hint}, typed=False
    )


def first(form: Mapping[str, list[str]], name: str) -> str:
    return (form.get(name) or [""])[0]
