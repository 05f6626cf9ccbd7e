"""Days counted from another day expression: "la veille du 15", "le lendemain du 3 mars",
"deux jours après le 10", "véspera de Natal", "o dia seguinte ao dia 5", "3 dias antes do dia 20".

The resolver first finds the inner expression ("du 15", "dia 5"), then asks `anchor_before` whether
the words right before it count days from it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.dates.lexicon import UNITS
from bot.dates.patterns import B, Context, count_re, counted_amount

_WINDOW = 60  # the anchor words end right before the inner expression and are shorter than this
_CONNECTORS = {
    "fr": r"(?: (?:du|de la|de l|des|de|d|le|la))?",
    "pt": r"(?: (?:do|da|dos|das|de|d|ao|a|o))?",
}
_DAY_BEFORE = {"fr": r"(?:la )?veille", "pt": r"(?:(?:a|na) )?vespera|(?:(?:o|no) )?dia anterior"}
_DAY_AFTER = {"fr": r"(?:le )?lendemain", "pt": r"(?:(?:o|no) )?dia seguinte"}
_TWO_DAYS_AFTER = {"fr": r"(?:le )?surlendemain", "pt": r"(?!)"}
_BEFORE_AFTER = {"fr": ("avant", "apres"), "pt": ("antes", "depois")}


@lru_cache(maxsize=4)
def _patterns(lang: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    fixed = (
        rf"{B}(?:(?P<before>{_DAY_BEFORE[lang]})|(?P<after>{_DAY_AFTER[lang]})"
        rf"|(?P<after2>{_TWO_DAYS_AFTER[lang]})){_CONNECTORS[lang]} $"
    )
    before, after = _BEFORE_AFTER[lang]
    counted = rf"{B}{count_re(lang)} {UNITS[lang]} (?P<way>{before}|{after}){_CONNECTORS[lang]} $"
    return re.compile(fixed), re.compile(counted)


def anchor_before(norm: str, start: int, ctx: Context) -> tuple[int, int, str] | None:
    """Where anchor words ending at `start` begin, and how they move the day that follows them:
    (start, amount, unit) for calendar_math.add."""
    fixed, counted = _patterns(ctx.language)
    window = max(0, start - _WINDOW)
    m = fixed.search(norm, window, start)
    if m is not None:
        offset = -1 if m["before"] else 2 if m["after2"] else 1
        return m.start(), offset, "day"
    m = counted.search(norm, window, start)
    if m is None:
        return None
    count = counted_amount(m, ctx.language)
    if count is None:
        return None
    amount, unit = count
    sign = -1 if m["way"] in ("avant", "antes") else 1
    return m.start(), sign * amount, unit
