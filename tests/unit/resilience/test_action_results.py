"""The action server's replies are checked as Rasa checks them, with a validator made once."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot import action_results
from bot.nlg import LocaleNLG

REPLIES: list[Any] = [
    {"events": [], "responses": []},
    {
        "events": [{"event": "slot", "name": "verified", "value": True}],
        "responses": [{"response": "utter_x"}],
    },
    {"events": [{"event": "bot", "text": "hi", "data": {}, "metadata": {}}]},
    {},
    {"events": "not a list"},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot", "name": 5}]},
    {"responses": ["not an object"]},
    [],
    "text",
]


def rasa_verdict(reply: Any) -> str:
    """What Rasa 3.6's own check (jsonschema.validate with the same schema) says of the reply."""
    try:
        validate(reply, RemoteAction.action_response_format_spec())
    except ValidationError as error:
        return error.message + action_results.RASA_HINT
    return "valid"


@pytest.mark.parametrize("reply", REPLIES)
def test_a_reply_gets_the_verdict_rasa_gives(reply: Any) -> None:
    LocaleNLG()  # installs the check, as in every Rasa process
    action = RemoteAction("action_x", EndpointConfig(url="http://127.0.0.1:1/webhook"))
    try:
        verdict = "valid" if action._validate_action_result(reply) else "refused"
    except ValidationError as error:
        verdict = error.message
    assert verdict == rasa_verdict(reply)


def test_the_validator_is_made_once() -> None:
    action_results.install()
    assert RemoteAction._validate_action_result is action_results.validate_action_result
    assert action_results.action_result_validator() is action_results.action_result_validator()
