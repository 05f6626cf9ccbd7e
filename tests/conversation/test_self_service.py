"""Every self-service topic end to end through the running servers (real NLU, real actions, SQLite
backend), in French and Portuguese, with the backend's state checked afterwards."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from bot.billing.payment_codes import boleto_line_is_valid, pix_crc_is_valid
from tests.stack import Assistant

CUSTOMERS = {  # number: postal code (the demo data of bot/billing/demo.py)
    "482130": "75011",
    "517204": "69003",
    "624511": "33000",
    "159372": "1100-148",
    "731402": "01310-100",
    "912733": "30130-010",
    "845120": "20040-002",
    "268054": "80010-000",
}


def identify(assistant: Assistant, sender: str, number: str) -> None:
    assistant.texts(sender, number)
    assistant.texts(sender, CUSTOMERS[number])


def talk(assistant: Assistant, sender: str, number: str, first: str, *answers: str) -> list[str]:
    """The topic message, identification, then the answers; the response names used after the topic."""
    assistant.texts(sender, first)
    if not assistant.tracker(sender)["slots"]["verified"]:
        identify(assistant, sender, number)
    for answer in answers:
        assistant.texts(sender, answer)
    return assistant.utterances(sender)


@dataclass(frozen=True)
class Case:
    number: str
    messages: tuple[str, ...]
    responses: tuple[str, ...]  # in this order among what the bot said
    check: Callable[[Assistant, int], bool] = lambda assistant, customer: True


def said_in_order(used: list[str], wanted: tuple[str, ...]) -> bool:
    position = 0
    for name in used:
        if position < len(wanted) and name == wanted[position]:
            position += 1
    return position == len(wanted)


def _plan_is(code: str) -> Callable[[Assistant, int], bool]:
    return lambda a, c: (
        a.backend.get_subscription(c).plan.code == code
        or a.backend.get_subscription(c).scheduled_plan_code == code
    )


CASES = {
    "change_plan-fr": Case(
        "517204",
        ("je voudrais passer à la fibre max", "oui je confirme"),
        ("utter_identity_confirmed", "utter_plan_preview_upgrade", "utter_plan_changed_now"),
        _plan_is("fr-fibre-max"),
    ),
    "change_plan-pt": Case(
        "268054",
        ("quero mudar de plano", "a fibra 600", "pode confirmar"),
        ("utter_plan_list", "utter_plan_preview_upgrade", "utter_plan_changed_now"),
        _plan_is("br-fibra-600"),
    ),
    "make_payment-fr": Case(
        "517204",
        ("je veux payer ma facture", "tout"),
        ("utter_payment_ask_amount", "utter_payment_card_link"),
    ),
    "make_payment-pt": Case(
        "845120",
        ("quero pagar com pix", "50 reais"),
        ("utter_payment_ask_amount", "utter_payment_pix"),
    ),
    "missed_payment-fr": Case(
        "517204", ("j'ai raté mon paiement",), ("utter_missed_invoice", "utter_missed_total")
    ),
    "missed_payment-pt": Case(
        "845120", ("esqueci de pagar a fatura",), ("utter_missed_invoice", "utter_missed_total")
    ),
    "negotiate_debt-pt": Case(
        "845120",
        ("quero parcelar minha dívida", "em 3x", "sim"),
        ("utter_negotiate_offer", "utter_agreement_preview", "utter_agreement_created"),
        lambda a, c: a.backend.active_installment_agreement(c) is not None,
    ),
    "negotiate_debt-fr": Case(
        "517204", ("je peux payer en plusieurs fois ?",), ("utter_negotiate_not_eligible",)
    ),
    "cancel_subscription-fr": Case(
        "482130",
        ("je veux résilier mon abonnement", "oui"),
        ("utter_cancel_terms", "utter_cancel_offer", "utter_cancel_done"),
        lambda a, c: a.backend.get_subscription(c).cancel_effective_on is not None,
    ),
    "cancel_subscription-pt": Case(
        "268054",
        ("quero cancelar meu plano", "não"),
        ("utter_cancel_terms", "utter_cancel_kept"),
        lambda a, c: a.backend.get_subscription(c).cancel_effective_on is None,
    ),
    "auto_payment-fr": Case(
        "482130",
        ("je veux arrêter le prélèvement automatique", "oui"),
        ("utter_autopay_on_fee", "utter_autopay_disabled"),
        lambda a, c: not a.backend.get_subscription(c).auto_pay,
    ),
    "auto_payment-pt": Case(
        "268054",
        ("como desativo o débito automático?", "não"),
        ("utter_autopay_unchanged",),
    ),
    "update_billing_details-fr": Case(
        "517204",
        ("je veux changer ma carte bancaire", "ajouter une nouvelle carte"),
        ("utter_billing_details_menu", "utter_payment_method_link"),
    ),
    "update_billing_details-pt": Case(
        "268054",
        ("quero mudar meu email de cobrança", "ana.nova@example.com"),
        ("utter_contact_ask", "utter_contact_updated"),
        lambda a, c: a.backend.get_customer(c).email == "ana.nova@example.com",
    ),
    # The postal codes stay the same: they identify these customers in the other tests.
    "billing_address-fr": Case(
        "517204",
        ("j'ai déménagé, il faut changer l'adresse sur mes factures", "25 rue Paul Bert, 69003 Lyon", "oui"),
        ("utter_address_ask", "utter_address_confirm", "utter_address_updated"),
        lambda a, c: a.backend.billing_address(c).street == "25 rue Paul Bert",
    ),
    "billing_address-pt": Case(
        "268054",
        (
            "preciso trocar o endereço que vem na fatura",
            "agora moro na rua XV de novembro 250 ap 12, 80010-000 curitiba - PR",
            "sim",
        ),
        ("utter_address_ask", "utter_address_confirm", "utter_address_updated"),
        lambda a, c: a.backend.billing_address(c).city == "curitiba - PR",
    ),
    "invoice_copy-fr": Case(
        "482130",
        ("je voudrais une copie de ma facture", "celle du mois dernier", "oui"),
        ("utter_invoice_list", "utter_invoice_link", "utter_invoice_emailed"),
    ),
    "invoice_copy-pt": Case(
        "159372",
        ("preciso da segunda via da fatura",),
        ("utter_invoice_list",),
    ),
    "billing_schedule-fr": Case("624511", ("vous prélevez à quelle date ?",), ("utter_schedule_one_time",)),
    "billing_schedule-pt": Case("159372", ("quando é debitada a fatura?",), ("utter_schedule_auto",)),
    "first_invoice_prorata-fr": Case(
        "624511", ("pourquoi ma première facture est plus élevée ?",), ("utter_prorata_explained",)
    ),
    "price_increase-pt": Case(
        "268054", ("pq minha mensalidade aumentou?",), ("utter_price_increase_explained",)
    ),
    "price_increase-fr": Case("482130", ("pourquoi mon prix a augmenté ?",), ("utter_price_increase_none",)),
    "tax_document-pt": Case(
        "912733", ("preciso da nota fiscal", "tem um erro na nota"), ("utter_nota_error_ticket",)
    ),
    "tax_document-fr": Case(
        "482130", ("il me faut une facture avec la TVA",), ("utter_tax_document_invoice",)
    ),
    "service_suspended-pt": Case(
        "845120",
        ("minha internet foi cortada por falta de pagamento", "quero a liberação em confiança"),
        ("utter_suspended_release_offer", "utter_trust_release_granted"),
        lambda a, c: a.backend.service_status(c, a.today).trust_release_until is not None,
    ),
    "service_suspended-fr": Case("482130", ("mon service est suspendu ?",), ("utter_service_active",)),
    "contact_support-fr": Case(
        "482130", ("quel est votre numéro de téléphone ?",), ("utter_contact_support",)
    ),
    "contact_support-pt": Case("268054", ("qual o horário de atendimento?",), ("utter_contact_support",)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_topic_end_to_end(assistant: Assistant, sender: str, name: str) -> None:
    case = CASES[name]
    used = talk(assistant, sender, case.number, *case.messages)
    assert said_in_order(used, case.responses), used
    assert case.check(assistant, assistant.customer_id(case.number))


def test_ticket_status_of_own_ticket_after_identification(assistant: Assistant, sender: str) -> None:
    talk(assistant, sender, "482130", "quel est mon solde ?", "je veux parler à un conseiller")
    mine = assistant.backend.list_tickets(assistant.customer_id("482130"), 1)[0]
    assistant.texts(sender, f"où en est mon dossier {mine.reference} ?")
    assert "utter_ticket_status" in assistant.utterances(sender)


def last_said(assistant: Assistant, sender: str, response: str) -> str:
    """The text of the bot's last message rendered from `response`."""
    events = assistant.tracker(sender)["events"]
    said = [e["text"] for e in events if e.get("metadata", {}).get("utter_action") == response]
    assert said, f"{response} not said"
    return str(said[-1])


