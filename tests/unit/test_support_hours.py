"""Opening hours (SUPPORT_HOURS): whether the team works now, and when it is back."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.support_contact import (
    DEFAULT_HOURS,
    OpeningBlock,
    describe_hours,
    is_open,
    next_opening,
    parse_hours,
    support_hours,
)

PARIS = ZoneInfo("Europe/Paris")
HOURS = parse_hours("1-5 08:00-20:00;6 09:00-13:00")


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=PARIS)  # 2026-11-23 is a Monday


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
        (at(24, 8), at(25, 8)),  # at an opening: the one after
        (at(29, 10), at(30, 8)),  # Sunday → Monday 08:00
    ],
)
def test_next_opening(moment: datetime, back: datetime) -> None:
    assert next_opening(HOURS, moment) == back


def test_a_team_working_one_day_a_week_is_back_a_week_later() -> None:
    mondays = parse_hours("1 08:00-09:00")
    assert next_opening(mondays, at(23, 8, 30)) == at(30, 8)
    assert next_opening(mondays, at(23, 7)) == at(23, 8)


def test_hours_are_read_block_by_block() -> None:
    assert parse_hours(" 1-5 8:00-20:00 ; 6 09:30-13:00 ;") == (
        OpeningBlock(0, 4, time(8), time(20)),
        OpeningBlock(5, 5, time(9, 30), time(13)),
    )
    for unreadable in ("1-5", "8 08:00-20:00", "lundi 08:00-20:00", "1-5 08h-20h"):
        with pytest.raises(ValueError, match="SUPPORT_HOURS"):
            parse_hours(unreadable)


def test_a_team_open_until_midnight() -> None:
    always = parse_hours("1-7 00:00-24:00")
    assert is_open(always, at(23, 23, 59, 59)) and is_open(always, at(24, 0))  # Monday night, Tuesday
    assert describe_hours(always, "fr") == [("lundi – dimanche", "00:00", "24:00")]


@pytest.mark.parametrize("never", ["5-1 08:00-20:00", "1 22:00-02:00", "1 08:00-08:00"])
def test_a_block_that_never_opens_is_refused(never: str) -> None:
    with pytest.raises(ValueError, match="never opens"):
        parse_hours(never)


def test_a_time_that_does_not_exist_is_refused_with_the_setting_named() -> None:
    with pytest.raises(ValueError, match="SUPPORT_HOURS: no such time"):
        parse_hours("1 08:00-25:00")


def test_support_hours_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPORT_HOURS", "6 10:00-12:00")
    assert support_hours() == (OpeningBlock(5, 5, time(10), time(12)),)
    monkeypatch.setenv("SUPPORT_HOURS", "  ")
    assert support_hours() == parse_hours(DEFAULT_HOURS) == HOURS


def test_no_hours_never_open() -> None:
    assert next_opening((), at(23, 10)) is None
    assert not is_open((), at(23, 10))
