"""Fixtures of the handoff tests: the billing database fixtures (SQLite and PostgreSQL, the `postgres`
marker) reused from `tests/unit/billing/conftest.py`, emptied for each test, and a movable clock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.billing.database import make_engine, migrate
from bot.billing.models import NewTicket, Ticket
from bot.billing.sql.backend import SqlBillingBackend
from bot.billing.sql.schema import conversation_sessions
from bot.handoff.agents import AGENT, SUPERVISOR, Agent, AgentDirectory
from bot.handoff.queue import TicketQueue
from bot.handoff.sessions import ConsoleAuth
from tests.unit.billing.conftest import (  # noqa: F401 (fixtures)
    BASE_URL,
    NOW,
    blank_database,
    database_url,
    empty,
    engine,
    postgres_url,
    sqlite_url,
)

PASSWORD = "correct horse battery"


class MovableClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(NOW)


@pytest.fixture
def clean(engine: Engine) -> Engine:  # noqa: F811
    empty(engine)
    return engine


@pytest.fixture
def directory(clean: Engine, clock: MovableClock) -> AgentDirectory:
    return AgentDirectory(clean, clock)


@pytest.fixture
def auth(clean: Engine, clock: MovableClock) -> ConsoleAuth:
    return ConsoleAuth(clean, clock)


@pytest.fixture
def queue(clean: Engine, clock: MovableClock) -> TicketQueue:
    return TicketQueue(clean, clock)


@pytest.fixture
def team(directory: AgentDirectory) -> dict[str, Agent]:
    return {
        "camille": directory.create_agent("camille.agent", "Camille", PASSWORD, AGENT, "fr"),
        "joana": directory.create_agent("joana.agente", "Joana", PASSWORD, AGENT, "pt"),
        "sam": directory.create_agent("sam.supervisor", "Sam", PASSWORD, SUPERVISOR, "en"),
    }


class TicketMaker:
    def __init__(self, database: Engine, clock: MovableClock) -> None:
        self._backend = SqlBillingBackend(
            database, public_base_url=BASE_URL, clock=clock, link_secret="s" * 32
        )
        self._clock = clock

    def __call__(self, language: str = "fr", conversation_id: str | None = "sender-1") -> Ticket:
        ticket = NewTicket(
            channel="rest", language=language, topic="other", summary="help", conversation_id=conversation_id
        )
        return self._backend.create_ticket(ticket, self._clock())


@pytest.fixture
def new_ticket(clean: Engine, clock: MovableClock) -> TicketMaker:
    return TicketMaker(clean, clock)


def recorded_sessions(database: Engine) -> list[tuple[str, str, str | None, datetime]]:
    """The conversation log (`conversation_sessions`) as (conversation id, channel, language, start), in the
    order the sessions were recorded."""
    columns = conversation_sessions.c
    query = select(columns.conversation_id, columns.channel, columns.language, columns.started_at)
    with database.connect() as conn:
        rows = conn.execute(query.order_by(columns.id))
        return [(r.conversation_id, r.channel, r.language, r.started_at) for r in rows]


@contextmanager
def migrated_to(url: str, revision: str) -> Iterator[Engine]:
    """An engine on the empty database of `url` migrated up to `revision` only, for a test to put that
    revision's rows in and migrate further; disposed afterwards."""
    database = make_engine(url)
    try:
        migrate(database, revision)
        yield database
    finally:
        database.dispose()
