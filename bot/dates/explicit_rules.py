"""Rules for explicit dates: numeric ("15/03", "2026-04-03", "4/22"), day and month names ("15 mars",
"maio cinco", "23/set/2026", "le 3e jour d'octobre"), weekday + day ("lundi 23") and fixed holidays.
"""

from __future__ import annotations

import re

from bot.dates import calendar_math as cm
from bot.dates.lexicon import (
    HOLIDAYS,
    MONTH_RE,
    NEXT_RE,
    ORDINAL_DAY_WORDS,
    PREV_RE,
    PT_WEEKDAY_ABBREVIATIONS,
    WEEKDAY_RE,
    month_number,
    weekday_number,
)
from bot.dates.patterns import (
    DD,
    DIGIT_DAY,
    END_OF_CLAUSE,
    MM,
    NOT_AMOUNT,
    B,
    Context,
    E,
    Outcome,
    Rule,
    alternation,
    compile_table,
    day_re,
    direction,
    group,
    lookup,
    parse_number,
    parse_year,
    year_re,
)


def explicit(day: int, month: int, m: re.Match[str], ctx: Context) -> Outcome:
    """That day of that month: of the year written, else its next (or latest) occurrence."""
    year = parse_year(group(m, "y"))
    if year is not None:
        return cm.safe_date(year, month, day), "explicit"
    return cm.day_and_month(day, month, ctx.today, ctx.prefer), "explicit"


def numeric(m: re.Match[str], ctx: Context) -> Outcome:
    return explicit(int(m["d"]), int(m["m"]), m, ctx)


def day_month(m: re.Match[str], ctx: Context) -> Outcome:
    day = parse_number(m["d"], ctx.language)
    month = month_number(m["mo"], ctx.language)
    if day is None or month is None:
        return None, "explicit"
    return explicit(day, month, m, ctx)


def weekday_day(m: re.Match[str], ctx: Context) -> Outcome:
    day = parse_number(m["d"], ctx.language)
    target = weekday_number(m["wd"], ctx.language)
    if day is None or target is None:
        return None, "weekday"
    found = cm.weekday_and_day(target, day, ctx.today, ctx.prefer)
    return found or cm.day_of_month(day, ctx.today, ctx.prefer), "weekday"


def ordinal_day(m: re.Match[str], ctx: Context) -> Outcome:
    """ "le 3e jour d'octobre", "o quinto dia do mês que vem": an ordinal day of a named or relative month."""
    day = parse_number(m["d"], ctx.language)
    if day is None:
        return None, "explicit"
    if group(m, "mo") is not None:
        return day_month(m, ctx)
    if group(m, "rel") is None:
        return cm.day_of_month(day, ctx.today, ctx.prefer), "day_of_month"
    return cm.day_in_month(ctx.today, direction(m["rel"], ctx.language), day), "relative"


_HOLIDAYS = {lang: compile_table(table) for lang, table in HOLIDAYS.items()}


def holiday(m: re.Match[str], ctx: Context) -> Outcome:
    found = lookup(_HOLIDAYS[ctx.language], m["h"])
    if found is None:
        return None, "explicit"
    month, day = found
    return cm.day_and_month(day, month, ctx.today, ctx.prefer), "explicit"


