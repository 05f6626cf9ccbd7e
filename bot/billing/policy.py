"""Per-country billing policies: the numbers the rules apply, with demo defaults a deployment overrides.

Override a value with `dataclasses.replace(policy_for("FR"), late_fixed_fee=Decimal("5.00"))` and pass
the result to the backend; construction re-checks every value, including the Brazilian legal caps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.billing.models import InstallmentPolicy, PaymentMethodKind, RetentionOffer

# Código de Defesa do Consumidor, art. 52 §1 (fine) and the usual 1 % a month of juros de mora.
BRAZIL_MAX_LATE_FINE = Decimal("0.02")
BRAZIL_MAX_MONTHLY_INTEREST = Decimal("0.01")


@dataclass(frozen=True)
class CountryPolicy:
    country: str
    currency: str
    language: str
    invoice_day: int  # invoices are issued `review_days` before they are due...
    debit_day: int  # ...and due (debited) on this default day of the month
    allowed_due_days: tuple[int, ...]
    late_fixed_fee: Decimal
    late_percent_fee: Decimal  # 0.02 is 2 % of the overdue amount, charged once
    late_monthly_interest: Decimal  # simple interest, 30-day months
    installments: InstallmentPolicy
    cancellation_notice_days: int
    late_grace_days: int = 0
    due_day_change_every_months: int = 6
    manual_payment_admin_fee_rate: Decimal = Decimal("0.15")
    installment_first_due_days: int = 5
    early_termination_rate: Decimal = Decimal("0.25")
    retention_offer: RetentionOffer = field(
        default_factory=lambda: RetentionOffer(code="RETENTION20", discount_percent=Decimal("20"), months=3)
    )
    trust_release_days: int = 3
    trust_release_cooldown_days: int = 365
    # How a customer can pay an amount now (payment requests), in the order offered.
    payment_options: tuple[PaymentMethodKind, ...] = (PaymentMethodKind.CARD,)
    # What a customer can keep on file (secure page), for automatic payment: a card, a SEPA debit in euros.
    methods_on_file: tuple[PaymentMethodKind, ...] = (PaymentMethodKind.CARD, PaymentMethodKind.SEPA_DEBIT)
    # Local day boundaries, e.g. the end of a boleto's due date.
    timezone: str = "Europe/Paris"

    def __post_init__(self) -> None:
        for item in fields(self):
            if isinstance(getattr(self, item.name), float):
                raise TypeError(f"{item.name} must be a Decimal, not a float")
        if not 1 <= self.debit_day <= 31 or not 1 <= self.invoice_day <= self.debit_day:
            raise ValueError("invoice_day must come before debit_day in the month")
        if not self.allowed_due_days or any(not 1 <= day <= 31 for day in self.allowed_due_days):
            raise ValueError("allowed_due_days must be days of the month")
        if self.debit_day not in self.allowed_due_days:
            raise ValueError("debit_day must be one of the allowed due days")
        rates = (
            self.late_fixed_fee,
            self.late_percent_fee,
            self.late_monthly_interest,
            self.manual_payment_admin_fee_rate,
            self.early_termination_rate,
            self.installments.monthly_interest_rate,
        )
        if any(rate < 0 for rate in rates):
            raise ValueError("fees and rates cannot be negative")
        if min(self.late_grace_days, self.cancellation_notice_days, self.trust_release_days) < 0:
            raise ValueError("day counts cannot be negative")
        if self.installments.max_installments < 1:
            raise ValueError("max_installments must be at least 1")
        self._check_payment_options()
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {self.timezone!r}") from None
        if self.country == "BR":
            self._check_brazilian_caps()

    def _check_payment_options(self) -> None:
        options = self.payment_options
        if not options or len(set(options)) != len(options):
            raise ValueError("payment_options must name each offered method once")
        if any(not isinstance(option, PaymentMethodKind) for option in options):
            raise TypeError("payment_options must be PaymentMethodKind values")
        local_only = {PaymentMethodKind.PIX, PaymentMethodKind.BOLETO}
        if self.currency != "BRL" and local_only.intersection(options):
            raise ValueError("Pix and boleto collect Brazilian reais only")
        on_file = set(self.methods_on_file)
        if not on_file or not on_file <= {PaymentMethodKind.CARD, PaymentMethodKind.SEPA_DEBIT}:
            raise ValueError(
                "methods_on_file: cards and SEPA debits only (Pix and boleto are paid per request)"
            )
        if PaymentMethodKind.SEPA_DEBIT in on_file and self.currency != "EUR":
            raise ValueError("a SEPA debit collects euros only")

    def _check_brazilian_caps(self) -> None:
        # A fixed fee is part of the fine (multa): on a small amount it would break the 2 % cap.
        if self.late_fixed_fee > 0 or self.late_percent_fee > BRAZIL_MAX_LATE_FINE:
            raise ValueError("a Brazilian late fine cannot exceed 2 % of the amount due")
        if self.late_monthly_interest > BRAZIL_MAX_MONTHLY_INTEREST:
            raise ValueError("Brazilian late interest cannot exceed 1 % a month")

    @property
    def review_days(self) -> int:
        """Days between an invoice and its due date (France: issued on the 2nd, debited on the 22nd)."""
        return self.debit_day - self.invoice_day

    @property
    def review_period(self) -> timedelta:
        return timedelta(days=self.review_days)


@dataclass(frozen=True)
class SecurityPolicy:
    """Country-independent: it applies before the customer (hence the country) is known."""

    max_verification_failures: int = 5
    lock_minutes: int = 30
    payment_method_link_minutes: int = 30

    def __post_init__(self) -> None:
        if min(self.max_verification_failures, self.lock_minutes, self.payment_method_link_minutes) < 1:
            raise ValueError("security limits must be positive")


_FRANCE = CountryPolicy(
    country="FR",
    currency="EUR",
    language="fr",
    invoice_day=2,
    debit_day=22,
    allowed_due_days=(5, 10, 15, 22, 28),
    late_fixed_fee=Decimal("7.50"),
    late_percent_fee=Decimal("0"),
    late_monthly_interest=Decimal("0.008"),
    installments=InstallmentPolicy(
        max_installments=6, min_installment=Decimal("20.00"), monthly_interest_rate=Decimal("0")
    ),
    cancellation_notice_days=10,
)

_BRAZIL = CountryPolicy(
    country="BR",
    currency="BRL",
    language="pt",
    invoice_day=1,
    debit_day=10,
    allowed_due_days=(5, 10, 15, 20, 25),
    late_fixed_fee=Decimal("0"),
    late_percent_fee=BRAZIL_MAX_LATE_FINE,
    late_monthly_interest=BRAZIL_MAX_MONTHLY_INTEREST,
    installments=InstallmentPolicy(
        max_installments=10, min_installment=Decimal("50.00"), monthly_interest_rate=Decimal("0.01")
    ),
    cancellation_notice_days=0,
    payment_options=(PaymentMethodKind.PIX, PaymentMethodKind.BOLETO, PaymentMethodKind.CARD),
    methods_on_file=(PaymentMethodKind.CARD,),
    timezone="America/Sao_Paulo",
)

_PORTUGAL = CountryPolicy(
    country="PT",
    currency="EUR",
    language="pt",
    invoice_day=5,
    debit_day=20,
    allowed_due_days=(5, 10, 15, 20, 25),
    late_fixed_fee=Decimal("7.50"),
    late_percent_fee=Decimal("0"),
    late_monthly_interest=Decimal("0.008"),
    installments=_FRANCE.installments,
    cancellation_notice_days=30,
    timezone="Europe/Lisbon",
)

DEFAULT_POLICIES: Mapping[str, CountryPolicy] = {p.country: p for p in (_FRANCE, _BRAZIL, _PORTUGAL)}
DEFAULT_SECURITY = SecurityPolicy()


def policy_for(country: str, policies: Mapping[str, CountryPolicy] | None = None) -> CountryPolicy:
    """The policy of a country: the caller's if it gave one, else the demo default."""
    code = country.upper()
    if policies is not None and code in policies:
        return policies[code]
    try:
        return DEFAULT_POLICIES[code]
    except KeyError:
        raise LookupError(f"no billing policy for country {country!r}") from None
