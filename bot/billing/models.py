"""Domain model of the billing backend: immutable values the actions read.

Money is always `Decimal` with an ISO 4217 currency beside it; dates are `date`, instants are aware
`datetime` in UTC. Nothing here talks to a database or to Rasa.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


class AccountStatus(str, enum.Enum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CANCELLATION_PENDING = "cancellation_pending"
    CANCELLED = "cancelled"


class InvoiceStatus(str, enum.Enum):
    OPEN = "open"
    PAID = "paid"
    VOID = "void"


class PaymentMethodKind(str, enum.Enum):
    CARD = "card"
    SEPA_DEBIT = "sepa_debit"
    BOLETO = "boleto"
    PIX = "pix"


class PaymentRequestStatus(str, enum.Enum):
    PENDING = "pending"
    PAID = "paid"
    EXPIRED = "expired"  # never stored: a pending request read after its expiry


class LineKind(str, enum.Enum):
    SUBSCRIPTION = "subscription"
    PRORATA = "prorata"
    ONE_TIME = "one_time"
    LATE_FEE = "late_fee"
    INTEREST = "interest"
    ADMIN_FEE = "admin_fee"
    CREDIT = "credit"


class TicketStatus(str, enum.Enum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"


class TicketEventKind(str, enum.Enum):
    """What happened to a ticket, in its audit trail (`ticket_events`)."""

    CREATED = "created"
    CLAIMED = "claimed"
    ASSIGNED = "assigned"
    TRANSFERRED = "transferred"
    REPLY = "reply"
    NOTE = "note"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"
    RATED = "rated"


class VerificationOutcome(str, enum.Enum):
    VERIFIED = "verified"
    FAILED = "failed"  # unknown number and wrong factor look the same to the caller
    LOCKED = "locked"


@dataclass(frozen=True)
class Customer:
    id: int
    number: str
    name: str
    email: str
    phone: str
    country: str  # ISO 3166-1 alpha-2: FR, BR, PT
    currency: str  # ISO 4217: EUR, BRL
    language: str  # fr, pt
    status: AccountStatus
    created_on: date


@dataclass(frozen=True)
class BillingAddress:
    street: str  # number, street and complement: "12 rue Oberkampf, bât. B"
    postal_code: str  # as the country writes it: 75011, 01310-100, 1100-148
    city: str


@dataclass(frozen=True)
class VerificationResult:
    outcome: VerificationOutcome
    customer: Customer | None = None
    attempts_left: int = 0
    locked_until: datetime | None = None


@dataclass(frozen=True)
class Plan:
    code: str
    name: str
    country: str
    monthly_price: Decimal
    currency: str
    features: tuple[str, ...] = ()
    rank: int = 0  # higher is a bigger plan: decides upgrade vs downgrade


@dataclass(frozen=True)
class Subscription:
    id: int
    customer_id: int
    plan: Plan
    started_on: date
    due_day: int
    auto_pay: bool
    due_day_changed_on: date | None = None
    scheduled_plan_code: str | None = None
    scheduled_change_on: date | None = None
    commitment_end: date | None = None
    cancel_effective_on: date | None = None
    price_override: Decimal | None = None  # a readjusted or negotiated price

    @property
    def monthly_price(self) -> Decimal:
        return self.price_override if self.price_override is not None else self.plan.monthly_price


@dataclass(frozen=True)
class InvoiceLine:
    kind: LineKind
    label: str  # operator data (plan or product name), not a sentence
    amount: Decimal
    period_start: date | None = None
    period_end: date | None = None


@dataclass(frozen=True)
class Invoice:
    id: int
    reference: str
    customer_id: int
    issued_on: date
    due_on: date
    currency: str
    lines: tuple[InvoiceLine, ...]
    amount_paid: Decimal
    status: InvoiceStatus
    reminders_sent: int = 0

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0"))

    @property
    def balance(self) -> Decimal:
        return self.total - self.amount_paid

    def is_overdue(self, today: date) -> bool:
        return self.status is InvoiceStatus.OPEN and self.balance > 0 and self.due_on < today


@dataclass(frozen=True)
class Payment:
    id: int
    customer_id: int
    invoice_reference: str | None
    amount: Decimal
    currency: str
    method: PaymentMethodKind
    paid_at: datetime
    provider_reference: str


@dataclass(frozen=True)
class PaymentRequest:
    """An amount the customer chose to pay now, with what they pay it with: a card payment page (`url`),
    a Pix copy-and-paste code or a boleto's linha digitável."""

    reference: str  # "PG-7H3K9P"
    customer_id: int
    amount: Decimal
    currency: str
    method: PaymentMethodKind
    created_at: datetime
    expires_at: datetime
    status: PaymentRequestStatus
    url: str | None = None
    pix_code: str | None = None
    boleto_line: str | None = None
    payable_from: date | None = None  # a boleto is payable once the bank has registered it
    due_on: date | None = None  # a boleto's due date (it expires when that local day ends)


