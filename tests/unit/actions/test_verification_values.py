"""A value the entity extractor tagged by mistake as the slot not asked for is dropped without erasing
the good value that slot already had."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.verification import reject


def tracker(requested: str, events: list[dict[str, Any]]) -> Tracker:
    return Tracker(
        sender_id="t",
        slots={"requested_slot": requested},
        latest_message={},
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": "verification_form"},
        latest_action_name=None,
    )


HISTORY = [
    {"event": "user", "text": "482130"},
    {"event": "slot", "name": "customer_number", "value": "482130"},
    {"event": "slot", "name": "requested_slot", "value": "postal_code"},
    {"event": "user", "text": "' OR '1'='1"},
    {"event": "slot", "name": "customer_number", "value": "'1'='1"},  # the stray tag
]


def test_a_stray_tag_keeps_the_value_the_slot_had() -> None:
    dispatcher = CollectingDispatcher()
    kept = reject(
        "customer_number", "utter_customer_number_invalid", dispatcher, tracker("postal_code", HISTORY)
    )
    assert kept == {"customer_number": "482130"}
    assert dispatcher.messages == []  # not what was asked: nothing said


def test_an_invalid_answer_to_the_question_is_explained_and_cleared() -> None:
    dispatcher = CollectingDispatcher()
    cleared = reject(
        "customer_number", "utter_customer_number_invalid", dispatcher, tracker("customer_number", HISTORY)
    )
    assert cleared == {"customer_number": None}
    assert [m["response"] for m in dispatcher.messages] == ["utter_customer_number_invalid"]


def test_no_earlier_value_means_none() -> None:
    events = [{"event": "user", "text": "x"}, {"event": "slot", "name": "postal_code", "value": "zz"}]
    assert reject(
        "postal_code", "utter_postal_code_invalid", CollectingDispatcher(), tracker("customer_number", events)
    ) == {"postal_code": None}
