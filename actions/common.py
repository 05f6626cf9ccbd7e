"""What every action needs: the backend, the clock, the conversation's language and the verified customer."""

from __future__ import annotations

from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.billing.backend import BillingBackend
from bot.billing.database import make_engine
from bot.billing.sql.backend import SqlBillingBackend
from bot.language import conversation_language
from bot.settings import Settings

VERIFICATION_FORM = "verification_form"


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings.from_env()


@lru_cache(maxsize=1)
def backend() -> BillingBackend:
    config = settings()
    return SqlBillingBackend(make_engine(config.billing_database_url), public_base_url=config.public_base_url)


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


def latest_entity(tracker: Tracker, name: str) -> Any:
    return next(tracker.get_latest_entity_values(name), None)
