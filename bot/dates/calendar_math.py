"""Small calendar helpers: month arithmetic and "next/previous occurrence" searches."""

from __future__ import annotations

import calendar
from datetime import date, timedelta


def last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def shift_month(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def safe_date(year: int, month: int, day: int) -> date | None:
    """The date, or None when it does not exist (31/02) or is out of range."""
    if not (1 <= year <= 9999 and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    if day > last_day(year, month):
        return None
    return date(year, month, day)


def add_months(day: date, months: int) -> date:
    """Same day `months` later, clamped to the end of a shorter month."""
    year, month = shift_month(day.year, day.month, months)
    return date(year, month, min(day.day, last_day(year, month)))


def day_in_month(today: date, months: int, day: int) -> date | None:
    """Day `day` of the month `months` after (before, if negative) today's; None if it does not exist."""
    year, month = shift_month(today.year, today.month, months)
    return safe_date(year, month, day)


def add(day: date, unit: str, amount: int) -> date | None:
    """`amount` days, weeks, months or years (`unit`, see lexicon.unit_kind) later; None out of range."""
    try:
        if unit == "day":
            return day + timedelta(days=amount)
        if unit == "week":
            return day + timedelta(weeks=amount)
        return add_months(day, amount * (1 if unit == "month" else 12))
    except (OverflowError, ValueError):
        return None


def in_direction(candidate: date, today: date, prefer: str) -> bool:
    return candidate >= today if prefer == "future" else candidate <= today


def day_of_month(day: int, today: date, prefer: str) -> date | None:
    """The next (future) or latest (past) date whose day of the month is `day`."""
    if not 1 <= day <= 31:
        return None
    step = 1 if prefer == "future" else -1
    for i in range(14):
        candidate = day_in_month(today, i * step, day)
        if candidate is not None and in_direction(candidate, today, prefer):
            return candidate
    return None


def day_and_month(day: int, month: int, today: date, prefer: str) -> date | None:
    """The next (future) or latest (past) occurrence of day/month; None if it never exists."""
    if not (1 <= month <= 12 and 1 <= day <= last_day(2000, month)):
        return None
    step = 1 if prefer == "future" else -1
    for i in range(9):  # 29/02 recurs within 8 years
        candidate = safe_date(today.year + i * step, month, day)
        if candidate is not None and in_direction(candidate, today, prefer):
            return candidate
    return None


def weekday(target: int, today: date, prefer: str, strict: bool = False) -> date:
    """The next (future) or latest (past) date on weekday `target` (0 = Monday)."""
    sign = 1 if prefer == "future" else -1
    delta = sign * (target - today.weekday()) % 7
    if strict and delta == 0:
        delta = 7
    return today + timedelta(days=sign * delta)


def weekday_and_day(target: int, day: int, today: date, prefer: str) -> date | None:
    """The nearest date that is both weekday `target` and day `day` of its month, within six months."""
    step = 1 if prefer == "future" else -1
    for i in range(7):
        candidate = day_in_month(today, i * step, day)
        if candidate is not None and in_direction(candidate, today, prefer) and candidate.weekday() == target:
            return candidate
    return None


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())