def explicit_rules(lang: str) -> list[Rule]:
    wd, mo = WEEKDAY_RE[lang], MONTH_RE[lang]
    if lang == "pt":  # "qua, 22 de jan", "sex 13": undotted abbreviations before a date, not "ter 2 boletos"
        wd = rf"(?:{wd}|(?!ter){PT_WEEKDAY_ABBREVIATIONS}{E})"
    day, year = day_re(lang), year_re()
    pre = rf"{B}(?<![0-9][/.-])(?:(?:(?:le|o|a|na|no) )?{wd},? )?(?:(?:le|dia|em|du|au) )?"
    # "15/03, 2026": a four-digit year after a comma (not an amount: "15/03, 2026 €" is no year)
    comma_year = rf", ?(?=(?:19|20)[0-9]{{2}}(?![0-9]){NOT_AMOUNT})"
    numeric_year = rf"(?:(?:(?P=s)|{comma_year})(?P<y>[0-9]{{4}}|[0-9]{{2}}))?"
    ordinal = rf"(?:{DIGIT_DAY}|(?:{alternation(ORDINAL_DAY_WORDS[lang])}){E})"
    this_month = "(?:du|de ce) mois" if lang == "fr" else "(?:do|deste) mes"
    rel = rf"{NEXT_RE[lang]}|{PREV_RE[lang]}" + ("|ci" if lang == "fr" else "")
    return [
        (rf"{pre}(?P<y>[12][0-9]{{3}})(?P<s>[-/.])(?P<m>{MM})(?P=s)(?P<d>{DD})(?![0-9])", numeric),
        (rf"{pre}(?P<d>{DD}) ?(?P<s>[/-]) ?(?P<m>{MM}){numeric_year}(?![0-9/]|[-.][0-9])", numeric),
        (rf"{pre}(?P<d>{DD})\.(?P<m>{MM})\.(?P<y>[0-9]{{4}}|[0-9]{{2}})(?![0-9]|\.[0-9])", numeric),
        (rf"{pre}(?P<d>{DD})\.(?P<m>1[0-2]|0[1-9])(?![0-9]|\.[0-9])", numeric),
        (
            rf"{pre}(?P<d>{DD}) (?P<m>{MM}) (?P<y>[0-9]{{4}}|[0-9]{{2}})(?![0-9]|[/.:,-]?[0-9]){NOT_AMOUNT}",
            numeric,
        ),
        (rf"{B}(?:le|dia) (?P<d>{DD}) (?P<m>1[0-2]|0[1-9])(?= ?(?:[.!?]|$))", numeric),
        # month first, when the day cannot be a month ("4/22", "02/22/2026", "9-18-26"): US order;
        # not with a dot, which reads as a price ("12.25")
        (
            rf"{pre}(?<!entre )(?P<m>{MM})(?P<s>[/-])(?P<d>1[3-9]|2[0-9]|3[01]){numeric_year}"
            rf"(?![0-9/]|[-.][0-9]){NOT_AMOUNT}",
            numeric,
        ),
        # month name between slashes: "23/set/2026", "2/out", "2026/set/23"
        (rf"{pre}(?P<d>{DD})/(?P<mo>{mo})(?:/(?P<y>[0-9]{{4}}|[0-9]{{2}})(?![0-9]))?(?![\w/])", day_month),
        (rf"{pre}(?P<y>[12][0-9]{{3}})/(?P<mo>{mo})/(?P<d>{DD})(?![0-9])", day_month),
        (
            rf"{B}(?:{wd},? )?(?:(?:le|l|o|a|dia|em|no|du|au) )?{day}"
            rf"(?: de| du)? (?P<mo>{mo})(?:{year})?{E}",
            day_month,
        ),
        # month name first: "mai vingt et un", "maio cinco", "novembre 23 de 2027", at the end of a clause
        (
            rf"{B}(?P<mo>{mo}) {day}(?:(?: de |, ?| )(?P<y>(?:19|20)[0-9]{{2}})(?![0-9]))?{END_OF_CLAUSE}",
            day_month,
        ),
        # an ordinal day of a month: "le 3e jour d'octobre", "o quinto dia do mês que vem"
        (
            rf"{B}(?:(?:le|l|au|du|o|a|no|na|do) )?(?P<d>{ordinal}) (?:jour|dia) "
            rf"(?:(?:de|du|d|do|da) (?P<mo>{mo})(?:{year})?|{this_month}(?: (?P<rel>{rel}))?){E}",
            ordinal_day,
        ),
        (
            rf"{B}(?:(?:le|o|a|na|no) )?(?P<wd>{wd}),? (?:(?:le|dia) )?{day}{NOT_AMOUNT}(?![/.-]?[0-9])",
            weekday_day,
        ),
        (rf"{B}(?P<h>{alternation(HOLIDAYS[lang])}){E}", holiday),
    ]
