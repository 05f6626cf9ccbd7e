"""`/pay/<reference>`: the demo card payment page of a payment request."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy.engine import Engine

from bot.billing.models import PaymentMethodKind, PaymentRequestStatus
from bot.billing.sql.backend import SqlBillingBackend
from bot.billing.sql.schema import payments
from bot.i18n import format_money

from .conftest import NOW, TODAY, Clock, Ids, logged_text
from .helpers import AMEX, CVV, NOT_LUHN, VISA_DIGITS, count, good_card, leaks_card

JULIEN, CARLOS = "517204", "845120"
CARD, PIX = PaymentMethodKind.CARD, PaymentMethodKind.PIX


def card_request(backend: SqlBillingBackend, customer_id: int, amount: str = "19.99") -> str:
    return backend.create_payment_request(customer_id, Decimal(amount), CARD, NOW).reference


async def test_the_page_shows_the_request_in_the_customers_language(
    client: httpx.AsyncClient, portal_backend: SqlBillingBackend, customer_ids: Ids
) -> None:
    french = card_request(portal_backend, customer_ids[JULIEN])
    page = (await client.get(f"/pay/{french}", headers={"Accept-Language": "pt-BR"})).text
    assert format_money(Decimal("19.99"), "EUR", "fr") in page  # "19,99 €", whatever the browser says
    assert french in page and "Paiement par carte" in page and "En attente de paiement" in page
    assert "11 mars 2026 à 12:30" in page  # 10:30 UTC + 60 minutes, on the Paris clock
    assert '<form method="post"' in page and 'name="number"' in page

    brazilian = card_request(portal_backend, customer_ids[CARLOS], "299.70")
    page = (await client.get(f"/pay/{brazilian.lower()}")).text
    assert format_money(Decimal("299.70"), "BRL", "pt") in page and "R$" in page  # "R$ 299,70"
    assert "Pagamento com cartão" in page and "Aguardando pagamento" in page
    assert "11 de março de 2026, às 08:30" in page  # São Paulo is UTC-3


async def test_a_bad_card_is_refused_and_nothing_is_paid(
    client: httpx.AsyncClient,
    portal_backend: SqlBillingBackend,
    portal_db: Engine,
    customer_ids: Ids,
    logged: pytest.LogCaptureFixture,
) -> None:
    reference = card_request(portal_backend, customer_ids[JULIEN])
    balance = portal_backend.get_account_summary(customer_ids[JULIEN], TODAY).balance
    payments_before = count(portal_db, payments)
    for form, wrong in (
        (good_card(number=NOT_LUHN), "Ce numéro de carte n&#39;est pas valide."),
        (good_card(expiry="02/26"), "Indiquez une date d&#39;expiration à venir"),  # last month
        (good_card(expiry="13/30"), "Indiquez une date d&#39;expiration à venir"),
        (good_card(cvv="12"), "Le cryptogramme comporte 3 ou 4 chiffres."),
        (good_card(holder=""), "Indiquez le nom du titulaire"),
    ):
        response = await client.post(f"/pay/{reference}", data=form)
        assert response.status_code == 400, form
        assert wrong in response.text and "Veuillez corriger les champs indiqués." in response.text
        assert not leaks_card(response.text) and not leaks_card(response.text, NOT_LUHN.replace(" ", ""))
        assert f'value="{CVV}"' not in response.text and 'name="number" value=""' in response.text
    kept = (await client.post(f"/pay/{reference}", data=good_card(cvv="1"))).text
    assert 'value="Julien Bernard"' in kept and 'value="12/30"' in kept  # the rest is kept
    assert portal_backend.get_payment_request(reference).status is PaymentRequestStatus.PENDING
    assert count(portal_db, payments) == payments_before
    assert portal_backend.get_account_summary(customer_ids[JULIEN], TODAY).balance == balance
    assert not leaks_card(logged_text(logged)) and "card_refused" in logged.text


async def test_a_good_card_pays_the_request(
    client: httpx.AsyncClient,
    portal_backend: SqlBillingBackend,
    portal_db: Engine,
    customer_ids: Ids,
    logged: pytest.LogCaptureFixture,
) -> None:
    julien = customer_ids[JULIEN]
    reference = card_request(portal_backend, julien)
    balance = portal_backend.get_account_summary(julien, TODAY).balance
    response = await client.post(f"/pay/{reference}", data=good_card(number="4242-4242-4242-4242"))
    assert response.status_code == 200
    assert "Paiement confirmé" in response.text and "19,99" in response.text and reference in response.text
    assert not leaks_card(response.text)
    assert portal_backend.get_payment_request(reference).status is PaymentRequestStatus.PAID
    assert portal_backend.get_account_summary(julien, TODAY).balance == balance - Decimal("19.99")
    payment = portal_backend.list_payments(julien, limit=1)[0]
    assert payment.amount == Decimal("19.99") and payment.provider_reference.startswith("demo-")
    assert VISA_DIGITS not in payment.provider_reference
    assert not leaks_card(logged_text(logged)) and "card_payment_confirmed" in logged.text

    paid = count(portal_db, payments)
    again = await client.get(f"/pay/{reference}")
    assert again.status_code == 200 and "Déjà réglé" in again.text and 'name="number"' not in again.text
    resubmitted = await client.post(f"/pay/{reference}", data=good_card(number=AMEX, cvv="1234"))
    assert resubmitted.status_code == 200 and "Déjà réglé" in resubmitted.text
    assert count(portal_db, payments) == paid


async def test_unknown_expired_and_non_card_requests_are_404(
    client: httpx.AsyncClient,
    portal_backend: SqlBillingBackend,
    portal_db: Engine,
    customer_ids: Ids,
    clock: Clock,
) -> None:
    pix = portal_backend.create_payment_request(customer_ids[CARLOS], Decimal("10"), PIX, NOW).reference
    card = card_request(portal_backend, customer_ids[JULIEN])
    recorded = count(portal_db, payments)
    for path in ("/pay/PG-222222", "/pay/nothing", f"/pay/{pix}"):
        assert (await client.get(path)).status_code == 404, path
        assert (await client.post(path, data=good_card())).status_code == 404, path
    clock.now = NOW + timedelta(minutes=60)
    response = await client.get(f"/pay/{card}")
    assert (
        response.status_code == 404
        and "Ce lien de paiement n&#39;est pas valide ou a expiré." in response.text
    )
    assert (await client.post(f"/pay/{card}", data=good_card())).status_code == 404
    assert count(portal_db, payments) == recorded
    assert portal_backend.get_payment_request(card).status is PaymentRequestStatus.EXPIRED
