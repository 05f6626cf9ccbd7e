"""The clock of the billing side: timezone-aware instants only, and whole seconds since the epoch for
what is signed (link tokens, webhook signatures)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def aware(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("`now` must be timezone-aware")
    return now


def epoch_seconds(instant: datetime) -> int:
    return int(aware(instant).timestamp())
