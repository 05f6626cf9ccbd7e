"""Resolve French/Portuguese day expressions ("le 15", "dia 10", "amanhã", "fin du mois") to dates.

Own rules first (bot.dates.rules), then dateparser for what they do not cover.
"""

from __future__ import annotations

import bisect
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.dates import calendar_math as cm
from bot.dates.anchors import anchor_before
from bot.dates.lexicon import PT_ORDINAL_NOUNS
from bot.dates.patterns import Context, parse_number
from bot.dates.rules import DAY_OF_MONTH_HANDLERS, rules
from bot.i18n import normalize_language
from bot.text import fold

log = logging.getLogger(__name__)

MAX_TEXT = 10_000
_DATEPARSER_MAX = 200  # longer texts are not handed to dateparser (slow and noisy on long prose)
_APOSTROPHES = "'’‘`´ʼ"
_HYPHENS = "-‐‑‒–—"


@dataclass(frozen=True)
class ResolvedDate:
    value: date  # the resolved day
    kind: str  # "day_of_month", "relative", "weekday", "explicit" or "period_edge"
    text: str  # the span of the input that was understood


def _normalise(text: str) -> tuple[str, list[int]]:
    """Lower-case, accent-free text with whitespace collapsed, and each character's index in `text`.

    Hyphens between words and apostrophes become spaces ("après-demain" → "apres demain",
    "d'ici" → "d ici"); hyphens between digits stay ("15-03-2026").
    """
    out: list[str] = []
    index: list[int] = []
    for i, char in enumerate(text):
        if char.isspace() or char in _APOSTROPHES or char == "_":
            if out and out[-1] != " ":
                out.append(" ")
                index.append(i)
            continue
        if char in _HYPHENS:
            prev_digit = bool(out) and out[-1].isdigit()
            next_digit = i + 1 < len(text) and text[i + 1].isdigit()
            if prev_digit and next_digit:
                out.append("-")
                index.append(i)
            elif out and out[-1] != " ":
                out.append(" ")
                index.append(i)
            continue
        for c in fold(char) or " ":
            if c == " " and out and out[-1] == " ":
                continue
            out.append(c)
            index.append(i)
    return "".join(out), index


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    value: date | None
    kind: str
    day: int | None  # the day number when the rule reads a day of the month ("le 15", "lundi 15")


def _candidates(norm: str, ctx: Context) -> list[_Candidate]:
    found: list[_Candidate] = []
    for pattern, handler in rules(ctx.language):
        for match in pattern.finditer(norm):
            if match.end() == match.start():
                continue
            try:
                value, kind = handler(match, ctx)
            except (ValueError, OverflowError):
                value, kind = None, "explicit"
            day = None
            if handler in DAY_OF_MONTH_HANDLERS:
                day = parse_number(match["d"], ctx.language)
                day = day if day is not None and 1 <= day <= 31 else None
            found.append(_Candidate(match.start(), match.end(), value, kind, day))
    for cand in list(found):  # "la veille du 15", "2 dias depois do dia 10": counted from the inner day
        if cand.value is None:
            continue
        anchored = anchor_before(norm, cand.start, ctx)
        if anchored is not None:
            start, amount, unit = anchored
            found.append(_Candidate(start, cand.end, cm.add(cand.value, unit, amount), "relative", None))
    return found


def _pick(found: list[_Candidate]) -> list[_Candidate]:
    """Longest non-overlapping matches, in text order."""
    chosen: list[_Candidate] = []  # non-overlapping, so sorted by start and by end alike
    starts: list[int] = []
    for cand in sorted(found, key=lambda c: (c.start - c.end, c.start)):
        at = bisect.bisect_right(starts, cand.start)
        if at > 0 and chosen[at - 1].end > cand.start:
            continue
        if at < len(chosen) and chosen[at].start < cand.end:
            continue
        chosen.insert(at, cand)
        starts.insert(at, cand.start)
    return chosen


def _span(text: str, index: list[int], start: int, end: int) -> str:
    return text[index[start] : index[end - 1] + 1].strip(" ,.;:!?")


