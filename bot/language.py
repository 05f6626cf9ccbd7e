"""Which language a conversation is in, from its slots (see the `language` slot in domain/core.yml)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.i18n import normalize_language


def conversation_language(slots: Mapping[str, Any], default: str) -> str:
    """The explicit or detected language, else the channel's hint, else the configured default."""
    return (
        normalize_language(slots.get("language"))
        or normalize_language(slots.get("channel_language"))
        or default
    )
