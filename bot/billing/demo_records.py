"""What a demo account is made of, and the builders that date its history relative to a day."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from bot.billing import rules
from bot.billing.models import (
    AccountStatus,
    Installment,
    InvoiceLine,
    LineKind,
    PaymentMethodKind,
    Plan,
    PriceAdjustment,
)
from bot.billing.money import quantize
from bot.billing.policy import CountryPolicy, policy_for

# Brazilian notes: telecom service (SCM) and value-added service (SVA) add up to the monthly fee.
NOTA_SERVICES = ("Serviço de Comunicação Multimídia (SCM)", "Serviço de Valor Adicionado (SVA)")
SVA_SHARE = Decimal("0.40")
NOTA_DAY = 25
NOTA_MONTHS = 3
HISTORY_MONTHS = 6

PriceOn = Callable[[date], Decimal]


@dataclass(frozen=True)
class DemoMethod:
    kind: PaymentMethodKind
    masked: str
    holder: str
    is_default: bool = True
    expires: str | None = None


@dataclass(frozen=True)
class DemoInvoice:
    issued_on: date
    due_on: date
    lines: tuple[InvoiceLine, ...]
    paid_on: date | None = None
    reminders_sent: int = 0
    replaced: bool = False  # void: replaced by the installment agreement

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0"))


@dataclass(frozen=True)
class DemoAgreement:
    reference: str
    created_on: date
    installments: tuple[Installment, ...]
    paid_count: int  # the first installments, paid by card on their due dates

    @property
    def total(self) -> Decimal:
        return sum((item.amount for item in self.installments), Decimal("0"))


@dataclass(frozen=True)
class DemoCancellation:
    reference: str
    requested_on: date
    effective_on: date
    reason: str
    early_termination_fee: Decimal
    final_invoice_estimate: Decimal


@dataclass(frozen=True)
class DemoNota:
    number: str
    issued_on: date
    service: str
    amount: Decimal
    period: str


@dataclass(frozen=True)
class DemoAccount:
    number: str
    name: str
    email: str
    phone: str
    country: str
    postal_code: str
    city: str
    plan: Plan
    started_on: date
    due_day: int
    auto_pay: bool
    methods: tuple[DemoMethod, ...]
    invoices: tuple[DemoInvoice, ...]
    status: AccountStatus = AccountStatus.ACTIVE
    price_override: Decimal | None = None
    commitment_end: date | None = None
    suspended_since: date | None = None
    trust_releases: tuple[tuple[date, date], ...] = ()
    cancellation: DemoCancellation | None = None
    adjustment: PriceAdjustment | None = None
    agreement: DemoAgreement | None = None
    notas: tuple[DemoNota, ...] = ()
    street: str = ""

    @property
    def policy(self) -> CountryPolicy:
        return policy_for(self.country)


def monthly_invoices(
    plan: Plan,
    started_on: date,
    due_day: int,
    policy: CountryPolicy,
    today: date,
    *,
    price_on: PriceOn | None = None,
    auto_pay: bool = True,
) -> tuple[DemoInvoice, ...]:
    """The last invoices issued by `today`: each bills the period from its due date to the next one
    (the first one adds the pro-rata since the start), paid by its due date when that is past."""
    price_of = price_on or (lambda _day: plan.monthly_price)
    found: list[DemoInvoice] = []
    due = rules.next_due_date(due_day, started_on)
    while (issued := max(due - policy.review_period, started_on)) <= today:
        following = rules.due_date_after(due_day, due)
        lines = []
        if not found and started_on < due:
            amount = rules.prorata(price_of(started_on), started_on, due, policy.currency)
            lines.append(
                InvoiceLine(LineKind.PRORATA, plan.name, amount, started_on, due - timedelta(days=1))
            )
        lines.append(
            InvoiceLine(LineKind.SUBSCRIPTION, plan.name, price_of(due), due, following - timedelta(days=1))
        )
        paid_on = None if due >= today else (due if auto_pay else max(issued, due - timedelta(days=2)))
        found.append(DemoInvoice(issued, due, tuple(lines), paid_on))
        due = following
    return tuple(found[-HISTORY_MONTHS:])


def unpaid(
    invoices: Sequence[DemoInvoice], which: Callable[[DemoInvoice], bool], reminders: int = 0
) -> tuple[DemoInvoice, ...]:
    return tuple(
        replace(item, paid_on=None, reminders_sent=reminders) if which(item) else item for item in invoices
    )


def last_dues_before(invoices: Sequence[DemoInvoice], day: date, count: int) -> tuple[date, ...]:
    return tuple(sorted(item.due_on for item in invoices if item.due_on < day)[-count:])


def due_day_with_due_near(target: date, allowed_days: Sequence[int]) -> int:
    """The allowed due day that falls closest to `target` (keeps a demo state true on any day)."""
    month = target.replace(day=1)
    months = (rules.add_months(month, -1), month, rules.add_months(month, 1))

    def distance(day: int) -> int:
        return min(abs((rules.day_in_month(m.year, m.month, day) - target).days) for m in months)

    return min(allowed_days, key=distance)


def notas_fiscais(number: str, price_on: PriceOn, started_on: date, today: date) -> tuple[DemoNota, ...]:
    """Two notes a month (SCM + SVA) for the last months, issued on the 25th."""
    notas: list[DemoNota] = []
    for months_back in range(NOTA_MONTHS - 1, -1, -1):
        month = rules.add_months(today.replace(day=1), -months_back)
        issued_on = month.replace(day=NOTA_DAY)
        if not started_on <= issued_on <= today:
            continue
        fee = price_on(issued_on)
        sva = quantize(fee * SVA_SHARE, "BRL")
        for index, (service, amount) in enumerate(zip(NOTA_SERVICES, (fee - sva, sva), strict=True), 1):
            notas.append(
                DemoNota(f"{month:%Y%m}{number}{index}", issued_on, service, amount, f"{month:%Y-%m}")
            )
    return tuple(notas)


def card_expiry(today: date) -> str:
    return f"{rules.add_months(today, 30):%m/%y}"


def months_ago(today: date, months: int) -> date:
    return rules.add_months(today, -months)
