"""A billing month named in French or Portuguese: "octobre", "la facture de septembre 2026", "le mois
dernier", "mês passado", "10/2026" → (year, month), the latest such month on or before today."""

from __future__ import annotations

import re
from datetime import date

from bot.dates.calendar_math import shift_month
from bot.dates.lexicon import MONTH_RE, month_number
from bot.i18n import normalize_language
from bot.text import fold

_LAST_MONTH = {
    "fr": re.compile(r"\bmois (?:dernier|precedent|passe)\b"),
    "pt": re.compile(r"\b(?:mes (?:passado|anterior)|ultimo mes)\b"),
}
_THIS_MONTH = {
    "fr": re.compile(r"\b(?:ce mois|mois en cours|mois-ci)\b"),
    "pt": re.compile(r"\b(?:este mes|esse mes|mes atual|deste mes|desse mes)\b"),
}
_NUMERIC = re.compile(r"(?<![\d/])(0?[1-9]|1[0-2])[/.-](20\d{2})(?![\d/])")
_YEAR = re.compile(r"^\W*(?:de |del )?(20\d{2})\b")


def resolve_month(text: str, language: str, today: date) -> tuple[int, int] | None:
    lang = normalize_language(language)
    if lang is None or not text:
        return None
    folded = fold(text)
    if _LAST_MONTH[lang].search(folded):
        return shift_month(today.year, today.month, -1)
    if _THIS_MONTH[lang].search(folded):
        return today.year, today.month
    numeric = _NUMERIC.search(folded)
    if numeric:
        return int(numeric.group(2)), int(numeric.group(1))
    named = re.search(rf"(?<!\w){MONTH_RE[lang]}(?!\w)", folded)
    if named is None:
        return None
    month = month_number(named.group(0), lang)
    if month is None:
        return None
    year_written = _YEAR.match(folded[named.end() :])
    if year_written:
        return int(year_written.group(1)), month
    year = today.year if month <= today.month else today.year - 1
    return year, month
