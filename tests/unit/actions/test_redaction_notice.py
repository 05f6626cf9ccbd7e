"""A message the channel masked gets the masked kind explained, once, before the answer itself."""

from __future__ import annotations

from collections.abc import Callable

from bot.billing.sql.backend import SqlBillingBackend
from bot.redaction import CARD_MASK, CPF_MASK, IBAN_MASK
from tests.unit.actions.conftest import Chat


def test_a_masked_card_is_explained_then_the_request_answered(
    chat: Callable[..., Chat], ids: dict[str, int]
) -> None:
    talk = chat(ids["482130"], "fr")
    said = talk.say("make_payment", f"je veux payer avec ma carte {CARD_MASK}")
    names = [m.get("response") for m in said]
    assert names[0] == "utter_redacted_card"
    assert names.count("utter_redacted_card") == 1
    assert len(names) > 1  # the payment flow still runs
    assert said[0]["buttons"] == [
        {"title": "Ajouter une carte ou un RIB", "payload": "/update_billing_details"}
    ]


def test_one_notice_even_when_the_answer_runs_a_second_action(
    chat: Callable[..., Chat], backend: SqlBillingBackend, ids: dict[str, int]
) -> None:
    customer = ids["159372"]
    invoice = backend.list_invoices(customer)[0]
    talk = chat(customer, "pt")
    said = talk.responses(
        "inform",
        f"fatura {invoice.reference}, cartão {CARD_MASK} iban {IBAN_MASK}",
        invoice_reference=invoice.reference,
    )
    assert said.count("utter_redacted_card") == 1 and said.count("utter_redacted_iban") == 1
    assert said.index("utter_redacted_iban") < said.index("utter_invoice_link")


def test_nothing_is_said_about_an_ordinary_message(chat: Callable[..., Chat], ids: dict[str, int]) -> None:
    talk = chat(ids["482130"], "fr")
    assert not any(name.startswith("utter_redacted") for name in talk.responses("show_balance", "mon solde"))


def test_a_masked_cpf_is_explained_without_a_payment_button(chat: Callable[..., Chat]) -> None:
    said = chat(None, "pt").say("nlu_fallback", f"meu cpf {CPF_MASK}")
    assert said[0]["response"] == "utter_redacted_cpf"
    assert "buttons" not in said[0] or not said[0]["buttons"]
