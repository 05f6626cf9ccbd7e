"""The first slice, end to end through the REST channel in both languages: greetings, identity
verification, balance from the backend, fallbacks and bad input. Expected texts come from the locale
files and the amounts from the billing backend, so a wrong language or a wrong number fails."""

from __future__ import annotations

import pytest

from bot import i18n
from bot.channels.media import media_metadata, placeholder
from tests.conversation.replies import expected
from tests.stack import Assistant


@pytest.mark.parametrize(
    ("message", "language"),
    [
        ("Bonjour", "fr"),
        ("Olá", "pt"),
        ("bjr", "fr"),
        ("oi, tudo bem?", "pt"),
        ("Bonsoir !", "fr"),
        ("bom dia", "pt"),
    ],
)
def test_greeting_is_answered_in_the_customers_language(
    assistant: Assistant, sender: str, message: str, language: str
) -> None:
    assert assistant.texts(sender, message) == [expected("utter_greet", language)]


def test_channel_hint_sets_the_language_of_an_undetectable_message(assistant: Assistant, sender: str) -> None:
    assert assistant.texts(sender, "482130", metadata={"language": "pt-BR"}) == [
        expected("utter_ask_postal_code", "pt")
    ]


def test_the_text_wins_over_the_channel_hint(assistant: Assistant, sender: str) -> None:
    assert assistant.texts(sender, "Bonjour !", metadata={"language": "pt"}) == [
        expected("utter_greet", "fr")
    ]


def test_french_customer_verifies_and_gets_the_balance(assistant: Assistant, sender: str) -> None:
    assert assistant.texts(sender, "quel est mon solde svp ?") == [
        expected("utter_verification_needed", "fr"),
        expected("utter_ask_customer_number", "fr"),
    ]
    assert assistant.texts(sender, "517204") == [expected("utter_ask_postal_code", "fr")]
    replies = assistant.texts(sender, "69003")

    summary = assistant.backend.get_account_summary(assistant.customer_id("517204"), assistant.today)
    assert summary.overdue_invoices >= 1
    assert replies[0] == expected("utter_identity_confirmed", "fr", customer_name="Julien")
    assert replies[1] == expected("utter_balance", "fr", balance=i18n.money_value(summary.balance, "EUR"))
    assert replies[2] == expected(
        "utter_balance_overdue",
        "fr",
        overdue_amount=i18n.money_value(summary.overdue_amount, "EUR"),
        overdue_invoices=summary.overdue_invoices,
    )
    assert "€" in replies[1]
    tracker = assistant.tracker(sender)
    assert tracker["slots"]["verified"] is True
    assert tracker["slots"]["language"] == "fr"


def test_brazilian_customer_verifies_in_one_message_and_gets_the_balance(
    assistant: Assistant, sender: str
) -> None:
    assistant.texts(sender, "oi, quanto eu devo?")
    replies = assistant.texts(sender, "meu número de cliente é 845120 e o CEP 20040-002")

    summary = assistant.backend.get_account_summary(assistant.customer_id("845120"), assistant.today)
    assert replies[0] == expected("utter_identity_confirmed", "pt", customer_name="Carlos")
    assert replies[1] == expected("utter_balance", "pt", balance=i18n.money_value(summary.balance, "BRL"))
    assert "R$" in replies[1]
    assert expected("utter_service_suspended", "pt") in replies
    assert assistant.tracker(sender)["slots"]["language"] == "pt"


def test_identify_first_then_ask_the_balance(assistant: Assistant, sender: str) -> None:
    assistant.texts(sender, "je voudrais m'identifier")
    assistant.texts(sender, "482130")
    assert assistant.texts(sender, "75011") == [expected("utter_verified", "fr", customer_name="Camille")]
    replies = assistant.texts(sender, "combien je dois ?")
    summary = assistant.backend.get_account_summary(assistant.customer_id("482130"), assistant.today)
    assert summary.next_due_on is not None and summary.next_amount is not None
    assert (
        expected(
            "utter_next_due",
            "fr",
            next_due_date=i18n.date_value(summary.next_due_on),
            next_amount=i18n.money_value(summary.next_amount, "EUR"),
        )
        in replies
    )


def test_wrong_second_factor_five_times_locks_and_offers_a_human(assistant: Assistant, sender: str) -> None:
    assistant.texts(sender, "qual é o meu saldo")
    for attempt in range(1, 5):
        assistant.texts(sender, "731402")
        assert assistant.texts(sender, "99999-999")[0] == expected(
            "utter_verification_failed", "pt", attempts_left=5 - attempt
        )
    assistant.texts(sender, "731402")
    assert assistant.texts(sender, "99999-999") == [
        expected("utter_verification_locked", "pt"),
        expected("utter_offer_human", "pt"),
    ]
    replies = assistant.texts(sender, "sim")
    assert len(replies) == 2 and replies[0].startswith("Encaminhei o seu pedido")
    assert replies[1].startswith("Você é o nº ")  # the place in the queue (the team is in: conftest)
    reference = replies[0].split("protocolo é ")[1].split(":")[0]
    ticket = assistant.backend.get_ticket(reference, None)
    assert ticket.topic == "verification_locked"
    assert ticket.language == "pt"
    assert not assistant.tracker(sender)["slots"]["verified"]


