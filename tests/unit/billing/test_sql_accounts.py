"""Account summaries, invoices, payments and payment methods on the demo data."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.billing.backend import NotAllowed, NotFound
from bot.billing.models import AccountStatus, InvoiceStatus, LineKind, NewPaymentMethod, PaymentMethodKind
from bot.billing.rules import debit_date
from bot.billing.sql.backend import SqlBillingBackend
from bot.billing.sql.schema import payment_method_links

from .conftest import BASE_URL, NOW, TODAY

Ids = dict[str, int]


def test_summary_of_a_customer_up_to_date(backend: SqlBillingBackend, ids: Ids) -> None:
    summary = backend.get_account_summary(ids["482130"], TODAY)
    assert summary.customer.status is AccountStatus.ACTIVE and summary.currency == "EUR"
    assert (summary.overdue_amount, summary.overdue_invoices) == (Decimal("0.00"), 0)
    assert summary.next_due_on == date(2026, 3, 22) and summary.next_amount == Decimal("39.99")
    assert summary.auto_pay and summary.next_debit_on == date(2026, 3, 23)  # the 22nd is a Sunday
    assert backend.get_subscription(ids["482130"]).plan.name == "Fibre Pro"


def test_summary_with_an_overdue_invoice(backend: SqlBillingBackend, ids: Ids) -> None:
    summary = backend.get_account_summary(ids["517204"], TODAY)
    assert (summary.overdue_amount, summary.overdue_invoices) == (Decimal("19.99"), 1)
    assert summary.balance == Decimal("39.98")  # the next invoice is issued, not yet due
    (late,) = backend.late_charges(ids["517204"], TODAY)
    assert (late.days_late, late.fee, late.interest) == (17, Decimal("7.50"), Decimal("0.09"))
    assert late.total == Decimal("27.58")
    overdue = backend.get_invoice(ids["517204"], late.invoice_reference)
    assert overdue.reminders_sent == 1 and overdue.is_overdue(TODAY)


def test_summary_of_a_suspended_customer(backend: SqlBillingBackend, ids: Ids) -> None:
    summary = backend.get_account_summary(ids["845120"], TODAY)
    assert summary.customer.status is AccountStatus.SUSPENDED
    assert (summary.overdue_amount, summary.overdue_invoices) == (Decimal("299.70"), 3)
    assert not summary.auto_pay and summary.next_debit_on is None
    charges = backend.late_charges(ids["845120"], TODAY)
    assert len(charges) == 3
    for charge in charges:  # Brazil: 2 % fine, 1 % a month
        assert charge.fee == Decimal("1.99")
        assert charge.interest <= charge.overdue_amount * Decimal("0.01") * charge.days_late / 30


def test_summary_with_an_installment_agreement(backend: SqlBillingBackend, ids: Ids) -> None:
    fernanda = ids["912733"]
    summary = backend.get_account_summary(fernanda, TODAY)
    agreement = backend.active_installment_agreement(fernanda)
    assert agreement is not None and agreement.reference == "AC-FM5R9T" and len(agreement.installments) == 5
    assert summary.overdue_invoices == 0
    third = agreement.installments[2]
    remaining = sum(item.amount for item in agreement.installments[2:])
    assert summary.balance == remaining + Decimal("129.90")  # and this month's invoice
    assert summary.next_due_on == third.due_on == date(2026, 3, 20)
    assert summary.next_amount == third.amount + Decimal("129.90")
    replaced = [
        invoice for invoice in backend.list_invoices(fernanda, 20) if invoice.status is InvoiceStatus.VOID
    ]
    assert len(replaced) == 2
    assert backend.get_installment_agreement(fernanda, "ac fm5r9t") == agreement
    for other_or_unknown in ("AC-FM5R9T", "AC-\x00"):
        with pytest.raises(NotFound):
            backend.get_installment_agreement(ids["845120"], other_or_unknown)


def test_other_states(backend: SqlBillingBackend, ids: Ids) -> None:
    sophie = backend.get_account_summary(ids["300918"], TODAY)
    assert sophie.customer.status is AccountStatus.CANCELLATION_PENDING
    thomas = backend.list_invoices(ids["624511"])
    assert len(thomas) == 1 and [line.kind for line in thomas[0].lines] == [
        LineKind.PRORATA,
        LineKind.SUBSCRIPTION,
    ]
    ana = backend.get_account_summary(ids["731402"], TODAY)
    assert ana.balance == 0 and ana.next_amount == Decimal("129.90") and ana.next_due_on == date(2026, 4, 10)
    joao = backend.get_account_summary(ids["159372"], TODAY)
    assert joao.customer.country == "PT" and joao.next_debit_on == debit_date(date(2026, 3, 20))


def test_invoices_are_listed_newest_first_and_private(backend: SqlBillingBackend, ids: Ids) -> None:
    invoices = backend.list_invoices(ids["482130"], limit=3)
    assert len(invoices) == 3
    assert [i.issued_on for i in invoices] == sorted((i.issued_on for i in invoices), reverse=True)
    reference = invoices[0].reference
    assert backend.get_invoice(ids["482130"], reference.lower()) == invoices[0]
    with pytest.raises(NotFound):
        backend.get_invoice(ids["517204"], reference)
    for unknown in ("F000000-0000", "F202603-\x00"):
        with pytest.raises(NotFound):
            backend.get_invoice(ids["482130"], unknown)
    with pytest.raises(NotFound):
        backend.render_invoice_pdf(ids["517204"], reference, "fr")


def test_invoice_pdf(backend: SqlBillingBackend, ids: Ids) -> None:
    reference = backend.list_invoices(ids["731402"], 1)[0].reference
    document = backend.render_invoice_pdf(ids["731402"], reference, "pt-BR")
    assert document.startswith(b"%PDF") and reference.encode() in document
    assert backend.render_invoice_pdf(ids["731402"], reference, "xx").startswith(b"%PDF")


def test_record_payment_is_idempotent_and_settles_the_oldest_first(
    backend: SqlBillingBackend, ids: Ids
) -> None:
    julien = ids["517204"]
    oldest, newest = sorted(
        (i for i in backend.list_invoices(julien) if i.status is InvoiceStatus.OPEN), key=lambda i: i.due_on
    )
    payment = backend.record_payment(julien, Decimal("25.00"), PaymentMethodKind.CARD, "psp-123", NOW)
    assert payment.invoice_reference == oldest.reference and payment.amount == Decimal("25.00")
    again = backend.record_payment(julien, Decimal("25.00"), PaymentMethodKind.CARD, "psp-123", NOW)
    assert again == payment
    assert backend.get_invoice(julien, oldest.reference).status is InvoiceStatus.PAID
    partly = backend.get_invoice(julien, newest.reference)
    assert partly.status is InvoiceStatus.OPEN and partly.amount_paid == Decimal("5.01")
    assert backend.get_account_summary(julien, TODAY).balance == Decimal("14.98")
    assert backend.list_payments(julien, 1)[0] == payment
    with pytest.raises(NotAllowed):
        backend.record_payment(ids["482130"], Decimal("1.00"), PaymentMethodKind.CARD, "psp-123", NOW)
    with pytest.raises(NotAllowed):
        backend.record_payment(julien, Decimal("0"), PaymentMethodKind.CARD, "psp-124", NOW)


def test_paying_everything_lifts_a_suspension(backend: SqlBillingBackend, ids: Ids) -> None:
    carlos = ids["845120"]
    backend.record_payment(carlos, Decimal("299.70"), PaymentMethodKind.PIX, "pix-e2e-1", NOW)
    assert backend.get_account_summary(carlos, TODAY).overdue_invoices == 0
    assert backend.service_status(carlos, TODAY).status is AccountStatus.ACTIVE


def test_payment_method_link_stores_only_a_hash(backend: SqlBillingBackend, ids: Ids, seeded: Engine) -> None:
    link = backend.create_payment_method_link(ids["482130"], NOW)
    assert link.url.startswith(f"{BASE_URL}/secure/payment-method/")
    assert link.expires_at == NOW + timedelta(minutes=30)
    token = link.url.rsplit("/", 1)[1]
    assert len(token) >= 40
    with seeded.connect() as conn:
        rows = conn.execute(select(payment_method_links)).all()
    assert len(rows) == 1
    assert rows[0].token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(tuple(rows[0]))
    assert rows[0].expires_at == link.expires_at
    assert backend.create_payment_method_link(ids["482130"], NOW).url != link.url


def test_payment_method_link_expires_and_is_single_use(backend: SqlBillingBackend, ids: Ids) -> None:
    token = backend.create_payment_method_link(ids["482130"], NOW).url.rsplit("/", 1)[1]
    expired = backend.create_payment_method_link(ids["482130"], NOW).url.rsplit("/", 1)[1]
    card = NewPaymentMethod(PaymentMethodKind.CARD, "Visa •••• 4242", "Camille Martin", "12/29")
    with pytest.raises(NotFound):
        backend.check_payment_method_link(expired, NOW + timedelta(minutes=30))
    with pytest.raises(NotFound):
        backend.add_payment_method_with_link(expired, card, NOW + timedelta(minutes=30))
    later = NOW + timedelta(minutes=29)
    assert backend.check_payment_method_link(token, later) == ids["482130"]
    assert backend.add_payment_method_with_link(token, card, later).is_default
    for used_or_unknown in (token, "not-a-token", "é" * 50, "\ud800", "\x00"):
        with pytest.raises(NotFound):
            backend.check_payment_method_link(used_or_unknown, NOW)
        with pytest.raises(NotFound):
            backend.add_payment_method_with_link(used_or_unknown, card, NOW)
    with pytest.raises(NotFound):
        backend.create_payment_method_link(10**9, NOW)


def test_payment_methods_and_auto_pay(backend: SqlBillingBackend, ids: Ids) -> None:
    card, sepa = backend.list_payment_methods(ids["482130"])
    assert card.is_default and card.masked == "Visa •••• 4242" and not sepa.is_default
    assert backend.set_default_payment_method(ids["482130"], sepa.id).is_default
    assert [m.is_default for m in backend.list_payment_methods(ids["482130"])] == [True, False]
    with pytest.raises(NotFound):
        backend.set_default_payment_method(ids["517204"], card.id)
    assert backend.set_auto_pay(ids["482130"], False).auto_pay is False
    with pytest.raises(NotAllowed) as refused:
        backend.set_auto_pay(ids["731402"], True)  # boleto
    assert refused.value.reason == "auto_pay_needs_card_or_direct_debit"


def test_notas_fiscais_add_up_to_the_monthly_fee(backend: SqlBillingBackend, ids: Ids) -> None:
    notas = backend.list_notas_fiscais(ids["731402"], "2026-02")
    assert len(notas) == 2 and sum(n.amount for n in notas) == Decimal("129.90")
    assert {n.issued_on for n in notas} == {date(2026, 2, 25)}
    assert backend.list_notas_fiscais(ids["731402"], "2026-13") == []
    assert backend.list_notas_fiscais(ids["482130"], "2026-02") == []


def test_price_adjustment(backend: SqlBillingBackend, ids: Ids) -> None:
    adjustment = backend.latest_price_adjustment(ids["268054"])
    assert adjustment is not None and adjustment.index_name == "IGP-M"
    assert (adjustment.percent, adjustment.old_price, adjustment.new_price) == (
        Decimal("4.500"),
        Decimal("99.90"),
        Decimal("104.40"),
    )
    assert adjustment.effective_on == TODAY - timedelta(days=14)
    assert backend.get_subscription(ids["268054"]).monthly_price == Decimal("104.40")
    assert backend.latest_price_adjustment(ids["482130"]) is None


def test_unknown_customer(backend: SqlBillingBackend) -> None:
    with pytest.raises(NotFound):
        backend.get_customer(10**9)
    with pytest.raises(NotFound):
        backend.get_account_summary(10**9, TODAY)
    assert [p.name for p in backend.list_plans("fr")] == ["Essentiel", "Fibre Pro", "Fibre Max"]
    assert backend.list_plans("ES") == []
