"""Short transactions on the billing database, as `SqlBillingBackend` runs them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import TypeVar

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.billing.backend import BackendUnavailable

T = TypeVar("T")
Clock = Callable[[], datetime]
_UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def now_of(clock: Clock) -> datetime:
    now = clock()
    if now.tzinfo is None:
        raise ValueError("the clock must give timezone-aware datetimes")
    return now


def read(engine: Engine, work: Callable[[Connection], T]) -> T:
    try:
        with engine.connect() as conn:
            return work(conn)
    except _UNAVAILABLE as error:
        raise BackendUnavailable(str(error)) from error


def write(engine: Engine, work: Callable[[Connection], T]) -> T:
    try:
        with engine.begin() as conn:
            return work(conn)
    except _UNAVAILABLE as error:
        raise BackendUnavailable(str(error)) from error
