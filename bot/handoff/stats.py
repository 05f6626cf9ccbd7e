"""Figures of the supervisor dashboard, per day of the last N days, and over those days.

A conversation is counted per session the bot started (`conversation_sessions`, recorded by
`bot.handoff.conversations.ConversationLog`); a session is solved without a human when no ticket of its
conversation was created on the day the session started (days in the configured time zone).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.engine import Connection, Engine

from bot.billing.clock import Clock, aware, utc_now
from bot.billing.sql.schema import conversation_sessions, tickets
from bot.billing.sql.tickets import conversation_key
from bot.billing.sql.transactions import read

MAX_DAYS = 366

_TicketRow = tuple[datetime, datetime | None, datetime | None, int | None, str | None]
_SessionRow = tuple[str, datetime]


@dataclass(frozen=True)
class DayStats:
    day: date
    created: int  # handoffs (tickets) created that day
    resolved: int  # tickets resolved that day, whenever created
    median_wait_minutes: float | None  # created -> claimed, of that day's tickets claimed so far
    average_satisfaction: float | None  # of the tickets resolved that day and rated
    conversations: int = 0  # conversation sessions started that day
    # Share (0 to 1) of that day's sessions whose conversation got no ticket created that day; None
    # without sessions.
    solved_without_human: float | None = None


@dataclass(frozen=True)
class PeriodStats:
    """The headline figures over the days of a report (the same definitions as `DayStats`)."""

    first: date
    last: date
    created: int  # handoffs
    resolved: int
    conversations: int
    solved_without_human: float | None  # sessions solved without a human / all sessions of the period
    median_wait_minutes: float | None  # of every ticket created in the period and claimed
    average_satisfaction: float | None  # of every ticket resolved in the period and rated


@dataclass(frozen=True)
class HandoffReport:
    days: tuple[DayStats, ...]  # oldest first
    totals: PeriodStats


class HandoffStats:
    def __init__(self, engine: Engine, clock: Clock = utc_now, timezone: str = "UTC") -> None:
        self._engine = engine
        self._clock = clock
        self._zone: tzinfo = ZoneInfo(timezone)

    def daily(self, days: int = 7) -> list[DayStats]:
        """The last `days` days (today included, in the configured time zone), oldest first."""
        return list(self.report(days).days)

    def report(self, days: int = 7) -> HandoffReport:
        """`daily(days)` and the totals over those days, from one read."""
        if not 1 <= days <= MAX_DAYS:
            raise ValueError(f"days must be between 1 and {MAX_DAYS}")
        today = aware(self._clock()).astimezone(self._zone).date()
        first = today - timedelta(days=days - 1)
        start = datetime.combine(first, time(0), self._zone)

        def work(conn: Connection) -> tuple[list[_TicketRow], list[_SessionRow]]:
            ticket_rows = conn.execute(
                select(
                    tickets.c.created_at,
                    tickets.c.claimed_at,
                    tickets.c.resolved_at,
                    tickets.c.satisfaction,
                    tickets.c.conversation_id,
                ).where(or_(tickets.c.created_at >= start, tickets.c.resolved_at >= start))
            )
            found = [
                (r.created_at, r.claimed_at, r.resolved_at, r.satisfaction, r.conversation_id)
                for r in ticket_rows
            ]
            session_rows = conn.execute(
                select(conversation_sessions.c.conversation_id, conversation_sessions.c.started_at).where(
                    conversation_sessions.c.started_at >= start
                )
            )
            return found, [(r.conversation_id, r.started_at) for r in session_rows]

        ticket_rows, session_rows = read(self._engine, work)
        return self._aggregate(first, days, ticket_rows, session_rows)

    def _aggregate(
        self, first: date, days: int, ticket_rows: Sequence[_TicketRow], session_rows: Sequence[_SessionRow]
    ) -> HandoffReport:
        last = first + timedelta(days=days - 1)
        created: dict[date, int] = {}
        resolved: dict[date, int] = {}
        waits: dict[date, list[float]] = {}
        scores: dict[date, list[int]] = {}
        handed_off: dict[date, set[str]] = {}  # conversation ids with a ticket created that day
        for created_at, claimed_at, resolved_at, satisfaction, conversation_id in ticket_rows:
            created_day = created_at.astimezone(self._zone).date()
            if first <= created_day <= last:
                created[created_day] = created.get(created_day, 0) + 1
                if conversation_id is not None:
                    handed_off.setdefault(created_day, set()).add(conversation_id)
                if claimed_at is not None:
                    minutes = (claimed_at - created_at).total_seconds() / 60
                    waits.setdefault(created_day, []).append(max(minutes, 0.0))
            if resolved_at is not None:
                resolved_day = resolved_at.astimezone(self._zone).date()
                if first <= resolved_day <= last:
                    resolved[resolved_day] = resolved.get(resolved_day, 0) + 1
                    if satisfaction is not None:
                        scores.setdefault(resolved_day, []).append(satisfaction)
        conversations: dict[date, int] = {}
        solved: dict[date, int] = {}
        for conversation_id, started_at in session_rows:
            started_day = started_at.astimezone(self._zone).date()
            if first <= started_day <= last:
                conversations[started_day] = conversations.get(started_day, 0) + 1
                if conversation_key(conversation_id) not in handed_off.get(started_day, ()):
                    solved[started_day] = solved.get(started_day, 0) + 1
        result = []
        for offset in range(days):
            day = first + timedelta(days=offset)
            day_waits, day_scores, day_conversations = (
                waits.get(day),
                scores.get(day),
                conversations.get(day, 0),
            )
            result.append(
                DayStats(
                    day=day,
                    created=created.get(day, 0),
                    resolved=resolved.get(day, 0),
                    median_wait_minutes=statistics.median(day_waits) if day_waits else None,
                    average_satisfaction=statistics.fmean(day_scores) if day_scores else None,
                    conversations=day_conversations,
                    solved_without_human=solved.get(day, 0) / day_conversations
                    if day_conversations
                    else None,
                )
            )
        all_waits = [wait for day_waits in waits.values() for wait in day_waits]
        all_scores = [score for day_scores in scores.values() for score in day_scores]
        all_conversations = sum(conversations.values())
        totals = PeriodStats(
            first=first,
            last=last,
            created=sum(created.values()),
            resolved=sum(resolved.values()),
            conversations=all_conversations,
            solved_without_human=sum(solved.values()) / all_conversations if all_conversations else None,
            median_wait_minutes=statistics.median(all_waits) if all_waits else None,
            average_satisfaction=statistics.fmean(all_scores) if all_scores else None,
        )
        return HandoffReport(tuple(result), totals)
