"""A bare value out of the blue is not mistaken for an identification; "cancel that" is not cancelling."""

from __future__ import annotations

from tests.conversation.replies import expected
from tests.stack import Assistant


def test_a_date_out_of_the_blue_is_not_taken_for_an_identification(assistant: Assistant, sender: str) -> None:
    assert assistant.texts(sender, "Bonjour") == [expected("utter_greet", "fr")]
    assert assistant.texts(sender, "le 15") == [expected("utter_default", "fr")]


def test_cancel_that_is_not_cancelling_the_subscription(assistant: Assistant, sender: str) -> None:
    assert assistant.texts(sender, "Olá") == [expected("utter_greet", "pt")]
    assistant.texts(sender, "cancela isso")
    assert "utter_cancel_terms" not in assistant.utterances(sender)
    assert assistant.tracker(sender)["latest_message"]["intent"]["name"] == "deny"
