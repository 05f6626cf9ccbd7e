"""Building blocks shared by the rule modules: the rule context, regex fragments, number parsing.

Every fragment is linear: alternations of fixed words, single spaces (whitespace is collapsed
before matching) and bounded digit runs; no nested quantifiers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from bot.dates.lexicon import (
    DAY_WORDS,
    FR_IDIOMATIC_DAYS,
    NEXT_RE,
    NUMBER_WORDS,
    ORDINAL_DAY_WORDS,
    PREV_RE,
    unit_kind,
)

V = TypeVar("V")


@dataclass(frozen=True)
class Context:
    today: date
    prefer: str
    language: str


Outcome = tuple[date | None, str]  # (None, kind) for a recognised but impossible date
Handler = Callable[[re.Match[str], Context], Outcome]
Rule = tuple[str, Handler]  # a pattern (not yet compiled) and its handler

B = r"(?<!\w)"  # start of a word
E = r"(?!\w)"  # end of a word
DIGIT_DAY = r"(?:3[01]|[12][0-9]|0?[1-9])(?:ere|er|re|eme|e|o|a|°)?(?![0-9])"
DD, MM = r"3[01]|[12][0-9]|0?[1-9]", r"1[0-2]|0?[1-9]"
NOT_AMOUNT = (
    r"(?! ?(?:[€%$]|(?:eur|euros?|reais|real|r|h|hrs?|heures?|horas?|min|minutes?|minutos?|fois|vezes"
    r"|x|ans?|anos?|jours?|dias?|mois|mes|meses|semaines?|semanas?|parcelas?|mensalidades?|ech[ea]ances?)(?!\w)))"
)
END_OF_CLAUSE = r"(?= ?(?:[.,;:!?)]|$))"  # nothing after but punctuation or the end of the text


def alternation(words: Iterable[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


def group(m: re.Match[str], name: str) -> str | None:
    """The text of group `name`, or None when it did not match or the rule has no such group."""
    return m[name] if name in m.re.groupindex else None


def compile_table(table: Mapping[str, V]) -> list[tuple[re.Pattern[str], V]]:
    """A {pattern: value} word table (lexicon.RELATIVE_DAYS, lexicon.HOLIDAYS), compiled once."""
    return [(re.compile(pattern), value) for pattern, value in table.items()]


def lookup(table: list[tuple[re.Pattern[str], V]], word: str) -> V | None:
    """The value of the first pattern of a compiled table that matches the whole of `word`."""
    return next((value for pattern, value in table if pattern.fullmatch(word)), None)


def day_re(lang: str, name: str = "d") -> str:
    """A day of the month: "15", "1er", "1º", "quinze", "vingt et un", "primeiro"."""
    return rf"(?P<{name}>{DIGIT_DAY}|(?:{alternation(DAY_WORDS[lang])}){E})"


def count_re(lang: str) -> str:
    return rf"(?P<n>[0-9]{{1,3}}|(?:{alternation(NUMBER_WORDS[lang])}){E})"


def year_re() -> str:
    """An optional-year suffix after a day and month: " 2026", ", 26", " de 2027"."""
    return rf"(?: |, ?)(?:de |del )?(?P<y>[0-9]{{4}}|[0-9]{{2}})(?![0-9]|[:h,.][0-9]){NOT_AMOUNT}"


_DIGITS = re.compile(r"[0-9]+")


def parse_number(text: str, lang: str) -> int | None:
    digits = _DIGITS.match(text)
    if digits:
        return int(digits.group())
    return NUMBER_WORDS[lang].get(text) or ORDINAL_DAY_WORDS[lang].get(text)


def counted_amount(m: re.Match[str], lang: str) -> tuple[int, str] | None:
    """The amount and unit kind of a count_re + lexicon.UNITS match: "3 jours" → (3, "day").

    "quinze jours" / "huit jours" are two weeks / one week in French.
    """
    amount = parse_number(m["n"], lang)
    if amount is None:
        return None
    kind = unit_kind(m["unit"])
    if lang == "fr" and kind == "day":
        amount = FR_IDIOMATIC_DAYS.get(amount, amount)
    return amount, kind


def parse_year(text: str | None) -> int | None:
    if not text:
        return None
    value = int(text)
    if len(text) == 2:
        value += 2000 if value < 70 else 1900
    return value


_NEXT = {lang: re.compile(rf"{B}{pattern}{E}") for lang, pattern in NEXT_RE.items()}
_PREV = {lang: re.compile(rf"{B}{pattern}{E}") for lang, pattern in PREV_RE.items()}


def direction(text: str | None, lang: str) -> int:
    """+1 for "prochain"/"que vem", -1 for "dernier"/"passado", 0 otherwise."""
    if not text:
        return 0
    if _NEXT[lang].search(text):
        return 1
    if _PREV[lang].search(text):
        return -1
    return 0
