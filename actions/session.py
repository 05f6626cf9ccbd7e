"""`action_session_start`: Rasa's own session start, plus three things of ours. The channel's language
hint of the message that opened the session (its `metadata.language`: Telegram's language_code, the
WhatsApp number's country, the widget page) becomes `channel_language`, also when that message is an
intent payload (`/start`, a button), which skips the NLU where the hint is otherwise read. The session is
logged (the supervisor dashboard's share of conversations solved without a human), and a conversation an
agent is handling stays paused: a new session would otherwise wake the bot up in the middle of the
agent's work.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import database, now, ticket_queue
from bot.billing.backend import BackendUnavailable
from bot.billing.models import TicketStatus
from bot.handoff.conversations import ConversationLog
from bot.i18n import normalize_language

logger = logging.getLogger(__name__)
SESSION_METADATA_SLOT = "session_started_metadata"  # Rasa's: the metadata of the session's first message
CHANNEL_LANGUAGE_SLOT = "channel_language"


@lru_cache(maxsize=1)
def conversation_log() -> ConversationLog:
    return ConversationLog(database())


def channel_hint(metadata: object) -> str | None:
    return normalize_language(metadata.get("language")) if isinstance(metadata, dict) else None


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events: list[EventType] = [SessionStarted()]
        hint = channel_hint(tracker.get_slot(SESSION_METADATA_SLOT))
        if hint:
            events.append(SlotSet(CHANNEL_LANGUAGE_SLOT, hint))
        try:  # the log must not decide whether the bot wakes up: each read on its own
            conversation_log().record_start(
                tracker.sender_id,
                tracker.get_latest_input_channel() or "unknown",
                tracker.get_slot("language"),
                started_at=now(),
            )
        except BackendUnavailable:
            logger.exception("session.log_unavailable")
        try:
            ticket = ticket_queue().for_conversation(tracker.sender_id, (TicketStatus.IN_PROGRESS,))
        except BackendUnavailable:
            logger.exception("session.queue_unavailable")
            ticket = None
        if ticket is not None:
            events.append(ConversationPaused())
        events.append(ActionExecuted("action_listen"))
        return events
