from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.engine import Engine

from bot.handoff.agents import Agent
from bot.handoff.conversations import ConversationLog
from bot.handoff.queue import TicketQueue
from bot.handoff.stats import DayStats, HandoffStats, PeriodStats

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
        DayStats(date(2026, 3, 9), 0, 0, None, None, 0, None),
        DayStats(date(2026, 3, 10), 3, 2, 10.0, 3.5, 0, None),
        DayStats(date(2026, 3, 11), 1, 1, None, None, 0, None),
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


def test_share_of_conversations_solved_without_a_human(
    clean: Engine, new_ticket: TicketMaker, clock: MovableClock
) -> None:
    log = ConversationLog(clean, clock)
    # 2026-03-10: five sessions. sender-1 is handed off that day; sender-2 and sender-3 (two sessions)
    # never are; sender-4 is handed off the next day only, so its session of the 10th was solved.
    clock.now = clock.now.replace(day=10, hour=9, minute=0)
    for sender in ("sender-1", "sender-2", "sender-3", "sender-4"):
        log.record_start(sender, "rest", "fr")
        clock.advance(minutes=1)
    new_ticket(conversation_id="sender-1")
    new_ticket(conversation_id=None)  # a ticket of no known conversation solves nobody's
    clock.advance(hours=3)
    log.record_start("sender-3", "rest", "fr")
    # 2026-03-11: sender-4 comes back and is handed off; sender-5 is served by the bot alone.
    clock.now = clock.now.replace(day=11, hour=8)
    log.record_start("sender-4", "socketio", "pt")
    log.record_start("sender-5", "socketio", "pt")
    clock.advance(minutes=2)
    new_ticket(conversation_id="sender-4")
    new_ticket(conversation_id="sender-4")  # twice handed off: still one session not solved

    stats = HandoffStats(clean, clock)
    days = stats.daily(3)
    assert [(d.day, d.created, d.conversations, d.solved_without_human) for d in days] == [
        (date(2026, 3, 9), 0, 0, None),
        (date(2026, 3, 10), 2, 5, 0.8),
        (date(2026, 3, 11), 2, 2, 0.5),
    ]
    totals = stats.report(3).totals
    assert (totals.created, totals.conversations, totals.solved_without_human) == (4, 7, 5 / 7)
    # Over the last day only, the 10th is out of the period.
    assert stats.report(1).totals.conversations == 2


def test_a_long_conversation_id_matches_its_cut_ticket(
    clean: Engine, new_ticket: TicketMaker, clock: MovableClock
) -> None:
    sender = "s" * 200  # tickets keep 128 characters of it, sessions 255
    ConversationLog(clean, clock).record_start(sender, "rest", "fr")
    ConversationLog(clean, clock).record_start("s" * 127, "rest", "fr")
    new_ticket(conversation_id=sender)
    (today,) = HandoffStats(clean, clock).daily(1)
    assert (today.conversations, today.solved_without_human) == (2, 0.5)


def test_sessions_follow_the_configured_time_zone(
    clean: Engine, new_ticket: TicketMaker, clock: MovableClock
) -> None:
    log = ConversationLog(clean, clock)
    clock.now = clock.now.replace(hour=22, minute=30)  # 23:30 in Paris: the 11th everywhere
    log.record_start("sender-1", "rest", "fr")
    clock.advance(hours=1)  # 23:30 UTC, 00:30 on the 12th in Paris: the ticket is of another day there
    new_ticket(conversation_id="sender-1")
    log.record_start("sender-2", "rest", "fr")
    utc = HandoffStats(clean, clock).daily(1)
    paris = HandoffStats(clean, clock, timezone="Europe/Paris").daily(2)
    assert [(d.day, d.conversations, d.solved_without_human) for d in utc] == [(date(2026, 3, 11), 2, 0.5)]
    assert [(d.day, d.conversations, d.solved_without_human) for d in paris] == [
        (date(2026, 3, 11), 1, 1.0),
        (date(2026, 3, 12), 1, 1.0),
    ]


def test_totals_pool_the_tickets_of_the_period(
    clean: Engine, queue: TicketQueue, new_ticket: TicketMaker, team: dict[str, Agent], clock: MovableClock
) -> None:
    camille = team["camille"]
    # The 10th: waits of 4 and 6 minutes, ratings 5 and 4; the 11th: waits of 30, 40 and 50, rating 1.
    clock.now = clock.now.replace(day=10, hour=9, minute=0)
    for waited, score in ((4, 5), (6, 4)):
        ticket = new_ticket()
        clock.advance(minutes=waited)
        queue.claim(ticket.reference, camille)
        queue.resolve(ticket.reference, camille)
        queue.rate(ticket.reference, score)
    clock.now = clock.now.replace(day=11, hour=8)
    for index, waited in enumerate((30, 40, 50)):
        ticket = new_ticket()
        clock.advance(minutes=waited)
        queue.claim(ticket.reference, camille)
        if index == 0:
            queue.resolve(ticket.reference, camille)
            queue.rate(ticket.reference, 1)
    clock.now = clock.now.replace(hour=20)
    new_ticket()  # never claimed

    report = HandoffStats(clean, clock).report(2)
    assert [d.median_wait_minutes for d in report.days] == [5.0, 40.0]
    assert report.totals == PeriodStats(
        first=date(2026, 3, 10),
        last=date(2026, 3, 11),
        created=6,
        resolved=3,
        conversations=0,
        solved_without_human=None,
        median_wait_minutes=30.0,  # of 4, 6, 30, 40, 50: not the median of the daily medians
        average_satisfaction=10 / 3,  # of 5, 4 and 1: not the mean of the daily means (4.5 and 1)
    )
    assert report.days == tuple(HandoffStats(clean, clock).daily(2))


def test_rows_dated_after_today_count_nowhere(
    clean: Engine, new_ticket: TicketMaker, clock: MovableClock
) -> None:
    log = ConversationLog(clean, clock)
    log.record_start("sender-1", "rest", "fr")
    log.record_start("sender-2", "rest", "fr", started_at=clock.now + timedelta(days=1))  # a skewed clock
    clock.advance(days=1)
    new_ticket()
    clock.advance(days=-1)
    report = HandoffStats(clean, clock).report(2)
    assert [(d.created, d.conversations) for d in report.days] == [(0, 0), (0, 1)]
    assert (report.totals.created, report.totals.conversations, report.totals.solved_without_human) == (
        0,
        1,
        1.0,
    )
