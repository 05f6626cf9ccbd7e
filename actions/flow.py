"""Multi-step self-service flows: one question pending at a time, answered by buttons or typed text.

A flow keeps its state in three slots: `flow` (its name), `flow_step` (the question it asked) and
`flow_values` (what the customer chose so far). Rasa's policies only route intents to actions; the
flow decides what an answer means for the question pending, so "oui", "le 20", "non, plutôt en 4
fois" or a button all land in the same place:

- a topic intent starts (or restarts) that topic's flow (`FlowAction`);
- `inform`, `affirm` and `deny` answer the pending question (`ActionFlowAnswer`), and a message the
  NLU did not understand is tried as an answer before the fallback (`try_answer`);
- a "no" without a value drops the flow, a value corrects the previous one;
- an information topic asked mid-flow is answered, then the pending question is asked again.
"""

from __future__ import annotations

import logging
from abc import ABC, ABCMeta, abstractmethod
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache, cached_property
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    ask_for_verification,
    backend,
    language_of,
    now,
    tell_about_redaction,
    today,
    verified_customer_id,
)
from bot import i18n
from bot.answers import choose
from bot.billing.backend import BackendUnavailable, BillingBackend, NotAllowed, NotFound
from bot.billing.models import Customer, NewTicket, Ticket

logger = logging.getLogger(__name__)

FLOW, STEP, VALUES = "flow", "flow_step", "flow_values"
PENDING_QUESTION_MIN_CONFIDENCE = 0.3


@dataclass
class Turn:
    """One action run: what the customer said, in which flow state, and what the flow does about it."""

    dispatcher: CollectingDispatcher
    tracker: Tracker
    language: str
    customer_id: int | None
    flow: str | None
    step: str | None
    values: dict[str, Any]
    events: list[EventType] = field(default_factory=list)
    next_step: str | None = None
    finished: bool = False
    then: str | None = None  # an action to run right after this one (see `run_then`)

    @property
    def backend(self) -> BillingBackend:
        return backend()

    @property
    def today(self) -> date:
        return today()

    @property
    def now(self) -> datetime:
        return now()

    @property
    def intent(self) -> str | None:
        """The intent of the latest message. Below the fallback threshold, while a question is pending,
        the best-ranked intent still counts: a pending question makes a short "oui" or "não" likely."""
        message = self.tracker.latest_message
        name = (message.get("intent") or {}).get("name")
        if name == "nlu_fallback" and self.step:
            ranked = [i for i in message.get("intent_ranking") or [] if i.get("name") != "nlu_fallback"]
            if ranked and (ranked[0].get("confidence") or 0) >= PENDING_QUESTION_MIN_CONFIDENCE:
                return str(ranked[0]["name"])
        return name

    @property
    def text(self) -> str:
        return self.tracker.latest_message.get("text") or ""

    @property
    def client_id(self) -> int:
        if self.customer_id is None:
            raise RuntimeError("this step needs a verified customer")
        return self.customer_id

    @cached_property
    def customer(self) -> Customer:
        """The verified customer, read once per turn."""
        return self.backend.get_customer(self.client_id)

    def entity(self, name: str) -> Any:
        return next(self.tracker.get_latest_entity_values(name), None)

    def say(self, response: str, buttons: list[dict[str, str]] | None = None, /, **params: Any) -> None:
        if buttons:
            self.dispatcher.utter_message(response=response, buttons=buttons, **params)
        else:
            self.dispatcher.utter_message(response=response, **params)

    def ask(
        self, step: str, response: str, buttons: list[dict[str, str]] | None = None, /, **params: Any
    ) -> None:
        self.say(response, buttons, **params)
        self.next_step = step

    def finish(self) -> None:
        self.finished = True

    def label(self, key: str, **params: Any) -> str:
        return i18n.text(self.language, f"labels.{key}", **params)

    def button(self, key: str, payload: str, **params: Any) -> dict[str, str]:
        return {"title": self.label(key, **params), "payload": payload}

    def yes_no(self, yes: str, no: str) -> list[dict[str, str]]:
        return [self.button(yes, "/affirm"), self.button(no, "/deny")]

    def picked(self, *options: str) -> str | None:
        """The option chosen by button (`choice` entity) or typed with one of its words (locales
        `choices.<option>`)."""
        chosen = self.entity("choice")
        if chosen in options:
            return str(chosen)
        words = i18n.catalogue(self.language)["choices"]
        return choose(self.text, {option: words[option] for option in options})

    def minutes_until(self, instant: datetime) -> int:
        """Whole minutes left before a link or a code expires, at least one."""
        return max(1, round((instant - self.now).total_seconds() / 60))

    def open_ticket(self, topic: str, summary: str, priority: str = "normal") -> Ticket:
        """A ticket for the team behind this customer's request, on the channel they are using."""
        return self.backend.create_ticket(
            NewTicket(
                channel=self.tracker.get_latest_input_channel() or "unknown",
                language=self.language,
                topic=topic,
                summary=summary[:500],
                customer_id=self.customer_id,
                priority=priority,
            ),
            self.now,
        )


