"""The conversation log on SQLite and PostgreSQL, and migration 0005."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from alembic import command
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from bot.billing.database import alembic_config, migrate
from bot.billing.sql.schema import conversation_sessions
from bot.handoff.conversations import ConversationLog
from tests.unit.billing.conftest import NOW

from .conftest import MovableClock, migrated_to, recorded_sessions


def test_each_session_start_is_one_row_of_ids_and_no_text(clean: Engine, clock: MovableClock) -> None:
    log = ConversationLog(clean, clock)
    log.record_start("sender-1", "socketio", "fr")
    clock.advance(minutes=5)
    log.record_start("sender-2", "rest", None)
    clock.advance(hours=2)
    log.record_start("sender-1", "socketio", "fr")  # a new session of the same conversation
    assert recorded_sessions(clean) == [
        ("sender-1", "socketio", "fr", NOW),
        ("sender-2", "rest", None, NOW + timedelta(minutes=5)),
        ("sender-1", "socketio", "fr", NOW + timedelta(hours=2, minutes=5)),
    ]
    # Nothing the customer could have written has a place to go.
    assert [column.name for column in conversation_sessions.columns] == [
        "id",
        "conversation_id",
        "channel",
        "language",
        "started_at",
    ]


def test_recording_the_same_session_again_is_not_an_error(clean: Engine, clock: MovableClock) -> None:
    log = ConversationLog(clean, clock)
    log.record_start("sender-1", "rest", "pt")
    log.record_start("sender-1", "rest", "pt")  # same instant: the same session
    replayed = NOW - timedelta(minutes=1)
    log.record_start("sender-1", "rest", "pt", started_at=replayed)
    log.record_start("sender-1", "rest", "pt", started_at=replayed.astimezone(timezone(timedelta(hours=-3))))
    log.record_start("sender-2", "rest", "pt")  # the transaction is still usable afterwards
    assert recorded_sessions(clean) == [
        ("sender-1", "rest", "pt", NOW),
        ("sender-1", "rest", "pt", replayed),
        ("sender-2", "rest", "pt", NOW),
    ]


def test_values_are_cut_to_their_columns(clean: Engine, clock: MovableClock) -> None:
    log = ConversationLog(clean, clock)
    long_id = "x" * 300
    log.record_start(long_id, "c" * 40, "pt-BR-x")
    log.record_start("with\x00nul", "rest", "")
    assert recorded_sessions(clean) == [
        ("x" * 255, "c" * 32, "pt-BR", NOW),
        ("withnul", "rest", None, NOW),
    ]
    log.record_start(long_id, "c" * 40, "pt-BR-x")  # cut alike: still the same session
    assert len(recorded_sessions(clean)) == 2


def test_an_empty_id_or_a_naive_instant_is_refused(clean: Engine, clock: MovableClock) -> None:
    log = ConversationLog(clean, clock)
    with pytest.raises(ValueError):
        log.record_start("", "rest", "fr")
    with pytest.raises(ValueError):
        log.record_start("sender-1", "rest", "fr", started_at=datetime(2026, 3, 11, 10, 0))
    with pytest.raises(ValueError):
        ConversationLog(clean, lambda: datetime(2026, 3, 11, 10, 0)).record_start("sender-1", "rest", "fr")
    assert recorded_sessions(clean) == []


def test_migration_0005_adds_the_table_to_a_0004_database_and_removes_it(blank_database: str) -> None:
    with migrated_to(blank_database, "0004") as engine:
        assert "conversation_sessions" not in inspect(engine).get_table_names()
        migrate(engine)
        log = ConversationLog(engine, MovableClock(NOW))
        log.record_start("sender-1", "rest", "fr")
        log.record_start("sender-1", "rest", "fr")  # the unique (conversation, start) pair is there
        assert recorded_sessions(engine) == [("sender-1", "rest", "fr", NOW)]
        indexes = {index["name"] for index in inspect(engine).get_indexes("conversation_sessions")}
        assert "ix_conversation_sessions_started_at" in indexes
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "0004")
        assert "conversation_sessions" not in inspect(engine).get_table_names()
