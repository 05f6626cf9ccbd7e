"""The backend methods behind the payment-method page, on SQLite and PostgreSQL (the billing fixtures)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.billing.backend import NotAllowed, NotFound
from bot.billing.models import NewPaymentMethod, PaymentMethodKind
from bot.billing.sql import mappers
from bot.billing.sql.backend import SqlBillingBackend
from bot.billing.sql.schema import payment_method_links, payment_methods
from tests.unit.billing.configured import configured_backend

from .conftest import NOW, Ids
from .helpers import count

CARD, SEPA = PaymentMethodKind.CARD, PaymentMethodKind.SEPA_DEBIT
CAMILLE, JOAO = "482130", "159372"
NEW_CARD = NewPaymentMethod(CARD, "Visa •••• 4242", "Camille Martin", "12/30")


@pytest.fixture
def backend(seeded: Engine) -> SqlBillingBackend:
    return configured_backend(seeded)


def new_link(backend: SqlBillingBackend, customer_id: int) -> str:
    return backend.create_payment_method_link(customer_id, NOW).url.rsplit("/", 1)[1]


def test_checking_a_link_leaves_it_usable(backend: SqlBillingBackend, ids: Ids, seeded: Engine) -> None:
    token = new_link(backend, ids[CAMILLE])
    assert backend.check_payment_method_link(token, NOW) == ids[CAMILLE]
    assert backend.check_payment_method_link(token, NOW + timedelta(minutes=29)) == ids[CAMILLE]
    with seeded.connect() as conn:
        assert conn.execute(select(payment_method_links.c.used_at)).scalar_one() is None
    for refused_token, at in (
        (token, NOW + timedelta(minutes=30)),  # expired
        ("not-a-token", NOW),
        ("\ud800", NOW),
    ):
        with pytest.raises(NotFound):
            backend.check_payment_method_link(refused_token, at)
    with pytest.raises(ValueError):
        backend.check_payment_method_link(token, NOW.replace(tzinfo=None))


def test_adding_a_method_uses_up_the_link_and_makes_it_the_default(
    backend: SqlBillingBackend, ids: Ids, seeded: Engine
) -> None:
    camille = ids[CAMILLE]
    before = backend.list_payment_methods(camille)
    assert any(method.is_default for method in before)
    token = new_link(backend, camille)
    added = backend.add_payment_method_with_link(token, NEW_CARD, NOW)
    assert (added.customer_id, added.kind, added.masked, added.holder, added.expires, added.is_default) == (
        camille,
        CARD,
        "Visa •••• 4242",
        "Camille Martin",
        "12/30",
        True,
    )
    after = backend.list_payment_methods(camille)
    assert after[0] == added and len(after) == len(before) + 1
    assert [method.is_default for method in after] == [True] + [False] * len(before)
    with seeded.connect() as conn:
        assert conn.execute(select(payment_method_links.c.used_at)).scalar_one() == NOW
    with pytest.raises(NotFound):
        backend.check_payment_method_link(token, NOW)
    with pytest.raises(NotFound):
        backend.add_payment_method_with_link(token, NEW_CARD, NOW)
    assert len(backend.list_payment_methods(camille)) == len(after)
    # Only the customer of the link is touched.
    assert [m.is_default for m in backend.list_payment_methods(ids[JOAO])].count(True) == 1


def test_a_sepa_debit_has_no_expiry(backend: SqlBillingBackend, ids: Ids) -> None:
    token = new_link(backend, ids[CAMILLE])
    added = backend.add_payment_method_with_link(
        token, NewPaymentMethod(SEPA, "FR76 •••• 0189", "Camille Martin"), NOW
    )
    assert (added.kind, added.masked, added.expires, added.is_default) == (SEPA, "FR76 •••• 0189", None, True)


@pytest.mark.parametrize(
    "method",
    [
        NewPaymentMethod(CARD, "4242 4242 4242 4242", "Camille Martin", "12/30"),  # not masked
        NewPaymentMethod(CARD, "Visa •••• 4242424242424242", "Camille Martin", "12/30"),
        NewPaymentMethod(CARD, "Visa •••• 4242", "Camille Martin"),  # a card needs its expiry
        NewPaymentMethod(CARD, "Visa •••• 4242", "Camille Martin", "13/30"),
        NewPaymentMethod(SEPA, "FR7630006000011234567890189", "Camille Martin"),
        NewPaymentMethod(SEPA, "FR76 •••• 0189", "Camille Martin", "12/30"),
        NewPaymentMethod(CARD, "Visa •••• 4242", " ", "12/30"),
        NewPaymentMethod(CARD, "Visa •••• 4242", "x" * 121, "12/30"),
        NewPaymentMethod(CARD, "V" * 40 + " •••• 4242", "Camille Martin", "12/30"),
    ],
)
def test_invalid_details_are_refused_and_leave_the_link_usable(
    backend: SqlBillingBackend, ids: Ids, seeded: Engine, method: NewPaymentMethod
) -> None:
    token = new_link(backend, ids[CAMILLE])
    stored = count(seeded, payment_methods)
    with pytest.raises(NotAllowed) as refused:
        backend.add_payment_method_with_link(token, method, NOW)
    assert refused.value.reason == "payment_method_invalid"
    assert count(seeded, payment_methods) == stored
    assert backend.check_payment_method_link(token, NOW) == ids[CAMILLE]


@pytest.mark.parametrize(
    ("number", "method"),
    [
        (CAMILLE, NewPaymentMethod(PaymentMethodKind.PIX, "Pix •••• 0000", "Camille Martin")),
        (CAMILLE, NewPaymentMethod(PaymentMethodKind.BOLETO, "Boleto •••• 0000", "Camille Martin")),
        ("731402", NewPaymentMethod(SEPA, "FR76 •••• 0189", "Ana Souza")),  # Brazil: no SEPA debit
    ],
)
def test_a_kind_the_country_does_not_keep_on_file_is_refused(
    backend: SqlBillingBackend, ids: Ids, seeded: Engine, number: str, method: NewPaymentMethod
) -> None:
    token = new_link(backend, ids[number])
    stored = count(seeded, payment_methods)
    with pytest.raises(NotAllowed) as refused:
        backend.add_payment_method_with_link(token, method, NOW)
    assert refused.value.reason == "payment_method_unavailable"
    assert count(seeded, payment_methods) == stored
    assert backend.check_payment_method_link(token, NOW) == ids[number]


def test_a_failure_after_using_the_link_rolls_everything_back(
    backend: SqlBillingBackend, ids: Ids, seeded: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    camille = ids[CAMILLE]
    token = new_link(backend, camille)
    before = backend.list_payment_methods(camille)

    def broken(_: object) -> None:
        raise RuntimeError("the database went away after the insert")

    monkeypatch.setattr(mappers, "payment_method", broken)
    with pytest.raises(RuntimeError):
        backend.add_payment_method_with_link(token, NEW_CARD, NOW)
    monkeypatch.undo()
    assert backend.list_payment_methods(camille) == before  # defaults untouched, nothing added
    assert backend.check_payment_method_link(token, NOW) == camille  # the link is still usable
