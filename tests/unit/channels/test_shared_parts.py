"""The pieces every messaging channel shares: replay protection, message splitting, reading a bot
message, media placeholders, delivery failures."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.channels.delivery import REASONS, WINDOW_CLOSED, DeliveryFailed, failure_reason
from bot.channels.media import media_kind, media_metadata, placeholder
from bot.channels.messages import Button, Document, buttons_of, document_of, handoff_event_of, text_of
from bot.channels.recent import RecentIds, RecentValues
from bot.channels.splitting import split_text, utf16_length
from tests.unit.channels.conftest import Clock


async def test_a_delivery_id_is_new_once() -> None:
    seen = RecentIds()
    assert await seen.first_time("update-1")
    assert not await seen.first_time("update-1")
    assert await seen.first_time("update-2")


async def test_old_ids_are_forgotten_by_age_and_by_count() -> None:
    clock = Clock()
    values: RecentValues[bool] = RecentValues(ttl_s=60, capacity=2, clock=clock)
    seen = RecentIds(values)
    assert await seen.first_time("a") and await seen.first_time("b")
    clock.now += 59
    assert not await seen.first_time("a")
    clock.now += 2  # "a" and "b" are now 61 s old
    assert await seen.first_time("a")
    assert await seen.first_time("c") and await seen.first_time("d")  # capacity 2: "a" pushed out
    assert len(values) == 2
    assert await seen.first_time("a")


async def test_a_recent_value_is_kept_until_it_is_too_old() -> None:
    clock = Clock()
    values: RecentValues[str] = RecentValues(ttl_s=60, capacity=10, clock=clock)
    await values.put("whatsapp-+33612345678", "options")
    assert not await values.add("whatsapp-+33612345678", "other")  # still fresh: kept
    clock.now += 60
    assert await values.get("whatsapp-+33612345678") is None
    assert await values.add("whatsapp-+33612345678", "other")
    assert await values.get("whatsapp-+33612345678") == "other"
    await values.pop("whatsapp-+33612345678")
    assert await values.get("whatsapp-+33612345678") is None


def test_a_short_text_is_one_part() -> None:
    assert split_text("  Bonjour !  ", 4096) == ["Bonjour !"]
    assert split_text(" \n ", 10) == []


def test_a_long_text_is_cut_between_paragraphs_then_sentences_then_words() -> None:
    first, second = "Votre facture est prête.", "Le lien est valable 60 minutes."
    assert split_text(f"{first}\n\n{second}", 40) == [first, second]
    assert split_text(f"{first} {second}", 40) == [first, second]
    assert split_text("un deux trois quatre", 10) == ["un deux", "trois", "quatre"]
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_telegram_counts_emoji_twice() -> None:
    assert utf16_length("é😀") == 3
    parts = split_text("😀" * 5, 4, utf16_length)
    assert parts == ["😀😀", "😀😀", "😀"]


@given(st.text(min_size=1, max_size=600), st.integers(min_value=1, max_value=80))
def test_parts_fit_and_keep_every_word(text: str, limit: int) -> None:
    parts = split_text(text, limit, utf16_length)
    assert all(0 < utf16_length(part) <= limit or len(part) == 1 for part in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())


def test_what_a_bot_message_holds() -> None:
    message = {
        "text": " Voici votre facture ",
        "buttons": [
            {"title": "Par e-mail", "payload": '/inform{"choice":"email"}'},
            {"title": "", "payload": "/x"},
            "junk",
        ],
        "attachment": {"type": "file", "url": "https://portal.example/invoices/t.pdf", "name": "FAC-1.pdf"},
    }
    assert text_of(message) == "Voici votre facture"
    assert buttons_of(message) == [Button("Par e-mail", '/inform{"choice":"email"}')]
    assert document_of(message) == Document("https://portal.example/invoices/t.pdf", "FAC-1.pdf")
    assert handoff_event_of(message) is None
    rasa_style = {"attachment": {"type": "file", "payload": {"src": "http://h/a/b.pdf?x=1"}}}
    assert document_of(rasa_style) == Document("http://h/a/b.pdf?x=1", "b.pdf")
    assert document_of({"attachment": {"url": "javascript:alert(1)"}}) is None
    assert buttons_of({"quick_replies": [{"title": "Oui", "payload": "/affirm"}]}) == [
        Button("Oui", "/affirm")
    ]
    agent = {"text": "Bonjour", "custom": {"handoff": {"event": "agent_message", "agent": "Camille"}}}
    assert handoff_event_of(agent) == "agent_message"


def test_media_placeholders() -> None:
    assert placeholder("image") == "[image]" and placeholder("hologram") == "[other]"
    assert media_kind(media_metadata("location")) == "location"
    assert media_kind({"media": "hologram"}) == "other"
    assert media_kind({"language": "fr"}) is None and media_kind(None) is None


def test_a_delivery_failure_is_found_in_the_error_that_quotes_it() -> None:
    error = DeliveryFailed(WINDOW_CLOSED)
    assert failure_reason(f"An unexpected error occurred. Error: {error}") == WINDOW_CLOSED
    assert failure_reason("An unexpected error occurred. Error: delivery_failed:nonsense") is None
    assert failure_reason("Internal Server Error") is None
    assert all(failure_reason(str(DeliveryFailed(reason))) == reason for reason in REASONS)
    with pytest.raises(ValueError):
        DeliveryFailed("nonsense")
