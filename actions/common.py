"""What every action needs: the backend, the clock, the conversation's language and the verified customer."""

from __future__ import annotations

from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine

from bot import i18n
from bot.billing.backend import BillingBackend
from bot.billing.database import make_engine
from bot.billing.sql.backend import SqlBillingBackend
from bot.handoff.agents import AgentDirectory
from bot.handoff.queue import TicketQueue
from bot.language import conversation_language
from bot.redaction import masked_kinds
from bot.settings import Settings

VERIFICATION_FORM = "verification_form"


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings.from_env()


@lru_cache(maxsize=1)
def database() -> Engine:
    """One connection pool per action server, shared by the backend and the handoff queue."""
    return make_engine(settings().billing_database_url)


@lru_cache(maxsize=1)
def backend() -> BillingBackend:
    return SqlBillingBackend(database(), public_base_url=settings().public_base_url)


@lru_cache(maxsize=1)
def ticket_queue() -> TicketQueue:
    return TicketQueue(database())


@lru_cache(maxsize=1)
def agent_directory() -> AgentDirectory:
    return AgentDirectory(database())


def now() -> datetime:
    return datetime.now(timezone.utc)


def today() -> date:
    return datetime.now(ZoneInfo(settings().timezone)).date()


def language_of(tracker: Tracker) -> str:
    return conversation_language(tracker.current_slot_values(), settings().default_language)


def verified_customer_id(tracker: Tracker) -> int | None:
    customer_id = tracker.get_slot("customer_id")
    if tracker.get_slot("verified") and customer_id:
        return int(customer_id)
    return None


def ask_for_verification(dispatcher: CollectingDispatcher, then: str) -> list[EventType]:
    """Start identity verification, and carry on with action `then` once the customer is verified."""
    dispatcher.utter_message(response="utter_verification_needed")
    return [SlotSet("pending_action", then), FollowupAction(VERIFICATION_FORM)]


REDACTION_NOTICES = {kind: f"utter_redacted_{kind}" for kind in ("card", "iban", "cpf")}


def tell_about_redaction(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """What the channel masked in the latest message (bot.channels.redacting) and why, once per message;
    for payment details, with the way to change them safely."""
    said = {message.get("response") for message in dispatcher.messages}
    for kind in masked_kinds(tracker.latest_message.get("text") or ""):
        notice = REDACTION_NOTICES[kind]
        if notice in said:
            continue
        if kind == "cpf":
            dispatcher.utter_message(response=notice)
        else:
            title = i18n.text(language_of(tracker), "labels.new_method")
            dispatcher.utter_message(
                response=notice, buttons=[{"title": title, "payload": "/update_billing_details"}]
            )


def latest_entity(tracker: Tracker, name: str) -> Any:
    return next(tracker.get_latest_entity_values(name), None)