class Flow(ABC):
    """A self-service topic. `start` runs on the topic's intent, `answer` on a reply to `turn.step`."""

    name: ClassVar[str]
    needs_verification: ClassVar[bool] = True
    # Entities of the message that started the flow, kept through identity verification.
    remembered_entities: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def start(self, turn: Turn) -> None: ...

    def remember(self, turn: Turn) -> dict[str, Any]:
        """What the message that started the flow said, kept through identity verification (the
        message `start` then sees is the last answer to the verification)."""
        return {
            f"said_{name}": value
            for name in self.remembered_entities
            if (value := turn.entity(name)) is not None
        }

    def answer(self, turn: Turn) -> bool:
        """Handle a reply to the pending question; False when the message is not an answer to it."""
        return False

    def repeat_question(self, turn: Turn) -> None:
        """Ask the pending question again (after a digression). Flows with questions override it."""
        turn.next_step = turn.step


FLOWS: dict[str, Flow] = {}


def register(flow: Flow) -> Flow:
    FLOWS[flow.name] = flow
    return flow


def turn_of(dispatcher: CollectingDispatcher, tracker: Tracker) -> Turn:
    tell_about_redaction(dispatcher, tracker)
    values = tracker.get_slot(VALUES)
    return Turn(
        dispatcher=dispatcher,
        tracker=tracker,
        language=language_of(tracker),
        customer_id=verified_customer_id(tracker),
        flow=tracker.get_slot(FLOW),
        step=tracker.get_slot(STEP),
        values=dict(values) if isinstance(values, dict) else {},
    )


def state_events(turn: Turn, flow_name: str | None) -> list[EventType]:
    """The slot events that store where the flow stands after this turn."""
    if turn.finished or turn.next_step is None:
        return [*turn.events, SlotSet(FLOW, None), SlotSet(STEP, None), SlotSet(VALUES, None)]
    return [
        *turn.events,
        SlotSet(FLOW, flow_name),
        SlotSet(STEP, turn.next_step),
        SlotSet(VALUES, turn.values),
    ]


def run_safely(turn: Turn, work: Any) -> bool:
    """Run a flow step; a backend outage or an unexpected refusal ends the flow with an apology."""
    try:
        work()
    except BackendUnavailable:
        logger.exception("flow.backend_unavailable", extra={"flow": turn.flow})
        turn.say("utter_backend_unavailable")
        turn.finish()
        return False
    except NotFound:
        logger.info("flow.not_found", extra={"flow": turn.flow})
        turn.say("utter_flow_not_found")
        turn.finish()
        return False
    except NotAllowed as refusal:
        logger.info("flow.refused", extra={"flow": turn.flow, "reason": refusal.reason})
        turn.say("utter_flow_refused", reason=refusal_text(turn.language, refusal.reason))
        turn.finish()
        return False
    return True


def refusal_text(language: str, reason: str) -> str:
    refusals = i18n.catalogue(language)["refusals"]
    return str(refusals.get(reason, refusals["other"]))


