"""Every billing topic is understood in both languages and answered in the customer's language; a bare
value out of the blue is not mistaken for an identification."""

from __future__ import annotations

import pytest

from tests.conversation.conftest import Assistant
from tests.conversation.replies import expected


@pytest.mark.parametrize(
    ("message", "topic", "language"),
    [
        ("je veux résilier mon abonnement", "cancel_subscription", "fr"),
        ("quero cancelar meu plano de internet", "cancel_subscription", "pt"),
        ("comment je change ma carte bancaire ?", "update_billing_details", "fr"),
        ("a minha internet foi cortada por falta de pagamento", "service_suspended", "pt"),
        ("pq minha mensalidade aumentou? foi o IGP-M?", "price_increase", "pt"),
        ("je peux payer en plusieurs fois ? je n'arrive pas à tout régler", "negotiate_debt", "fr"),
        ("preciso da nota fiscal de outubro", "tax_document", "pt"),
        ("vous prélevez à quelle date chaque mois ?", "billing_schedule", "fr"),
    ],
)
def test_a_billing_question_gets_the_topic_answer(
    assistant: Assistant, sender: str, message: str, topic: str, language: str
) -> None:
    assert assistant.texts(sender, message) == [expected(f"utter_info_{topic}", language)]


def test_a_date_out_of_the_blue_is_not_taken_for_an_identification(assistant: Assistant, sender: str) -> None:
    assert assistant.texts(sender, "Bonjour") == [expected("utter_greet", "fr")]
    assert assistant.texts(sender, "le 15") == [expected("utter_default", "fr")]


def test_cancel_that_is_not_cancelling_the_subscription(assistant: Assistant, sender: str) -> None:
    assert assistant.texts(sender, "Olá") == [expected("utter_greet", "pt")]
    replies = assistant.texts(sender, "cancela isso")
    assert expected("utter_info_cancel_subscription", "pt") not in replies
    assert assistant.tracker(sender)["latest_message"]["intent"]["name"] == "deny"
