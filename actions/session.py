"""`action_session_start`: Rasa's own session start, plus two things of ours. The session is logged (the
supervisor dashboard's share of conversations solved without a human), and a conversation an agent is
handling stays paused: a new session would otherwise wake the bot up in the middle of the agent's work.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, EventType, SessionStarted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import database, now, ticket_queue
from bot.billing.backend import BackendUnavailable
from bot.billing.models import TicketStatus
from bot.handoff.conversations import ConversationLog

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def conversation_log() -> ConversationLog:
    return ConversationLog(database())


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events: list[EventType] = [SessionStarted()]
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
