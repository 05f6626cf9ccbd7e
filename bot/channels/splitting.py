"""Cuts a long message into parts a messaging platform accepts (Telegram: 4096 characters counted in
UTF-16 code units; WhatsApp through Twilio: 1600 characters), at the most natural place available:
between paragraphs, then lines, then sentences, then words; a word longer than the limit is cut."""

from __future__ import annotations

import re
from collections.abc import Callable

_BOUNDARIES = (
    re.compile(r"\n\s*\n"),  # paragraphs
    re.compile(r"\n"),  # lines
    re.compile(r"(?<=[.!?…:;])\s+"),  # sentences
    re.compile(r"\s+"),  # words
)


def utf16_length(text: str) -> int:
    """Telegram's measure: an emoji outside the basic plane counts twice."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int, length: Callable[[str], int] = len) -> list[str]:
    """`text` in parts of at most `limit` (as measured by `length`), in order, none empty. A text that
    fits is returned whole; blank text gives no part."""
    if limit < 1:
        raise ValueError("limit must be positive")
    text = text.strip()
    if not text:
        return []
    if length(text) <= limit:
        return [text]
    cut = _cut_point(text, limit, length)
    head, tail = text[:cut].rstrip(), text[cut:].lstrip()
    return [head, *split_text(tail, limit, length)]


def _cut_point(text: str, limit: int, length: Callable[[str], int]) -> int:
    fits = _longest_prefix(text, limit, length)
    for boundary in _BOUNDARIES:
        ends = [match.start() for match in boundary.finditer(text, 0, fits + 1) if match.start() > 0]
        if ends:
            return ends[-1]
    return fits


def _longest_prefix(text: str, limit: int, length: Callable[[str], int]) -> int:
    """The number of characters of the longest prefix of `text` no longer than `limit` (at least 1)."""
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if length(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return low
