"""Invoice links and e-mails, contact details, previews, policies, first invoice, tickets, and the
upgrade of a database made by migration 0001."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Table, select, text
from sqlalchemy.engine import Engine

from bot.billing.backend import NotAllowed, NotFound
from bot.billing.database import make_engine, migrate
from bot.billing.invoice_links import read_invoice_token
from bot.billing.models import BillingAddress, LineKind, NewTicket
from bot.billing.policy import policy_for
from bot.billing.sql.backend import SqlBillingBackend
from bot.billing.sql.schema import (
    customers,
    email_outbox,
    installment_agreements,
    invoices,
    metadata,
    pending_charges,
)

from .configured import LINK_SECRET, configured_backend, refusal
from .conftest import BASE_URL, NOW, TODAY

Ids = dict[str, int]
CAMILLE, JULIEN, THOMAS, ANA, CARLOS = "482130", "517204", "624511", "731402", "845120"


@pytest.fixture
def backend(seeded: Engine) -> SqlBillingBackend:
    return configured_backend(seeded)


def rows(engine: Engine, table: Table) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(table)).all())


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


# -- invoice links --------------------------------------------------------------------------------------
def test_invoice_link_opens_the_pdf(backend: SqlBillingBackend, ids: Ids) -> None:
    invoice = backend.list_invoices(ids[CAMILLE], 1)[0]
    link = backend.invoice_link(ids[CAMILLE], invoice.reference.lower(), "fr-FR", NOW)
    assert link.url.startswith(f"{BASE_URL}/invoices/") and link.url.endswith(".pdf")
    assert link.expires_at == NOW + timedelta(minutes=60)
    document, name = backend.open_invoice_link(token_of(link.url), NOW + timedelta(minutes=59))
    assert document.startswith(b"%PDF") and invoice.reference.encode() in document
    assert name == f"{invoice.reference}.pdf"
    assert backend.open_invoice_link(token_of(link.url).removesuffix(".pdf"), NOW)[1] == name
    subject = read_invoice_token(LINK_SECRET, token_of(link.url), NOW)
    assert (subject.customer_id, subject.reference, subject.language) == (
        ids[CAMILLE],
        invoice.reference,
        "fr",
    )


def test_the_link_language_falls_back_to_the_customers(backend: SqlBillingBackend, ids: Ids) -> None:
    reference = backend.list_invoices(ids[ANA], 1)[0].reference
    for asked, used in (("pt-BR", "pt"), ("xx", "pt"), ("fr", "fr")):
        token = token_of(backend.invoice_link(ids[ANA], reference, asked, NOW).url)
        assert read_invoice_token(LINK_SECRET, token, NOW).language == used


def test_invoice_links_are_private_and_expire(backend: SqlBillingBackend, ids: Ids, seeded: Engine) -> None:
    reference = backend.list_invoices(ids[CAMILLE], 1)[0].reference
    for other_or_unknown in ((ids[JULIEN], reference), (ids[CAMILLE], "F000000-0000"), (10**9, reference)):
        with pytest.raises(NotFound):
            backend.invoice_link(*other_or_unknown, "fr", NOW)
    link = backend.invoice_link(ids[CAMILLE], reference, "fr", NOW)
    with pytest.raises(NotFound):
        backend.open_invoice_link(token_of(link.url), link.expires_at)
    with pytest.raises(NotFound):  # another deployment's secret
        configured_backend(seeded, link_secret="another").open_invoice_link(token_of(link.url), NOW)
    for garbage in ("", "x.pdf", "\x00", token_of(link.url)[:-6] + "AAAAAA"):
        with pytest.raises(NotFound):
            backend.open_invoice_link(garbage, NOW)
    # a second process with the same secret reads it (the secret is shared, nothing is stored)
    assert configured_backend(seeded).open_invoice_link(token_of(link.url), NOW)[1] == f"{reference}.pdf"


# -- invoice e-mails ------------------------------------------------------------------------------------
def test_send_invoice_email_queues_it(backend: SqlBillingBackend, ids: Ids, seeded: Engine) -> None:
    reference = backend.list_invoices(ids[CAMILLE], 1)[0].reference
    sent = backend.send_invoice_email(ids[CAMILLE], reference.lower(), "pt-PT", NOW)
    assert (sent.reference, sent.to_masked, sent.sent_at) == (reference, "c•••••@example.com", NOW)
    (queued,) = rows(seeded, email_outbox)
    assert queued.recipient == "camille.martin@example.com" and queued.customer_id == ids[CAMILLE]
    assert (queued.invoice_reference, queued.language, queued.status) == (reference, "pt", "queued")
    assert queued.subject_key == "email.invoice.subject" and queued.created_at == NOW
    with pytest.raises(NotFound):
        backend.send_invoice_email(ids[JULIEN], reference, "fr", NOW)
    assert len(rows(seeded, email_outbox)) == 1


# -- contact details ------------------------------------------------------------------------------------
def test_update_contact_stores_normalized_values(backend: SqlBillingBackend, ids: Ids) -> None:
    camille = backend.update_contact(ids[CAMILLE], email=" Camille.M@Example.FR ", phone="06 98 76 54 32")
    assert (camille.email, camille.phone) == ("Camille.M@example.fr", "+33698765432")
    assert backend.get_customer(ids[CAMILLE]) == camille
    assert backend.update_contact(ids[ANA], phone="(11) 91234-5678").phone == "+5511912345678"
    assert backend.update_contact(ids["159372"], phone="+351 912 000 111").phone == "+351912000111"
    assert backend.update_contact(ids[ANA]) == backend.get_customer(ids[ANA])  # nothing to change


def test_invalid_contact_details_change_nothing(backend: SqlBillingBackend, ids: Ids) -> None:
    before = backend.get_customer(ids[CAMILLE])
    with pytest.raises(NotAllowed) as refused:
        backend.update_contact(ids[CAMILLE], email="camille@", phone="06 98 76 54 32")
    assert refused.value.reason == "invalid_email"
    with pytest.raises(NotAllowed) as refused:
        backend.update_contact(ids[CAMILLE], email="new@example.com", phone="+55 11 91234-5678")
    assert refused.value.reason == "invalid_phone"
    assert backend.get_customer(ids[CAMILLE]) == before
    with pytest.raises(NotFound):
        backend.update_contact(10**9, email="a@example.com")


# -- previews -------------------------------------------------------------------------------------------
def test_due_day_preview_is_what_the_change_does(
    backend: SqlBillingBackend, ids: Ids, seeded: Engine
) -> None:
    camille = ids[CAMILLE]
    preview = backend.preview_due_day_change(camille, 28, TODAY)
    assert backend.get_subscription(camille).due_day == 22 and rows(seeded, pending_charges) == []
    assert backend.preview_due_day_change(camille, 28, TODAY) == preview
    assert backend.change_due_day(camille, 28, TODAY) == preview
    assert refusal(backend.preview_due_day_change, camille, 5, TODAY) == "due_day_changed_recently"
    assert refusal(backend.preview_due_day_change, ids[JULIEN], 7, TODAY) == "due_day_not_allowed"
    assert refusal(backend.preview_due_day_change, ids[CARLOS], 20, TODAY) == "account_suspended"
    joao = ids["159372"]  # due on the 20th
    earlier = backend.preview_due_day_change(joao, 5, date(2026, 3, 2))
    assert earlier.prorata_amount < 0 and backend.change_due_day(joao, 5, date(2026, 3, 2)) == earlier


def test_installment_preview_is_what_the_agreement_does(
    backend: SqlBillingBackend, ids: Ids, seeded: Engine
) -> None:
    carlos = ids[CARLOS]
    invoices_before = rows(seeded, invoices)
    preview = backend.preview_installment_agreement(carlos, 4, TODAY)
    assert preview.reference == "" and preview.customer_id == carlos and len(preview.installments) == 4
    assert rows(seeded, invoices) == invoices_before and len(rows(seeded, installment_agreements)) == 1
    created = backend.create_installment_agreement(carlos, 4, TODAY)
    assert replace(created, reference="") == preview
    assert refusal(backend.preview_installment_agreement, carlos, 4, TODAY) == "agreement_already_active"
    for count, reason in (
        (11, "installments_above_max"),
        (10, "installment_below_min"),
        (1, "installments_too_few"),
    ):
        assert refusal(backend.preview_installment_agreement, ids["386215"], count, TODAY) == reason
    assert refusal(backend.preview_installment_agreement, ids[CAMILLE], 3, TODAY) == "nothing_overdue"


# -- policy, first invoice, tickets ---------------------------------------------------------------------
def test_customer_policy(seeded: Engine, ids: Ids) -> None:
    assert configured_backend(seeded).customer_policy(ids[ANA]) == policy_for("BR")
    gentler = replace(policy_for("FR"), late_fixed_fee=Decimal("5.00"))
    backend = configured_backend(seeded, policies={"fr": gentler})
    assert backend.customer_policy(ids[CAMILLE]) == gentler
    assert backend.customer_policy(ids["159372"]) == policy_for("PT")
    with pytest.raises(NotFound):
        backend.customer_policy(10**9)


def test_first_invoice(backend: SqlBillingBackend, ids: Ids) -> None:
    first = backend.first_invoice(ids[THOMAS])
    assert first is not None and first.lines[0].kind is LineKind.PRORATA
    assert first.lines[0].period_start == backend.get_subscription(ids[THOMAS]).started_on
    # a plan upgrade adds a later pro-rata invoice: the first one stays the first
    backend.change_plan(ids[THOMAS], "fr-fibre-max", TODAY)
    assert backend.first_invoice(ids[THOMAS]) == first
    assert backend.first_invoice(ids[CAMILLE]) is None  # customer for years: no longer on record
    with pytest.raises(NotFound):
        backend.first_invoice(10**9)


def test_list_tickets_most_recent_first(backend: SqlBillingBackend, ids: Ids) -> None:
    def ticket(customer: str, minutes: int, topic: str) -> str:
        new = NewTicket("web", "fr", topic, "résumé", customer_id=ids[customer])
        return backend.create_ticket(new, NOW + timedelta(minutes=minutes)).reference

    older, newer, newest = ticket(CAMILLE, 0, "a"), ticket(CAMILLE, 5, "b"), ticket(CAMILLE, 9, "c")
    ticket(JULIEN, 10, "other")
    assert [t.reference for t in backend.list_tickets(ids[CAMILLE])] == [newest, newer, older]
    assert [t.reference for t in backend.list_tickets(ids[CAMILLE], limit=2)] == [newest, newer]
    assert backend.list_tickets(ids[ANA]) == []
    with pytest.raises(NotFound):
        backend.list_tickets(10**9)


# -- later migrations on a database made by 0001 -----------------------------------------------------------
CUSTOMER_OF_0001 = text(
    "INSERT INTO customers (number, name, email, phone, country, currency, language, status, created_on,"
    " postal_code, city) VALUES ('100200', 'Old Customer', 'old@example.com', '+33612345678', 'FR', 'EUR',"
    " 'fr', 'active', '2025-01-15', '75011', 'Paris')"
)


def test_migrate_upgrades_a_0001_database_and_keeps_its_customers(blank_database: str) -> None:
    engine = make_engine(blank_database)
    try:
        migrate(engine, "0001")
        with engine.begin() as conn:  # the 0001 columns only: today's seed writes newer ones
            conn.execute(CUSTOMER_OF_0001)
        migrate(engine)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
            old = conn.execute(select(customers).where(customers.c.number == "100200")).one()
        assert (old.postal_code, old.city, old.street) == ("75011", "Paris", None)
        backend = configured_backend(engine)
        assert backend.billing_address(old.id) == BillingAddress("", "75011", "Paris")
        request = backend.create_ticket(
            NewTicket(channel="rest", language="fr", topic="other", summary="hello", customer_id=old.id), NOW
        )
        assert backend.get_ticket(request.reference, old.id).customer_id == old.id
    finally:
        engine.dispose()
