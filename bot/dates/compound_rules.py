"""Rules that combine a direction or a period with a day: "le 15 prochain", "o próximo dia 10",
"le mois prochain, le 5", "mês que vem dia 5", "la semaine prochaine, mardi", "semana que vem na quarta".
"""

from __future__ import annotations

import re
from datetime import timedelta

from bot.dates import calendar_math as cm
from bot.dates.lexicon import NEXT_RE, PREV_RE, PT_NEXT, WEEKDAY_RE, weekday_number
from bot.dates.patterns import NOT_AMOUNT, B, Context, E, Outcome, Rule, day_re, direction, parse_number


def next_day_of_month(m: re.Match[str], ctx: Context) -> Outcome:
    """ "le 15 prochain", "o próximo dia 10": the next such day after today ("dernier"/"passado": before)."""
    day = parse_number(m["d"], ctx.language)
    step = direction(m["rel"], ctx.language)
    if day is None or step == 0:
        return None, "relative"
    start = ctx.today + timedelta(days=step)  # never today itself
    return cm.day_of_month(day, start, "future" if step > 0 else "past"), "relative"


def month_then_day(m: re.Match[str], ctx: Context) -> Outcome:
    """ "le mois prochain, le 5", "esse mês dia 25": that day of the month named before it."""
    day = parse_number(m["d"], ctx.language)
    if day is None:
        return None, "relative"
    return cm.day_in_month(ctx.today, direction(m["rel"], ctx.language), day), "relative"


def week_then_weekday(m: re.Match[str], ctx: Context) -> Outcome:
    """ "la semaine prochaine, mardi", "semana que vem na quarta": that weekday of the week named first."""
    target = weekday_number(m["wd"], ctx.language)
    if target is None:
        return None, "relative"
    step = direction(m["rel"], ctx.language)
    return cm.monday(ctx.today) + timedelta(weeks=step, days=target), "relative"


def compound_rules(lang: str) -> list[Rule]:
    nxt, prv, wd, day = NEXT_RE[lang], PREV_RE[lang], WEEKDAY_RE[lang], day_re(lang)
    day_end = rf"{NOT_AMOUNT}(?![/.-]?[0-9]){E}"
    if lang == "fr":
        month = (
            rf"(?:(?:le |au |du )?mois (?:{nxt}|{prv})|(?:le |au )?(?:prochain|dernier) mois|ce mois(?: ci)?)"
        )
        week = rf"(?:(?:la )?semaine (?:{nxt}|{prv})|(?:la )?(?:prochaine|derniere) semaine|cette semaine)"
        return [
            (rf"{B}(?:le|au|du) {day} (?P<rel>prochain|dernier){E}", next_day_of_month),
            (rf"{B}(?P<rel>{month}),? (?:le|vers le) {day}{day_end}", month_then_day),
            (rf"{B}(?P<rel>{week}),? (?:le )?(?P<wd>{wd}){E}", week_then_weekday),
        ]
    this = r"(?:n?est|n?ess)"
    month = rf"(?:(?:n?o )?mes (?:{nxt}|{prv})|(?:n?o )?(?:{PT_NEXT}|ultimo) mes|{this}e mes)"
    week = rf"(?:(?:n?a )?semana (?:{nxt}|{prv})|(?:n?a )?(?:{PT_NEXT}|ultima) semana|{this}a semana)"
    return [
        (rf"{B}(?:(?:n?o|ate o) )?(?P<rel>{PT_NEXT}|ultimo) dia {day}{day_end}", next_day_of_month),
        (rf"{B}(?:(?:n?o|ate o) )?dia {day} (?P<rel>q(?:ue)? vem|passado){E}", next_day_of_month),
        (rf"{B}(?P<rel>{month}),? (?:(?:n?o|ate o) )?dia {day}{day_end}", month_then_day),
        (rf"{B}(?P<rel>{week}),? (?:(?:n?[ao]|ate [ao]) )?(?P<wd>{wd}){E}", week_then_weekday),
    ]
