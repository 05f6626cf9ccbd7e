"""Identity verification: customer number plus the billing postal code; locks after repeated failures."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import VERIFICATION_FORM, backend, now, tell_about_redaction
from actions.flow import run_action
from actions.values import offer_human
from bot.billing.backend import BackendUnavailable
from bot.billing.identity import parse_customer_number, parse_postal_code
from bot.billing.models import VerificationOutcome

logger = logging.getLogger(__name__)

MAX_FAILURES_PER_CONVERSATION = 5


class ValidateVerificationForm(FormValidationAction):
    def name(self) -> str:
        return "validate_verification_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        tell_about_redaction(dispatcher, tracker)
        return list(await super().run(dispatcher, tracker, domain))

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot("verified") or tracker.get_slot("verification_locked"):
            return []
        return domain_slots

    def validate_customer_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        number = parse_customer_number(value)
        if number is None:
            return reject("customer_number", "utter_customer_number_invalid", dispatcher, tracker)
        return self._verify_when_complete(number, tracker.get_slot("postal_code"), dispatcher, tracker)

    def validate_postal_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        postal_code = parse_postal_code(value)
        if postal_code is None:
            return reject("postal_code", "utter_postal_code_invalid", dispatcher, tracker)
        return self._verify_when_complete(
            tracker.get_slot("customer_number"), postal_code, dispatcher, tracker
        )

    def _verify_when_complete(
        self,
        number: str | None,
        postal_code: str | None,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
    ) -> dict[str, Any]:
        if not number or not postal_code:
            return {"customer_number": number, "postal_code": postal_code}
        try:
            result = backend().verify_identity(number, postal_code, now())
        except BackendUnavailable:
            logger.exception("verification.backend_unavailable")
            dispatcher.utter_message(response="utter_backend_unavailable")
            return {"customer_number": None, "postal_code": None}

        if result.outcome is VerificationOutcome.VERIFIED and result.customer is not None:
            logger.info("verification.succeeded", extra={"customer_id": result.customer.id})
            return {
                "customer_number": number,
                "postal_code": postal_code,
                "verified": True,
                "customer_id": str(result.customer.id),
                "customer_name": result.customer.name.split()[0],
            }

        failures = int(tracker.get_slot("verification_failures") or 0) + 1
        attempts_left = min(result.attempts_left, MAX_FAILURES_PER_CONVERSATION - failures)
        logger.info("verification.failed", extra={"failures": failures, "outcome": result.outcome.value})
        reset: dict[str, Any] = {
            "customer_number": None,
            "postal_code": None,
            "verification_failures": failures,
        }
        if result.outcome is VerificationOutcome.LOCKED or attempts_left <= 0:
            return {**reset, "verification_locked": True}
        dispatcher.utter_message(response="utter_verification_failed", attempts_left=attempts_left)
        return reset


def reject(slot: str, response: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
    """An unusable value: explained when it answers what was asked, dropped silently otherwise
    (the entity extractor sometimes tags a stray number as the other slot)."""
    if tracker.get_slot("requested_slot") == slot:
        dispatcher.utter_message(response=response)
        return {slot: None}
    return {slot: value_before_latest_message(tracker, slot)}  # a stray tag must not erase a good value


SLOTS_CLEARED = ("session_started", "restart", "reset_slots")


def value_before_latest_message(tracker: Tracker, slot: str) -> Any:
    """The slot's value as the customer's latest message found it (None past a new session, a restart or
    a reset: slots are not carried over)."""
    seen_message = False
    for event in reversed(tracker.events):
        if event.get("event") in SLOTS_CLEARED:
            return None
        if event.get("event") == "user":
            seen_message = True
        elif seen_message and event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


class ActionVerificationDone(Action):
    """After the form: carry on with what the customer asked for, or explain the lock and offer a human."""

    def name(self) -> str:
        return "action_verification_done"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot("verification_locked"):
            dispatcher.utter_message(response="utter_verification_locked")
            return [SlotSet("pending_action", None), *offer_human(dispatcher)]
        if not tracker.get_slot("verified"):
            dispatcher.utter_message(response="utter_anything_else")
            return []
        pending = tracker.get_slot("pending_action")
        if pending:
            dispatcher.utter_message(response="utter_identity_confirmed")
            tracker.slots["pending_action"] = None
            events = await run_action(pending, dispatcher, tracker, domain)
            if events is None:
                return [SlotSet("pending_action", None), FollowupAction(pending)]
            return [SlotSet("pending_action", None), *events]
        response = "utter_verified" if verified_during_this_form(tracker) else "utter_already_verified"
        dispatcher.utter_message(response=response)
        return []


def verified_during_this_form(tracker: Tracker) -> bool:
    """Whether `verified` was set since the verification form was last activated."""
    for event in reversed(tracker.events):
        if event.get("event") == "slot" and event.get("name") == "verified" and event.get("value"):
            return True
        if event.get("event") == "active_loop" and event.get("name") == VERIFICATION_FORM:
            return False
    return False