@dataclass(frozen=True)
class SentEmail:
    reference: str  # the invoice sent
    to_masked: str  # "c•••••@gmail.com": never the full address
    sent_at: datetime


@dataclass(frozen=True)
class PaymentMethod:
    id: int
    customer_id: int
    kind: PaymentMethodKind
    masked: str  # e.g. "Visa •••• 4242", "FR76 •••• 0189": never the full number
    holder: str
    is_default: bool
    expires: str | None = None  # MM/YY for cards


@dataclass(frozen=True)
class NewPaymentMethod:
    """Payment details entered on the secure page, as stored: only what can be shown back (the full
    card number, CVV or IBAN never reach the backend)."""

    kind: PaymentMethodKind  # card or sepa_debit
    masked: str  # "Visa •••• 4242", "FR76 •••• 0189"
    holder: str
    expires: str | None = None  # MM/YY for cards, None for a direct debit


@dataclass(frozen=True)
class SecureLink:
    url: str
    expires_at: datetime


@dataclass(frozen=True)
class LateCharges:
    """What an overdue amount costs, per the customer's country policy, on a given day."""

    invoice_reference: str
    overdue_amount: Decimal
    days_late: int
    fee: Decimal
    interest: Decimal
    currency: str

    @property
    def total(self) -> Decimal:
        return self.overdue_amount + self.fee + self.interest


@dataclass(frozen=True)
class AccountSummary:
    customer: Customer
    balance: Decimal  # everything open, overdue or not
    overdue_amount: Decimal
    overdue_invoices: int
    next_due_on: date | None
    next_amount: Decimal | None
    next_debit_on: date | None  # when auto-pay collects it (due day or next business day)
    auto_pay: bool

    @property
    def currency(self) -> str:
        return self.customer.currency


@dataclass(frozen=True)
class PlanChangePreview:
    current: Plan
    target: Plan
    is_upgrade: bool
    effective_on: date
    charge_now: Decimal  # pro-rata difference billed now (upgrade), zero otherwise
    next_invoice_amount: Decimal


@dataclass(frozen=True)
class DueDayOptions:
    current_day: int
    allowed_days: tuple[int, ...]
    can_change: bool
    next_change_possible_on: date | None


@dataclass(frozen=True)
class DueDayChange:
    old_day: int
    new_day: int
    next_due_on: date
    prorata_amount: Decimal  # extra (or fewer) days billed once on the next invoice


@dataclass(frozen=True)
class InstallmentPolicy:
    max_installments: int
    min_installment: Decimal
    monthly_interest_rate: Decimal  # 0.01 is 1 % a month


@dataclass(frozen=True)
class InstallmentOffer:
    overdue_total: Decimal
    currency: str
    policy: InstallmentPolicy
    eligible: bool


@dataclass(frozen=True)
class Installment:
    number: int
    due_on: date
    amount: Decimal


@dataclass(frozen=True)
class InstallmentAgreement:
    reference: str
    customer_id: int
    total: Decimal
    currency: str
    created_on: date
    installments: tuple[Installment, ...]


@dataclass(frozen=True)
class RetentionOffer:
    code: str
    discount_percent: Decimal
    months: int


@dataclass(frozen=True)
class CancellationTerms:
    notice_days: int
    commitment_end: date | None
    early_termination_fee: Decimal
    effective_on: date
    final_invoice_estimate: Decimal
    currency: str
    retention_offer: RetentionOffer | None


@dataclass(frozen=True)
class CancellationConfirmation:
    reference: str
    effective_on: date
    final_invoice_estimate: Decimal
    currency: str


@dataclass(frozen=True)
class PriceAdjustment:
    effective_on: date
    index_name: str  # "IGP-M"
    percent: Decimal
    old_price: Decimal
    new_price: Decimal


@dataclass(frozen=True)
class ServiceStatus:
    status: AccountStatus
    suspended_since: date | None
    trust_release_eligible: bool
    trust_release_used_on: date | None
    trust_release_until: date | None


@dataclass(frozen=True)
class NotaFiscal:
    number: str
    customer_id: int
    issued_on: date
    service: str
    amount: Decimal
    period: str  # "2026-11"


@dataclass(frozen=True)
class NewTicket:
    channel: str
    language: str
    topic: str
    summary: str
    customer_id: int | None = None
    priority: str = "normal"
    transcript: tuple[str, ...] = field(default_factory=tuple)
    conversation_id: str | None = None  # the Rasa sender id, for the agent console to take over


@dataclass(frozen=True)
class Ticket:
    reference: str
    customer_id: int | None
    channel: str
    language: str
    topic: str
    summary: str
    priority: str
    status: TicketStatus
    created_at: datetime
    updated_at: datetime
    conversation_id: str | None = None
    assigned_agent_id: int | None = None
    claimed_at: datetime | None = None
    resolved_at: datetime | None = None
    satisfaction: int | None = None  # 1 to 5, given by the customer once resolved
