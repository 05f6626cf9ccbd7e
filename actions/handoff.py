"""Handing the conversation to a person: the ticket and what happens next, calling it off, and the bot
taking the conversation back (with a 1–5 rating) when the agent resolves it in the console.

While an agent has the conversation, the console pauses it in Rasa: customer messages are stored (the
agent reads them) and the bot says nothing (`action_session_start` keeps a new session paused too).
"""

from __future__ import annotations

import logging
import re
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    agent_directory,
    backend,
    language_of,
    now,
    settings,
    tell_about_redaction,
    ticket_queue,
    verified_customer_id,
)
from actions.flow import FLOW, STEP, VALUES, Flow, Turn, register
from bot import i18n
from bot.answers import choose
from bot.billing.backend import BackendUnavailable, NotAllowed, NotFound
from bot.billing.models import NewTicket, Ticket, TicketStatus
from bot.handoff.agents import Agent
from bot.handoff.queue import TicketQueue
from bot.handoff.waiting import WaitEstimate, estimate_wait
from bot.redaction import redact
from bot.support_contact import is_open, next_opening, support_contact, support_country, support_hours

logger = logging.getLogger(__name__)

TRANSCRIPT_MESSAGES = 30
SUMMARY_MESSAGES = 3
MAX_SUMMARY = 500
RATING_FLOW = "handoff_rating"
RATING_OUT_OF = re.compile(r"\b([1-5])\s*(?:/|sur|de|em)\s*5\b")
STARS = re.compile(r"^\s*(?:[⭐★]\ufe0f?\s*){1,5}$")


class ActionHandoff(Action):
    """Opens a ticket with what the bot learned and the conversation so far, gives the customer its
    reference, and says what happens next: the place in the queue and the wait, or when the team is back."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        tell_about_redaction(dispatcher, tracker)
        language = language_of(tracker)
        customer_id = verified_customer_id(tracker)
        try:
            existing = ticket_queue().for_conversation(tracker.sender_id)
            if existing is not None:
                dispatcher.utter_message(response="utter_handoff_already_open", reference=existing.reference)
                tell_what_happens_next(dispatcher, existing, language)
                return end_of_flow()
            ticket = backend().create_ticket(new_ticket(tracker, language, customer_id), now())
            logger.info("handoff.ticket_created", extra={"ticket": ticket.reference, "topic": ticket.topic})
            dispatcher.utter_message(response="utter_handoff_created", reference=ticket.reference)
            tell_what_happens_next(dispatcher, ticket, language)
        except BackendUnavailable:
            logger.exception("handoff.backend_unavailable")
            contact = support_contact(support_country(language))
            dispatcher.utter_message(
                response="utter_handoff_unavailable", phone=contact.phone, email=contact.email
            )
        return end_of_flow()  # the person takes it from here


def new_ticket(tracker: Tracker, language: str, customer_id: int | None) -> NewTicket:
    return NewTicket(
        channel=tracker.get_latest_input_channel() or "unknown",
        language=language,
        topic=handoff_topic(tracker),
        summary=summary(tracker.events),
        customer_id=customer_id,
        priority="high" if tracker.get_slot("verification_locked") else "normal",
        transcript=transcript(tracker.events),
        conversation_id=tracker.sender_id,
    )


def end_of_flow() -> list[EventType]:
    return [SlotSet(FLOW, None), SlotSet(STEP, None), SlotSet(VALUES, None)]


def tell_what_happens_next(dispatcher: CollectingDispatcher, ticket: Ticket, language: str) -> None:
    """In opening hours, the place in the queue and the estimated wait; out of hours, when the team is
    back. Nothing more once an agent has it."""
    if ticket.status is not TicketStatus.OPEN:
        return
    hours = support_hours()
    local_now = now().astimezone(ZoneInfo(settings().timezone))
    if not is_open(hours, local_now):
        reopening = next_opening(hours, local_now)
        reopens = (
            i18n.text(
                language,
                "handoff.reopens_at",
                day=i18n.format_weekday_day(reopening.date(), language),
                time=i18n.format_clock_time(reopening, language),
            )
            if reopening is not None
            else i18n.text(language, "handoff.reopens_soon")
        )
        dispatcher.utter_message(response="utter_handoff_out_of_hours", reopens=reopens)
        return
    queue = ticket_queue()
    position = queue.position(ticket.reference)
    if position is None:
        return
    estimate = estimate_wait(position, queue.typical_wait_minutes(), settings().handoff_minutes_per_ticket)
    dispatcher.utter_message(
        response="utter_handoff_queue", position=position, wait=wait_text(estimate, language)
    )


def wait_text(estimate: WaitEstimate, language: str) -> str:
    hours, minutes = divmod(estimate.minutes, 60)
    if estimate.beyond_cap:
        return i18n.text(language, "handoff.wait_more_than", hours=hours)
    if hours == 0:
        return i18n.text(language, "handoff.wait_minutes", minutes=minutes)
    return i18n.text(language, "handoff.wait_hours", hours=hours, minutes=f"{minutes:02d}")


def handoff_topic(tracker: Tracker) -> str:
    """Why a person is needed: a locked identification, else the topic of the flow under way."""
    if tracker.get_slot("verification_locked"):
        return "verification_locked"
    flow = tracker.get_slot(FLOW)
    return str(flow) if flow and flow not in ("human_offer", RATING_FLOW) else "customer_request"


def summary(events: list[dict[str, Any]]) -> str:
    """The customer's last typed messages (redacted; not button payloads), newest last: what they
    wanted, in their words."""
    said = [
        str(event["text"])
        for event in events
        if event.get("event") == "user" and event.get("text") and not str(event["text"]).startswith("/")
    ]
    return " / ".join(redact(text) for text in said[-SUMMARY_MESSAGES:])[:MAX_SUMMARY]


def transcript(events: list[dict[str, Any]]) -> tuple[str, ...]:
    """The last messages of both sides, redacted, as "customer: ..." / "bot: ..." lines."""
    lines = [
        f"{'customer' if event['event'] == 'user' else 'bot'}: {redact(event.get('text') or '')}"
        for event in events
        if event.get("event") in ("user", "bot") and event.get("text")
    ]
    return tuple(lines[-TRANSCRIPT_MESSAGES:])


class ActionCancelHandoff(Action):
    """ "Finalement c'est bon": the conversation's own waiting ticket is cancelled (never another one)."""

    def name(self) -> str:
        return "action_cancel_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        queue = ticket_queue()
        try:
            ticket = queue.for_conversation(tracker.sender_id)
            if ticket is None and tracker.get_slot(FLOW):
                # "esquece, já resolvi" with no ticket: the customer drops what is under way, as with deny.
                dispatcher.utter_message(response="utter_flow_dropped")
                return end_of_flow()
            if ticket is None:
                dispatcher.utter_message(response="utter_handoff_nothing_to_cancel")
                return []
            if not cancelled_in_time(queue, ticket):
                dispatcher.utter_message(response="utter_handoff_with_agent", reference=ticket.reference)
                return []
        except BackendUnavailable:
            logger.exception("handoff.cancel_backend_unavailable")
            dispatcher.utter_message(response="utter_backend_unavailable")
            return []
        logger.info("handoff.cancelled_by_customer", extra={"ticket": ticket.reference})
        dispatcher.utter_message(response="utter_handoff_cancelled", reference=ticket.reference)
        return []


