"""Opening hours: whether the team works now, and when it is back."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.support_contact import is_open, next_opening, parse_hours

PARIS = ZoneInfo("Europe/Paris")
HOURS = parse_hours("1-5 08:00-20:00;6 09:00-13:00")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=PARIS)  # 2026-11-23 is a Monday


@pytest.mark.parametrize(
    ("moment", "open_now"),
    [
        (at(23, 8), True),
        (at(23, 7, 59), False),
        (at(27, 19, 59), True),
        (at(27, 20), False),
        (at(28, 12, 30), True),  # Saturday morning
        (at(28, 13), False),
        (at(29, 10), False),  # Sunday
    ],
)
def test_is_open(moment: datetime, open_now: bool) -> None:
    assert is_open(HOURS, moment) is open_now


@pytest.mark.parametrize(
    ("moment", "back"),
    [
        (at(23, 21), at(24, 8)),  # Monday evening → Tuesday 08:00
        (at(24, 6), at(24, 8)),
        (at(27, 20, 30), at(28, 9)),  # Friday evening → Saturday 09:00
        (at(28, 14), at(30, 8)),  # Saturday afternoon → Monday 08:00
        (at(23, 10), at(24, 8)),  # while open: the next start
    ],
)
def test_next_opening(moment: datetime, back: datetime) -> None:
    assert next_opening(HOURS, moment) == back


def test_no_hours_never_open() -> None:
    assert next_opening((), at(23, 10)) is None
    assert not is_open((), at(23, 10))
