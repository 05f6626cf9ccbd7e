"""bot/tracker_store.py against Rasa's own SQLTrackerStore, on the real PostgreSQL and on SQLite: the same
table and rows, so that each reads what the other wrote, the latest session only unless asked for all,
and a save stores only the events not stored yet."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.tracker_store import FastSQLTrackerStore
from tests.postgres import empty_database

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet, ask_balance]
slots:
  customer_number:
    type: text
    mappings: [{type: custom}]
"""
)


def store_kwargs(url: str) -> dict[str, Any]:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return {"dialect": "sqlite", "db": parsed.database}
    return {
        "dialect": "postgresql",
        "host": parsed.host,
        "port": parsed.port,
        "db": parsed.database,
        "username": parsed.username,
        "password": parsed.password,
    }


@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with empty_database(request.param, tmp_path, "tracker_unit") as url:
        yield url


@pytest.fixture
def stores(database_url: str) -> Iterator[tuple[FastSQLTrackerStore, SQLTrackerStore]]:
    ours = FastSQLTrackerStore(domain=DOMAIN, **store_kwargs(database_url))
    rasas = SQLTrackerStore(domain=DOMAIN, **store_kwargs(database_url))
    yield ours, rasas
    ours.engine.dispose()
    rasas.engine.dispose()


def session(start: float, text_said: str, number: str) -> list[Event]:
    return [
        ActionExecuted("action_session_start", timestamp=start),
        SessionStarted(timestamp=start + 1),
        ActionExecuted("action_listen", timestamp=start + 2),
        UserUttered(text_said, {"name": "ask_balance", "confidence": 0.9}, timestamp=start + 3),
        SlotSet("customer_number", number, timestamp=start + 4),
    ]


def tracker_of(sender: str, events: list[Event]) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(sender, events, DOMAIN.slots)


def saved(store: SQLTrackerStore, tracker: DialogueStateTracker) -> None:
    asyncio.run(store.save(tracker))


def retrieved(store: SQLTrackerStore, sender: str, everything: bool = False) -> DialogueStateTracker | None:
    read = store.retrieve_full_tracker if everything else store.retrieve
    return asyncio.run(read(sender))


def stored_rows(url: str, sender: str) -> list[tuple[Any, ...]]:
    engine = create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            query = text(
                "SELECT type_name, timestamp, intent_name, action_name, data FROM events "
                "WHERE sender_id = :sender ORDER BY id"
            )
            return [tuple(row) for row in connection.execute(query, {"sender": sender})]
    finally:
        engine.dispose()


def test_the_rows_are_the_ones_rasa_writes(
    stores: tuple[FastSQLTrackerStore, SQLTrackerStore], database_url: str
) -> None:
    ours, rasas = stores
    events = session(1000.0, "c'est combien mon solde ?", "482130")
    saved(ours, tracker_of("ours", events))
    saved(rasas, tracker_of("rasa's", events))
    assert stored_rows(database_url, "ours") == stored_rows(database_url, "rasa's")
    assert len(stored_rows(database_url, "ours")) == len(events)


def extended(tracker: DialogueStateTracker | None, events: list[Event]) -> DialogueStateTracker:
    assert tracker is not None
    for event in events:
        tracker.update(event)
    return tracker


# A tracker as Rasa handles it: read back from the store (from the latest SessionStarted on), extended with
# the new events, saved.
@pytest.mark.parametrize("writer_is_ours", [True, False])
def test_each_reads_the_latest_session_the_other_wrote(
    stores: tuple[FastSQLTrackerStore, SQLTrackerStore], writer_is_ours: bool
) -> None:
    ours, rasas = stores
    writer, reader = (ours, rasas) if writer_is_ours else (rasas, ours)
    first = session(1000.0, "bonjour", "111111")[1:]
    second = session(2000.0, "quel est mon solde", "482130")
    saved(writer, tracker_of("camille", first))
    saved(writer, extended(retrieved(reader, "camille"), second))
    for store in (ours, rasas):
        latest = retrieved(store, "camille")
        assert latest is not None
        assert list(latest.events) == second[1:]  # from the SessionStarted on
        assert latest.get_slot("customer_number") == "482130"
        everything = retrieved(store, "camille", everything=True)
        assert everything is not None and list(everything.events) == first + second
    assert retrieved(reader, "nobody") is None


def test_a_save_stores_only_the_new_events(
    stores: tuple[FastSQLTrackerStore, SQLTrackerStore], database_url: str
) -> None:
    ours, rasas = stores
    events = session(1000.0, "bonjour", "482130")[1:]
    saved(ours, tracker_of("julien", events[:2]))
    tracker = extended(retrieved(ours, "julien"), events[2:])
    saved(ours, tracker)
    saved(ours, tracker)  # nothing new
    saved(ours, extended(retrieved(rasas, "julien"), [ActionExecuted("utter_balance", timestamp=1010.0)]))
    assert [row[0] for row in stored_rows(database_url, "julien")] == [
        "session_started",
        "action",
        "user",
        "slot",
        "action",
    ]
    again = retrieved(rasas, "julien")
    assert again is not None and list(again.events)[-1] == ActionExecuted("utter_balance", timestamp=1010.0)
