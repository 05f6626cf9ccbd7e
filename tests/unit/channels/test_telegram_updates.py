"""What Telegram updates mean for Rasa (bot/channels/telegram_updates.py), on update JSON as Telegram
posts it (built by tests/fakes/telegram_updates.py)."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Bot, Update

from bot.channels.telegram_updates import (
    ChosenButton,
    Ignored,
    Inbound,
    chat_id_of,
    read_update,
    sender_id_of,
)
from tests.fakes.telegram_updates import click_update, message_update, text_update

BOT = Bot("123:unit-test")


def read(data: dict[str, Any]) -> Inbound | Ignored:
    update = Update.de_json(data, BOT)
    assert update is not None
    return read_update(update)


def test_a_text_message_passes_as_typed_with_the_language_hint() -> None:
    assert read(text_update(5001, "Bonjour, ma facture ?", "pt-BR")) == Inbound(
        5001, "Bonjour, ma facture ?", {"language": "pt"}
    )
    assert read(text_update(5001, "hello", "en")) == Inbound(5001, "hello", {})
    assert read(text_update(5001, "olá", None)) == Inbound(5001, "olá", {})


@pytest.mark.parametrize("text", ["/start", "/start promo-42", "/start@billing_test_bot"])
def test_start_becomes_the_greet_intent_with_the_language_hint_as_metadata(text: str) -> None:
    assert read(text_update(5002, text, "fr")) == Inbound(5002, "/greet", {"language": "fr"})
    assert read(text_update(5002, text, "en-US")) == Inbound(5002, "/greet", {})


def test_other_commands_pass_as_typed() -> None:
    assert read(text_update(5002, "/starting")) == Inbound(5002, "/starting", {"language": "pt"})
    assert read(text_update(5002, "/help")) == Inbound(5002, "/help", {"language": "pt"})


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        ({"photo": [{"file_id": "p", "file_unique_id": "pu", "width": 90, "height": 90}]}, "image"),
        ({"voice": {"file_id": "v", "file_unique_id": "vu", "duration": 3}}, "audio"),
        ({"audio": {"file_id": "a", "file_unique_id": "au", "duration": 3}}, "audio"),
        (
            {"video": {"file_id": "v", "file_unique_id": "vu", "width": 1, "height": 1, "duration": 3}},
            "video",
        ),
        ({"video_note": {"file_id": "n", "file_unique_id": "nu", "length": 1, "duration": 3}}, "video"),
        ({"document": {"file_id": "d", "file_unique_id": "du", "file_name": "x.pdf"}}, "document"),
        (
            {
                "sticker": {
                    "file_id": "s",
                    "file_unique_id": "su",
                    "type": "regular",
                    "width": 1,
                    "height": 1,
                    "is_animated": False,
                    "is_video": False,
                }
            },
            "sticker",
        ),
        ({"location": {"latitude": -23.5, "longitude": -46.6}}, "location"),
        (
            {
                "venue": {
                    "location": {"latitude": 48.8, "longitude": 2.3},
                    "title": "Agence",
                    "address": "1 rue X",
                },
                "location": {"latitude": 48.8, "longitude": 2.3},
            },
            "location",
        ),
        ({"contact": {"phone_number": "+5511999998888", "first_name": "Ana"}}, "contact"),
        ({"dice": {"emoji": "🎲", "value": 3}}, "other"),
    ],
)
def test_media_become_a_placeholder_with_the_media_kind(content: dict[str, Any], kind: str) -> None:
    assert read(message_update(5003, content, "pt-PT")) == Inbound(
        5003, f"[{kind}]", {"media": kind, "language": "pt"}
    )


def test_the_caption_of_a_media_is_read_as_the_text() -> None:
    photo = {
        "photo": [{"file_id": "p", "file_unique_id": "pu", "width": 9, "height": 9}],
        "caption": "mon reçu",
    }
    assert read(message_update(5004, photo, "fr")) == Inbound(5004, "mon reçu", {"language": "fr"})


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (text_update(-1005001, "bonjour", chat_type="group"), "not_private"),
        (text_update(-1005002, "bonjour", chat_type="supergroup"), "not_private"),
        (message_update(5005, {"text": "corrigé"}, kind="edited_message"), "edited_message"),
        (message_update(5005, {"new_chat_title": "x"}), "service_message"),
    ],
)
def test_group_chats_edits_and_service_messages_are_ignored(data: dict[str, Any], reason: str) -> None:
    assert read(data) == Ignored(reason)


def test_a_channel_post_is_ignored() -> None:
    post = message_update(-1009, {"text": "news"}, chat_type="channel", kind="channel_post")
    post["channel_post"].pop("from")
    assert read(post) == Ignored("channel_post")


def test_a_click_brings_the_payload_and_the_chosen_title() -> None:
    data = '/inform{"choice":"email"}'
    click = click_update(5006, data, [("Par SMS", '/inform{"choice":"sms"}'), ("Par e-mail", data)])
    assert read(click) == Inbound(5006, data, {"language": "fr"}, ChosenButton(77, "Par e-mail"))


def test_a_click_on_a_button_too_long_for_its_payload_brings_its_title() -> None:
    click = click_update(5007, "t:1", [("Oui", "/affirm"), ("Payer par Pix maintenant", "t:1")])
    assert read(click) == Inbound(
        5007, "Payer par Pix maintenant", {"language": "fr"}, ChosenButton(77, "Payer par Pix maintenant")
    )
    assert read(click_update(5007, "t:5", [("Oui", "/affirm")])) == Ignored("unknown_button")


def test_a_click_on_an_old_message_still_brings_the_payload() -> None:
    assert read(click_update(5008, "/affirm", buttons=None)) == Inbound(5008, "/affirm", {"language": "fr"})


def test_a_click_on_a_used_keyboard_is_ignored() -> None:
    assert read(click_update(5009, "-", [("✓ Oui", "-")])) == Ignored("used_keyboard")


@pytest.mark.parametrize("chat_id", [1, 123456789, -100200300])
def test_the_sender_id_gives_back_the_chat(chat_id: int) -> None:
    assert sender_id_of(chat_id) == f"telegram-{chat_id}"
    assert chat_id_of(sender_id_of(chat_id)) == chat_id


@pytest.mark.parametrize("sender", ["web-abc", "whatsapp-+33612345678", "telegram-", "telegram-12x", "123"])
def test_other_sender_ids_have_no_chat(sender: str) -> None:
    assert chat_id_of(sender) is None
