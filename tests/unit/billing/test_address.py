"""Billing addresses typed in the chat, checked per country, and stored by the SQL backend."""

from __future__ import annotations

import pytest

from bot.billing.address import normalize_postal_code, parse_address
from bot.billing.models import BillingAddress
from bot.billing.sql.backend import SqlBillingBackend

from .configured import refusal
from .conftest import NOW


@pytest.mark.parametrize(
    ("text", "country", "expected"),
    [
        ("12 rue Oberkampf, 75011 Paris", "FR", ("12 rue Oberkampf", "75011", "Paris")),
        ("12 rue de l'Église 67000   Strasbourg", "FR", ("12 rue de l'Église", "67000", "Strasbourg")),
        (
            "non, c'est au 8 impasse du Moulin 35000 Rennes stp",
            "FR",
            ("8 impasse du Moulin", "35000", "Rennes"),
        ),
        (
            "résidence Les Pins, bât B, 3 rue Vauban, 21000 Dijon",
            "FR",
            ("résidence Les Pins, bât B, 3 rue Vauban", "21000", "Dijon"),
        ),
        (
            "meu endereço novo é Av. Sete de Setembro 1000, 40060-001 Salvador, obrigado!",
            "BR",
            ("Av. Sete de Setembro 1000", "40060-001", "Salvador"),
        ),
        ("lieu-dit Les Granges 24300 Saint-Front", "FR", ("lieu-dit Les Granges", "24300", "Saint-Front")),
        (
            "Rua Augusta, 1500 ap 12 - 01304-001 São Paulo/SP",
            "BR",
            ("Rua Augusta, 1500 ap 12", "01304-001", "São Paulo/SP"),
        ),
        (
            "rua augusta 1500, 01304001, Rio de Janeiro - RJ",
            "BR",
            ("rua augusta 1500", "01304-001", "Rio de Janeiro - RJ"),
        ),
        (
            "Avenida da Liberdade 110, 3.º esq., 1250-146 Lisboa",
            "PT",
            ("Avenida da Liberdade 110, 3.º esq.", "1250-146", "Lisboa"),
        ),
    ],
)
def test_an_address_is_split_around_its_postal_code(
    text: str, country: str, expected: tuple[str, str, str]
) -> None:
    assert parse_address(text, country) == BillingAddress(*expected)


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("75011 Paris", "FR"),  # no street
        ("12 rue Oberkampf 75011", "FR"),  # no city
        ("12 rue Oberkampf, Paris", "FR"),  # no postal code
        ("12 rue Oberkampf, 1100-148 Lisboa", "FR"),  # a Portuguese code for a French customer
        ("Rua da Graça 52, 1100148 Lisboa", "PT"),  # a Portuguese code needs its hyphen
        ("Rua Augusta 1500, 01304-001 12345", "BR"),  # a number is no city
        ("x" * 300 + " 75011 Paris", "FR"),
    ],
)
def test_an_incomplete_or_foreign_address_is_refused(text: str, country: str) -> None:
    assert parse_address(text, country) is None


def test_postal_codes_are_written_the_countrys_way() -> None:
    assert normalize_postal_code("01310 100", "BR") == "01310-100"
    assert normalize_postal_code("01310100", "BR") == "01310-100"
    assert normalize_postal_code("75 011", "FR") == "75011"
    assert normalize_postal_code("7501", "FR") is None
    assert normalize_postal_code("75011", "DE") is None


def test_the_backend_stores_a_checked_address_which_then_identifies_the_customer(
    backend: SqlBillingBackend, ids: dict[str, int]
) -> None:
    camille = ids["482130"]
    assert backend.billing_address(camille) == BillingAddress("12 rue Oberkampf", "75011", "Paris")
    stored = backend.update_billing_address(camille, BillingAddress(" 3  place Bellecour ", "69 002", "Lyon"))
    assert stored == BillingAddress("3 place Bellecour", "69002", "Lyon")
    assert backend.billing_address(camille) == stored
    assert backend.verify_identity("482130", "69002", NOW).customer is not None
    assert backend.verify_identity("482130", "75011", NOW).customer is None


def test_the_backend_refuses_an_invalid_address_and_keeps_the_old_one(
    backend: SqlBillingBackend, ids: dict[str, int]
) -> None:
    ana = ids["731402"]
    before = backend.billing_address(ana)
    assert refusal(backend.update_billing_address, ana, BillingAddress("Rua X 1", "75011", "Paris")) == (
        "invalid_address"
    )
    assert backend.billing_address(ana) == before
