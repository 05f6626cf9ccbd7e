"""Conversation-level actions: switching language, fallback answers, and handing over to a person."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    VERIFICATION_FORM,
    backend,
    language_of,
    latest_entity,
    now,
    verified_customer_id,
)
from bot.billing.backend import BackendUnavailable
from bot.billing.models import NewTicket
from bot.i18n import SUPPORTED_LANGUAGES, normalize_language
from bot.redaction import redact

logger = logging.getLogger(__name__)

ISSUE_RESPONSES = {
    "empty": "utter_empty_message",
    "no_text": "utter_no_text",
    "too_long": "utter_too_long",
    "other_language": "utter_other_language",
}
TRANSCRIPT_MESSAGES = 30


class ActionSwitchLanguage(Action):
    def name(self) -> str:
        return "action_switch_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        requested = normalize_language(latest_entity(tracker, "language"))
        if requested is None:  # "another language, please": the other one
            current = language_of(tracker)
            requested = next(code for code in SUPPORTED_LANGUAGES if code != current)
        dispatcher.utter_message(response="utter_language_switched", language=requested)
        return [SlotSet("language", requested)]


class ActionFallback(Action):
    """Low confidence, or a message that cannot be answered as such (empty, emoji only, too long...)."""

    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        issue = latest_entity(tracker, "input_issue")
        dispatcher.utter_message(response=ISSUE_RESPONSES.get(issue, "utter_default"))
        return []


class ActionUnexpectedValue(Action):
    """A bare value with no question pending: a customer number or postal code starts identification;
    anything else ("le 15", "50 €") means nothing on its own, so the customer is asked to say more."""

    def name(self) -> str:
        return "action_unexpected_value"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if latest_entity(tracker, "customer_number") or latest_entity(tracker, "postal_code"):
            return [FollowupAction(VERIFICATION_FORM)]
        dispatcher.utter_message(response="utter_default")
        return []


class ActionHandoff(Action):
    """Opens a support ticket with the conversation so far and gives the customer its reference."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        ticket = NewTicket(
            channel=tracker.get_latest_input_channel() or "unknown",
            language=language_of(tracker),
            topic=handoff_topic(tracker),
            summary=redact(tracker.latest_message.get("text") or ""),
            customer_id=verified_customer_id(tracker),
            priority="high" if tracker.get_slot("verification_locked") else "normal",
            transcript=transcript(tracker.events),
        )
        try:
            created = backend().create_ticket(ticket, now())
        except BackendUnavailable:
            logger.exception("handoff.backend_unavailable")
            dispatcher.utter_message(response="utter_backend_unavailable")
            return []
        logger.info("handoff.ticket_created", extra={"ticket": created.reference, "topic": created.topic})
        dispatcher.utter_message(response="utter_handoff_created", reference=created.reference)
        return []


def handoff_topic(tracker: Tracker) -> str:
    if tracker.get_slot("verification_locked"):
        return "verification_locked"
    return "customer_request"


def transcript(events: list[dict[str, Any]]) -> tuple[str, ...]:
    """The last messages of both sides, redacted, as "customer: ..." / "bot: ..." lines."""
    lines = [
        f"{'customer' if event['event'] == 'user' else 'bot'}: {redact(event.get('text') or '')}"
        for event in events
        if event.get("event") in ("user", "bot") and event.get("text")
    ]
    return tuple(lines[-TRANSCRIPT_MESSAGES:])
