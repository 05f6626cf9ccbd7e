"""Regex rules for French and Portuguese day expressions, run on normalised text.

This module holds the relative expressions (days of the month, "demain", "dans 3 jours", weekdays,
period edges, "le premier vendredi du mois") and assembles them with the explicit-date rules of
bot.dates.explicit_rules into one table per language.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from functools import lru_cache

from bot.dates import calendar_math as cm
from bot.dates.compound_rules import compound_rules, month_then_day, next_day_of_month
from bot.dates.explicit_rules import day_month, explicit_rules, ordinal_day, weekday_day
from bot.dates.lexicon import (
    MONTH_RE,
    NEXT_RE,
    NTH_RE,
    PREV_RE,
    PT_NEXT,
    PT_WEEKDAY_ABBREVIATIONS,
    RELATIVE_DAYS,
    THIS_RE,
    UNITS,
    WEEKDAY_RE,
    month_number,
    nth_number,
    unit_kind,
    weekday_number,
)
from bot.dates.patterns import (
    END_OF_CLAUSE,
    NOT_AMOUNT,
    B,
    Context,
    E,
    Handler,
    Outcome,
    Rule,
    alternation,
    compile_table,
    count_re,
    counted_amount,
    day_re,
    direction,
    group,
    lookup,
    parse_number,
    parse_year,
    year_re,
)

# --- handlers -----------------------------------------------------------------------------------


def _day_of_month(m: re.Match[str], ctx: Context) -> Outcome:
    day = parse_number(m["d"], ctx.language)
    if day is None:
        return None, "day_of_month"
    # "du mois prochain", "do próximo mês"; "de ce mois", "courant", "deste mês": this month
    rel = group(m, "rel0") or group(m, "rel") or group(m, "this") or group(m, "cur")
    if rel is None:
        return cm.day_of_month(day, ctx.today, ctx.prefer), "day_of_month"
    return cm.day_in_month(ctx.today, direction(rel, ctx.language), day), "relative"


_RELATIVE_DAYS = {lang: compile_table(table) for lang, table in RELATIVE_DAYS.items()}
_EN_DAYS = {"huit": 7, "8": 7, "quinze": 14, "15": 14}  # "demain en huit", "mardi en quinze"


def _relative_word(m: re.Match[str], ctx: Context) -> Outcome:
    offset = lookup(_RELATIVE_DAYS[ctx.language], m["w"])
    if offset is None:
        return None, "relative"
    return ctx.today + timedelta(days=offset + _EN_DAYS.get(group(m, "en") or "", 0)), "relative"


def _in_n(sign: int) -> Handler:
    def handler(m: re.Match[str], ctx: Context) -> Outcome:
        count = counted_amount(m, ctx.language)
        if count is None:
            return None, "relative"
        amount, unit = count
        return cm.add(ctx.today, unit, sign * amount), "relative"

    return handler


def _next_period(m: re.Match[str], ctx: Context) -> Outcome:
    step = direction(m["rel"], ctx.language)
    kind = unit_kind(m["unit"])
    if kind == "week":
        return cm.monday(ctx.today) + timedelta(weeks=step), "relative"
    if kind == "month":
        year, month = cm.shift_month(ctx.today.year, ctx.today.month, step)
        return date(year, month, 1), "relative"
    return cm.safe_date(ctx.today.year + step, 1, 1), "relative"


def _weekday(m: re.Match[str], ctx: Context) -> Outcome:
    target = weekday_number(m["wd"], ctx.language)
    if target is None:
        return None, "weekday"
    post = group(m, "post") or ""
    step = direction(group(m, "pre"), ctx.language) or direction(post, ctx.language)
    if "semaine" in post or "semana" in post or step > 0:
        # "lundi prochain", "mardi de la semaine prochaine", "quarta que vem": that day of next week
        return cm.monday(ctx.today) + timedelta(weeks=step, days=target), "relative"
    if group(m, "en"):  # "mardi en huit": a week after the coming Tuesday (today included)
        return cm.weekday(target, ctx.today, "future") + timedelta(days=_EN_DAYS[m["en"]]), "relative"
    if step:
        return cm.weekday(target, ctx.today, "past", strict=True), "relative"
    return cm.weekday(target, ctx.today, ctx.prefer), "weekday"


_START_WORDS = ("debut", "premier", "inicio", "comeco", "principio", "primeiro")
_MID_WORDS = ("mi", "milieu", "meados", "meio")


def _edge_day(edge: str, year: int, month: int) -> date:
    if edge.startswith(_START_WORDS):
        return date(year, month, 1)
    if edge.startswith(_MID_WORDS):
        return date(year, month, 15)
    return date(year, month, cm.last_day(year, month))


def _adjust(candidate: date, ctx: Context, explicit: bool, step: Callable[[date, int], date]) -> date:
    """Move an undirected period edge to the preferred side of today."""
    if explicit:
        return candidate
    if ctx.prefer == "future" and candidate < ctx.today:
        return step(candidate, 1)
    if ctx.prefer == "past" and candidate > ctx.today:
        return step(candidate, -1)
    return candidate


def _period_edge(m: re.Match[str], ctx: Context) -> Outcome:
    edge, unit = group(m, "edge") or "fin", m["unit"]
    rel0, rel = group(m, "rel0"), group(m, "rel")
    offset = direction(rel0, ctx.language) or direction(rel, ctx.language)
    explicit = bool(rel0 or rel)
    today = ctx.today
    try:
        if unit.startswith(("semaine", "semana", "week")):
            if unit.startswith("week") or (unit == "semana" and group(m, "conn") == "de"):
                days = 5  # week-end / "fim de semana": Saturday
            else:
                days = 0 if edge.startswith(_START_WORDS) else 2 if edge.startswith(_MID_WORDS) else 4
            candidate = cm.monday(today) + timedelta(weeks=offset, days=days)
            return _adjust(candidate, ctx, explicit, lambda d, k: d + timedelta(weeks=k)), "period_edge"
        if unit in ("mois", "mes"):
            year, month = cm.shift_month(today.year, today.month, offset)
            candidate = _edge_day(edge, year, month)
            shifted = _adjust(
                candidate, ctx, explicit, lambda d, k: _edge_day(edge, *cm.shift_month(d.year, d.month, k))
            )
            return shifted, "period_edge"
        if unit.startswith(("an", "annee", "ano")):
            year = today.year + offset
            month = 1 if edge.startswith(_START_WORDS) else 7 if edge.startswith(_MID_WORDS) else 12
            candidate = _edge_day(edge if month != 7 else "debut", year, month)
            return _adjust(candidate, ctx, explicit, lambda d, k: d.replace(year=d.year + k)), "period_edge"
        month_no = month_number(unit, ctx.language)
        if month_no is None:
            return None, "period_edge"
        year_text = parse_year(group(m, "y"))
        candidate = _edge_day(edge, year_text or today.year, month_no)
        shifted = _adjust(
            candidate, ctx, year_text is not None, lambda d, k: _edge_day(edge, d.year + k, d.month)
        )
        return shifted, "period_edge"
    except (ValueError, OverflowError):
        return None, "period_edge"


def _nth_weekday_in(year: int, month: int, target: int, nth: int) -> date | None:
    if nth < 0:
        last = date(year, month, cm.last_day(year, month))
        return last - timedelta(days=(last.weekday() - target) % 7)
    first = date(year, month, 1)
    return cm.safe_date(year, month, 1 + (target - first.weekday()) % 7 + 7 * (nth - 1))


def _nth_weekday(m: re.Match[str], ctx: Context) -> Outcome:
    target, nth = weekday_number(m["wd"], ctx.language), nth_number(m["nth"])
    if target is None:
        return None, "explicit"
    today, month_word = ctx.today, group(m, "mo")
    rel0, rel = group(m, "rel0"), group(m, "rel")
    if month_word is not None:
        month = month_number(month_word, ctx.language) or today.month
        year = parse_year(group(m, "y"))
        if year is not None:
            return _nth_weekday_in(year, month, target, nth), "explicit"
        step = 1 if ctx.prefer == "future" else -1
        for k in range(3):
            found = _nth_weekday_in(today.year + k * step, month, target, nth)
            if found is not None and cm.in_direction(found, today, ctx.prefer):
                return found, "explicit"
        return None, "explicit"
    offset = 1 if rel0 else direction(rel, ctx.language)
    year, month = cm.shift_month(today.year, today.month, offset)
    return _nth_weekday_in(year, month, target, nth), "relative"


# --- patterns -----------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def rules(lang: str) -> tuple[tuple[re.Pattern[str], Handler], ...]:
    wd, mo = WEEKDAY_RE[lang], MONTH_RE[lang]
    nxt, prv, this = NEXT_RE[lang], PREV_RE[lang], THIS_RE[lang]
    day = day_re(lang)
    count, unit = count_re(lang), UNITS[lang]
    year = year_re()
    table: list[Rule] = [
        *explicit_rules(lang),
        *compound_rules(lang),
        (
            rf"{B}(?P<w>{alternation(RELATIVE_DAYS[lang])})(?: en (?P<en>huit|quinze|8|15))?{E}",
            _relative_word,
        ),
    ]
    if lang == "fr":
        table += [
            (
                rf"{B}(?:le|au|du|tous les|chaque) {day}{NOT_AMOUNT}(?![/.-]?[0-9])"
                rf"(?: (?:du|de (?P<this>ce)|de chaque) mois(?: (?P<rel>{nxt}|{prv}|ci|courant|en cours))?"
                rf"| (?P<cur>courant))?{E}",
                _day_of_month,
            ),
            (rf"{B}(?:dans|d ici|sous|en) (?:(?:environ|a peu pres) )?{count} {unit}{E}", _in_n(1)),
            (rf"{B}{count} {unit} (?:plus tard|apres){E}", _in_n(1)),
            (rf"{B}(?:il y a|y a|ya) (?:(?:environ|a peu pres) )?{count} {unit}{E}", _in_n(-1)),
            (rf"{B}(?:(?:la|le|l) )?(?P<unit>semaine|mois|annee|an) (?P<rel>{nxt}|{prv}){E}", _next_period),
            (
                rf"{B}(?:la |le |l )?(?P<rel>prochaine?|derniere?) (?P<unit>semaine|mois|annee){E}",
                _next_period,
            ),
            (
                rf"{B}(?:(?P<pre>ce|le|prochain|dernier) )?(?P<wd>{wd})"
                rf"(?: (?P<post>{nxt}|{prv}|en (?P<en>huit|quinze|8|15)"
                rf"|(?:de )?(?:la |cette )semaine(?: (?:{nxt}|{prv}|ci))?))?{E}",
                _weekday,
            ),
            (
                rf"{B}(?P<edge>fin|debut|mi|milieu|dernier jour|premier jour)"
                rf"(?: (?P<conn>du|de la|de l|de cette|de ce"
                rf"|de|d))? ?(?:(?P<rel0>prochain|dernier) )?(?P<unit>mois|semaine|annee|an|{mo})"
                rf"(?:{year})?(?: (?P<rel>{nxt}|{prv}|{this}|ci))?{E}",
                _period_edge,
            ),
            (
                rf"{B}(?:(?:le|la) )?{NTH_RE[lang]} (?P<wd>{wd}) (?:de |du |d )"
                rf"(?:(?P<mo>{mo})(?:{year})?|(?:ce |le )?mois(?: (?P<rel>{nxt}|{prv}|ci))?){E}",
                _nth_weekday,
            ),
            (
                rf"{B}(?:(?:ce|le) )?(?P<edge>)(?P<unit>week ?end)(?: (?P<rel>{nxt}|{prv}))?{E}",
                _period_edge,
            ),
        ]
    else:
        table += [
            (
                rf"{B}dias? {day}{NOT_AMOUNT}(?![/.-]?[0-9])"
                rf"(?: (?:do|(?P<this>deste|desse|neste|nesse)|de cada) (?:(?P<rel0>{PT_NEXT}) )?mes"
                rf"(?: (?P<rel>{nxt}|{prv}|atual|corrente))?)?{E}",
                _day_of_month,
            ),
            (
                rf"{B}(?:daqui a|daqui|dentro de|em|apos|depois de) (?:(?:uns|umas|cerca de|tipo) )?"
                rf"{count} {unit}{E}",
                _in_n(1),
            ),
            (rf"{B}{count} {unit} (?:depois|mais tarde){E}", _in_n(1)),
            (rf"{B}(?:ha|faz|fazem|fez) {count} {unit}{E}", _in_n(-1)),
            (rf"{B}{count} {unit} (?:atras|antes){E}", _in_n(-1)),
            (rf"{B}(?:(?:na|no|a|o) )?(?P<unit>semana|mes|ano) (?P<rel>{nxt}|{prv}){E}", _next_period),
            (
                rf"{B}(?:(?:na|no|a|o) )?(?P<rel>{PT_NEXT}|ultim[ao]) (?P<unit>semana|mes|ano){E}",
                _next_period,
            ),
            (
                rf"{B}(?:(?:n?[ao]s?|nest[ae]|est[ae]) )?"
                rf"(?:(?P<pre>{PT_NEXT}|ultim[ao]|passad[ao]) )?(?P<wd>{wd})"
                rf"(?: (?P<post>q(?:ue)? vem|passad[ao]|seguinte|anterior"
                rf"|(?:da|desta|dessa|na|nesta) (?:{PT_NEXT} |ultima )?semana"
                rf"(?: q(?:ue)? vem| passada)?))?{E}",
                _weekday,
            ),
            (rf"{B}(?:na|nesta|ate a|(?P<pre>{PT_NEXT}|ultima)) (?P<wd>[2-6]a)(?!\w)", _weekday),
            # undotted abbreviations: "na seg", "até sex"; alone only at the end of a clause ("seg?")
            (rf"{B}(?:na|ate a|ate|pra|para a) (?P<wd>{PT_WEEKDAY_ABBREVIATIONS}){E}", _weekday),
            (rf"{B}(?<![0-9] )(?P<wd>{PT_WEEKDAY_ABBREVIATIONS})(?<!ter){END_OF_CLAUSE}", _weekday),
            (
                rf"{B}(?:(?:n?[ao]) )?{NTH_RE[lang]} (?P<wd>{wd}) (?:de |do |deste |desse |neste )"
                rf"(?:(?P<mo>{mo})(?:{year})?|(?:(?P<rel0>{PT_NEXT}) )?mes(?: (?P<rel>{nxt}|{prv}))?){E}",
                _nth_weekday,
            ),
            (
                rf"{B}(?P<edge>fim|final|fins|inicio|comeco|principio|meados|meio|ultimo dia|primeiro dia)"
                rf"(?: (?P<conn>do|da|de|dos|das|deste|desta|neste|nesta))?"
                rf" ?(?:(?P<rel0>{PT_NEXT}|ultim[ao]) )?"
                rf"(?P<unit>mes|semana|ano|{mo})(?:{year})?(?: (?P<rel>{nxt}|{prv}|{this}))?{E}",
                _period_edge,
            ),
        ]
    table.append((rf"^ ?(?:{B}(?:le|dia|o) )?{day} ?[.!?]? ?$", _day_of_month))
    table.append(
        (
            rf"{B}(?P<d>(?:3[01]|[12][0-9]|0?[1-9])(?:er|ere|re|o|a|°))"
            r"(?= ?(?:[.,;:!?)]|$)| (?:du mois|do mes))",
            _day_of_month,
        )
    )
    return tuple((re.compile(p), h) for p, h in table)


# Rules whose group "d" is a day of the month (read by resolve_day_of_month).
DAY_OF_MONTH_HANDLERS: frozenset[Handler] = frozenset(
    {_day_of_month, weekday_day, day_month, ordinal_day, next_day_of_month, month_then_day}
)
