from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.engine import Engine

from bot.handoff.agents import Agent
from bot.handoff.queue import TicketQueue
from bot.handoff.stats import DayStats, HandoffStats

from .conftest import MovableClock, TicketMaker


def test_daily_figures_on_a_known_set_of_tickets(
    clean: Engine, queue: TicketQueue, new_ticket: TicketMaker, team: dict[str, Agent], clock: MovableClock
) -> None:
    camille = team["camille"]
    # 2026-03-10: three handoffs, claimed after 4, 10 and 30 minutes; two resolved that day, rated 5 and 2.
    clock.now = clock.now.replace(day=10, hour=9, minute=0)
    day_before = [new_ticket() for _ in range(3)]
    for waited, ticket in zip((4, 6, 20), day_before, strict=True):
        clock.advance(minutes=waited)
        queue.claim(ticket.reference, camille)
    for ticket, score in zip(day_before[:2], (5, 2), strict=True):
        queue.resolve(ticket.reference, camille)
        queue.rate(ticket.reference, score)
    # 2026-03-11: one new handoff never claimed, and yesterday's third one resolved, not rated.
    clock.now = clock.now.replace(day=11, hour=8)
    new_ticket()
    queue.resolve(day_before[2].reference, camille)
    clock.advance(hours=1)

    days = HandoffStats(clean, clock).daily(3)
    assert days == [
        DayStats(date(2026, 3, 9), 0, 0, None, None),
        DayStats(date(2026, 3, 10), 3, 2, 10.0, 3.5),
        DayStats(date(2026, 3, 11), 1, 1, None, None),
    ]
    with pytest.raises(ValueError):
        HandoffStats(clean, clock).daily(0)


def test_days_follow_the_configured_time_zone(
    clean: Engine, new_ticket: TicketMaker, clock: MovableClock
) -> None:
    clock.now = clock.now.replace(hour=23, minute=30)  # 2026-03-11 23:30 UTC is 2026-03-12 in Paris
    new_ticket()
    utc = HandoffStats(clean, clock).daily(1)
    paris = HandoffStats(clean, clock, timezone="Europe/Paris").daily(1)
    assert (utc[0].day, utc[0].created) == (date(2026, 3, 11), 1)
    assert (paris[0].day, paris[0].created) == (date(2026, 3, 12), 1)