# An instalment out of a count ("parcela 4/12", "échéance n° 3/10") is no day and month.
_INSTALMENT = r"\b(?:{})(?: (?:n|no|n°|numero))? [0-9]{{1,3}}/[0-9]{{1,3}}(?![0-9/])"
_NOT_DATES = {
    "fr": [re.compile(_INSTALMENT.format(r"echeances?|mensualites?|versements?|prelevements?"))],
    "pt": [
        # ordinals that our weekday rules and dateparser would read as weekdays: "segunda via"
        re.compile(r"\b(?:segunda|terca|quarta|quinta|sexta)\s+" + PT_ORDINAL_NOUNS + r"\b"),
        re.compile(_INSTALMENT.format(r"parcelas?|prestac(?:ao|oes)|mensalidades?")),
    ],
}


def _blank_non_dates(text: str, norm: str, index: list[int], language: str) -> tuple[str, str]:
    """Blanks phrases that look like days but are not ("segunda via", "parcela 4/12") in both texts
    (same lengths, so spans still map), so that neither our rules nor dateparser read them."""
    chars, norm_chars = list(text), list(norm)
    for pattern in _NOT_DATES[language]:
        for match in pattern.finditer(norm):
            for position in range(match.start(), match.end()):
                norm_chars[position] = " "
            for position in range(index[match.start()], index[match.end() - 1] + 1):
                chars[position] = " "
    return "".join(chars), "".join(norm_chars)


def _dateparser(text: str, language: str, today: date, prefer: str) -> ResolvedDate | None:
    if len(text) > _DATEPARSER_MAX or not any(c.isalnum() for c in text):
        return None
    try:
        import dateparser
        from dateparser.search import search_dates
    except ImportError:  # pragma: no cover - dateparser is a project dependency
        return None
    settings: dict[str, Any] = {
        "RELATIVE_BASE": datetime(today.year, today.month, today.day, 12, 0),
        "PREFER_DATES_FROM": prefer,
        "PREFER_DAY_OF_MONTH": "first",
        "DATE_ORDER": "DMY",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PARSERS": ["relative-time", "absolute-time"],
    }
    try:
        parsed = dateparser.parse(text, languages=[language], settings=settings)
        if parsed is not None:
            return ResolvedDate(parsed.date(), "explicit", text.strip())
        hits = search_dates(text, languages=[language], settings=settings) or []
    except Exception:  # dateparser raises assorted errors on odd input; never let them out
        log.debug("dateparser failed on %r", text, exc_info=True)
        return None
    for span, moment in hits:
        if span.strip().isdigit():  # a bare number ("2027", "150") is not a day
            continue
        if any(c.isdigit() for c in span) or len(span.strip()) >= 4:
            return ResolvedDate(moment.date(), "explicit", span.strip())
    return None


def resolve_date(text: str, language: str, today: date, prefer: str = "future") -> ResolvedDate | None:
    """The first day expression in `text`, resolved against `today`; None if none or impossible (31/02).

    `prefer` ("future" or "past") decides ambiguous expressions: a bare weekday, "le 15" or
    "15 mars" resolve to the next occurrence on or after today, or the latest on or before it.
    """
    lang = normalize_language(language)
    if lang is None or not isinstance(text, str) or not text.strip():
        return None
    prefer = "past" if prefer == "past" else "future"
    text = text[:MAX_TEXT]
    norm, index = _normalise(text)
    text, norm = _blank_non_dates(text, norm, index, lang)
    chosen = _pick(_candidates(norm, Context(today, prefer, lang)))
    for cand in chosen:
        if cand.value is not None:
            return ResolvedDate(cand.value, cand.kind, _span(text, index, cand.start, cand.end))
    if chosen:  # recognised, but the date does not exist
        return None
    return _dateparser(text, lang, today, prefer)


def resolve_day_of_month(text: str, language: str) -> int | None:
    """The day number of the first day-of-month expression ("le 15", "dia 10", "todo dia 5", "le premier").

    A day followed by a month ("le 15 mars") also counts; None when the text holds no such expression.
    """
    lang = normalize_language(language)
    if lang is None or not isinstance(text, str) or not text.strip():
        return None
    norm, _ = _normalise(text[:MAX_TEXT])
    ctx = Context(date(2000, 1, 1), "future", lang)  # a January: every day 1-31 exists
    for cand in _pick(_candidates(norm, ctx)):
        if cand.day is not None:
            return cand.day
    return None
