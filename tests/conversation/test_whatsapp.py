"""The WhatsApp channel end to end: Twilio's form posts, signed for the server's public URL as Twilio
signs them, to the real Rasa server's webhook; the bot's replies read at the fake Twilio REST API
(tests/fakes/twilio_api.py) the server calls. Each test has its own random phone number, and reads only
the messages sent to it."""

from __future__ import annotations

import random
from typing import Any

import httpx

from tests.conversation.channel_apis import WHATSAPP_FROM, WHATSAPP_PUBLIC_BASE_URL, WHATSAPP_WEBHOOK_PATH
from tests.conversation.channel_apis import post_whatsapp as post
from tests.conversation.channel_apis import whatsapp_form as form
from tests.conversation.polling import wait_for
from tests.conversation.replies import expected
from tests.fakes.http_api import FakeApi
from tests.fakes.twilio_api import MESSAGES_PATH
from tests.stack import Assistant


def brazilian_number() -> str:
    return f"+55119{random.randint(10**7, 10**8 - 1)}"


def french_number() -> str:
    return f"+336{random.randint(10**7, 10**8 - 1)}"


def sent_to(api: FakeApi, number: str) -> list[dict[str, Any]]:
    return [
        fields
        for request in api.calls(MESSAGES_PATH)
        if (fields := request.fields()).get("To") == f"whatsapp:{number}"
    ]


def wait_for_messages(api: FakeApi, number: str, count: int) -> list[dict[str, Any]]:
    """The first `count` messages sent to `number`, once they are there."""
    return wait_for(lambda: sent_to(api, number), count, "message")


def user_texts(assistant: Assistant, number: str) -> list[str]:
    events = assistant.tracker(f"whatsapp-{number}")["events"]
    return [event.get("text") or "" for event in events if event["event"] == "user"]


def test_a_brazilian_number_is_answered_in_portuguese_with_numbered_options(
    assistant: Assistant, fake_twilio: FakeApi
) -> None:
    number = brazilian_number()
    answer = post(assistant, form(number, "Olá, bom dia"))
    assert answer.status_code == 200 and "<Response></Response>" in answer.text
    (greeting,) = wait_for_messages(fake_twilio, number, 1)
    assert greeting["From"] == WHATSAPP_FROM
    assert greeting["Body"].startswith(expected("utter_greet", "pt") + "\n\n1. Meu saldo\n")
    assert greeting["StatusCallback"] == f"{WHATSAPP_PUBLIC_BASE_URL}/webhooks/whatsapp/status"
    tracker = assistant.tracker(f"whatsapp-{number}")
    assert tracker["latest_input_channel"] == "whatsapp"
    assert tracker["slots"]["language"] == "pt"


def test_a_forged_post_is_refused_and_never_reaches_rasa(assistant: Assistant) -> None:
    number = french_number()
    assert post(assistant, form(number, "Bonjour"), signature="Zm9yZ2Vk").status_code == 403
    unsigned = httpx.post(
        f"{assistant.base_url}{WHATSAPP_WEBHOOK_PATH}", data=form(number, "Bonjour"), timeout=30
    )
    assert unsigned.status_code == 403
    assert user_texts(assistant, number) == []


def test_a_replayed_message_is_answered_once(assistant: Assistant, fake_twilio: FakeApi) -> None:
    number = brazilian_number()
    replayed = form(number, "Olá, bom dia")
    for _ in range(3):
        assert post(assistant, replayed).status_code == 200
    post(assistant, form(number, "obrigado"))  # processed after the replays, whose turn came first
    assert wait_for(lambda: user_texts(assistant, number), 2, "customer message") == [
        "Olá, bom dia",
        "obrigado",
    ]
    assert (
        sum(
            message["Body"].startswith(expected("utter_greet", "pt"))
            for message in sent_to(fake_twilio, number)
        )
        == 1
    )


def test_a_photo_without_text_gets_an_answer(assistant: Assistant, fake_twilio: FakeApi) -> None:
    number = french_number()
    photo = {"NumMedia": "1", "MediaContentType0": "image/jpeg", "MediaUrl0": "https://api.twilio.com/m/1"}
    assert post(assistant, form(number, "", **photo)).status_code == 200
    (answer,) = wait_for_messages(fake_twilio, number, 1)
    assert answer["Body"] == expected("utter_media_message", "fr")  # +33: French
    assert user_texts(assistant, number) == ["[image]"]


def test_a_shared_location_gets_an_answer(assistant: Assistant, fake_twilio: FakeApi) -> None:
    number = brazilian_number()
    place = {"Latitude": "-23.5505", "Longitude": "-46.6333", "Address": "Av. Paulista"}
    assert post(assistant, form(number, "", **place)).status_code == 200
    (answer,) = wait_for_messages(fake_twilio, number, 1)
    assert answer["Body"] == expected("utter_location_message", "pt")


def test_a_numbered_choice_leads_the_bot_on(assistant: Assistant, fake_twilio: FakeApi) -> None:
    number = brazilian_number()
    post(assistant, form(number, "Olá, bom dia"))
    (greeting,) = wait_for_messages(fake_twilio, number, 1)
    assert "\n1. Meu saldo\n" in greeting["Body"]
    post(assistant, form(number, "1"))
    wait_for_messages(fake_twilio, number, 2)
    tracker = assistant.tracker(f"whatsapp-{number}")
    assert tracker["latest_message"]["intent"]["name"] == "check_balance"
    assert user_texts(assistant, number)[-1] == "/check_balance"
