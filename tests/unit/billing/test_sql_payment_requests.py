"""Paying now: payment options, card/Pix/boleto requests and the provider's confirmation webhook."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import Table, func, select
from sqlalchemy.engine import Engine

from bot.billing.backend import NotFound
from bot.billing.models import AccountStatus, PaymentMethodKind, PaymentRequestStatus
from bot.billing.payment_codes import (
    boleto_amount,
    boleto_due_factor,
    boleto_factor,
    boleto_line_is_valid,
    boleto_line_to_barcode,
    emv_fields,
    pix_crc_is_valid,
)
from bot.billing.references import ALPHABET
from bot.billing.sql.backend import SqlBillingBackend
from bot.billing.sql.schema import payment_requests, payments

from .configured import COLLECTION, configured_backend, refusal
from .conftest import BASE_URL, NOW, TODAY

Ids = dict[str, int]
CARD, PIX, BOLETO = PaymentMethodKind.CARD, PaymentMethodKind.PIX, PaymentMethodKind.BOLETO
CARLOS, CAMILLE, JULIEN, ANA = "845120", "482130", "517204", "731402"
REFERENCE = re.compile(rf"PG-[{ALPHABET}]{{6}}")


@pytest.fixture
def backend(seeded: Engine) -> SqlBillingBackend:
    return configured_backend(seeded)


def count(engine: Engine, table: Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_payment_options_follow_the_country(backend: SqlBillingBackend, ids: Ids) -> None:
    assert backend.payment_options(ids[CARLOS]) == (PIX, BOLETO, CARD)
    assert backend.payment_options(ids[CAMILLE]) == (CARD,)
    assert backend.payment_options(ids["159372"]) == (CARD,)  # Portugal
    with pytest.raises(NotFound):
        backend.payment_options(10**9)


def test_card_request(backend: SqlBillingBackend, ids: Ids) -> None:
    request = backend.create_payment_request(ids[JULIEN], Decimal("19.99"), CARD, NOW)
    assert REFERENCE.fullmatch(request.reference)
    assert request.url == f"{BASE_URL}/pay/{request.reference}"
    assert (request.amount, request.currency, request.method) == (Decimal("19.99"), "EUR", CARD)
    assert request.status is PaymentRequestStatus.PENDING and request.created_at == NOW
    assert request.expires_at == NOW + timedelta(minutes=60)
    assert request.pix_code is None and request.boleto_line is None and request.payable_from is None
    assert backend.get_payment_request(request.reference) == request
    assert backend.get_payment_request(request.reference.lower(), ids[JULIEN]) == request


def test_pix_request_carries_a_valid_code(backend: SqlBillingBackend, ids: Ids) -> None:
    request = backend.create_payment_request(ids[CARLOS], Decimal("299.7"), PIX, NOW)
    assert request.amount == Decimal("299.70") and request.currency == "BRL"
    assert request.expires_at == NOW + timedelta(minutes=30) and request.url is None
    assert request.pix_code is not None and pix_crc_is_valid(request.pix_code)
    fields = emv_fields(request.pix_code)
    txid = request.reference.replace("-", "")
    assert fields["54"] == "299.70" and fields["62"] == f"05{len(txid):02d}{txid}"
    assert emv_fields(fields["26"])["01"] == COLLECTION.pix_key
    assert (fields["59"], fields["60"]) == ("Fibra Demonstracao", "Sao Paulo")


def test_boleto_request_carries_a_valid_line(backend: SqlBillingBackend, ids: Ids) -> None:
    request = backend.create_payment_request(ids[CARLOS], Decimal("399.60"), BOLETO, NOW)
    due_on = date(2026, 3, 14)  # Wednesday + 3 days
    assert request.due_on == due_on and request.payable_from == date(2026, 3, 12)  # registered tomorrow
    # it expires when its due date ends in Brazil (UTC-3)
    assert request.expires_at == datetime(2026, 3, 15, 3, 0, tzinfo=timezone.utc)
    line = request.boleto_line
    assert line is not None and boleto_line_is_valid(line)
    barcode = boleto_line_to_barcode(line)
    assert barcode.startswith("9999") and boleto_amount(barcode) == Decimal("399.60")
    assert boleto_factor(barcode) == boleto_due_factor(due_on) == 1385  # 385 days after 22 Feb 2025


def test_boleto_dates_use_the_brazilian_calendar(seeded: Engine, ids: Ids) -> None:
    late_evening = datetime(2026, 3, 14, 1, 0, tzinfo=timezone.utc)  # still Friday 13th in São Paulo
    request = configured_backend(seeded, late_evening).create_payment_request(
        ids[CARLOS], Decimal("10.00"), BOLETO, late_evening
    )
    assert request.due_on == date(2026, 3, 16)
    assert request.payable_from == date(2026, 3, 16)  # the Saturday after is no business day


def test_request_refusals(backend: SqlBillingBackend, ids: Ids, seeded: Engine) -> None:
    assert refusal(backend.create_payment_request, ids[ANA], Decimal("10"), PIX, NOW) == "nothing_due"
    assert refusal(backend.create_payment_request, ids[ANA], Decimal("10"), CARD, NOW) == "nothing_due"
    carlos = ids[CARLOS]
    assert refusal(backend.create_payment_request, carlos, Decimal("0"), PIX, NOW) == "amount_not_positive"
    assert refusal(backend.create_payment_request, carlos, Decimal("-5"), PIX, NOW) == "amount_not_positive"
    assert (
        refusal(backend.create_payment_request, carlos, Decimal("0.004"), PIX, NOW) == "amount_not_positive"
    )
    assert (
        refusal(backend.create_payment_request, carlos, Decimal("399.61"), PIX, NOW) == "amount_above_balance"
    )
    assert (
        refusal(backend.create_payment_request, ids[JULIEN], Decimal("5"), PIX, NOW) == "method_not_available"
    )
    sepa = PaymentMethodKind.SEPA_DEBIT
    assert refusal(backend.create_payment_request, carlos, Decimal("5"), sepa, NOW) == "method_not_available"
    with pytest.raises(TypeError):
        backend.create_payment_request(carlos, 5.0, PIX, NOW)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        backend.create_payment_request(10**9, Decimal("5"), CARD, NOW)
    with pytest.raises(ValueError):
        backend.create_payment_request(carlos, Decimal("5"), PIX, NOW.replace(tzinfo=None))
    assert count(seeded, payment_requests) == 0


def test_another_customers_request_is_not_found(backend: SqlBillingBackend, ids: Ids) -> None:
    request = backend.create_payment_request(ids[CARLOS], Decimal("50"), PIX, NOW)
    with pytest.raises(NotFound):
        backend.get_payment_request(request.reference, ids[ANA])
    for unknown in ("PG-222222", "PG-\x00", "nonsense", ""):
        with pytest.raises(NotFound):
            backend.get_payment_request(unknown)
        with pytest.raises(NotFound):
            backend.confirm_payment_request(unknown, "psp-1", NOW)


def test_pix_payment_confirmed_lifts_the_suspension(
    backend: SqlBillingBackend, ids: Ids, seeded: Engine
) -> None:
    carlos = ids[CARLOS]
    assert backend.service_status(carlos, TODAY).status is AccountStatus.SUSPENDED
    request = backend.create_payment_request(carlos, Decimal("299.70"), PIX, NOW)
    paid_at = NOW + timedelta(minutes=3)
    payment = backend.confirm_payment_request(request.reference, "e2e-E1234567", paid_at)
    assert (payment.amount, payment.method, payment.paid_at) == (Decimal("299.70"), PIX, paid_at)
    assert payment.provider_reference == "e2e-E1234567" and payment.customer_id == carlos
    summary = backend.get_account_summary(carlos, TODAY)
    assert summary.overdue_invoices == 0 and summary.balance == Decimal("99.90")
    assert backend.service_status(carlos, TODAY).status is AccountStatus.ACTIVE
    assert backend.get_payment_request(request.reference).status is PaymentRequestStatus.PAID
    # the webhook delivered again: same payment, nothing recorded twice
    before = count(seeded, payments)
    assert (
        backend.confirm_payment_request(request.reference, "e2e-E1234567", NOW + timedelta(hours=2))
        == payment
    )
    assert count(seeded, payments) == before
    assert (
        refusal(backend.confirm_payment_request, request.reference, "e2e-OTHER", paid_at)
        == "payment_request_already_paid"
    )


def test_a_partial_payment_keeps_the_suspension(backend: SqlBillingBackend, ids: Ids) -> None:
    carlos = ids[CARLOS]
    request = backend.create_payment_request(carlos, Decimal("99.90"), CARD, NOW)
    backend.confirm_payment_request(request.reference, "card-1", NOW)
    assert backend.get_account_summary(carlos, TODAY).overdue_invoices == 2
    assert backend.service_status(carlos, TODAY).status is AccountStatus.SUSPENDED


def test_an_expired_request_is_refused(backend: SqlBillingBackend, ids: Ids, seeded: Engine) -> None:
    request = backend.create_payment_request(ids[CARLOS], Decimal("50"), PIX, NOW)
    expiry = NOW + timedelta(minutes=30)
    recorded = count(seeded, payments)
    assert (
        configured_backend(seeded, expiry - timedelta(seconds=1))
        .get_payment_request(request.reference)
        .status
        is PaymentRequestStatus.PENDING
    )
    assert configured_backend(seeded, expiry).get_payment_request(request.reference).status is (
        PaymentRequestStatus.EXPIRED
    )
    assert refusal(backend.confirm_payment_request, request.reference, "e2e-late", expiry) == (
        "payment_request_expired"
    )
    assert count(seeded, payments) == recorded


def test_a_provider_reference_is_used_once(backend: SqlBillingBackend, ids: Ids) -> None:
    backend.record_payment(ids[JULIEN], Decimal("1.00"), CARD, "psp-777", NOW)
    request = backend.create_payment_request(ids[JULIEN], Decimal("5.00"), CARD, NOW)
    assert refusal(backend.confirm_payment_request, request.reference, "psp-777", NOW) == (
        "provider_reference_conflict"
    )
    for bad in ("", "x" * 65, "bad\x00ref"):
        assert refusal(backend.confirm_payment_request, request.reference, bad, NOW) == (
            "provider_reference_invalid"
        )
    assert backend.get_payment_request(request.reference).status is PaymentRequestStatus.PENDING


def test_payments_settle_the_oldest_invoices_first(backend: SqlBillingBackend, ids: Ids) -> None:
    julien = ids[JULIEN]
    oldest = backend.get_invoice(julien, backend.late_charges(julien, TODAY)[0].invoice_reference)
    request = backend.create_payment_request(julien, Decimal("25.00"), CARD, NOW)
    payment = backend.confirm_payment_request(request.reference, "psp-9", NOW)
    assert payment.invoice_reference == oldest.reference
    assert backend.get_account_summary(julien, TODAY).balance == Decimal("14.98")
