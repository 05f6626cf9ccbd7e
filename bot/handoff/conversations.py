"""The log of conversation sessions the bot started, counted by `HandoffStats` for the share of
conversations solved without a human.

Only the conversation id (Rasa's sender id), the channel, the language and the instant are stored: never
what the customer wrote. A session recorded twice (the same conversation id and start instant, e.g. a
replayed session start) is stored once, and recording it again is not an error.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from bot.billing.clock import Clock, aware, utc_now
from bot.billing.sql.schema import conversation_sessions
from bot.billing.sql.transactions import write
from bot.billing.sql.writes import without_nul

_columns = conversation_sessions.c
MAX_CONVERSATION_ID: int = _columns.conversation_id.type.length
MAX_CHANNEL: int = _columns.channel.type.length
MAX_LANGUAGE: int = _columns.language.type.length


class ConversationLog:
    def __init__(self, engine: Engine, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._clock = clock

    def record_start(
        self,
        conversation_id: str,
        channel: str,
        language: str | None,
        *,
        started_at: datetime | None = None,
    ) -> None:
        """Records that a conversation session started, at `started_at` (default: now).

        Values too long for their column are cut (conversation id: 255 characters, channel: 32, language:
        5); an empty language is None. A duplicate (same conversation id and instant) is ignored. Raises
        ValueError for an empty conversation id or a naive `started_at`, and `BackendUnavailable` when the
        database cannot be reached: the caller logs it and goes on with the conversation.
        """
        conversation = without_nul(conversation_id)[:MAX_CONVERSATION_ID]
        if not conversation:
            raise ValueError("conversation_id must not be empty")
        values = {
            "conversation_id": conversation,
            "channel": without_nul(channel)[:MAX_CHANNEL],
            "language": without_nul(language or "")[:MAX_LANGUAGE] or None,
            "started_at": aware(started_at if started_at is not None else self._clock()),
        }

        def work(conn: Connection) -> None:
            conn.execute(_insert_unless_present(conn.dialect.name).values(**values))

        with suppress(IntegrityError):  # recorded meanwhile (only on dialects without ON CONFLICT)
            write(self._engine, work)


def _insert_unless_present(dialect: str) -> Any:
    """An INSERT that does nothing when the (conversation_id, started_at) pair is already there."""
    if dialect == "postgresql":
        return postgresql_insert(conversation_sessions).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite_insert(conversation_sessions).on_conflict_do_nothing()
    return insert(conversation_sessions)