def test_sql_looking_input_is_just_a_failed_verification(assistant: Assistant, sender: str) -> None:
    assistant.texts(sender, "mon solde")
    assert assistant.texts(sender, "' OR 1=1; DROP TABLE customers; --") == [
        expected("utter_customer_number_invalid", "fr"),
        expected("utter_ask_customer_number", "fr"),
    ]
    assistant.texts(sender, "482130")
    assert assistant.texts(sender, "' OR '1'='1") == [
        expected("utter_postal_code_invalid", "fr"),
        expected("utter_ask_postal_code", "fr"),
    ]
    assert not assistant.tracker(sender)["slots"]["verified"]


@pytest.mark.parametrize(
    ("message", "response"),
    [
        ("", "utter_empty_message"),
        ("   \n\t ", "utter_empty_message"),
        ("😀🎉🔥", "utter_no_text"),
        ("?!...", "utter_no_text"),
        ("facture " * 1300, "utter_too_long"),
        ("Hello, could you please tell me how much I owe on my account?", "utter_other_language"),
        ("Ich möchte bitte wissen, wie viel ich noch bezahlen muss", "utter_other_language"),
    ],
)
def test_unusable_input_gets_a_clear_answer_and_is_recorded(
    assistant: Assistant, sender: str, message: str, response: str
) -> None:
    assert assistant.texts(sender, message) == [expected(response, "fr")]
    user_events = [e for e in assistant.tracker(sender)["events"] if e["event"] == "user"]
    assert user_events[-1]["text"] == message.strip()  # Rasa trims surrounding white space


@pytest.mark.parametrize(
    ("kind", "response"), [("image", "utter_media_message"), ("location", "utter_location_message")]
)
def test_a_message_that_is_not_text_gets_a_polite_answer(
    assistant: Assistant, sender: str, kind: str, response: str
) -> None:
    """What the Telegram and WhatsApp channels pass on for a photo or a location, with the phone's hint."""
    metadata = {**media_metadata(kind), "language": "pt"}
    assert assistant.texts(sender, placeholder(kind), metadata) == [expected(response, "pt")]
    user_events = [e for e in assistant.tracker(sender)["events"] if e["event"] == "user"]
    assert user_events[-1]["text"] == placeholder(kind)  # the agent console shows what came


def test_unusable_input_keeps_the_conversation_language(assistant: Assistant, sender: str) -> None:
    assistant.texts(sender, "olá, boa tarde")
    assert assistant.texts(sender, "🤔🤔") == [expected("utter_no_text", "pt")]


@pytest.mark.parametrize(
    ("messages", "language", "response"),
    [
        (["tchau, até mais"], "pt", "utter_goodbye"),
        (["merci beaucoup"], "fr", "utter_youre_welcome"),
        (["vc é um robô?"], "pt", "utter_iamabot"),
        (["est-ce que je parle à un robot ?"], "fr", "utter_iamabot"),
        (["quel temps fera-t-il demain à Lyon ?"], "fr", "utter_out_of_scope"),
        (["me conta uma piada"], "pt", "utter_out_of_scope"),
    ],
)
def test_small_talk(
    assistant: Assistant, sender: str, messages: list[str], language: str, response: str
) -> None:
    for message in messages:
        replies = assistant.texts(sender, message)
    assert replies == [expected(response, language)]


def test_switching_language_on_request(assistant: Assistant, sender: str) -> None:
    assistant.texts(sender, "Bonjour")
    assert assistant.texts(sender, "vous pouvez me parler en portugais ?") == [
        expected("utter_language_switched", "pt")
    ]
    assert assistant.tracker(sender)["slots"]["language"] == "pt"
    assert assistant.texts(sender, "fala em francês por favor") == [expected("utter_language_switched", "fr")]
    # a message with no detectable language keeps the chosen one
    assert assistant.texts(sender, "482130") == [expected("utter_ask_postal_code", "fr")]


def test_asking_for_a_human_opens_a_ticket(assistant: Assistant, sender: str) -> None:
    replies = assistant.texts(sender, "je veux parler à un conseiller")
    assert len(replies) == 2 and replies[0].startswith("J'ai transmis votre demande")
    assert replies[1].startswith("Vous êtes n° ")
    reference = replies[0].split("dossier est ")[1].split(" :")[0]
    assert assistant.backend.get_ticket(reference, None).channel == "rest"
