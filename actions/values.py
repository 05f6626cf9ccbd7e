"""A value or a yes/no with no question pending: a customer number starts identification, a reference
opens what it refers to, a plan starts a plan change; anything else means nothing on its own."""

from __future__ import annotations

from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import VERIFICATION_FORM
from actions.flow import FLOW, STEP, VALUES, Turn

# entity → the flow action that knows what to do with it
VALUE_TOPICS = {
    "invoice_reference": "action_invoice_copy",
    "ticket_reference": "action_ticket_status",
    "plan": "action_change_plan",
}


def route_value(turn: Turn) -> list[EventType]:
    if turn.entity("customer_number") or turn.entity("postal_code"):
        return [FollowupAction(VERIFICATION_FORM)]
    for entity, action in VALUE_TOPICS.items():
        if turn.entity(entity):
            turn.then = action
            return []
    if turn.intent in ("affirm", "deny"):
        turn.say("utter_anything_else")
    else:
        turn.say("utter_default")
    return []


def offer_human(dispatcher: CollectingDispatcher) -> list[EventType]:
    """Ask whether the customer wants a person; the yes or no is answered by the `human_offer` flow."""
    dispatcher.utter_message(response="utter_offer_human")
    return [SlotSet(FLOW, "human_offer"), SlotSet(STEP, "offer"), SlotSet(VALUES, {})]
