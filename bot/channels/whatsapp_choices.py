"""Buttons on WhatsApp, which a plain Twilio message cannot carry: the options are written as a numbered
list at the end of the message, and the customer's answer ("2", "2.", "n°2", "option 2", or the option's
words) is read back as the option's payload."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from bot.channels.messages import Button
from bot.channels.splitting import split_text
from bot.text import fold

MIN_PARTIAL_LETTERS = 3  # "au", "de" or "2a" alone name no option
_DECORATIONS = str.maketrans("", "", "\ufe0f\u20e3")  # the emoji keycap around a digit: "2️⃣"
_NUMBERED = re.compile(
    r"(?:(?:n|no|nr|num|numero|option|opcao|opcion|choix|escolha)\s*[°.:#]?|#)?\s*(\d{1,3})\s*[.):!]*"
)
_WORD = re.compile(r"[^\W_]+")


def numbered_list(buttons: Sequence[Button]) -> str:
    """ "1. Title" lines, one per option, in order."""
    return "\n".join(f"{index}. {' '.join(button.title.split())}" for index, button in enumerate(buttons, 1))


def message_parts(
    text: str, buttons: Sequence[Button], limit: int, length: Callable[[str], int] = len
) -> list[str]:
    """`text` cut into parts of at most `limit` (as measured by `length`), the numbered options after a
    blank line at the end of the last part, or in a part of their own when they do not fit there."""
    parts = split_text(text, limit, length)
    if not buttons:
        return parts
    listing = numbered_list(buttons)
    if length(listing) > limit:  # options longer than a whole message: cut them like text
        return split_text(f"{text}\n\n{listing}", limit, length)
    if parts and length(f"{parts[-1]}\n\n{listing}") <= limit:
        return [*parts[:-1], f"{parts[-1]}\n\n{listing}"]
    return [*parts, listing]


def chosen_option(text: str, options: Sequence[Button]) -> Button | None:
    """The option `text` picks among `options` (the numbered list the customer saw), or None: the text is
    then a message like any other. In order: the option's whole title (case, accents and punctuation
    aside), its number, or a run of at least three letters' worth of whole words that only one option's
    title holds ("premium" for "Passer au Premium")."""
    words = _words(text)
    if not words or not options:
        return None
    for option in options:
        if _words(option.title) == words:
            return option
    number = _option_number(text)
    if number is not None:
        return options[number - 1] if 1 <= number <= len(options) else None
    if sum(len(word) for word in words if word.isalpha()) < MIN_PARTIAL_LETTERS:
        return None
    holding = [option for option in options if _holds(_words(option.title), words)]
    return holding[0] if len(holding) == 1 else None


def _option_number(text: str) -> int | None:
    match = _NUMBERED.fullmatch(fold(text).translate(_DECORATIONS).strip())
    return int(match[1]) if match else None


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(fold(text)))


def _holds(title: tuple[str, ...], words: tuple[str, ...]) -> bool:
    """Whether `words` appear in `title` one after the other."""
    size = len(words)
    return any(title[start : start + size] == words for start in range(len(title) - size + 1))
