"""The `BillingBackend` interface: what an operator re-implements to connect their own billing system.

Every method that touches an account takes the *verified* customer's id: the backend never resolves an
invoice, ticket or agreement reference that belongs to someone else (it answers `NotFound`).
`today`/`now` are explicit so rules are testable and a conversation sees one consistent clock.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import date, datetime
from decimal import Decimal

from bot.billing.models import (
    AccountSummary,
    CancellationConfirmation,
    CancellationTerms,
    Customer,
    DueDayChange,
    DueDayOptions,
    InstallmentAgreement,
    InstallmentOffer,
    Invoice,
    LateCharges,
    NewTicket,
    NotaFiscal,
    Payment,
    PaymentMethod,
    PaymentMethodKind,
    Plan,
    PlanChangePreview,
    PriceAdjustment,
    SecureLink,
    ServiceStatus,
    Subscription,
    Ticket,
    VerificationResult,
)


class BillingError(Exception):
    """Base class: a request the backend understood and refused."""


class NotFound(BillingError):
    """No such object for this customer (also raised for another customer's objects)."""


class NotAllowed(BillingError):
    """A business rule forbids it; `reason` is a stable code the dialogue turns into a localized text."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class BackendUnavailable(BillingError):
    """The billing system could not be reached; the conversation should apologise and offer a human."""


class BillingBackend(ABC):
    # -- customers and identity verification ------------------------------------------------------
    @abstractmethod
    def verify_identity(self, customer_number: str, second_factor: str, now: datetime) -> VerificationResult:
        """Check a customer number and its second factor; count failures and lock after too many."""

    @abstractmethod
    def get_customer(self, customer_id: int) -> Customer: ...

    @abstractmethod
    def get_account_summary(self, customer_id: int, today: date) -> AccountSummary: ...

    # -- plans and subscriptions -------------------------------------------------------------------
    @abstractmethod
    def list_plans(self, country: str) -> list[Plan]: ...

    @abstractmethod
    def get_subscription(self, customer_id: int) -> Subscription: ...

    @abstractmethod
    def preview_plan_change(self, customer_id: int, plan_code: str, today: date) -> PlanChangePreview: ...

    @abstractmethod
    def change_plan(self, customer_id: int, plan_code: str, today: date) -> PlanChangePreview:
        """Apply the change previewed: upgrades now (pro-rata charged), downgrades at the next cycle."""

    @abstractmethod
    def latest_price_adjustment(self, customer_id: int) -> PriceAdjustment | None: ...

    # -- invoices ----------------------------------------------------------------------------------
    @abstractmethod
    def list_invoices(self, customer_id: int, limit: int = 6) -> list[Invoice]:
        """Most recent first."""

    @abstractmethod
    def get_invoice(self, customer_id: int, reference: str) -> Invoice: ...

    @abstractmethod
    def render_invoice_pdf(self, customer_id: int, reference: str, language: str) -> bytes: ...

    # -- balance, payments and late fees ----------------------------------------------------------
    @abstractmethod
    def late_charges(self, customer_id: int, today: date) -> list[LateCharges]:
        """One entry per overdue invoice, computed with the customer's country policy."""

    @abstractmethod
    def record_payment(
        self,
        customer_id: int,
        amount: Decimal,
        method: PaymentMethodKind,
        provider_reference: str,
        now: datetime,
    ) -> Payment:
        """Apply a confirmed payment to the oldest open invoices first. Idempotent per provider reference."""

    @abstractmethod
    def list_payments(self, customer_id: int, limit: int = 10) -> list[Payment]: ...

    # -- payment methods ---------------------------------------------------------------------------
    @abstractmethod
    def list_payment_methods(self, customer_id: int) -> list[PaymentMethod]: ...

    @abstractmethod
    def set_default_payment_method(self, customer_id: int, method_id: int) -> PaymentMethod: ...

    @abstractmethod
    def create_payment_method_link(self, customer_id: int, now: datetime) -> SecureLink:
        """A single-use, expiring link where card or bank details are entered (never in chat)."""

    @abstractmethod
    def set_auto_pay(self, customer_id: int, enabled: bool) -> Subscription: ...

    # -- due day -----------------------------------------------------------------------------------
    @abstractmethod
    def due_day_options(self, customer_id: int, today: date) -> DueDayOptions: ...

    @abstractmethod
    def change_due_day(self, customer_id: int, new_day: int, today: date) -> DueDayChange: ...

    # -- installment agreements --------------------------------------------------------------------
    @abstractmethod
    def installment_offer(self, customer_id: int, today: date) -> InstallmentOffer: ...

    @abstractmethod
    def create_installment_agreement(
        self, customer_id: int, installments: int, today: date
    ) -> InstallmentAgreement: ...

    @abstractmethod
    def get_installment_agreement(self, customer_id: int, reference: str) -> InstallmentAgreement:
        """An agreement by reference, only the customer's own."""

    @abstractmethod
    def active_installment_agreement(self, customer_id: int) -> InstallmentAgreement | None: ...

    # -- cancellation ------------------------------------------------------------------------------
    @abstractmethod
    def cancellation_terms(self, customer_id: int, today: date) -> CancellationTerms: ...

    @abstractmethod
    def request_cancellation(
        self, customer_id: int, today: date, reason: str
    ) -> CancellationConfirmation: ...

    @abstractmethod
    def accept_retention_offer(self, customer_id: int, offer_code: str, today: date) -> Subscription: ...

    # -- service suspension and trust release ------------------------------------------------------
    @abstractmethod
    def service_status(self, customer_id: int, today: date) -> ServiceStatus: ...

    @abstractmethod
    def grant_trust_release(self, customer_id: int, today: date) -> ServiceStatus: ...

    # -- notas fiscais (Brazil) --------------------------------------------------------------------
    @abstractmethod
    def list_notas_fiscais(self, customer_id: int, period: str) -> list[NotaFiscal]:
        """Notes of a month, `period` as "YYYY-MM"."""

    # -- support tickets ---------------------------------------------------------------------------
    @abstractmethod
    def create_ticket(self, ticket: NewTicket, now: datetime) -> Ticket: ...

    @abstractmethod
    def get_ticket(self, reference: str, customer_id: int | None) -> Ticket:
        """A ticket by reference; a ticket of a known customer is only found with that customer's id."""
