"""Figures of the supervisor dashboard, per day of the last N days.

Not here: the share of conversations the bot handled without a human. It needs the count of all
conversations, which lives in Rasa's tracker store, not in the billing database.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.engine import Connection, Engine

from bot.billing.clock import Clock, aware, utc_now
from bot.billing.sql.schema import tickets
from bot.billing.sql.transactions import read

MAX_DAYS = 366


@dataclass(frozen=True)
class DayStats:
    day: date
    created: int  # handoffs (tickets) created that day
    resolved: int  # tickets resolved that day, whenever created
    median_wait_minutes: float | None  # created -> claimed, of that day's tickets claimed so far
    average_satisfaction: float | None  # of the tickets resolved that day and rated


class HandoffStats:
    def __init__(self, engine: Engine, clock: Clock = utc_now, timezone: str = "UTC") -> None:
        self._engine = engine
        self._clock = clock
        self._zone: tzinfo = ZoneInfo(timezone)

    def daily(self, days: int = 7) -> list[DayStats]:
        """The last `days` days (today included, in the configured time zone), oldest first."""
        if not 1 <= days <= MAX_DAYS:
            raise ValueError(f"days must be between 1 and {MAX_DAYS}")
        today = aware(self._clock()).astimezone(self._zone).date()
        first = today - timedelta(days=days - 1)
        start = datetime.combine(first, time(0), self._zone)

        def work(conn: Connection) -> list[tuple[datetime, datetime | None, datetime | None, int | None]]:
            rows = conn.execute(
                select(
                    tickets.c.created_at, tickets.c.claimed_at, tickets.c.resolved_at, tickets.c.satisfaction
                ).where(or_(tickets.c.created_at >= start, tickets.c.resolved_at >= start))
            )
            return [(r.created_at, r.claimed_at, r.resolved_at, r.satisfaction) for r in rows]

        rows = read(self._engine, work)
        created: dict[date, int] = {}
        resolved: dict[date, int] = {}
        waits: dict[date, list[float]] = {}
        scores: dict[date, list[int]] = {}
        for created_at, claimed_at, resolved_at, satisfaction in rows:
            created_day = created_at.astimezone(self._zone).date()
            if created_day >= first:
                created[created_day] = created.get(created_day, 0) + 1
                if claimed_at is not None:
                    minutes = (claimed_at - created_at).total_seconds() / 60
                    waits.setdefault(created_day, []).append(max(minutes, 0.0))
            if resolved_at is not None:
                resolved_day = resolved_at.astimezone(self._zone).date()
                if resolved_day >= first:
                    resolved[resolved_day] = resolved.get(resolved_day, 0) + 1
                    if satisfaction is not None:
                        scores.setdefault(resolved_day, []).append(satisfaction)
        result = []
        for offset in range(days):
            day = first + timedelta(days=offset)
            day_waits, day_scores = waits.get(day), scores.get(day)
            result.append(
                DayStats(
                    day=day,
                    created=created.get(day, 0),
                    resolved=resolved.get(day, 0),
                    median_wait_minutes=statistics.median(day_waits) if day_waits else None,
                    average_satisfaction=statistics.fmean(day_scores) if day_scores else None,
                )
            )
        return result
