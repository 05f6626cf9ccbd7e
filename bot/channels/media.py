"""Messages without text (a photo, a voice note, a location...): the channels pass them on to Rasa as a
placeholder text (`[image]`) with `metadata.media` set to the kind, so that the conversation shows that
something was sent (the agent console too), and the message inspector (bot/nlu/message_inspector.py)
answers it as an input issue ("I can only read text") instead of guessing an intent."""

from __future__ import annotations

MEDIA_KEY = "media"
KINDS = ("image", "audio", "video", "document", "sticker", "location", "contact", "other")


def placeholder(kind: str) -> str:
    return f"[{kind if kind in KINDS else 'other'}]"


def media_metadata(kind: str) -> dict[str, str]:
    return {MEDIA_KEY: kind if kind in KINDS else "other"}


def media_kind(metadata: object) -> str | None:
    """The kind of media a message's metadata declares, if any."""
    if not isinstance(metadata, dict):
        return None
    kind = metadata.get(MEDIA_KEY)
    if not isinstance(kind, str) or not kind:
        return None
    return kind if kind in KINDS else "other"
