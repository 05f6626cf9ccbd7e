"""Where and when customers reach the support team, from configuration (env), per country.

SUPPORT_HOURS is "<weekdays> <from>-<to>" blocks separated by ";", weekdays 1-7 from Monday:
"1-5 08:00-20:00;6 09:00-13:00". The days and times are written out in the customer's language.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cache

from babel.dates import get_day_names

from bot.i18n import BABEL_LOCALES, format_clock_time

DEFAULT_HOURS = "1-5 08:00-20:00;6 09:00-13:00"
END_OF_DAY = time.max  # "24:00"
DEFAULTS = {
    "FR": {"phone": "+33 1 84 88 00 00", "email": "facturation@example.fr", "whatsapp": "+33 6 44 60 00 00"},
    "BR": {
        "phone": "+55 11 4003-0000",
        "email": "financeiro@example.com.br",
        "whatsapp": "+55 11 94000-0000",
    },
    "PT": {"phone": "+351 210 000 000", "email": "faturacao@example.pt", "whatsapp": "+351 910 000 000"},
}
_BLOCK = re.compile(r"^\s*([1-7])(?:-([1-7]))?\s+(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class OpeningBlock:
    first_day: int  # 0 = Monday
    last_day: int
    opens: time
    closes: time


@dataclass(frozen=True)
class SupportContact:
    phone: str
    email: str
    whatsapp: str
    hours: tuple[OpeningBlock, ...]


@cache
def parse_hours(spec: str) -> tuple[OpeningBlock, ...]:
    """The blocks of SUPPORT_HOURS; "24:00" closes at midnight. A ValueError names a block that cannot be
    read or never opens (days or times backwards: a block past midnight is two blocks)."""
    blocks = []
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        match = _BLOCK.match(part)
        if match is None:
            raise ValueError(f"SUPPORT_HOURS: cannot read {part!r}")
        first, last, h1, m1, h2, m2 = match.groups()
        try:
            opens = time(int(h1), int(m1))
            closes = END_OF_DAY if (h2, m2) == ("24", "00") else time(int(h2), int(m2))
        except ValueError:
            raise ValueError(f"SUPPORT_HOURS: no such time in {part!r}") from None
        block = OpeningBlock(int(first) - 1, int(last or first) - 1, opens, closes)
        if block.last_day < block.first_day or block.closes <= block.opens:
            raise ValueError(f"SUPPORT_HOURS: {part!r} never opens (write a block past midnight as two)")
        blocks.append(block)
    return tuple(blocks)


COUNTRY_OF_LANGUAGE = {"fr": "FR", "pt": "BR"}


def support_country(language: str, customer_country: str | None = None) -> str:
    """The team that answers: the verified customer's country, else the one of the conversation's language."""
    return customer_country or COUNTRY_OF_LANGUAGE.get(language, "FR")


def support_contact(country: str | None) -> SupportContact:
    code = (country or "FR").upper()
    defaults = DEFAULTS.get(code, DEFAULTS["FR"])

    def setting(name: str) -> str:
        return os.environ.get(f"SUPPORT_{name.upper()}_{code}", "").strip() or defaults[name]

    return SupportContact(setting("phone"), setting("email"), setting("whatsapp"), support_hours())


def support_hours() -> tuple[OpeningBlock, ...]:
    """When the team works (SUPPORT_HOURS, the same for every country), in the team's time zone."""
    return parse_hours(os.environ.get("SUPPORT_HOURS", "").strip() or DEFAULT_HOURS)


def describe_hours(blocks: tuple[OpeningBlock, ...], language: str) -> list[tuple[str, str, str]]:
    """(days, opens, closes) per block, written for `language`: ("lundi – vendredi", "08:00", "20:00")."""
    locale = BABEL_LOCALES[language]
    names = get_day_names("wide", locale=locale)
    described = []
    for block in blocks:
        days = names[block.first_day]
        if block.last_day != block.first_day:
            days = f"{days} – {names[block.last_day]}"
        described.append(
            (
                days,
                format_clock_time(block.opens, language),
                "24:00" if block.closes == END_OF_DAY else format_clock_time(block.closes, language),
            )
        )
    return described


def is_open(blocks: tuple[OpeningBlock, ...], moment: datetime) -> bool:
    """Whether the team works at `moment` (a local time of the team's time zone)."""
    weekday, clock = moment.weekday(), moment.time().replace(tzinfo=None)
    return any(
        block.first_day <= weekday <= block.last_day and block.opens <= clock < block.closes
        for block in blocks
    )


def next_opening(blocks: tuple[OpeningBlock, ...], moment: datetime) -> datetime | None:
    """When the team next starts working after `moment` (same time zone), within a week; None when
    `blocks` never open."""
    for days_ahead in range(8):
        day = (moment + timedelta(days=days_ahead)).date()
        starts = sorted(
            datetime.combine(day, block.opens, tzinfo=moment.tzinfo)
            for block in blocks
            if block.first_day <= day.weekday() <= block.last_day
        )
        for start in starts:
            if start > moment:
                return start
    return None
