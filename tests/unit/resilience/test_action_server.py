"""A custom action whose server cannot be reached: the customer gets the apology in their language, with
the team's contact and the offer of a human, and nothing else is tried in that turn."""

from __future__ import annotations

import pytest
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, FollowupAction, SlotSet
from rasa.shared.core.slots import AnySlot
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.nlg import LocaleNLG
from bot.resilience import action_server
from bot.support_contact import support_contact
from tests.conversation.replies import expected
from tests.fakes.http_api import Answer, FakeApi
from tests.processes import free_port


def tracker_in(language: str) -> DialogueStateTracker:
    slots = [AnySlot("language", mappings=[])]
    return DialogueStateTracker.from_events("someone", [SlotSet("language", language)], slots=slots)


async def test_an_unreachable_action_server_gets_the_customer_an_apology_in_their_language() -> None:
    nlg = LocaleNLG()  # installs the wrapper, as in every Rasa process
    unreachable = EndpointConfig(url=f"http://127.0.0.1:{free_port()}/webhook")
    events = await RemoteAction("action_check_balance", unreachable).run(
        CollectingOutputChannel(), nlg, tracker_in("pt"), Domain.empty()
    )
    contact = support_contact("BR")
    assert isinstance(events[0], BotUttered)
    assert events[0].text == expected(
        "utter_assistant_unavailable", "pt", phone=contact.phone, email=contact.email
    )
    assert events[0].data["buttons"][0]["payload"] == "/request_human"
    assert events[1:] == [FollowupAction(ACTION_LISTEN_NAME)]


def action_server_answering(status: int, body: dict[str, str]) -> FakeApi:
    return FakeApi(lambda request: Answer(status, body)).start()


async def test_a_failing_action_gets_the_apology_too() -> None:
    server = action_server_answering(500, {"error": "a bug in the action"})
    try:
        events = await RemoteAction("action_check_balance", EndpointConfig(url=server.url)).run(
            CollectingOutputChannel(), LocaleNLG(), tracker_in("fr"), Domain.empty()
        )
    finally:
        server.stop()
    contact = support_contact("FR")
    assert [e.text for e in events if isinstance(e, BotUttered)] == [
        expected("utter_assistant_unavailable", "fr", phone=contact.phone, email=contact.email)
    ]


async def test_a_rejected_slot_is_not_a_failure() -> None:
    server = action_server_answering(400, {"action_name": "validate_plan_form", "error": "refused"})
    try:
        with pytest.raises(ActionExecutionRejection):
            await RemoteAction("validate_plan_form", EndpointConfig(url=server.url)).run(
                CollectingOutputChannel(), LocaleNLG(), tracker_in("fr"), Domain.empty()
            )
    finally:
        server.stop()


def test_the_wrapper_is_installed_once() -> None:
    action_server.install()
    wrapped = RemoteAction.run
    action_server.install()
    LocaleNLG()
    assert RemoteAction.run is wrapped
