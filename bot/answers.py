"""Typed answers to the assistant's questions, read without Rasa: amounts, numbers of instalments,
a choice among named options. The NLU entities come first; these read the whole message when the
entity extractor missed the value ("20", "3 x", "120,50")."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal

from bot.dates.patterns import parse_number
from bot.text import fold

# "1 234,56", "1.234,56", "1,234.56", "120.5", "50" followed or preceded by a currency or nothing.
_AMOUNT = re.compile(r"(?<![\w.,])(\d{1,3}(?:[ .\u00a0\u202f]\d{3})+|\d+)(?:[.,](\d{1,2}))?(?![\d])")
_INSTALLMENTS = re.compile(
    r"(?<!\w)(?P<n>\d{1,2}|[a-z]+) ?(?:x|fois|vezes|vez|parcelas?|prestacoes|prestacao|mensualites?"
    r"|echeances?|mois|meses)(?!\w)"
)
_BARE_NUMBER = re.compile(r"^\D{0,12}?(\d{1,2})\D{0,12}$")
_WORD = re.compile(r"[a-z0-9]+")


def parse_amount(text: str) -> Decimal | None:
    """The first amount written in `text`, decimals after a comma or a point: "120,50 €" → 120.50."""
    match = _AMOUNT.search(text or "")
    if match is None:
        return None
    whole = re.sub(r"\D", "", match.group(1))
    return Decimal(f"{whole}.{match.group(2) or '0'}")


def parse_installments(text: str, language: str) -> int | None:
    """A number of instalments: "3x", "en 4 fois", "em seis parcelas", "10 mensualités", or a bare "3"."""
    folded = fold(text or "")
    for match in _INSTALLMENTS.finditer(folded):
        count = parse_number(match["n"], language)
        if count:
            return count
    bare = _BARE_NUMBER.match(folded)
    return int(bare.group(1)) if bare else None


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text or ""))


def choose(text: str, options: Mapping[str, Iterable[str]]) -> str | None:
    """The option whose alias appears in `text` as whole words; None when none or several do.

    `options` maps an option key to its aliases ("card": ["carte", "cb"]).
    """
    said = f" {' '.join(words(text))} "
    found = {
        key
        for key, aliases in options.items()
        for alias in aliases
        if (spelled := " ".join(words(alias))) and f" {spelled} " in said
    }
    return found.pop() if len(found) == 1 else None
