"""A value the entity extractor tagged by mistake as the slot not asked for is dropped without erasing
the good value that slot already had (`reject`, `value_before_latest_message`)."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.verification import reject, value_before_latest_message

Events = list[dict[str, Any]]


def tracker(requested: str, events: Events) -> Tracker:
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


def user(text: str) -> dict[str, Any]:
    return {"event": "user", "text": text}


def slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


HISTORY = [
    user("482130"),
    slot("customer_number", "482130"),
    slot("requested_slot", "postal_code"),
    user("' OR '1'='1"),
    slot("customer_number", "'1'='1"),  # the stray tag
]


def test_a_stray_tag_keeps_the_value_the_slot_had_and_says_nothing() -> None:
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


@pytest.mark.parametrize(
    ("events", "before"),
    [
        ([user("x"), slot("postal_code", "zz")], None),  # set by the latest message only: nothing before
        ([], None),
        (  # the value as of the latest message, not the first one the slot ever had
            [user("1"), slot("postal_code", "75011"), user("2"), slot("postal_code", "69003"), user("3")],
            "69003",
        ),
        (  # cleared (a failed verification) since it was given: stays cleared
            [user("1"), slot("postal_code", "75011"), user("2"), slot("postal_code", None), user("3")],
            None,
        ),
        (  # a new session, a restart or a reset cleared the slots since: nothing carried over
            [user("1"), slot("postal_code", "75011"), {"event": "session_started"}, user("2")],
            None,
        ),
        ([user("1"), slot("postal_code", "75011"), {"event": "restart"}, user("2")], None),
        ([user("1"), slot("postal_code", "75011"), {"event": "reset_slots"}, user("2")], None),
        (  # the other slots' events are not this one's
            [user("1"), slot("postal_code", "75011"), slot("customer_number", "9"), user("2")],
            "75011",
        ),
    ],
)
def test_value_before_latest_message(events: Events, before: Any) -> None:
    assert value_before_latest_message(tracker("customer_number", events), "postal_code") == before
