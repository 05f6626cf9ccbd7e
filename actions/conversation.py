"""Conversation-level actions: switching language, fallback answers, and handing over to a person."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    backend,
    language_of,
    latest_entity,
    now,
    tell_about_redaction,
    verified_customer_id,
)
from actions.flow import FLOW, STEP, VALUES, Flow, Turn, register, run_then, state_events, try_answer, turn_of
from actions.values import offer_human
from bot import i18n
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


class HumanOfferFlow(Flow):
    """The pending "shall I put you through to a person?" question."""

    name = "human_offer"
    needs_verification = False

    def start(self, turn: Turn) -> None:
        turn.say("utter_offer_human")
        turn.next_step = "offer"

    def answer(self, turn: Turn) -> bool:
        if turn.intent == "affirm":
            turn.then = "action_handoff"
        elif turn.intent == "deny":
            turn.say("utter_anything_else")
        else:
            return False
        turn.finish()
        return True

    def repeat_question(self, turn: Turn) -> None:
        self.start(turn)


register(HumanOfferFlow())

# Intents never suggested as "did you mean": they only make sense as answers or are not requests.
NOT_SUGGESTED = {
    "nlu_fallback",
    "inform",
    "affirm",
    "deny",
    "greet",
    "goodbye",
    "thanks",
    "out_of_scope",
    "restart",
}
SUGGESTIONS = 3
MIN_SUGGESTION_CONFIDENCE = 0.05


class ActionFallback(Action):
    """Low confidence, or a message that cannot be answered as such (empty, emoji only, too long...).

    Two stages: first the likely topics as buttons ("did you mean..."), then, when the next message is
    not understood either, the offer of a person. An answer to a pending question is tried first.
    """

    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        turn = turn_of(dispatcher, tracker)
        issue = latest_entity(tracker, "input_issue")
        if issue is None and try_answer(turn):
            return await run_then(turn, state_events(turn, turn.flow), domain)
        if issue in ISSUE_RESPONSES:
            dispatcher.utter_message(response=ISSUE_RESPONSES[issue])
            return []
        if previous_message_not_understood(tracker):
            return offer_human(dispatcher)
        buttons = [
            {"title": i18n.text(turn.language, f"intents.{name}"), "payload": f"/{name}"}
            for name in likely_intents(tracker)
        ]
        buttons.append({"title": i18n.text(turn.language, "labels.human"), "payload": "/request_human"})
        dispatcher.utter_message(response="utter_fallback_suggestions", buttons=buttons)
        return []


def likely_intents(tracker: Tracker) -> list[str]:
    ranking = tracker.latest_message.get("intent_ranking") or []
    names = [
        item["name"]
        for item in ranking
        if item.get("name") not in NOT_SUGGESTED
        and (item.get("confidence") or 0) >= MIN_SUGGESTION_CONFIDENCE
    ]
    return names[:SUGGESTIONS]


def previous_message_not_understood(tracker: Tracker) -> bool:
    """Whether the customer's message before this one also ended in the fallback."""
    users = [index for index, event in enumerate(tracker.events) if event.get("event") == "user"]
    if len(users) < 2:
        return False
    between = tracker.events[users[-2] + 1 : users[-1]]
    return any(event.get("event") == "action" and event.get("name") == "action_fallback" for event in between)


class ActionHandoff(Action):
    """Opens a support ticket with the conversation so far and gives the customer its reference."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        tell_about_redaction(dispatcher, tracker)
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
        return [
            SlotSet(FLOW, None),
            SlotSet(STEP, None),
            SlotSet(VALUES, None),
        ]  # the person takes it from here


def handoff_topic(tracker: Tracker) -> str:
    """Why a person is needed: a locked identification, else the topic of the flow under way."""
    if tracker.get_slot("verification_locked"):
        return "verification_locked"
    flow = tracker.get_slot(FLOW)
    return str(flow) if flow and flow != HumanOfferFlow.name else "customer_request"


def transcript(events: list[dict[str, Any]]) -> tuple[str, ...]:
    """The last messages of both sides, redacted, as "customer: ..." / "bot: ..." lines."""
    lines = [
        f"{'customer' if event['event'] == 'user' else 'bot'}: {redact(event.get('text') or '')}"
        for event in events
        if event.get("event") in ("user", "bot") and event.get("text")
    ]
    return tuple(lines[-TRANSCRIPT_MESSAGES:])
