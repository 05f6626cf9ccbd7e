"""Invoices, explanations, support, and the conversation rules of flows: digressions, dropping a flow,
the two-stage fallback, verification first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.billing.sql.backend import SqlBillingBackend
from tests.unit.actions.conftest import TODAY, Chat
from tests.unit.actions.test_account_flows import params


def test_invoice_copy_by_month_then_by_email(
    chat: Callable[..., Chat], backend: SqlBillingBackend, ids: dict[str, int]
) -> None:
    customer = ids["482130"]
    talk = chat(customer, "fr")
    invoices = backend.list_invoices(customer, 6)
    listed = params(talk.say("invoice_copy", "une copie de facture"), "utter_invoice_list")
    assert all(invoice.reference in listed["invoices"] for invoice in invoices)
    wanted = invoices[-1]
    month = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
             "octobre", "novembre", "décembre"][wanted.issued_on.month - 1]  # fmt: skip
    link = params(talk.say("inform", f"celle de {month}", period=month), "utter_invoice_link")
    assert link["reference"] == wanted.reference and link["attachment"]["url"] == link["url"]
    pdf, _ = backend.open_invoice_link(link["url"].rsplit("/", 1)[1].removesuffix(".pdf"), talk_now())
    assert pdf.startswith(b"%PDF")
    sent = params(talk.say("inform", "", choice="email"), "utter_invoice_emailed")
    assert sent["reference"] == wanted.reference and "@" in sent["email"]


def talk_now() -> datetime:  # the clock the chat fixture gives the actions
    from tests.unit.actions.conftest import NOW

    return NOW


def test_another_customers_invoice_is_not_found(
    chat: Callable[..., Chat], backend: SqlBillingBackend, ids: dict[str, int]
) -> None:
    other = backend.list_invoices(ids["517204"], 1)[0]
    talk = chat(ids["482130"], "fr")
    said = talk.responses("invoice_copy", f"facture {other.reference}", invoice_reference=other.reference)
    assert said == ["utter_invoice_not_found", "utter_invoice_list"]


def test_schedule_prorata_and_price_increase_use_the_customers_numbers(
    chat: Callable[..., Chat], backend: SqlBillingBackend, ids: dict[str, int]
) -> None:
    camille = chat(ids["482130"], "fr")
    schedule = params(camille.say("billing_schedule", "vous prélevez quand ?"), "utter_schedule_auto")
    assert schedule["due_day"] == backend.get_subscription(ids["482130"]).due_day
    thomas = ids["624511"]
    first = backend.first_invoice(thomas)
    assert first is not None
    prorata = params(
        chat(thomas, "fr").say("first_invoice_prorata", "pourquoi ma 1ere facture ?"),
        "utter_prorata_explained",
    )
    assert prorata["first_total"]["amount"] == str(first.total)
    rafael = ids["268054"]
    adjustment = backend.latest_price_adjustment(rafael)
    assert adjustment is not None
    rise = params(chat(rafael, "pt").say("price_increase", "pq aumentou?"), "utter_price_increase_explained")
    assert rise["index"] == adjustment.index_name and rise["new_price"]["amount"] == str(adjustment.new_price)


def test_notas_fiscais_of_the_month_and_an_error_report(
    chat: Callable[..., Chat], backend: SqlBillingBackend, ids: dict[str, int]
) -> None:
    customer = ids["731402"]
    talk = chat(customer, "pt")
    said = talk.say("tax_document", "nota fiscal de fevereiro", period="fevereiro")
    notes = backend.list_notas_fiscais(customer, f"{TODAY.year}-02")
    assert notes  # Ana's demo account has notes every month
    listed = params(said, "utter_nota_list")
    assert listed["count"] == len(notes) and all(n.number in listed["notes"] for n in notes)
    ticket = params(talk.say("inform", "tem um erro", choice="report_error"), "utter_nota_error_ticket")
    assert backend.get_ticket(ticket["reference"], customer).topic == "nota_fiscal_error"


def test_contact_needs_no_verification_and_ticket_status_only_own(
    chat: Callable[..., Chat], backend: SqlBillingBackend, ids: dict[str, int]
) -> None:
    anonymous = chat(None, "fr")
    contact = params(anonymous.say("contact_support", "votre numéro ?"), "utter_contact_support")
    assert "lundi" in contact["hours"] and contact["phone"]
    camille = chat(ids["482130"], "fr")
    camille.say("request_human", "un conseiller")
    mine = backend.list_tickets(ids["482130"], 1)[0]
    status = params(
        camille.say("ticket_status", "mon dossier", ticket_reference=mine.reference), "utter_ticket_status"
    )
    assert status["reference"] == mine.reference
    julien = chat(ids["517204"], "fr")
    assert julien.responses("ticket_status", "", ticket_reference=mine.reference) == [
        "utter_ticket_not_found"
    ]


def test_a_digression_answers_then_asks_the_pending_question_again(
    chat: Callable[..., Chat], ids: dict[str, int]
) -> None:
    talk = chat(ids["482130"], "fr")
    talk.say("change_due_date", "changer ma date de prélèvement")
    assert talk.slots["flow_step"] == "pick_day"
    said = talk.responses("billing_schedule", "au fait vous prélevez quand ?")
    assert said[0] == "utter_schedule_auto" and said[-2:] == ["utter_flow_resume", "utter_due_day_ask"]
    assert talk.slots["flow"] == "change_due_date"


def test_unverified_customer_is_asked_to_identify_and_the_request_is_kept(chat: Callable[..., Chat]) -> None:
    talk = chat(None, "pt")
    said = talk.say("change_plan", "quero a fibra 600", plan="600")
    assert said[0]["response"] == "utter_verification_needed"
    assert talk.slots["pending_action"] == "action_change_plan"
    assert talk.slots["flow_values"] == {"said_plan": "600"}


def test_two_fallbacks_in_a_row_offer_a_person(chat: Callable[..., Chat]) -> None:
    talk = chat(None, "fr")
    first = talk.say("nlu_fallback", "blabla")
    assert first[0]["response"] == "utter_fallback_suggestions"
    assert first[0]["buttons"][-1]["payload"] == "/request_human"
    assert talk.responses("nlu_fallback", "blublu") == ["utter_offer_human"]
    said = talk.say("affirm", "oui")
    assert said[0]["response"] == "utter_handoff_created"


def test_an_unsure_yes_still_answers_a_pending_question(
    chat: Callable[..., Chat], backend: SqlBillingBackend, ids: dict[str, int]
) -> None:
    talk = chat(ids["482130"], "fr")
    talk.say("auto_payment", "arrêter le prélèvement")
    assert [m["response"] for m in talk.say_unsure("ouiii", "affirm", 0.45)] == ["utter_autopay_disabled"]
    assert not backend.get_subscription(ids["482130"]).auto_pay
    fresh = chat(ids["482130"], "fr")
    assert fresh.say_unsure("ouiii", "affirm", 0.45)[0]["response"] == "utter_fallback_suggestions"


def test_a_digression_at_the_confirmation_keeps_the_choice(
    chat: Callable[..., Chat], backend: SqlBillingBackend, ids: dict[str, int]
) -> None:
    customer = ids["482130"]
    talk = chat(customer, "fr")
    options = backend.due_day_options(customer, TODAY)
    day = next(d for d in options.allowed_days if d != options.current_day)
    talk.say("change_due_date", f"le {day}", date=str(day))
    assert talk.slots["flow_step"] == "confirm"
    said = talk.responses("check_balance", "et mon solde ?")
    assert said[-2] == "utter_flow_resume" and said[-1].startswith("utter_due_day_preview")
    assert talk.responses("affirm", "oui") == ["utter_due_day_changed"]
    assert backend.get_subscription(customer).due_day == day


def test_a_topic_needing_identification_is_not_a_digression_before_it(chat: Callable[..., Chat]) -> None:
    talk = chat(None, "fr")
    assert talk.responses("ticket_status", "mon dossier") == ["utter_ticket_ask_reference"]
    assert talk.responses("billing_schedule", "vous prélevez quand ?")[0] == "utter_verification_needed"
