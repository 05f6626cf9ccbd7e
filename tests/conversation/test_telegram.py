"""The Telegram channel end to end: update JSON posted to the real Rasa server's webhook as Telegram
posts it, the bot's replies read at the fake Bot API (tests/fakes/telegram_api.py) the server calls.
Each test has its own random chat, and reads only the calls for it."""

from __future__ import annotations

import json
import random
from typing import Any

import httpx
import pytest

from bot.console.transcript import handoff_marker
from tests.conversation.channel_apis import post_telegram as post
from tests.conversation.polling import DEADLINE_S, wait_for
from tests.conversation.replies import expected
from tests.fakes.http_api import FakeApi
from tests.fakes.telegram_updates import click_update, message_update, text_update
from tests.stack import Assistant


@pytest.fixture
def chat() -> int:
    return random.randint(10**9, 2 * 10**9)


def sent_to(api: FakeApi, chat: int) -> list[dict[str, Any]]:
    return [
        fields
        for request in api.calls("/sendMessage")
        if (fields := request.fields()).get("chat_id") == str(chat)
    ]


def wait_for_messages(api: FakeApi, chat: int, count: int) -> list[dict[str, Any]]:
    """The first `count` messages sent to `chat`, once they are there."""
    return wait_for(lambda: sent_to(api, chat), count, "message")


def button_payloads(message: dict[str, Any]) -> dict[str, str]:
    """title -> callback data of the message's inline keyboard."""
    keyboard = json.loads(str(message["reply_markup"]))["inline_keyboard"]
    return {button["text"]: button["callback_data"] for row in keyboard for button in row}


def test_start_from_a_brazilian_user_is_answered_in_portuguese_with_buttons(
    assistant: Assistant, fake_telegram: FakeApi, chat: int
) -> None:
    """`/start` has no words to tell the language: the user's Telegram language (pt-BR) decides."""
    assert post(assistant, text_update(chat, "/start", language="pt-BR")).status_code == 200
    (greeting,) = wait_for_messages(fake_telegram, chat, 1)
    assert greeting["text"] == expected("utter_greet", "pt")
    assert button_payloads(greeting)["Meu saldo"] == "/check_balance"
    tracker = assistant.tracker(f"telegram-{chat}")
    assert tracker["latest_input_channel"] == "telegram"
    assert tracker["slots"]["channel_language"] == "pt"


def test_a_button_click_brings_the_next_reply(
    assistant: Assistant, fake_telegram: FakeApi, chat: int
) -> None:
    post(assistant, text_update(chat, "/start", language="pt-BR"))
    (greeting,) = wait_for_messages(fake_telegram, chat, 1)
    payloads = button_payloads(greeting)
    buttons = list(payloads.items())
    click = click_update(chat, payloads["Meu saldo"], buttons, message_id=500, language="pt-BR")
    assert post(assistant, click).status_code == 200
    _, *replies = wait_for_messages(fake_telegram, chat, 3)
    assert [reply["text"] for reply in replies] == [
        expected("utter_verification_needed", "pt"),
        expected("utter_ask_customer_number", "pt"),
    ]
    (answer,) = [
        r
        for r in fake_telegram.calls("/answerCallbackQuery")
        if r.fields()["callback_query_id"] == click["callback_query"]["id"]
    ]
    assert answer is not None
    (marked,) = [
        r.fields()
        for r in fake_telegram.calls("/editMessageReplyMarkup")
        if r.fields().get("chat_id") == str(chat)
    ]
    assert json.loads(str(marked["reply_markup"]))["inline_keyboard"] == [
        [{"text": "✓ Meu saldo", "callback_data": "-"}]
    ]


def test_an_update_delivered_twice_is_answered_once(
    assistant: Assistant, fake_telegram: FakeApi, chat: int
) -> None:
    update = text_update(chat, "bom dia", language="pt-BR")
    assert post(assistant, update).status_code == 200
    assert post(assistant, update).status_code == 200  # Telegram's retry after a timeout
    post(assistant, text_update(chat, "obrigado, tchau", language="pt-BR"))  # a later message, answered
    messages = wait_for_messages(fake_telegram, chat, 2)
    assert [m["text"] for m in messages] == [expected("utter_greet", "pt"), expected("utter_goodbye", "pt")]
    user_texts = [e["text"] for e in assistant.tracker(f"telegram-{chat}")["events"] if e["event"] == "user"]
    assert user_texts == ["bom dia", "obrigado, tchau"]


def test_an_update_without_the_secret_is_refused(
    assistant: Assistant, fake_telegram: FakeApi, chat: int
) -> None:
    assert post(assistant, text_update(chat, "bonjour"), secret="not-the-secret").status_code == 403
    response = httpx.post(
        f"{assistant.base_url}/webhooks/telegram/webhook", json=text_update(chat, "bonjour")
    )
    assert response.status_code == 403
    post(assistant, text_update(chat, "/start", language="fr"))  # then a genuine one: only it is answered
    assert [m["text"] for m in wait_for_messages(fake_telegram, chat, 1)] == [expected("utter_greet", "fr")]
    user_texts = [e["text"] for e in assistant.tracker(f"telegram-{chat}")["events"] if e["event"] == "user"]
    assert user_texts == ["/greet"]


def test_an_agents_reply_through_the_http_api_reaches_the_chat(
    assistant: Assistant, fake_telegram: FakeApi, chat: int
) -> None:
    """What the agent console does (Rasa's HTTP API, `output_channel=latest`)."""
    post(assistant, text_update(chat, "/start", language="pt-BR"))
    wait_for_messages(fake_telegram, chat, 1)
    event = {
        "event": "bot",
        "text": "Oi, aqui é a Rita. Vou verificar <isso>.",
        "data": {"custom": handoff_marker("agent_message", "Rita")},
    }
    response = httpx.post(
        f"{assistant.base_url}/conversations/telegram-{chat}/tracker/events",
        params={"token": assistant.token, "output_channel": "latest", "execute_side_effects": "true"},
        json=[event],
        timeout=DEADLINE_S,
    )
    assert response.status_code == 200, response.text
    _, reply = wait_for_messages(fake_telegram, chat, 2)
    assert reply["text"] == "<b>Rita</b>\nOi, aqui é a Rita. Vou verificar &lt;isso&gt;."
    assert reply["parse_mode"] == "HTML"


def test_a_voice_note_gets_an_answer_in_the_users_language(
    assistant: Assistant, fake_telegram: FakeApi, chat: int
) -> None:
    voice = {"voice": {"file_id": "v1", "file_unique_id": "u1", "duration": 3}}
    assert post(assistant, message_update(chat, voice, language="fr-FR")).status_code == 200
    (answer,) = wait_for_messages(fake_telegram, chat, 1)
    assert answer["text"] == expected("utter_media_message", "fr")
