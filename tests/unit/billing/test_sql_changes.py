"""Plan and due-day changes, installment agreements, cancellation, trust release and tickets."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.billing import rules
from bot.billing.backend import NotFound
from bot.billing.models import AccountStatus, InvoiceStatus, LineKind, NewTicket, TicketStatus
from bot.billing.sql.backend import SqlBillingBackend
from bot.billing.sql.schema import pending_charges

from .configured import refusal
from .conftest import NOW, TODAY

Ids = dict[str, int]


# -- plans ----------------------------------------------------------------------------------------------
def test_upgrade_is_charged_now_pro_rata(backend: SqlBillingBackend, ids: Ids) -> None:
    camille = ids["482130"]
    preview = backend.preview_plan_change(camille, "fr-fibre-max", TODAY)
    # the invoice due on 22 March (service up to 21 April) is already issued: the difference runs to then
    expected = rules.prorata(Decimal("20.00"), TODAY, date(2026, 4, 22), "EUR")
    assert preview.is_upgrade and preview.effective_on == TODAY
    assert preview.charge_now == expected and preview.next_invoice_amount == Decimal("59.99")
    assert backend.change_plan(camille, "fr-fibre-max", TODAY) == preview
    assert backend.get_subscription(camille).plan.code == "fr-fibre-max"
    newest = backend.list_invoices(camille, 1)[0]
    assert newest.issued_on == TODAY and newest.total == expected
    assert newest.lines[0].kind is LineKind.PRORATA and newest.lines[0].label == "Fibre Max"


def test_downgrade_waits_for_the_next_period(backend: SqlBillingBackend, ids: Ids) -> None:
    ana = ids["731402"]  # her next invoice (due 10 April) is not issued yet
    preview = backend.change_plan(ana, "br-fibra-300", TODAY)
    assert not preview.is_upgrade and preview.charge_now == 0
    assert preview.effective_on == date(2026, 4, 10) and preview.next_invoice_amount == Decimal("99.90")
    subscription = backend.get_subscription(ana)
    assert subscription.plan.code == "br-fibra-600"
    assert (subscription.scheduled_plan_code, subscription.scheduled_change_on) == (
        "br-fibra-300",
        date(2026, 4, 10),
    )
    assert all(invoice.issued_on < TODAY for invoice in backend.list_invoices(ana, 50))  # nothing billed now


def test_plan_changes_that_are_refused(backend: SqlBillingBackend, ids: Ids) -> None:
    with pytest.raises(NotFound):
        backend.preview_plan_change(ids["482130"], "br-fibra-600", TODAY)
    with pytest.raises(NotFound):
        backend.preview_plan_change(ids["482130"], "no-such-plan", TODAY)
    assert refusal(backend.preview_plan_change, ids["482130"], "fr-fibre-pro", TODAY) == "same_plan"
    assert refusal(backend.change_plan, ids["845120"], "br-fibra-600", TODAY) == "account_suspended"
    assert refusal(backend.change_plan, ids["300918"], "fr-essentiel", TODAY) == "cancellation_pending"


# -- due day --------------------------------------------------------------------------------------------
def test_due_day_change(backend: SqlBillingBackend, ids: Ids, seeded: Engine) -> None:
    camille = ids["482130"]
    options = backend.due_day_options(camille, TODAY)
    assert options.current_day == 22 and options.allowed_days == (5, 10, 15, 22, 28) and options.can_change
    change = backend.change_due_day(camille, 28, TODAY)
    assert change.next_due_on == date(2026, 3, 28)
    assert change.prorata_amount == rules.prorata(
        Decimal("39.99"), date(2026, 3, 22), date(2026, 3, 28), "EUR"
    )
    assert backend.get_subscription(camille).due_day == 28
    with seeded.connect() as conn:  # billed once on the next invoice
        (pending,) = conn.execute(select(pending_charges)).all()
    assert pending.amount == change.prorata_amount and pending.customer_id == camille
    after = backend.due_day_options(camille, TODAY)
    assert not after.can_change and after.next_change_possible_on == date(2026, 9, 11)
    assert refusal(backend.change_due_day, camille, 5, TODAY) == "due_day_changed_recently"
    assert backend.change_due_day(camille, 5, date(2026, 9, 11)).new_day == 5


def test_earlier_due_day_is_a_credit(backend: SqlBillingBackend, ids: Ids) -> None:
    change = backend.change_due_day(ids["482130"], 15, date(2026, 3, 2))
    assert change.next_due_on == date(2026, 3, 15) and change.prorata_amount < 0


def test_due_day_change_limits(backend: SqlBillingBackend, ids: Ids) -> None:
    assert refusal(backend.change_due_day, ids["482130"], 7, TODAY) == "due_day_not_allowed"
    assert refusal(backend.change_due_day, ids["482130"], 22, TODAY) == "same_due_day"
    assert refusal(backend.change_due_day, ids["731402"], 22, TODAY) == "due_day_not_allowed"  # Brazil


# -- installment agreements -----------------------------------------------------------------------------
def test_installment_agreement_within_policy(backend: SqlBillingBackend, ids: Ids) -> None:
    carlos = ids["845120"]
    offer = backend.installment_offer(carlos, TODAY)
    assert offer.eligible and offer.currency == "BRL" and offer.policy.max_installments == 10
    assert offer.overdue_total == Decimal("299.70") + sum(
        c.fee + c.interest for c in backend.late_charges(carlos, TODAY)
    )
    agreement = backend.create_installment_agreement(carlos, 5, TODAY)
    assert agreement.reference.startswith("AC-") and len(agreement.installments) == 5
    assert agreement.total == rules.total_with_interest(offer.overdue_total, 5, Decimal("0.01"), "BRL")
    assert agreement.installments[0].due_on == TODAY + timedelta(days=5)
    summary = backend.get_account_summary(carlos, TODAY)
    assert summary.overdue_invoices == 0 and summary.next_due_on == date(2026, 3, 15)
    assert sum(1 for i in backend.list_invoices(carlos, 50) if i.status is InvoiceStatus.VOID) == 3
    assert backend.get_installment_agreement(carlos, agreement.reference) == agreement
    assert not backend.installment_offer(carlos, TODAY).eligible
    assert refusal(backend.create_installment_agreement, carlos, 3, TODAY) == "agreement_already_active"


def test_installment_agreement_outside_policy(backend: SqlBillingBackend, ids: Ids) -> None:
    carlos = ids["845120"]
    assert refusal(backend.create_installment_agreement, carlos, 11, TODAY) == "installments_above_max"
    assert refusal(backend.create_installment_agreement, carlos, 10, TODAY) == "installment_below_min"
    assert refusal(backend.create_installment_agreement, carlos, 1, TODAY) == "installments_too_few"
    assert refusal(backend.create_installment_agreement, ids["482130"], 3, TODAY) == "nothing_overdue"
    # France: 20 EUR minimum, Julien owes 27.58
    assert not backend.installment_offer(ids["517204"], TODAY).eligible
    assert refusal(backend.create_installment_agreement, ids["517204"], 2, TODAY) == "installment_below_min"
    assert not backend.installment_offer(ids["912733"], TODAY).eligible  # already on a plan


def test_paying_every_installment_completes_the_agreement(backend: SqlBillingBackend, ids: Ids) -> None:
    fernanda = ids["912733"]
    balance = backend.get_account_summary(fernanda, TODAY).balance
    backend.record_payment(fernanda, balance, backend.list_payment_methods(fernanda)[0].kind, "card-1", NOW)
    assert backend.active_installment_agreement(fernanda) is None


# -- cancellation ---------------------------------------------------------------------------------------
def test_cancellation_terms_and_request(backend: SqlBillingBackend, ids: Ids) -> None:
    thomas = ids["624511"]
    terms = backend.cancellation_terms(thomas, TODAY)
    assert terms.notice_days == 10 and terms.effective_on == TODAY + timedelta(days=10)
    assert terms.commitment_end is not None
    months = rules.remaining_commitment_months(terms.effective_on, terms.commitment_end)
    assert months == 12 and terms.early_termination_fee == Decimal("119.97")  # 12 * 39.99 * 25 %
    usage = rules.signed_prorata(Decimal("39.99"), date(2026, 4, 22), terms.effective_on, "EUR")
    assert terms.final_invoice_estimate == usage + terms.early_termination_fee + Decimal("65.79")
    assert terms.retention_offer is not None and terms.retention_offer.code == "RETENTION20"
    confirmation = backend.request_cancellation(thomas, TODAY, "moving\x00 abroad")
    assert confirmation.reference.startswith("RS-") and confirmation.effective_on == terms.effective_on
    assert confirmation.final_invoice_estimate == terms.final_invoice_estimate
    assert backend.get_customer(thomas).status is AccountStatus.CANCELLATION_PENDING
    assert backend.get_subscription(thomas).cancel_effective_on == terms.effective_on
    assert refusal(backend.request_cancellation, thomas, TODAY, "again") == "cancellation_already_pending"


def test_no_monthly_invoice_is_announced_after_the_cancellation(backend: SqlBillingBackend, ids: Ids) -> None:
    ana = ids["731402"]  # Brazil: effective at once
    backend.request_cancellation(ana, TODAY, "price")
    summary = backend.get_account_summary(ana, TODAY)
    assert summary.customer.status is AccountStatus.CANCELLATION_PENDING
    assert summary.next_due_on is None and summary.next_amount is None


def test_cancellation_notice_in_brazil_and_portugal(backend: SqlBillingBackend, ids: Ids) -> None:
    assert backend.cancellation_terms(ids["731402"], TODAY).effective_on == TODAY
    assert backend.cancellation_terms(ids["159372"], TODAY).effective_on == TODAY + timedelta(days=30)
    assert refusal(backend.cancellation_terms, ids["300918"], TODAY) == "cancellation_already_pending"


def test_retention_offer_withdraws_a_pending_cancellation(backend: SqlBillingBackend, ids: Ids) -> None:
    sophie = ids["300918"]
    assert refusal(backend.accept_retention_offer, sophie, "NOPE", TODAY) == "retention_offer_unknown"
    subscription = backend.accept_retention_offer(sophie, "retention20", TODAY)
    assert subscription.cancel_effective_on is None
    assert backend.get_customer(sophie).status is AccountStatus.ACTIVE
    assert (
        refusal(backend.accept_retention_offer, sophie, "RETENTION20", TODAY)
        == "retention_offer_already_used"
    )
    assert backend.cancellation_terms(sophie, TODAY).retention_offer is None


def test_retention_discount_lowers_the_next_invoices(backend: SqlBillingBackend, ids: Ids) -> None:
    ana = ids["731402"]
    assert backend.cancellation_terms(ana, TODAY).retention_offer is not None
    backend.accept_retention_offer(ana, "RETENTION20", TODAY)
    assert backend.get_account_summary(ana, TODAY).next_amount == Decimal("103.92")  # 129.90 - 20 %
    ended = backend.get_account_summary(ana, date(2026, 7, 1))  # the 3-month discount ran to 11 June
    assert ended.next_amount == Decimal("129.90")


# -- trust release --------------------------------------------------------------------------------------
def test_trust_release(backend: SqlBillingBackend, ids: Ids) -> None:
    carlos = ids["845120"]
    status = backend.service_status(carlos, TODAY)
    assert status.status is AccountStatus.SUSPENDED and status.trust_release_eligible
    assert status.suspended_since is not None and status.trust_release_used_on is None
    granted = backend.grant_trust_release(carlos, TODAY)
    assert granted.status is AccountStatus.ACTIVE and granted.trust_release_until == TODAY + timedelta(days=3)
    assert granted.trust_release_used_on == TODAY and not granted.trust_release_eligible
    assert backend.get_account_summary(carlos, TODAY).customer.status is AccountStatus.ACTIVE
    after = backend.service_status(carlos, TODAY + timedelta(days=4))
    assert after.status is AccountStatus.SUSPENDED and not after.trust_release_eligible
    assert (
        refusal(backend.grant_trust_release, carlos, TODAY + timedelta(days=4))
        == "trust_release_not_eligible"
    )


def test_trust_release_already_used(backend: SqlBillingBackend, ids: Ids) -> None:
    beatriz = ids["386215"]
    status = backend.service_status(beatriz, TODAY)
    assert status.status is AccountStatus.SUSPENDED and not status.trust_release_eligible
    assert status.trust_release_used_on == TODAY - timedelta(days=60)
    assert refusal(backend.grant_trust_release, beatriz, TODAY) == "trust_release_not_eligible"
    assert refusal(backend.grant_trust_release, ids["482130"], TODAY) == "trust_release_not_eligible"


# -- tickets --------------------------------------------------------------------------------------------
def test_tickets(backend: SqlBillingBackend, ids: Ids) -> None:
    new = NewTicket(
        channel="whatsapp",
        language="pt",
        topic="billing_dispute",
        summary="Cobrança em duplicidade",
        customer_id=ids["731402"],
        transcript=("user: oi", "bot: olá"),
    )
    ticket = backend.create_ticket(new, NOW)
    assert ticket.reference.startswith("TK-") and ticket.status is TicketStatus.OPEN
    assert ticket.created_at == NOW and ticket.summary == "Cobrança em duplicidade"
    assert backend.get_ticket(ticket.reference.lower(), ids["731402"]) == ticket
    with pytest.raises(NotFound):
        backend.get_ticket(ticket.reference, ids["482130"])
    with pytest.raises(NotFound):
        backend.get_ticket(ticket.reference, None)
    with pytest.raises(NotFound):
        backend.get_ticket("TK-\x00", ids["731402"])
    anonymous = backend.create_ticket(NewTicket("web", "fr", "other", "?" * 5000), NOW)
    assert backend.get_ticket(anonymous.reference, None).customer_id is None
    assert backend.create_ticket(new, NOW).reference != ticket.reference
    with pytest.raises(NotFound):
        backend.create_ticket(NewTicket("web", "fr", "other", "x", customer_id=10**9), NOW)
