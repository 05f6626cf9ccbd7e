"""The SQL tracker store of the production configuration (endpoints.production.yml): Rasa's own
`SQLTrackerStore`, the same `events` table and the same rows, with its two per-message queries made cheaper.

Rasa builds an ORM query and loads every event row as an ORM object each time it reads a conversation (and
once more, to count the stored events, each time it saves one): under load that was a fifth of a Rasa
process's CPU time. Here both queries are SQLAlchemy Core statements built once, that read plain rows.
And Rasa waits for PostgreSQL on the event loop, so that a Sanic worker serves nobody else meanwhile:
here the queries and the commit run in a thread.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

logger = logging.getLogger(__name__)


class FastSQLTrackerStore(SQLTrackerStore):
    """`tracker_store: {type: bot.tracker_store.FastSQLTrackerStore, dialect, url, port, db, username,
    password}`, as Rasa's `type: SQL`. The PostgreSQL schema check of POSTGRESQL_SCHEMA is done once, here,
    rather than before every query."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        with self.session_scope():
            pass  # Rasa's check that the POSTGRESQL_SCHEMA exists, if one is set
        events = self.SQLEvent.__table__
        sender: sa.sql.elements.BindParameter[sa.String] = sa.bindparam("sender_id", type_=sa.String)
        session_start = (
            sa.select(sa.func.max(events.c.timestamp))
            .where(events.c.sender_id == sender, events.c.type_name == SessionStarted.type_name)
            .scalar_subquery()
        )
        latest_session = sa.or_(events.c.timestamp >= session_start, session_start.is_(None))
        of_sender = events.c.sender_id == sender
        self._all_events = sa.select(events.c.data).where(of_sender).order_by(events.c.id)
        self._latest_session_events = self._all_events.where(latest_session)
        self._latest_session_count = (
            sa.select(sa.func.count()).select_from(events).where(of_sender, latest_session)
        )
        self._insert = events.insert()

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        query = self._all_events if fetch_events_from_all_sessions else self._latest_session_events
        rows = await asyncio.to_thread(self._read, query, sender_id)
        if not self.domain or not rows:
            return None
        return DialogueStateTracker.from_dict(
            sender_id, [json.loads(data) for data in rows], self.domain.slots
        )

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        # The conversation's lock is held until the save is done: its events do not change meanwhile.
        await asyncio.to_thread(self._append, tracker.sender_id, list(tracker.events))

    # In a thread: the event loop serves other conversations while PostgreSQL answers and commits.
    def _read(self, query: sa.sql.Select, sender_id: str) -> list[str]:
        with self.engine.connect() as connection:
            return list(connection.execute(query, {"sender_id": sender_id}).scalars().all())

    def _append(self, sender_id: str, events: list[Event]) -> None:
        with self.engine.begin() as connection:
            stored = connection.execute(self._latest_session_count, {"sender_id": sender_id}).scalar_one()
            rows = [self._row(sender_id, event.type_name, event.as_dict()) for event in events[stored:]]
            if rows:
                connection.execute(self._insert, rows)

    @staticmethod
    def _row(sender_id: str, type_name: str, data: dict[str, Any]) -> dict[str, Any]:
        return {
            "sender_id": sender_id,
            "type_name": type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }
