"""`/secure/payment-method/<token>`: adding a card or a SEPA direct debit through the single-use link."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy.engine import Engine

from bot.billing.models import PaymentMethodKind
from bot.billing.sql.backend import SqlBillingBackend
from bot.billing.sql.schema import payment_methods

from .conftest import NOW, Clock, Ids, logged_text, path_of
from .helpers import (
    AMEX,
    CVV,
    DISCOVER,
    FR_IBAN,
    FR_IBAN_BAD_CHECK,
    MASTERCARD_2_SERIES,
    NOT_LUHN,
    VISA,
    count,
    good_card,
    leaks_card,
    without_separators,
)

CAMILLE, JOAO, ANA = "482130", "159372", "731402"


def link_path(backend: SqlBillingBackend, customer_id: int) -> str:
    path = path_of(backend.create_payment_method_link(customer_id, NOW).url)
    assert path.startswith("/secure/payment-method/")
    return path


def card_form(number: str = VISA, **changes: str) -> dict[str, str]:
    return {"kind": "card", **good_card(number=number), "holder": "Camille Martin", **changes}


async def test_viewing_the_page_does_not_use_up_the_link(
    client: httpx.AsyncClient, portal_backend: SqlBillingBackend, customer_ids: Ids
) -> None:
    path = link_path(portal_backend, customer_ids[CAMILLE])
    first, second = await client.get(path), await client.get(path)
    assert first.status_code == second.status_code == 200
    assert "Ajouter un moyen de paiement" in second.text
    assert 'value="card"' in second.text and 'value="sepa_debit"' in second.text  # France: SEPA offered
    token = path.rsplit("/", 1)[1]
    assert portal_backend.check_payment_method_link(token, NOW) == customer_ids[CAMILLE]


async def test_a_card_becomes_the_default_and_the_link_is_used_up(
    client: httpx.AsyncClient,
    portal_backend: SqlBillingBackend,
    customer_ids: Ids,
    logged: pytest.LogCaptureFixture,
) -> None:
    camille = customer_ids[CAMILLE]
    before = portal_backend.list_payment_methods(camille)
    path = link_path(portal_backend, camille)
    response = await client.post(path, data=card_form())
    assert response.status_code == 200
    assert "Visa •••• 4242 est désormais votre moyen de paiement par défaut." in response.text
    assert not leaks_card(response.text)
    methods = portal_backend.list_payment_methods(camille)
    assert len(methods) == len(before) + 1
    added = methods[0]
    assert (added.kind, added.masked, added.holder, added.expires) == (
        PaymentMethodKind.CARD,
        "Visa •••• 4242",
        "Camille Martin",
        "12/30",
    )
    assert added.is_default and [m.is_default for m in methods].count(True) == 1
    token = path.rsplit("/", 1)[1]
    text = logged_text(logged)
    assert "payment_method_added" in logged.text and not leaks_card(text) and token not in text

    again = await client.post(path, data=card_form(MASTERCARD_2_SERIES))
    assert again.status_code == 404 and "déjà été utilisé" in again.text
    assert (await client.get(path)).status_code == 404
    assert len(portal_backend.list_payment_methods(camille)) == len(methods)


@pytest.mark.parametrize(
    ("customer", "number", "masked"),
    [
        (CAMILLE, MASTERCARD_2_SERIES, "Mastercard •••• 3222"),
        (CAMILLE, "5555 5555 5555 4444", "Mastercard •••• 4444"),
        (CAMILLE, AMEX, "American Express •••• 0005"),
        (CAMILLE, DISCOVER, "Carte •••• 1117"),
        (JOAO, DISCOVER, "Cartão •••• 1117"),
    ],
)
async def test_the_brand_comes_from_the_number(
    client: httpx.AsyncClient,
    portal_backend: SqlBillingBackend,
    customer_ids: Ids,
    customer: str,
    number: str,
    masked: str,
) -> None:
    cvv = "1234" if number == AMEX else CVV
    response = await client.post(
        link_path(portal_backend, customer_ids[customer]), data=card_form(number, cvv=cvv)
    )
    assert response.status_code == 200 and masked in response.text
    assert portal_backend.list_payment_methods(customer_ids[customer])[0].masked == masked


async def test_a_french_customer_can_add_a_sepa_debit(
    client: httpx.AsyncClient,
    portal_backend: SqlBillingBackend,
    customer_ids: Ids,
    logged: pytest.LogCaptureFixture,
) -> None:
    camille = customer_ids[CAMILLE]
    path = link_path(portal_backend, camille)
    refused = await client.post(
        path, data={"kind": "sepa_debit", "holder": "Camille Martin", "iban": FR_IBAN_BAD_CHECK}
    )
    assert refused.status_code == 400 and "Cet IBAN n&#39;est pas valide." in refused.text
    assert 'value="Camille Martin"' in refused.text  # the holder is kept, the IBAN is not
    assert without_separators(FR_IBAN_BAD_CHECK) not in without_separators(refused.text)
    assert (await client.get(path)).status_code == 200  # a refused form leaves the link usable

    response = await client.post(
        path, data={"kind": "sepa_debit", "holder": " Camille  Martin ", "iban": FR_IBAN.lower()}
    )
    assert response.status_code == 200 and "FR76 •••• 0189" in response.text
    added = portal_backend.list_payment_methods(camille)[0]
    assert (added.kind, added.masked, added.holder, added.expires, added.is_default) == (
        PaymentMethodKind.SEPA_DEBIT,
        "FR76 •••• 0189",
        "Camille Martin",
        None,
        True,
    )
    text = without_separators(logged_text(logged))
    assert without_separators(FR_IBAN) not in text and without_separators(FR_IBAN_BAD_CHECK) not in text


async def test_sepa_is_offered_to_euro_customers_only(
    client: httpx.AsyncClient, portal_backend: SqlBillingBackend, customer_ids: Ids, portal_db: Engine
) -> None:
    portugal = await client.get(link_path(portal_backend, customer_ids[JOAO]))
    assert portugal.status_code == 200 and 'value="sepa_debit"' in portugal.text
    path = link_path(portal_backend, customer_ids[ANA])
    page = await client.get(path)
    assert page.status_code == 200 and "Adicionar uma forma de pagamento" in page.text
    assert 'value="sepa_debit"' not in page.text
    methods = count(portal_db, payment_methods)
    refused = await client.post(path, data={"kind": "sepa_debit", "holder": "Ana Souza", "iban": FR_IBAN})
    assert refused.status_code == 400 and "Esta forma de pagamento não está disponível." in refused.text
    assert count(portal_db, payment_methods) == methods


async def test_invalid_card_details_show_the_form_again(
    client: httpx.AsyncClient,
    portal_backend: SqlBillingBackend,
    customer_ids: Ids,
    portal_db: Engine,
    logged: pytest.LogCaptureFixture,
) -> None:
    path = link_path(portal_backend, customer_ids[CAMILLE])
    methods = count(portal_db, payment_methods)
    response = await client.post(path, data=card_form(NOT_LUHN, expiry="1/2020", cvv="12345"))
    assert response.status_code == 400
    for message in ("Ce numéro de carte n&#39;est pas valide.", "Le cryptogramme comporte 3 ou 4 chiffres."):
        assert message in response.text
    assert 'value="Camille Martin"' in response.text and 'value="1/2020"' in response.text
    assert not leaks_card(response.text, NOT_LUHN.replace(" ", "")) and 'value="12345"' not in response.text
    typed_in_holder = await client.post(path, data=card_form(holder=VISA))  # digits never shown back
    assert typed_in_holder.status_code == 400 and not leaks_card(typed_in_holder.text)
    assert count(portal_db, payment_methods) == methods
    assert (await client.get(path)).status_code == 200
    assert not leaks_card(logged_text(logged)) and not leaks_card(
        logged_text(logged), NOT_LUHN.replace(" ", "")
    )


async def test_unknown_and_expired_links_are_404(
    client: httpx.AsyncClient, portal_backend: SqlBillingBackend, customer_ids: Ids, clock: Clock
) -> None:
    path = link_path(portal_backend, customer_ids[JOAO])
    for unknown in ("/secure/payment-method/nothing", "/secure/payment-method/%C3%A9"):
        response = await client.get(unknown, headers={"Accept-Language": "pt-BR"})
        assert (
            response.status_code == 404
            and "Este link não é válido, expirou ou já foi usado." in response.text
        )
        assert (await client.post(unknown, data=card_form())).status_code == 404
    clock.now = NOW + timedelta(minutes=30)  # links last 30 minutes
    assert (await client.get(path)).status_code == 404
    assert (await client.post(path, data=card_form())).status_code == 404