def cancelled_in_time(queue: TicketQueue, ticket: Ticket) -> bool:
    """Cancels the waiting ticket; False when an agent has it (or took it in the meantime)."""
    try:
        queue.cancel(ticket.reference)
    except NotAllowed:
        return False
    return True


class HandoffRatingFlow(Flow):
    """The 1–5 rating asked when the agent resolved the conversation (values: the ticket's reference)."""

    name = RATING_FLOW
    needs_verification = False

    def start(self, turn: Turn) -> None:
        self.repeat_question(turn)

    def answer(self, turn: Turn) -> bool:
        score = rating_of(turn)
        if score is None:
            return False
        reference = str(turn.values.get("ticket") or "")
        try:
            ticket_queue().rate(reference, score)
        except (NotAllowed, NotFound) as refusal:  # rated already, or not resolved: thank them all the same
            logger.info("handoff.rating_refused", extra={"ticket": reference, "reason": str(refusal)})
        turn.say("utter_rating_thanks" if score >= 3 else "utter_rating_sorry")
        turn.finish()
        return True

    def repeat_question(self, turn: Turn) -> None:
        turn.ask("rating", "utter_rating_ask_again")


register(HandoffRatingFlow())


def rating_of(turn: Turn) -> int | None:
    """1–5 from a button, "4", "4/5", "quatre", "ótimo" or a row of stars."""
    chosen = turn.entity("choice")
    if isinstance(chosen, str) and chosen in ("1", "2", "3", "4", "5"):
        return int(chosen)
    text = turn.text
    if STARS.match(text):
        return sum(text.count(star) for star in ("⭐", "★"))
    out_of = RATING_OUT_OF.search(text)
    if out_of:
        return int(out_of.group(1))
    word = choose(text, i18n.catalogue(turn.language)["choices"]["rating"])
    return int(word) if word else None


class ActionHandoffResolved(Action):
    """Run by the console through the HTTP API once it has resumed the conversation: tells the customer
    the agent is done and asks for a rating."""

    def name(self) -> str:
        return "action_handoff_resolved"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            ticket = ticket_queue().for_conversation(tracker.sender_id, (TicketStatus.RESOLVED,))
        except BackendUnavailable:
            logger.exception("handoff.resolved_lookup_failed")
            ticket = None
        if ticket is None:
            dispatcher.utter_message(response="utter_anything_else")
            return end_of_flow()
        agent = resolving_agent(ticket)
        dispatcher.utter_message(
            response="utter_handoff_resolved",
            agent=agent.first_name
            if agent is not None
            else i18n.text(language_of(tracker), "handoff.an_agent"),
            reference=ticket.reference,
        )
        return [
            SlotSet(FLOW, RATING_FLOW),
            SlotSet(STEP, "rating"),
            SlotSet(VALUES, {"ticket": ticket.reference}),
        ]


def resolving_agent(ticket: Ticket) -> Agent | None:
    """Who handled the ticket, to name them to the customer; None when unknown or unreadable (the
    customer then hears of "your adviser", and is still asked for a rating)."""
    if ticket.assigned_agent_id is None:
        return None
    try:
        return agent_directory().get_agent(ticket.assigned_agent_id)
    except (BackendUnavailable, NotFound):
        logger.exception("handoff.agent_lookup_failed")
        return None
