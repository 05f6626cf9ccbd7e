"""Plan, due day, cancellation, automatic payment and billing details, run through the actions and
checked in the backend afterwards."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from bot.billing.models import BillingAddress
from bot.billing.sql.backend import SqlBillingBackend
from tests.unit.actions.conftest import TODAY, Chat


def params(messages: list[dict], response: str) -> dict:
    found = [m for m in messages if m.get("response") == response]
    assert found, f"{response} not in {[m.get('response') for m in messages]}"
    return found[-1]


def test_upgrade_previews_then_applies_the_plan(
    chat: Callable[..., Chat], backend: SqlBillingBackend, ids: dict[str, int]
) -> None:
    customer = ids["482130"]
    talk = chat(customer, "fr")
    current = backend.get_subscription(customer).plan
    plans = backend.list_plans("FR")
    target = max(plans, key=lambda p: p.rank)
    assert target.code != current.code
    listed = talk.say("change_plan", "je veux changer d'offre")
    buttons = params(listed, "utter_plan_list")["buttons"]
    assert {b["payload"] for b in buttons} == {
        f'/inform{{"plan":"{p.code}"}}' for p in plans if p.code != current.code
    }
    preview = params(talk.say("inform", "la max", plan="max"), "utter_plan_preview_upgrade")
    expected = backend.preview_plan_change(customer, target.code, TODAY)
    assert preview["charge_now"]["amount"] == str(expected.charge_now)
    assert talk.responses("affirm", "oui") == ["utter_plan_changed_now"]
    assert backend.get_subscription(customer).plan.code == target.code
    assert talk.slots["flow"] is None


def test_a_plan_typed_by_name_and_a_no_keeps_the_plan(
    chat: Callable[..., Chat], backend: SqlBillingBackend, ids: dict[str, int]
) -> None:
    customer = ids["731402"]
    talk = chat(customer, "pt")
    before = backend.get_subscription(customer).plan.code
    talk.say("change_plan", "quero mudar de plano")
    other = next(p for p in backend.list_plans("BR") if p.code != before)
    responses = talk.responses("nlu_fallback", f"a {other.name.lower()} por favor")
    assert responses[0] in ("utter_plan_preview_upgrade", "utter_plan_preview_downgrade")
    assert talk.responses("deny", "não") == ["utter_plan_unchanged"]
    assert backend.get_subscription(customer).plan.code == before


def test_due_day_correction_then_confirmation(
    chat: Callable[..., Chat], backend: SqlBillingBackend, ids: dict[str, int]
) -> None:
    customer = ids["482130"]
    talk = chat(customer, "fr")
    options = backend.due_day_options(customer, TODAY)
    first, second = [d for d in options.allowed_days if d != options.current_day][:2]
    responses = talk.responses("change_due_date", f"je voudrais être prélevé le {first}", date=f"le {first}")
    assert responses[0].startswith("utter_due_day_preview")
    corrected = talk.say("inform", f"non, le {second} plutôt", date=str(second))
    assert corrected[0]["response"].startswith("utter_due_day_preview") and corrected[0]["new_day"] == second
    assert talk.responses("affirm", "oui") == ["utter_due_day_changed"]
    assert backend.get_subscription(customer).due_day == second


def test_a_day_outside_the_allowed_ones_is_explained(
    chat: Callable[..., Chat], backend: SqlBillingBackend, ids: dict[str, int]
) -> None:
    customer = ids["731402"]
    talk = chat(customer, "pt")
    assert talk.responses("change_due_date", "mudar o vencimento") == ["utter_due_day_ask"]
    assert talk.responses("inform", "dia 7", date="7") == ["utter_due_day_not_allowed", "utter_due_day_ask"]
    assert talk.responses("deny", "deixa pra lá") == ["utter_flow_dropped"]
    assert backend.get_subscription(customer).due_day == backend.due_day_options(customer, TODAY).current_day


def test_cancellation_shows_terms_and_offer_then_cancels(
    chat: Callable[..., Chat], backend: SqlBillingBackend, ids: dict[str, int]
) -> None:
    customer = ids["482130"]
    talk = chat(customer, "fr")
    terms = backend.cancellation_terms(customer, TODAY)
    said = talk.say("cancel_subscription", "je veux résilier")
    assert params(said, "utter_cancel_terms")["effective_date"]["value"] == terms.effective_on.isoformat()
    offer = params(said, "utter_cancel_offer")
    assert [b["payload"] for b in offer["buttons"]][1:] == ["/affirm", "/deny"]
    done = params(talk.say("affirm", "oui, résilier quand même"), "utter_cancel_done")
    assert backend.get_subscription(customer).cancel_effective_on == terms.effective_on
    assert done["reference"].startswith("RS-")


def test_the_retention_offer_keeps_the_subscription_at_a_lower_price(
    chat: Callable[..., Chat], backend: SqlBillingBackend, ids: dict[str, int]
) -> None:
    customer = ids["731402"]
    talk = chat(customer, "pt")
    before = backend.get_subscription(customer).monthly_price
    talk.say("cancel_subscription", "quero cancelar")
    accepted = params(talk.say("inform", "", choice="retention_offer"), "utter_retention_accepted")
    assert Decimal(accepted["new_price"]["amount"]) < before
    assert backend.get_subscription(customer).cancel_effective_on is None
    assert backend.cancellation_terms(customer, TODAY).retention_offer is None  # used once


def test_turning_automatic_payment_off_states_the_manual_fee(
    chat: Callable[..., Chat], backend: SqlBillingBackend, ids: dict[str, int]
) -> None:
    customer = ids["482130"]
    assert backend.get_subscription(customer).auto_pay
    talk = chat(customer, "fr")
    ask = params(talk.say("auto_payment", "désactiver le prélèvement"), "utter_autopay_on_fee")
    assert ask["fee_percent"] == "15"
    assert talk.responses("affirm", "oui") == ["utter_autopay_disabled"]
    assert not backend.get_subscription(customer).auto_pay


def test_billing_details_masked_link_and_new_email(
    chat: Callable[..., Chat], backend: SqlBillingBackend, ids: dict[str, int]
) -> None:
    customer = ids["482130"]
    talk = chat(customer, "fr")
    menu = params(talk.say("update_billing_details", "changer ma carte"), "utter_billing_details_menu")
    for method in backend.list_payment_methods(customer):
        assert method.masked in menu["methods"]
    link = params(talk.say("inform", "", choice="new_method"), "utter_payment_method_link")
    assert link["url"].startswith("https://billing.example.com/") and link["minutes"] > 0
    assert talk.responses("update_billing_details", "changer mon email") == ["utter_contact_ask"]
    assert talk.responses("inform", "pas-un-email", email="pas-un-email") == ["utter_contact_invalid_email"]
    assert talk.responses("inform", "camille.new@example.org", email="camille.new@example.org") == [
        "utter_contact_updated"
    ]
    assert backend.get_customer(customer).email == "camille.new@example.org"


def test_a_new_billing_address_is_checked_confirmed_then_stored(
    chat: Callable[..., Chat], backend: SqlBillingBackend, ids: dict[str, int]
) -> None:
    customer = ids["482130"]
    talk = chat(customer, "fr")
    asked = params(
        talk.say("update_billing_details", "je déménage, il faut changer mon adresse"), "utter_address_ask"
    )
    assert asked["address"] == "12 rue Oberkampf, 75011 Paris"
    assert talk.responses("inform", "3 place Bellecour Lyon") == ["utter_address_invalid"]
    confirm = params(talk.say("inform", "3 place Bellecour, 69002 Lyon"), "utter_address_confirm")
    assert confirm["address"] == "3 place Bellecour, 69002 Lyon"
    corrected = params(talk.say("inform", "non, 5 place Bellecour, 69002 Lyon"), "utter_address_confirm")
    assert corrected["address"] == "5 place Bellecour, 69002 Lyon"
    assert backend.billing_address(customer).postal_code == "75011"  # nothing stored before the yes
    done = params(talk.say("affirm", "oui"), "utter_address_updated_postal_code")
    assert done["postal_code"] == "69002"
    assert backend.billing_address(customer) == BillingAddress("5 place Bellecour", "69002", "Lyon")
    assert talk.slots["flow"] is None


def test_an_address_change_can_be_declined_and_an_email_change_is_not_an_address(
    chat: Callable[..., Chat], backend: SqlBillingBackend, ids: dict[str, int]
) -> None:
    customer = ids["845120"]
    before = backend.billing_address(customer)
    talk = chat(customer, "pt")
    menu = talk.say("update_billing_details", "quero mudar meus dados de cobrança")
    assert {"title": "Mudar o endereço de cobrança", "payload": '/inform{"choice":"address"}'} in params(
        menu, "utter_billing_details_menu"
    )["buttons"]
    assert talk.responses("inform", "", choice="address") == ["utter_address_ask"]
    talk.say("inform", "Rua Bahia 45, 30160011 Belo Horizonte")
    assert talk.responses("deny", "não") == ["utter_address_unchanged"]
    assert backend.billing_address(customer) == before
    assert talk.responses("update_billing_details", "mudar meu endereço de email") == ["utter_contact_ask"]
