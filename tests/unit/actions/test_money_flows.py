"""Payments, missed payments, payment plans and suspension, through the actions, checked in the backend."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from bot.billing.payment_codes import boleto_line_is_valid, pix_crc_is_valid
from bot.billing.sql.backend import SqlBillingBackend
from tests.unit.actions.conftest import TODAY, Chat
from tests.unit.actions.test_account_flows import params


def test_pix_payment_of_a_chosen_amount(
    chat: Callable[..., Chat], backend: SqlBillingBackend, ids: dict[str, int]
) -> None:
    customer = ids["845120"]
    talk = chat(customer, "pt")
    balance = backend.get_account_summary(customer, TODAY).balance
    assert balance > 10
    assert talk.responses("make_payment", "quero pagar") == ["utter_payment_ask_amount"]
    ask = params(talk.say("inform", "10 reais", amount="10 reais"), "utter_payment_ask_method")
    assert {b["payload"] for b in ask["buttons"]} == {
        '/inform{"payment_method":"pix"}',
        '/inform{"payment_method":"boleto"}',
        '/inform{"payment_method":"card"}',
    }
    pix = params(talk.say("inform", "pix", payment_method="pix"), "utter_payment_pix")
    assert pix_crc_is_valid(pix["pix_code"]) and "540510.00" in pix["pix_code"]
    request = backend.get_payment_request(pix["reference"])
    assert request.amount == Decimal("10.00")


def test_boleto_offers_pix_or_card_to_pay_today(
    chat: Callable[..., Chat], backend: SqlBillingBackend, ids: dict[str, int]
) -> None:
    customer = ids["845120"]
    talk = chat(customer, "pt")
    balance = backend.get_account_summary(customer, TODAY).balance
    assert talk.responses("make_payment", "segunda via do boleto", payment_method="boleto") == [
        "utter_payment_ask_amount"
    ]
    boleto = params(talk.say("inform", "tudo", amount=str(balance)), "utter_payment_boleto")
    assert boleto_line_is_valid(boleto["boleto_line"])
    assert {b["payload"] for b in boleto["buttons"]} == {
        '/inform{"payment_method":"pix"}',
        '/inform{"payment_method":"card"}',
    }
    assert talk.slots["flow_step"] == "method"


def test_france_pays_by_card_link_and_amount_above_balance_is_refused(
    chat: Callable[..., Chat], backend: SqlBillingBackend, ids: dict[str, int]
) -> None:
    customer = ids["517204"]
    talk = chat(customer, "fr")
    balance = backend.get_account_summary(customer, TODAY).balance
    talk.say("make_payment", "je veux payer")
    assert talk.responses("inform", "", amount=str(balance + 100)) == ["utter_payment_amount_invalid"]
    link = params(talk.say("inform", "", amount=str(balance)), "utter_payment_card_link")
    assert link["url"].endswith("/pay/" + link["reference"])


def test_missed_payment_gives_the_exact_late_charges_and_options(
    chat: Callable[..., Chat], backend: SqlBillingBackend, ids: dict[str, int]
) -> None:
    customer = ids["517204"]
    talk = chat(customer, "fr")
    said = talk.say("missed_payment", "j'ai raté un paiement")
    charges = backend.late_charges(customer, TODAY)
    invoices = [m for m in said if m["response"] == "utter_missed_invoice"]
    assert [m["reference"] for m in invoices] == [c.invoice_reference for c in charges]
    assert [m["fee"]["amount"] for m in invoices] == [str(c.fee) for c in charges]
    total = params(said, "utter_missed_total")
    assert Decimal(total["total"]["amount"]) == sum(c.total for c in charges)
    assert [b["payload"] for b in total["buttons"]] == ["/make_payment", "/negotiate_debt", "/request_human"]


def test_payment_plan_by_monthly_amount_then_agreement(
    chat: Callable[..., Chat], backend: SqlBillingBackend, ids: dict[str, int]
) -> None:
    customer = ids["845120"]
    talk = chat(customer, "pt")
    offer = backend.installment_offer(customer, TODAY)
    assert offer.eligible
    assert talk.responses("negotiate_debt", "je peux payer en plusieurs fois ?") == ["utter_negotiate_offer"]
    monthly = (offer.overdue_total / 2).quantize(Decimal("0.01")) + Decimal("0.01")
    preview = params(
        talk.say("inform", f"{monthly} € par mois", amount=f"{monthly} €"), "utter_agreement_preview"
    )
    assert preview["count"] == 2
    created = params(talk.say("affirm", "oui"), "utter_agreement_created")
    agreement = backend.active_installment_agreement(customer)
    assert agreement is not None and agreement.reference == created["reference"]


def test_a_debt_too_small_to_split_offers_to_pay_or_a_person(
    chat: Callable[..., Chat], backend: SqlBillingBackend, ids: dict[str, int]
) -> None:
    talk = chat(ids["517204"], "fr")
    said = params(
        talk.say("negotiate_debt", "je peux payer en plusieurs fois ?"), "utter_negotiate_not_eligible"
    )
    assert [b["payload"] for b in said["buttons"]] == ["/make_payment", "/request_human"]
    assert backend.list_tickets(ids["517204"]) == []


def test_a_plan_outside_the_policy_goes_to_finance_with_a_ticket(
    chat: Callable[..., Chat], backend: SqlBillingBackend, ids: dict[str, int]
) -> None:
    customer = ids["845120"]
    talk = chat(customer, "pt")
    talk.say("negotiate_debt", "quero parcelar")
    outside = params(talk.say("inform", "em 24x", installments="24x"), "utter_negotiate_outside_policy")
    ticket = backend.get_ticket(outside["reference"], customer)
    assert ticket.topic == "payment_plan" and ticket.customer_id == customer
    assert backend.active_installment_agreement(customer) is None


def test_suspended_customer_gets_a_trust_release(
    chat: Callable[..., Chat], backend: SqlBillingBackend, ids: dict[str, int]
) -> None:
    customer = ids["845120"]
    talk = chat(customer, "pt")
    assert backend.service_status(customer, TODAY).trust_release_eligible  # the demo data of Carlos
    said = talk.say("service_suspended", "minha internet foi cortada")
    offer = params(said, "utter_suspended_release_offer")
    assert "Pix" in offer["methods"]
    assert talk.responses("inform", "", choice="trust_release") == ["utter_trust_release_granted"]
    assert backend.service_status(customer, TODAY).trust_release_until is not None


def test_a_person_asked_for_mid_flow_gets_the_flows_topic_and_ends_it(
    chat: Callable[..., Chat], backend: SqlBillingBackend, ids: dict[str, int]
) -> None:
    customer = ids["845120"]
    talk = chat(customer, "pt")
    assert talk.responses("negotiate_debt", "dá pra parcelar?") == ["utter_negotiate_offer"]
    assert talk.slots["flow"] == "negotiate_debt"
    assert talk.responses("request_human", "prefiro falar com alguém") == [
        "utter_handoff_created",
        "utter_handoff_queue",
    ]
    ticket = backend.list_tickets(customer, 1)[0]
    assert (ticket.topic, ticket.customer_id) == ("negotiate_debt", customer)
    assert talk.slots["flow"] is None
