"""Conversation-level actions: switching language and fallback answers (the handoff: actions/handoff.py)."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import language_of, latest_entity
from actions.flow import Flow, Turn, register, run_then, state_events, try_answer, turn_of
from actions.values import offer_human
from bot import i18n
from bot.i18n import SUPPORTED_LANGUAGES, normalize_language

ISSUE_RESPONSES = {
    "empty": "utter_empty_message",
    "no_text": "utter_no_text",
    "too_long": "utter_too_long",
    "other_language": "utter_other_language",
    "media": "utter_media_message",
    "location": "utter_location_message",
}


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
