"""`SqlBillingBackend`: the `BillingBackend` on SQLAlchemy Core (SQLite or PostgreSQL).

Each call runs in one short transaction of its own; writes are retried when a unique constraint
(a reference drawn twice, a payment recorded concurrently) rejects them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cached_property
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from bot.billing import pdf
from bot.billing.backend import BillingBackend, NotFound
from bot.billing.clock import Clock, aware, utc_now
from bot.billing.invoice_links import InvoiceLinkSubject, invoice_token, read_invoice_token
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
from bot.billing.payment_requests import Collection
from bot.billing.policy import DEFAULT_SECURITY, CountryPolicy, SecurityPolicy, policy_for
from bot.billing.references import parse_reference
from bot.billing.rules import late_charges
from bot.billing.sql import (
    accounts,
    agreements,
    cancellation,
    changes,
    contact,
    mappers,
    payment_requests,
    payments,
    queries,
    tickets,
    transactions,
    verification,
)
from bot.billing.sql.schema import installment_agreements, notas_fiscais, price_adjustments
from bot.i18n import normalize_language
from bot.settings import Settings

T = TypeVar("T")

PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
WRITE_ATTEMPTS = 3
MAX_LIST = 100


def _bounded(limit: int) -> int:
    return max(1, min(limit, MAX_LIST))


class SqlBillingBackend(BillingBackend):
    """`link_secret`, `link_minutes` and `collection` (Pix key, boleto bank) left to None are read from
    `Settings` (the environment) when first needed."""

    def __init__(
        self,
        engine: Engine,
        *,
        public_base_url: str,
        policies: Mapping[str, CountryPolicy] | None = None,
        security: SecurityPolicy = DEFAULT_SECURITY,
        clock: Clock = utc_now,
        link_secret: str | None = None,
        link_minutes: int | None = None,
        collection: Collection | None = None,
    ) -> None:
        self._engine = engine
        self._base_url = public_base_url.rstrip("/")
        self._policies = {code.upper(): policy for code, policy in (policies or {}).items()}
        self._security = security
        self._clock = clock
        if link_secret == "" or (link_minutes is not None and link_minutes < 1):
            raise ValueError("a link secret cannot be empty and links must last at least a minute")
        self._link_secret = link_secret
        self._link_minutes = link_minutes
        self._collection = collection

    @cached_property
    def _settings(self) -> Settings:
        return Settings.from_env()

    @property
    def _secret(self) -> str:
        return self._link_secret or self._settings.link_secret

    @property
    def _link_lifetime(self) -> timedelta:
        return timedelta(minutes=self._link_minutes or self._settings.link_minutes)

    @property
    def _collects_with(self) -> Collection:
        if self._collection is not None:
            return self._collection
        settings = self._settings
        return Collection(
            pix_key=settings.pix_key,
            merchant_name=settings.pix_merchant_name,
            merchant_city=settings.pix_merchant_city,
            boleto_bank_code=settings.boleto_bank_code,
        )

    # -- plumbing ---------------------------------------------------------------------------------
    def _read(self, work: Callable[[Connection], T]) -> T:
        return transactions.read(self._engine, work)

    def _write(self, work: Callable[[Connection], T]) -> T:
        return transactions.write(self._engine, work, attempts=WRITE_ATTEMPTS)

    def policy(self, country: str) -> CountryPolicy:
        return policy_for(country, self._policies)

    def _policy_of(self, customer_row: queries.Row) -> CountryPolicy:
        return self.policy(customer_row.country)

    # -- customers and identity verification ----------------------------------------------------
    def verify_identity(self, customer_number: str, second_factor: str, now: datetime) -> VerificationResult:
        now = aware(now)
        return self._write(
            lambda conn: verification.verify(conn, customer_number, second_factor, now, self._security)
        )

    def get_customer(self, customer_id: int) -> Customer:
        return self._read(lambda conn: mappers.customer(queries.customer_row(conn, customer_id)))

    def get_account_summary(self, customer_id: int, today: date) -> AccountSummary:
        return self._read(
            lambda conn: accounts.account_summary(conn, queries.customer_row(conn, customer_id), today)
        )

    def customer_policy(self, customer_id: int) -> CountryPolicy:
        return self._read(lambda conn: self._policy_of(queries.customer_row(conn, customer_id)))

    def update_contact(
        self, customer_id: int, *, email: str | None = None, phone: str | None = None
    ) -> Customer:
        return self._write(
            lambda conn: contact.update_contact(
                conn, queries.customer_row(conn, customer_id), email=email, phone=phone
            )
        )

    def billing_address(self, customer_id: int) -> BillingAddress:
        return self._read(lambda conn: contact.address_of(queries.customer_row(conn, customer_id)))

    def update_billing_address(self, customer_id: int, address: BillingAddress) -> BillingAddress:
        return self._write(
            lambda conn: contact.update_address(conn, queries.customer_row(conn, customer_id), address)
        )

    # -- plans and subscriptions ------------------------------------------------------------------
    def list_plans(self, country: str) -> list[Plan]:
        return self._read(lambda conn: queries.plans_of_country(conn, country))

    def get_subscription(self, customer_id: int) -> Subscription:
        return self._read(lambda conn: queries.subscription_of(conn, customer_id))

    def preview_plan_change(self, customer_id: int, plan_code: str, today: date) -> PlanChangePreview:
        def work(conn: Connection) -> PlanChangePreview:
            row = queries.customer_row(conn, customer_id)
            return changes.plan_change(conn, row, plan_code, today).preview

        return self._read(work)

    def change_plan(self, customer_id: int, plan_code: str, today: date) -> PlanChangePreview:
        def work(conn: Connection) -> PlanChangePreview:
            row = queries.customer_row(conn, customer_id)
            change = changes.plan_change(conn, row, plan_code, today)
            changes.apply_plan_change(conn, row, change, today)
            return change.preview

        return self._write(work)

    def latest_price_adjustment(self, customer_id: int) -> PriceAdjustment | None:
        def work(conn: Connection) -> PriceAdjustment | None:
            queries.customer_row(conn, customer_id)
            row = conn.execute(
                select(price_adjustments)
                .where(price_adjustments.c.customer_id == customer_id)
                .order_by(price_adjustments.c.effective_on.desc(), price_adjustments.c.id.desc())
                .limit(1)
            ).first()
            return None if row is None else mappers.price_adjustment(row)

        return self._read(work)

    # -- invoices ---------------------------------------------------------------------------------
    def list_invoices(self, customer_id: int, limit: int = 6) -> list[Invoice]:
        return self._read(lambda conn: queries.invoices_of(conn, customer_id, limit=_bounded(limit)))

    def get_invoice(self, customer_id: int, reference: str) -> Invoice:
        return self._read(lambda conn: queries.invoice_of(conn, customer_id, reference))

    def render_invoice_pdf(self, customer_id: int, reference: str, language: str) -> bytes:
        return self._invoice_pdf(customer_id, reference, language, self._clock().date())

    def _invoice_pdf(self, customer_id: int, reference: str, language: str, generated_on: date) -> bytes:
        def work(conn: Connection) -> tuple[Invoice, Customer]:
            customer = mappers.customer(queries.customer_row(conn, customer_id))
            return queries.invoice_of(conn, customer_id, reference), customer

        invoice, customer = self._read(work)
        chosen = normalize_language(language) or customer.language
        return pdf.render_invoice(invoice, customer, chosen, generated_on)

    def first_invoice(self, customer_id: int) -> Invoice | None:
        def work(conn: Connection) -> Invoice | None:
            row = queries.customer_row(conn, customer_id)
            subscription = queries.find_subscription_row(conn, customer_id)
            started_on = subscription.started_on if subscription is not None else row.created_on
            return queries.first_invoice(conn, customer_id, started_on)

        return self._read(work)

    def invoice_link(self, customer_id: int, reference: str, language: str, now: datetime) -> SecureLink:
        now = aware(now)

        def work(conn: Connection) -> InvoiceLinkSubject:
            customer = queries.customer_row(conn, customer_id)
            invoice = queries.invoice_of(conn, customer_id, reference)
            chosen = normalize_language(language) or customer.language
            return InvoiceLinkSubject(customer_id, invoice.reference, chosen)

        subject = self._read(work)
        expires_at = (now + self._link_lifetime).replace(microsecond=0)  # tokens count whole seconds
        token = invoice_token(self._secret, subject, expires_at)
        return SecureLink(url=f"{self._base_url}/invoices/{token}.pdf", expires_at=expires_at)

    def open_invoice_link(self, token: str, now: datetime) -> tuple[bytes, str]:
        now = aware(now)
        subject = read_invoice_token(self._secret, token, now)
        document = self._invoice_pdf(subject.customer_id, subject.reference, subject.language, now.date())
        return document, f"{subject.reference}.pdf"

    def send_invoice_email(self, customer_id: int, reference: str, language: str, now: datetime) -> SentEmail:
        now = aware(now)

        def work(conn: Connection) -> SentEmail:
            customer = queries.customer_row(conn, customer_id)
            invoice = queries.invoice_of(conn, customer_id, reference)
            chosen = normalize_language(language) or customer.language
            return contact.queue_invoice_email(conn, customer, invoice, chosen, now)

        return self._write(work)

    # -- balance, payments and late fees ----------------------------------------------------------
    def late_charges(self, customer_id: int, today: date) -> list[LateCharges]:
        def work(conn: Connection) -> list[LateCharges]:
            policy = self._policy_of(queries.customer_row(conn, customer_id))
            found = []
            for invoice in queries.overdue_invoices(conn, customer_id, today):
                fee, interest = late_charges(invoice.balance, invoice.due_on, today, policy)
                days = (today - invoice.due_on).days
                found.append(
                    LateCharges(invoice.reference, invoice.balance, days, fee, interest, invoice.currency)
                )
            return found

        return self._read(work)

    def record_payment(
        self,
        customer_id: int,
        amount: Decimal,
        method: PaymentMethodKind,
        provider_reference: str,
        now: datetime,
    ) -> Payment:
        now = aware(now)
        return self._write(
            lambda conn: payments.record_payment(conn, customer_id, amount, method, provider_reference, now)
        )

    def list_payments(self, customer_id: int, limit: int = 10) -> list[Payment]:
        return self._read(lambda conn: payments.list_payments(conn, customer_id, _bounded(limit)))

    # -- paying now: payment requests -------------------------------------------------------------
    def payment_options(self, customer_id: int) -> tuple[PaymentMethodKind, ...]:
        return self.customer_policy(customer_id).payment_options

    def create_payment_request(
        self, customer_id: int, amount: Decimal, method: PaymentMethodKind, now: datetime
    ) -> PaymentRequest:
        now = aware(now)
        collection, lifetime = self._collects_with, self._link_lifetime

        def work(conn: Connection) -> PaymentRequest:
            row = queries.customer_row(conn, customer_id)
            return payment_requests.create_request(
                conn,
                row,
                amount,
                method,
                now,
                self._policy_of(row),
                collection,
                base_url=self._base_url,
                link_lifetime=lifetime,
            )

        return self._write(work)

    def get_payment_request(self, reference: str, customer_id: int | None = None) -> PaymentRequest:
        now = self._clock()
        return self._read(lambda conn: payment_requests.find_request(conn, reference, customer_id, now))

    def confirm_payment_request(self, reference: str, provider_reference: str, now: datetime) -> Payment:
        now = aware(now)
        return self._write(
            lambda conn: payment_requests.confirm_request(conn, reference, provider_reference, now)
        )

    # -- payment methods --------------------------------------------------------------------------
    def list_payment_methods(self, customer_id: int) -> list[PaymentMethod]:
        return self._read(lambda conn: payments.list_methods(conn, customer_id))

    def set_default_payment_method(self, customer_id: int, method_id: int) -> PaymentMethod:
        return self._write(lambda conn: payments.set_default_method(conn, customer_id, method_id))

    def create_payment_method_link(self, customer_id: int, now: datetime) -> SecureLink:
        now = aware(now)
        return self._write(
            lambda conn: payments.create_link(conn, customer_id, now, self._base_url, self._security)
        )

    def check_payment_method_link(self, token: str, now: datetime) -> int:
        now = aware(now)
        return self._read(lambda conn: payments.check_link(conn, token, now))

    def add_payment_method_with_link(
        self, token: str, method: NewPaymentMethod, now: datetime
    ) -> PaymentMethod:
        now = aware(now)
        return self._write(
            lambda conn: payments.add_method_with_link(conn, token, method, now, self._policy_of)
        )

    def set_auto_pay(self, customer_id: int, enabled: bool) -> Subscription:
        def work(conn: Connection) -> Subscription:
            queries.customer_row(conn, customer_id)
            if enabled:
                payments.check_auto_pay_possible(conn, customer_id)
            changes.set_auto_pay(conn, customer_id, enabled)
            return queries.subscription_of(conn, customer_id)

        return self._write(work)

    # -- due day ----------------------------------------------------------------------------------
    def due_day_options(self, customer_id: int, today: date) -> DueDayOptions:
        def work(conn: Connection) -> DueDayOptions:
            row = queries.customer_row(conn, customer_id)
            return changes.due_day_options(conn, row, today, self._policy_of(row))

        return self._read(work)

    def preview_due_day_change(self, customer_id: int, new_day: int, today: date) -> DueDayChange:
        def work(conn: Connection) -> DueDayChange:
            row = queries.customer_row(conn, customer_id)
            return changes.preview_due_day_change(conn, row, new_day, today, self._policy_of(row))

        return self._read(work)

    def change_due_day(self, customer_id: int, new_day: int, today: date) -> DueDayChange:
        def work(conn: Connection) -> DueDayChange:
            row = queries.customer_row(conn, customer_id)
            return changes.change_due_day(conn, row, new_day, today, self._policy_of(row))

        return self._write(work)

    # -- installment agreements -------------------------------------------------------------------
    def installment_offer(self, customer_id: int, today: date) -> InstallmentOffer:
        def work(conn: Connection) -> InstallmentOffer:
            row = queries.customer_row(conn, customer_id)
            return agreements.installment_offer(conn, row, today, self._policy_of(row))

        return self._read(work)

    def preview_installment_agreement(
        self, customer_id: int, installments: int, today: date
    ) -> InstallmentAgreement:
        def work(conn: Connection) -> InstallmentAgreement:
            row = queries.customer_row(conn, customer_id)
            return agreements.preview_agreement(conn, row, installments, today, self._policy_of(row))

        return self._read(work)

    def create_installment_agreement(
        self, customer_id: int, installments: int, today: date
    ) -> InstallmentAgreement:
        def work(conn: Connection) -> InstallmentAgreement:
            row = queries.customer_row(conn, customer_id)
            return agreements.create_agreement(conn, row, installments, today, self._policy_of(row))

        return self._write(work)

    def get_installment_agreement(self, customer_id: int, reference: str) -> InstallmentAgreement:
        """An agreement by reference, only the customer's own."""
        wanted = parse_reference(reference)
        if wanted is None:
            raise NotFound("agreement")

        def work(conn: Connection) -> InstallmentAgreement:
            row = conn.execute(
                select(installment_agreements).where(
                    installment_agreements.c.reference == wanted,
                    installment_agreements.c.customer_id == customer_id,
                )
            ).first()
            if row is None:
                raise NotFound("agreement")
            return agreements.agreement_of(conn, row)

        return self._read(work)

    def active_installment_agreement(self, customer_id: int) -> InstallmentAgreement | None:
        """The customer's running agreement, if any."""

        def work(conn: Connection) -> InstallmentAgreement | None:
            row = queries.active_agreement(conn, customer_id)
            return None if row is None else agreements.agreement_of(conn, row)

        return self._read(work)

    # -- cancellation -----------------------------------------------------------------------------
    def cancellation_terms(self, customer_id: int, today: date) -> CancellationTerms:
        def work(conn: Connection) -> CancellationTerms:
            row = queries.customer_row(conn, customer_id)
            return cancellation.cancellation_terms(conn, row, today, self._policy_of(row))

        return self._read(work)

    def request_cancellation(self, customer_id: int, today: date, reason: str) -> CancellationConfirmation:
        def work(conn: Connection) -> CancellationConfirmation:
            row = queries.customer_row(conn, customer_id)
            return cancellation.request_cancellation(conn, row, today, reason, self._policy_of(row))

        return self._write(work)

    def accept_retention_offer(self, customer_id: int, offer_code: str, today: date) -> Subscription:
        def work(conn: Connection) -> Subscription:
            row = queries.customer_row(conn, customer_id)
            cancellation.accept_retention_offer(conn, row, offer_code, today, self._policy_of(row))
            return queries.subscription_of(conn, customer_id)

        return self._write(work)

    # -- service suspension and trust release -----------------------------------------------------
    def service_status(self, customer_id: int, today: date) -> ServiceStatus:
        def work(conn: Connection) -> ServiceStatus:
            row = queries.customer_row(conn, customer_id)
            return accounts.service_status(conn, row, today, self._policy_of(row))

        return self._read(work)

    def grant_trust_release(self, customer_id: int, today: date) -> ServiceStatus:
        def work(conn: Connection) -> ServiceStatus:
            row = queries.customer_row(conn, customer_id)
            policy = self._policy_of(row)
            accounts.grant_trust_release(conn, row, today, policy)
            return accounts.service_status(conn, queries.customer_row(conn, customer_id), today, policy)

        return self._write(work)

    # -- notas fiscais (Brazil) -------------------------------------------------------------------
    def list_notas_fiscais(self, customer_id: int, period: str) -> list[NotaFiscal]:
        def work(conn: Connection) -> list[NotaFiscal]:
            queries.customer_row(conn, customer_id)
            wanted = period.strip()
            if not PERIOD.fullmatch(wanted):
                return []
            rows = conn.execute(
                select(notas_fiscais)
                .where(notas_fiscais.c.customer_id == customer_id, notas_fiscais.c.period == wanted)
                .order_by(notas_fiscais.c.number)
            )
            return [mappers.nota_fiscal(row) for row in rows]

        return self._read(work)

    # -- support tickets --------------------------------------------------------------------------
    def create_ticket(self, ticket: NewTicket, now: datetime) -> Ticket:
        now = aware(now)
        return self._write(lambda conn: tickets.create_ticket(conn, ticket, now))

    def get_ticket(self, reference: str, customer_id: int | None) -> Ticket:
        return self._read(lambda conn: tickets.find_ticket(conn, reference, customer_id))

    def list_tickets(self, customer_id: int, limit: int = 5) -> list[Ticket]:
        return self._read(lambda conn: tickets.list_tickets(conn, customer_id, _bounded(limit)))
