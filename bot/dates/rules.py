"""Regex rules for French and Portuguese day expressions, run on normalised text.

Every pattern is linear: alternations of fixed words, single spaces (whitespace is collapsed
before matching) and bounded digit runs; no nested quantifiers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from bot.dates import calendar_math as cm
from bot.dates.lexicon import (
    DAY_WORDS,
    FR_IDIOMATIC_DAYS,
    HOLIDAYS,
    MONTH_RE,
    NEXT_RE,
    NTH_RE,
    NUMBER_WORDS,
    PREV_RE,
    RELATIVE_DAYS,
    THIS_RE,
    UNITS,
    WEEKDAY_RE,
    month_number,
    nth_number,
    unit_kind,
    weekday_number,
)


@dataclass(frozen=True)
class Context:
    today: date
    prefer: str
    language: str


Outcome = tuple[date | None, str]  # (None, kind) for a recognised but impossible date
Handler = Callable[[re.Match[str], Context], Outcome]

_B = r"(?<!\w)"  # start of a word
_E = r"(?!\w)"  # end of a word
_DIGIT_DAY = r"(?:3[01]|[12][0-9]|0?[1-9])(?:ere|er|re|eme|e|o|a|°)?(?![0-9])"
_NOT_AMOUNT = (
    r"(?! ?(?:[€%$]|(?:eur|euros?|reais|real|r|h|hrs?|heures?|horas?|min|minutes?|minutos?|fois|vezes"
    r"|x|ans?|anos?|jours?|dias?|mois|mes|meses|semaines?|semanas?|parcelas?|mensalidades?|ech[ea]ances?)(?!\w)))"
)


def _alternation(words: Iterable[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


def _group(m: re.Match[str], name: str) -> str | None:
    value: str | None = m.groupdict().get(name)
    return value


def _day_re(lang: str, name: str) -> str:
    return rf"(?P<{name}>{_DIGIT_DAY}|(?:{_alternation(DAY_WORDS[lang])}){_E})"


def _count_re(lang: str) -> str:
    return rf"(?P<n>[0-9]{{1,3}}|(?:{_alternation(NUMBER_WORDS[lang])}){_E})"


def parse_number(text: str, lang: str) -> int | None:
    digits = re.match(r"[0-9]+", text)
    if digits:
        return int(digits.group())
    return NUMBER_WORDS[lang].get(text)


def _direction(text: str | None, lang: str) -> int:
    """+1 for "prochain"/"que vem", -1 for "dernier"/"passado", 0 otherwise."""
    if not text:
        return 0
    if re.search(rf"{_B}{NEXT_RE[lang]}{_E}", text):
        return 1
    if re.search(rf"{_B}{PREV_RE[lang]}{_E}", text):
        return -1
    return 0


# --- handlers -----------------------------------------------------------------------------------


def _year(text: str | None, ctx: Context) -> int | None:
    if not text:
        return None
    value = int(text)
    if len(text) == 2:
        value += 2000 if value < 70 else 1900
    return value


def _explicit(day: int, month: int, m: re.Match[str], ctx: Context) -> Outcome:
    """That day of that month: of the year written, else its next (or latest) occurrence."""
    year = _year(_group(m, "y"), ctx)
    if year is not None:
        return cm.safe_date(year, month, day), "explicit"
    return cm.day_and_month(day, month, ctx.today, ctx.prefer), "explicit"


def _numeric(m: re.Match[str], ctx: Context) -> Outcome:
    return _explicit(int(m["d"]), int(m["m"]), m, ctx)


def _day_month(m: re.Match[str], ctx: Context) -> Outcome:
    day = parse_number(m["d"], ctx.language)
    month = month_number(m["mo"], ctx.language)
    if day is None or month is None:
        return None, "explicit"
    return _explicit(day, month, m, ctx)


def _weekday_day(m: re.Match[str], ctx: Context) -> Outcome:
    day = parse_number(m["d"], ctx.language)
    target = weekday_number(m["wd"], ctx.language)
    if day is None or target is None:
        return None, "weekday"
    found = cm.weekday_and_day(target, day, ctx.today, ctx.prefer)
    return found or cm.day_of_month(day, ctx.today, ctx.prefer), "weekday"


def _day_of_month(m: re.Match[str], ctx: Context) -> Outcome:
    day = parse_number(m["d"], ctx.language)
    if day is None:
        return None, "day_of_month"
    rel = _group(m, "rel")
    if rel is None:
        return cm.day_of_month(day, ctx.today, ctx.prefer), "day_of_month"
    year, month = cm.shift_month(ctx.today.year, ctx.today.month, _direction(rel, ctx.language))
    return cm.safe_date(year, month, day), "relative"


def _relative_word(m: re.Match[str], ctx: Context) -> Outcome:
    word = m["w"]
    for pattern, offset in RELATIVE_DAYS[ctx.language].items():
        if re.fullmatch(pattern, word):
            extra = {"huit": 7, "8": 7, "quinze": 14, "15": 14}.get(_group(m, "en") or "", 0)
            return ctx.today + timedelta(days=offset + extra), "relative"
    return None, "relative"


def _shift(ctx: Context, unit: str, amount: int) -> date | None:
    kind = unit_kind(unit)
    try:
        if kind == "day":
            return ctx.today + timedelta(days=amount)
        if kind == "week":
            return ctx.today + timedelta(weeks=amount)
        if kind == "month":
            return cm.add_months(ctx.today, amount)
        return cm.add_months(ctx.today, 12 * amount)
    except (OverflowError, ValueError):
        return None


def _in_n(sign: int) -> Handler:
    def handler(m: re.Match[str], ctx: Context) -> Outcome:
        amount = parse_number(m["n"], ctx.language)
        if amount is None:
            return None, "relative"
        if ctx.language == "fr" and unit_kind(m["unit"]) == "day":
            amount = FR_IDIOMATIC_DAYS.get(amount, amount)
        return _shift(ctx, m["unit"], sign * amount), "relative"

    return handler


def _next_period(m: re.Match[str], ctx: Context) -> Outcome:
    step = _direction(m["rel"], ctx.language)
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
    post = _group(m, "post") or ""
    step = _direction(_group(m, "pre"), ctx.language) or _direction(post, ctx.language)
    if "semaine" in post or "semana" in post or step > 0:
        # "lundi prochain", "mardi de la semaine prochaine", "quarta que vem": that day of next week
        return cm.monday(ctx.today) + timedelta(weeks=step, days=target), "relative"
    if post.startswith("en "):  # "mardi en huit": a week after the coming Tuesday (today included)
        extra = 7 if post.endswith(("huit", "8")) else 14
        return cm.weekday(target, ctx.today, "future") + timedelta(days=extra), "relative"
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
    edge, unit = _group(m, "edge") or "fin", m["unit"]
    rel0, rel = _group(m, "rel0"), _group(m, "rel")
    offset = _direction(rel0, ctx.language) or _direction(rel, ctx.language)
    explicit = bool(rel0 or rel)
    today = ctx.today
    try:
        if unit.startswith(("semaine", "semana", "week")):
            if unit.startswith("week") or (unit == "semana" and _group(m, "conn") == "de"):
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
        year_text = _year(_group(m, "y"), ctx)
        candidate = _edge_day(edge, year_text or today.year, month_no)
        return _adjust(
            candidate, ctx, year_text is not None, lambda d, k: _edge_day(edge, d.year + k, d.month)
        ), ("period_edge")
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
    today, month_word = ctx.today, _group(m, "mo")
    rel0, rel = _group(m, "rel0"), _group(m, "rel")
    if month_word is not None:
        month = month_number(month_word, ctx.language) or today.month
        year = _year(_group(m, "y"), ctx)
        if year is not None:
            return _nth_weekday_in(year, month, target, nth), "explicit"
        step = 1 if ctx.prefer == "future" else -1
        for k in range(3):
            found = _nth_weekday_in(today.year + k * step, month, target, nth)
            if found is not None and cm.in_direction(found, today, ctx.prefer):
                return found, "explicit"
        return None, "explicit"
    offset = 1 if rel0 else _direction(rel, ctx.language)
    year, month = cm.shift_month(today.year, today.month, offset)
    return _nth_weekday_in(year, month, target, nth), "relative"


def _holiday(m: re.Match[str], ctx: Context) -> Outcome:
    for pattern, (month, day) in HOLIDAYS[ctx.language].items():
        if re.fullmatch(pattern, m["h"]):
            return cm.day_and_month(day, month, ctx.today, ctx.prefer), "explicit"
    return None, "explicit"


def _bare_day(m: re.Match[str], ctx: Context) -> Outcome:
    return _day_of_month(m, ctx)


# --- patterns -----------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def rules(lang: str) -> tuple[tuple[re.Pattern[str], Handler], ...]:
    wd, mo = WEEKDAY_RE[lang], MONTH_RE[lang]
    nxt, prv, this = NEXT_RE[lang], PREV_RE[lang], THIS_RE[lang]
    day = _day_re(lang, "d")
    count, unit = _count_re(lang), UNITS[lang]
    year = rf"(?: |, ?)(?:de |del )?(?P<y>[0-9]{{4}}|[0-9]{{2}})(?![0-9]|[:h,.][0-9]){_NOT_AMOUNT}"
    dd, mm = r"3[01]|[12][0-9]|0?[1-9]", r"1[0-2]|0?[1-9]"
    pre = rf"{_B}(?<![0-9][/.-])(?:(?:(?:le|o|a|na|no) )?{wd},? )?(?:(?:le|dia|em|du|au) )?"
    table: list[tuple[str, Handler]] = [
        (rf"{pre}(?P<y>[12][0-9]{{3}})(?P<s>[-/.])(?P<m>{mm})(?P=s)(?P<d>{dd})(?![0-9])", _numeric),
        (
            rf"{pre}(?P<d>{dd}) ?(?P<s>[/-]) ?(?P<m>{mm})"
            rf"(?:(?P=s)(?P<y>[0-9]{{4}}|[0-9]{{2}}))?(?![0-9/]|[-.][0-9])",
            _numeric,
        ),
        (rf"{pre}(?P<d>{dd})\.(?P<m>{mm})\.(?P<y>[0-9]{{4}}|[0-9]{{2}})(?![0-9]|\.[0-9])", _numeric),
        (rf"{pre}(?P<d>{dd})\.(?P<m>1[0-2]|0[1-9])(?![0-9]|\.[0-9])", _numeric),
        (
            rf"{pre}(?P<d>{dd}) (?P<m>{mm}) (?P<y>[0-9]{{4}}|[0-9]{{2}})(?![0-9]|[/.:,-]?[0-9]){_NOT_AMOUNT}",
            _numeric,
        ),
        (rf"{_B}(?:le|dia) (?P<d>{dd}) (?P<m>1[0-2]|0[1-9])(?= ?(?:[.!?]|$))", _numeric),
        (
            rf"{_B}(?:{wd},? )?(?:(?:le|l|o|a|dia|em|no|du|au) )?{day}"
            rf"(?: de| du)? (?P<mo>{mo})(?:{year})?{_E}",
            _day_month,
        ),
        (
            rf"{_B}(?:(?:le|o|a|na|no) )?(?P<wd>{wd}),? (?:(?:le|dia) )?{day}{_NOT_AMOUNT}(?![/.-]?[0-9])",
            _weekday_day,
        ),
        (
            rf"{_B}(?P<w>{_alternation(RELATIVE_DAYS[lang])})(?: en (?P<en>huit|quinze|8|15))?{_E}",
            _relative_word,
        ),
        (rf"{_B}(?P<h>{_alternation(HOLIDAYS[lang])}){_E}", _holiday),
    ]
    if lang == "fr":
        table += [
            (
                rf"{_B}(?:le|au|du|tous les|chaque) {day}{_NOT_AMOUNT}(?![/.-]?[0-9])"
                rf"(?: (?:du|de ce|de chaque) mois(?: (?P<rel>{nxt}|{prv}|ci))?)?{_E}",
                _day_of_month,
            ),
            (rf"{_B}(?:dans|d ici|sous|en) (?:(?:environ|a peu pres) )?{count} {unit}{_E}", _in_n(1)),
            (rf"{_B}{count} {unit} (?:plus tard|apres){_E}", _in_n(1)),
            (rf"{_B}(?:il y a|y a|ya) (?:(?:environ|a peu pres) )?{count} {unit}{_E}", _in_n(-1)),
            (rf"{_B}(?:(?:la|le|l) )?(?P<unit>semaine|mois|annee|an) (?P<rel>{nxt}|{prv}){_E}", _next_period),
            (
                rf"{_B}(?:la |le |l )?(?P<rel>prochaine?|derniere?) (?P<unit>semaine|mois|annee){_E}",
                _next_period,
            ),
            (
                rf"{_B}(?:(?P<pre>ce|le|prochain|dernier) )?(?P<wd>{wd})"
                rf"(?: (?P<post>{nxt}|{prv}|en (?:huit|quinze|8|15)"
                rf"|(?:de )?(?:la |cette )semaine(?: (?:{nxt}|{prv}|ci))?))?{_E}",
                _weekday,
            ),
            (
                rf"{_B}(?P<edge>fin|debut|mi|milieu|dernier jour|premier jour)"
                rf"(?: (?P<conn>du|de la|de l|de cette|de ce"
                rf"|de|d))? ?(?:(?P<rel0>prochain|dernier) )?(?P<unit>mois|semaine|annee|an|{mo})"
                rf"(?:{year})?(?: (?P<rel>{nxt}|{prv}|{this}|ci))?{_E}",
                _period_edge,
            ),
            (
                rf"{_B}(?:(?:le|la) )?{NTH_RE[lang]} (?P<wd>{wd}) (?:de |du |d )"
                rf"(?:(?P<mo>{mo})(?:{year})?|(?:ce |le )?mois(?: (?P<rel>{nxt}|{prv}|ci))?){_E}",
                _nth_weekday,
            ),
            (
                rf"{_B}(?:(?:ce|le) )?(?P<edge>)(?P<unit>week ?end)(?: (?P<rel>{nxt}|{prv}))?{_E}",
                _period_edge,
            ),
        ]
    else:
        table += [
            (
                rf"{_B}dias? {day}{_NOT_AMOUNT}(?![/.-]?[0-9])"
                rf"(?: (?:do|deste|de cada) (?:(?P<rel0>proximo) )?mes(?: (?P<rel>{nxt}|{prv}))?)?{_E}",
                _day_of_month_pt,
            ),
            (rf"{_B}(?:daqui a|daqui|dentro de|em|apos|depois de) {count} {unit}{_E}", _in_n(1)),
            (rf"{_B}{count} {unit} (?:depois|mais tarde){_E}", _in_n(1)),
            (rf"{_B}(?:ha|faz|fazem|fez) {count} {unit}{_E}", _in_n(-1)),
            (rf"{_B}{count} {unit} (?:atras|antes){_E}", _in_n(-1)),
            (rf"{_B}(?:(?:na|no|a|o) )?(?P<unit>semana|mes|ano) (?P<rel>{nxt}|{prv}){_E}", _next_period),
            (
                rf"{_B}(?:(?:na|no|a|o) )?(?P<rel>proxim[ao]|ultim[ao]) (?P<unit>semana|mes|ano){_E}",
                _next_period,
            ),
            (
                rf"{_B}(?:(?:n?[ao]s?|nest[ae]|est[ae]) )?"
                rf"(?:(?P<pre>proxim[ao]|ultim[ao]|passad[ao]) )?(?P<wd>{wd})"
                rf"(?: (?P<post>que vem|passad[ao]|seguinte|anterior"
                rf"|(?:da|desta|dessa|na|nesta) (?:proxima |ultima )?semana"
                rf"(?: que vem| passada)?))?{_E}",
                _weekday,
            ),
            (rf"{_B}(?:na|nesta|ate a|(?P<pre>proxima|ultima)) (?P<wd>[2-6]a)(?!\w)", _weekday),
            (
                rf"{_B}(?:(?:n?[ao]) )?{NTH_RE[lang]} (?P<wd>{wd}) (?:de |do |deste |desse |neste )"
                rf"(?:(?P<mo>{mo})(?:{year})?|(?:(?P<rel0>proximo) )?mes(?: (?P<rel>{nxt}|{prv}))?){_E}",
                _nth_weekday,
            ),
            (
                rf"{_B}(?P<edge>fim|final|fins|inicio|comeco|principio|meados|meio|ultimo dia|primeiro dia)"
                rf"(?: (?P<conn>do|da|de|dos|das|deste|desta|neste|nesta))?"
                rf" ?(?:(?P<rel0>proxim[ao]|ultim[ao]) )?"
                rf"(?P<unit>mes|semana|ano|{mo})(?:{year})?(?: (?P<rel>{nxt}|{prv}|{this}))?{_E}",
                _period_edge,
            ),
        ]
    table.append((rf"^ ?(?:{_B}(?:le|dia|o) )?{day} ?[.!?]? ?$", _bare_day))
    table.append(
        (
            rf"{_B}(?P<d>(?:3[01]|[12][0-9]|0?[1-9])(?:er|ere|re|o|a|°))"
            r"(?= ?(?:[.,;:!?)]|$)| (?:du mois|do mes))",
            _bare_day,
        )
    )
    return tuple((re.compile(p), h) for p, h in table)


def _day_of_month_pt(m: re.Match[str], ctx: Context) -> Outcome:
    if _group(m, "rel0"):
        day = parse_number(m["d"], ctx.language)
        if day is None:
            return None, "relative"
        year, month = cm.shift_month(ctx.today.year, ctx.today.month, 1)
        return cm.safe_date(year, month, day), "relative"
    return _day_of_month(m, ctx)


# Rules whose group "d" is a day of the month (read by resolve_day_of_month).
DAY_OF_MONTH_HANDLERS: frozenset[Handler] = frozenset(
    {_day_of_month, _day_of_month_pt, _bare_day, _weekday_day, _day_month}
)
