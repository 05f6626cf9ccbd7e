"""Payment data typed into the chat is masked before Rasa stores it, and the customer is told why."""

from __future__ import annotations

import json

from bot.redaction import CARD_MASK, CPF_MASK, IBAN_MASK
from tests.stack import Assistant


def stored(assistant: Assistant, sender: str) -> str:
    return json.dumps(assistant.tracker(sender), ensure_ascii=False)


def user_texts(assistant: Assistant, sender: str) -> list[str]:
    return [e.get("text") or "" for e in assistant.tracker(sender)["events"] if e["event"] == "user"]


def test_card_number_is_masked_and_explained_in_french(assistant: Assistant, sender: str) -> None:
    assistant.texts(sender, "Bonjour, ma carte 4242 4242 4242 4242 exp 12/29 a été refusée, pourquoi ?")
    assert "utter_redacted_card" in assistant.utterances(sender)
    assert (
        user_texts(assistant, sender)[-1]
        == f"Bonjour, ma carte {CARD_MASK} exp 12/29 a été refusée, pourquoi ?"
    )
    tracker = stored(assistant, sender)
    assert "4242 4242" not in tracker and "42424242" not in tracker  # (a bare "4242" may be in a timestamp)


def test_iban_is_masked_and_the_secure_page_offered(assistant: Assistant, sender: str) -> None:
    replies = assistant.send(sender, "voici mon iban FR76 3000 6000 0112 3456 7890 189 pour le prélèvement")
    assert "utter_redacted_iban" in assistant.utterances(sender)
    buttons = [b["payload"] for reply in replies for b in reply.get("buttons", [])]
    assert "/update_billing_details" in buttons
    assert IBAN_MASK in user_texts(assistant, sender)[-1]
    assert "0112 3456" not in stored(assistant, sender)


def test_cpf_given_as_customer_number_is_masked_in_portuguese(assistant: Assistant, sender: str) -> None:
    assistant.texts(sender, "oi, quero ver minha fatura")
    assistant.texts(sender, "meu cpf é 529.982.247-25")
    used = assistant.utterances(sender)
    assert "utter_redacted_cpf" in used
    assert used[-1] != "utter_verified"
    assert user_texts(assistant, sender)[-1] == f"meu cpf é {CPF_MASK}"
    assert "529.982" not in stored(assistant, sender)
    assert not assistant.tracker(sender)["slots"]["verified"]


def test_an_email_address_is_kept(assistant: Assistant, sender: str) -> None:
    assistant.texts(sender, "mon email c'est camille.martin@example.com")
    assert "camille.martin@example.com" in user_texts(assistant, sender)[-1]
