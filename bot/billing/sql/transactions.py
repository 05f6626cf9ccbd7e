"""Short transactions on the billing database, shared by `SqlBillingBackend` and the agent side
(`bot.handoff`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.billing.backend import BackendUnavailable

T = TypeVar("T")
WRITE_TRANSACTION = "billing_write_transaction"  # execution option: BEGIN IMMEDIATE on SQLite (database.py)
_UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)


def read(engine: Engine, work: Callable[[Connection], T]) -> T:
    try:
        with engine.connect() as conn:
            return work(conn)
    except _UNAVAILABLE as error:
        raise BackendUnavailable(str(error)) from error


def write(engine: Engine, work: Callable[[Connection], T], *, attempts: int = 1) -> T:
    """`work` in one transaction, run again (up to `attempts` times in all) when a unique or foreign-key
    constraint rejects it; the last IntegrityError is raised."""
    for attempt in range(1, attempts + 1):
        try:
            with engine.connect() as connection:
                conn = connection.execution_options(**{WRITE_TRANSACTION: True})
                with conn.begin():
                    return work(conn)
        except IntegrityError:
            if attempt >= attempts:
                raise
        except _UNAVAILABLE as error:
            raise BackendUnavailable(str(error)) from error
    raise AssertionError("unreachable")