class FlowAction(Action, metaclass=ABCMeta):
    """`action_<flow>`: starts a flow on its topic intent (after verification when needed).

    Subclasses set `flow`; the base class is abstract, so rasa-sdk does not register it as an action.
    """

    @property
    @abstractmethod
    def flow(self) -> Flow: ...

    information_only: ClassVar[bool] = False  # answered without taking over a pending question

    def name(self) -> str:
        return f"action_{self.flow.name}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        turn = turn_of(dispatcher, tracker)
        pending = FLOWS.get(turn.flow or "")
        if pending is not None and turn.step not in (None, "verification"):
            if pending is self.flow and try_answer(turn):
                # The answer to this flow's own question, worded like a new request ("la fibre max").
                return await run_then(turn, state_events(turn, self.flow.name), domain)
            can_answer = turn.customer_id is not None or not self.flow.needs_verification
            if pending is not self.flow and self.information_only and can_answer:
                return self._digress(turn, pending)
        if not (turn.flow == self.flow.name and turn.step == "verification"):
            turn.values = self.flow.remember(turn)
        if self.flow.needs_verification and turn.customer_id is None:
            events = ask_for_verification(dispatcher, then=self.name())
            turn.next_step = "verification"
            return [*state_events(turn, self.flow.name), *events]
        turn.flow, turn.step = self.flow.name, None
        run_safely(turn, lambda: self.flow.start(turn))
        return state_events(turn, self.flow.name)

    def _digress(self, turn: Turn, pending: Flow) -> list[EventType]:
        saved = (turn.flow, turn.step, dict(turn.values))
        turn.values = {}
        run_safely(turn, lambda: self.flow.start(turn))
        turn.flow, turn.step, turn.values = saved
        turn.next_step, turn.finished = None, False
        turn.say("utter_flow_resume")
        run_safely(turn, lambda: pending.repeat_question(turn))
        return state_events(turn, saved[0])


def try_answer(turn: Turn) -> bool:
    """Treat the latest message as the answer to the pending question, if one is pending and it fits."""
    flow = FLOWS.get(turn.flow or "")
    if flow is None or not turn.step or turn.step == "verification":
        return False
    handled = False

    def work() -> None:
        nonlocal handled
        handled = flow.answer(turn)

    ok = run_safely(turn, work)
    return handled or not ok


class ActionFlowAnswer(Action):
    """`inform`, `affirm` or `deny`: the answer to the pending question, else a value out of the blue."""

    def name(self) -> str:
        return "action_flow_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        turn = turn_of(dispatcher, tracker)
        if try_answer(turn):
            return await run_then(turn, state_events(turn, turn.flow), domain)
        if turn.flow and turn.intent == "deny":
            turn.say("utter_flow_dropped")
            turn.finish()
            return state_events(turn, None)
        if turn.flow and turn.step:
            turn.say("utter_flow_not_an_answer")
            run_safely(turn, lambda: FLOWS[turn.flow or ""].repeat_question(turn))
            return state_events(turn, turn.flow)
        from actions.values import route_value  # values imports this module

        return await run_then(turn, route_value(turn), domain)


async def run_action(
    name: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
) -> list[EventType] | None:
    """Run one of our actions in this process, as part of the current one.

    Used instead of Rasa's FollowupAction: after a follow-up, Rasa's policies must predict what comes
    next, and no rule covers a flow action reached that way (they would loop into the fallback).
    None when `name` is not one of ours.
    """
    for action in registered_actions():
        if action.name() == name:
            return list(await action.run(dispatcher, tracker, domain))
    return None


@cache
def registered_actions() -> tuple[Action, ...]:
    from actions.handoff import ActionHandoff  # handoff imports this module

    return (*(cls() for cls in FlowAction.__subclasses__()), ActionHandoff())


async def run_then(turn: Turn, events: list[EventType], domain: DomainDict) -> list[EventType]:
    """`events` of this action, then those of the action the flow asked to run next, if any."""
    if turn.then is None:
        return events
    tracker = turn.tracker
    for event in events:  # the next action sees the flow state this one leaves
        if event.get("event") == "slot":
            tracker.slots[event["name"]] = event["value"]
    more = await run_action(turn.then, turn.dispatcher, tracker, domain)
    return events + (more or [])
