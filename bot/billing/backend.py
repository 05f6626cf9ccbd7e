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
    BillingAddress,
    CancellationConfirmation,
    CancellationTerms,
    Customer,
    DueDayChange,
    DueDayOptions,
    InstallmentAgreement,
    InstallmentOffer,
    Invoice,
    LateCharges,
    NewPaymentMethod,
    NewTicket,
    NotaFiscal,
    Payment,
    PaymentMethod,
    PaymentMethodKind,
    PaymentRequest,
    Plan,
    PlanChangePreview,
    PriceAdjustment,
    SecureLink,
    SentEmail,
    ServiceStatus,
    Subscription,
    Ticket,
    VerificationResult,
)
from bot.billing.policy import CountryPolicy


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

    @abstractmethod
    def customer_policy(self, customer_id: int) -> CountryPolicy:
        """The billing policy of the customer's country."""

    @abstractmethod
    def update_contact(
        self, customer_id: int, *, email: str | None = None, phone: str | None = None
    ) -> Customer:
        """Store a new e-mail address and/or phone number (E.164, of the customer's country), both checked
        first: `NotAllowed("invalid_email")` or `NotAllowed("invalid_phone")`."""

    @abstractmethod
    def billing_address(self, customer_id: int) -> BillingAddress:
        """The billing address (street empty when the billing system has none)."""

    @abstractmethod
    def update_billing_address(self, customer_id: int, address: BillingAddress) -> BillingAddress:
        """Store a new billing address, checked for the customer's country first (postal code format,
        a street and a city): `NotAllowed("invalid_address")`. The postal code is also the second
        identification factor, so it changes that too."""

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

    @abstractmethod
    def first_invoice(self, customer_id: int) -> Invoice | None:
        """The invoice of the first days of service (with the pro-rata line), if still on record."""

    @abstractmethod
    def invoice_link(self, customer_id: int, reference: str, language: str, now: datetime) -> SecureLink:
        """A signed link to the PDF of the customer's invoice, expiring after a while."""

    @abstractmethod
    def open_invoice_link(self, token: str, now: datetime) -> tuple[bytes, str]:
        """For the page behind `invoice_link`: the PDF and its file name; `NotFound` when the token is
        bad or expired."""

    @abstractmethod
    def send_invoice_email(self, customer_id: int, reference: str, language: str, now: datetime) -> SentEmail:
        """Queue the invoice for e-mailing to the customer's address."""

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

    # -- paying now: payment requests --------------------------------------------------------------
    @abstractmethod
    def payment_options(self, customer_id: int) -> tuple[PaymentMethodKind, ...]:
        """The methods the customer can pay an amount with now, in the order to offer them."""

    @abstractmethod
    def create_payment_request(
        self, customer_id: int, amount: Decimal, method: PaymentMethodKind, now: datetime
    ) -> PaymentRequest:
        """A card page, Pix code or boleto for `amount`, at most the open balance. `NotAllowed` reasons:
        nothing_due, amount_not_positive, amount_above_balance, method_not_available."""

    @abstractmethod
    def get_payment_request(self, reference: str, customer_id: int | None = None) -> PaymentRequest:
        """A request by reference; with `customer_id`, only that customer's (`NotFound` otherwise)."""

    @abstractmethod
    def confirm_payment_request(self, reference: str, provider_reference: str, now: datetime) -> Payment:
        """The payment provider's confirmation: records the payment once per provider reference (the same
        call again returns the same payment); `NotAllowed("payment_request_expired")` after expiry."""

    # -- payment methods ---------------------------------------------------------------------------
    @abstractmethod
    def list_payment_methods(self, customer_id: int) -> list[PaymentMethod]: ...

    @abstractmethod
    def set_default_payment_method(self, customer_id: int, method_id: int) -> PaymentMethod: ...

    @abstractmethod
    def create_payment_method_link(self, customer_id: int, now: datetime) -> SecureLink:
        """A single-use, expiring link where card or bank details are entered (never in chat)."""

    @abstractmethod
    def check_payment_method_link(self, token: str, now: datetime) -> int:
        """For the page behind `create_payment_method_link`: the customer id of a valid link, which
        stays usable; `NotFound` when unknown, expired or already used."""

    @abstractmethod
    def add_payment_method_with_link(
        self, token: str, method: NewPaymentMethod, now: datetime
    ) -> PaymentMethod:
        """In one transaction: use up the link and add the method as the customer's new default.
        `NotFound` as `check_payment_method_link`; `NotAllowed("payment_method_unavailable")` for a kind
        the customer's country does not keep on file (`CountryPolicy.methods_on_file`),
        `NotAllowed("payment_method_invalid")` for details that do not look masked."""

    @abstractmethod
    def set_auto_pay(self, customer_id: int, enabled: bool) -> Subscription: ...

    # -- due day -----------------------------------------------------------------------------------
    @abstractmethod
    def due_day_options(self, customer_id: int, today: date) -> DueDayOptions: ...

    @abstractmethod
    def preview_due_day_change(self, customer_id: int, new_day: int, today: date) -> DueDayChange:
        """What `change_due_day` would do, without doing it (same refusals)."""

    @abstractmethod
    def change_due_day(self, customer_id: int, new_day: int, today: date) -> DueDayChange: ...

    # -- installment agreements --------------------------------------------------------------------
    @abstractmethod
    def installment_offer(self, customer_id: int, today: date) -> InstallmentOffer: ...

    @abstractmethod
    def preview_installment_agreement(
        self, customer_id: int, installments: int, today: date
    ) -> InstallmentAgreement:
        """The agreement `create_installment_agreement` would make (reference ""), same refusals."""

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

    @abstractmethod
    def list_tickets(self, customer_id: int, limit: int = 5) -> list[Ticket]:
        """The customer's tickets, most recent first."""