def test_pix_code_is_valid_and_for_the_amount_asked(assistant: Assistant, sender: str) -> None:
    talk(assistant, sender, "845120", "quero pagar com pix", "50 reais")
    code = last_said(assistant, sender, "utter_payment_pix").split("\n")[1]
    assert pix_crc_is_valid(code) and "540550.00" in code


def test_boleto_line_is_valid(assistant: Assistant, sender: str) -> None:
    talk(assistant, sender, "845120", "quero a segunda via do boleto", "tudo")
    line = last_said(assistant, sender, "utter_payment_boleto").split("\n")[1]
    assert boleto_line_is_valid(line)


def test_abandon_and_digression_mid_flow(assistant: Assistant, sender: str) -> None:
    talk(assistant, sender, "482130", "je veux changer la date d'échéance")
    assistant.texts(sender, "c'est quoi mon solde ?")
    used = assistant.utterances(sender)
    assert used[-2:] == ["utter_flow_resume", "utter_due_day_ask"]
    assistant.texts(sender, "laisse tomber")
    assert assistant.utterances(sender)[-1] == "utter_flow_dropped"
    assert assistant.tracker(sender)["slots"]["flow"] is None


@pytest.mark.parametrize(
    ("number", "ask", "first", "correction", "yes"),
    [
        ("624511", "je veux changer ma date de prélèvement", "le {}", "non, le {} plutôt", "oui"),
        ("268054", "queria mudar o dia de vencimento", "dia {}", "não, dia {}", "sim"),
    ],
)
def test_due_day_with_a_correction(
    assistant: Assistant, sender: str, number: str, ask: str, first: str, correction: str, yes: str
) -> None:
    customer = assistant.customer_id(number)
    options = assistant.backend.due_day_options(customer, assistant.today)
    day, other = [d for d in options.allowed_days if d != options.current_day][:2]
    used = talk(assistant, sender, number, ask, first.format(day), correction.format(other), yes)
    wanted = ("utter_due_day_ask", "utter_due_day_preview", "utter_due_day_preview", "utter_due_day_changed")
    assert said_in_order(
        [name[:21] if name.startswith("utter_due_day_preview") else name for name in used], wanted
    )
    assert assistant.backend.get_subscription(customer).due_day == other
