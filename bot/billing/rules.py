"""Billing rules as pure functions: calendar, pro-rata, late charges, plan and due-day changes,
installments, cancellation and trust release. No I/O; `today` is always given.

Business days only skip weekends: public holidays (France, Brazil, Portugal, regional ones) are out of
scope here; an operator whose bank shifts debits on holidays adds its calendar in `next_business_day`.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

from bot.billing.backend import NotAllowed
from bot.billing.models import (
    CancellationTerms,
    DueDayChange,
    DueDayOptions,
    Installment,
    Plan,
    PlanChangePreview,
    RetentionOffer,
)
from bot.billing.money import quantize, split_evenly, to_fraction
from bot.billing.policy import CountryPolicy

ZERO = Decimal("0")
SATURDAY = 5
DAYS_IN_INTEREST_MONTH = 30


# -- calendar ---------------------------------------------------------------------------------------
def days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def day_in_month(year: int, month: int, day: int) -> date:
    """The given day of a month, clamped to its last day (the 31st of February is the 28th or 29th)."""
    return date(year, month, min(day, days_in_month(year, month)))


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return day_in_month(index // 12, index % 12 + 1, day.day)


def next_business_day(day: date) -> date:
    """`day` itself on a weekday, else the following Monday. Holidays are not taken into account."""
    if day.weekday() >= SATURDAY:
        return day + timedelta(days=7 - day.weekday())
    return day


def next_due_date(due_day: int, today: date) -> date:
    """The first due date on or after `today` (the due day clamped to short months)."""
    this_month = day_in_month(today.year, today.month, due_day)
    if this_month >= today:
        return this_month
    following = add_months(today.replace(day=1), 1)
    return day_in_month(following.year, following.month, due_day)


def due_date_after(due_day: int, day: date) -> date:
    """The first due date strictly after `day`."""
    return next_due_date(due_day, day + timedelta(days=1))


def debit_date(due_on: date) -> date:
    """When an automatic payment is collected: the due date, moved to the next business day."""
    return next_business_day(due_on)


# -- pro-rata ---------------------------------------------------------------------------------------
def prorata_fraction(monthly_price: Decimal, start: date, end_exclusive: date) -> Fraction:
    """Exact pro-rata: each month's days at the monthly price divided by that month's length."""
    if end_exclusive < start:
        raise ValueError("a pro-rata period cannot end before it starts")
    price = to_fraction(monthly_price)
    total = Fraction(0)
    cursor = start
    while cursor < end_exclusive:
        month_length = days_in_month(cursor.year, cursor.month)
        month_end = add_months(cursor.replace(day=1), 1)
        stop = min(month_end, end_exclusive)
        total += price * (stop - cursor).days / month_length
        cursor = stop
    return total


def prorata(monthly_price: Decimal, start: date, end_exclusive: date, currency: str) -> Decimal:
    return quantize(prorata_fraction(monthly_price, start, end_exclusive), currency)


def signed_prorata(monthly_price: Decimal, start: date, end_exclusive: date, currency: str) -> Decimal:
    """Like `prorata`, negative (a credit) when the period runs backwards."""
    if end_exclusive < start:
        return -prorata(monthly_price, end_exclusive, start, currency)
    return prorata(monthly_price, start, end_exclusive, currency)


def apply_discount(price: Decimal, percent: Decimal, currency: str) -> Decimal:
    return quantize(to_fraction(price) * (100 - to_fraction(percent)) / 100, currency)


# -- late charges -----------------------------------------------------------------------------------
def days_late(due_on: date, today: date) -> int:
    return max((today - due_on).days, 0)


def late_charges(
    overdue_amount: Decimal, due_on: date, today: date, policy: CountryPolicy
) -> tuple[Decimal, Decimal]:
    """(fee, interest) owed on an overdue amount: a one-off fee plus simple interest per 30-day month.

    Both are rounded down so that rounding never takes a charge above a legal cap.
    """
    late = days_late(due_on, today)
    if overdue_amount <= 0 or late <= policy.late_grace_days:
        nothing = quantize(ZERO, policy.currency)
        return nothing, nothing
    amount = to_fraction(overdue_amount)
    fee = to_fraction(policy.late_fixed_fee) + to_fraction(policy.late_percent_fee) * amount
    interest = to_fraction(policy.late_monthly_interest) * amount * late / DAYS_IN_INTEREST_MONTH
    return (
        quantize(fee, policy.currency, rounding=ROUND_DOWN),
        quantize(interest, policy.currency, rounding=ROUND_DOWN),
    )


def manual_payment_admin_fee(amount: Decimal, policy: CountryPolicy) -> Decimal:
    return quantize(to_fraction(amount) * to_fraction(policy.manual_payment_admin_fee_rate), policy.currency)


# -- plan changes -----------------------------------------------------------------------------------
def is_upgrade(current: Plan, current_price: Decimal, target: Plan) -> bool:
    return (target.rank, target.monthly_price) > (current.rank, current_price)


def plan_change_preview(
    current: Plan,
    current_price: Decimal,
    target: Plan,
    today: date,
    period_end: date,
    discount_percent: Decimal = ZERO,
) -> PlanChangePreview:
    """Upgrade: effective today, the price difference charged now up to `period_end`.
    Downgrade: effective at `period_end`, nothing charged now.

    `period_end` is the end of the current period: the next due date (or, when the next period is
    already invoiced, the end of that one).
    """
    if target.code == current.code:
        raise NotAllowed("same_plan")
    upgrade = is_upgrade(current, current_price, target)
    next_amount = apply_discount(target.monthly_price, discount_percent, target.currency)
    if not upgrade:
        return PlanChangePreview(
            current, target, False, period_end, quantize(ZERO, target.currency), next_amount
        )
    difference = max(target.monthly_price - current_price, ZERO)
    charge = prorata(difference, today, max(period_end, today), target.currency)
    return PlanChangePreview(current, target, True, today, charge, next_amount)


# -- due day ----------------------------------------------------------------------------------------
def next_due_day_change_on(last_changed_on: date | None, policy: CountryPolicy) -> date | None:
    if last_changed_on is None:
        return None
    return add_months(last_changed_on, policy.due_day_change_every_months)


def due_day_options(
    current_day: int, today: date, last_changed_on: date | None, policy: CountryPolicy
) -> DueDayOptions:
    possible_on = next_due_day_change_on(last_changed_on, policy)
    can_change = possible_on is None or possible_on <= today
    return DueDayOptions(
        current_day=current_day,
        allowed_days=policy.allowed_due_days,
        can_change=can_change,
        next_change_possible_on=None if can_change else possible_on,
    )


def due_day_change(
    current_day: int,
    new_day: int,
    monthly_price: Decimal,
    today: date,
    last_changed_on: date | None,
    policy: CountryPolicy,
) -> DueDayChange:
    """Move the due day. The next due date moves to the new day in the same month (or the month after,
    when that day is already past); the days added or removed are billed (or credited) once.
    """
    if new_day == current_day:
        raise NotAllowed("same_due_day")
    if new_day not in policy.allowed_due_days:
        raise NotAllowed("due_day_not_allowed")
    if not due_day_options(current_day, today, last_changed_on, policy).can_change:
        raise NotAllowed("due_day_changed_recently")
    old_next = due_date_after(current_day, today)
    new_next = day_in_month(old_next.year, old_next.month, new_day)
    if new_next <= today:
        following = add_months(old_next.replace(day=1), 1)
        new_next = day_in_month(following.year, following.month, new_day)
    amount = signed_prorata(monthly_price, old_next, new_next, policy.currency)
    return DueDayChange(old_day=current_day, new_day=new_day, next_due_on=new_next, prorata_amount=amount)


# -- installments -----------------------------------------------------------------------------------
def total_with_interest(total: Decimal, installments: int, monthly_rate: Decimal, currency: str) -> Decimal:
    """Simple interest: one month of interest for every installment after the first."""
    factor = 1 + to_fraction(monthly_rate) * (installments - 1)
    return quantize(to_fraction(total) * factor, currency)


def installment_schedule(
    total: Decimal,
    installments: int,
    monthly_rate: Decimal,
    first_due: date,
    currency: str,
    *,
    max_installments: int | None = None,
    min_installment: Decimal | None = None,
) -> tuple[Installment, ...]:
    """Monthly installments of `total` with simple interest, or `NotAllowed` outside the limits given."""
    if installments < 2:
        raise NotAllowed("installments_too_few")
    if max_installments is not None and installments > max_installments:
        raise NotAllowed("installments_above_max")
    amounts = split_evenly(
        total_with_interest(total, installments, monthly_rate, currency), installments, currency
    )
    if min_installment is not None and min(amounts) < min_installment:
        raise NotAllowed("installment_below_min")
    return tuple(
        Installment(number=index + 1, due_on=add_months(first_due, index), amount=amount)
        for index, amount in enumerate(amounts)
    )


# -- cancellation -----------------------------------------------------------------------------------
def remaining_commitment_months(effective_on: date, commitment_end: date | None) -> int:
    """Started months of commitment left after `effective_on`."""
    if commitment_end is None or commitment_end <= effective_on:
        return 0
    months = 1
    while add_months(effective_on, months) < commitment_end:
        months += 1
    return months


def cancellation_terms(
    monthly_price: Decimal,
    today: date,
    commitment_end: date | None,
    billed_until: date,
    open_balance: Decimal,
    policy: CountryPolicy,
    retention_offer: RetentionOffer | None = None,
) -> CancellationTerms:
    """Notice, early-termination fee and final invoice estimate.

    The final invoice bills the service from `billed_until` (the end of the periods already invoiced) to
    the effective date; it is a credit when service already billed will not be provided.
    """
    effective_on = today + timedelta(days=policy.cancellation_notice_days)
    months_left = remaining_commitment_months(effective_on, commitment_end)
    fee = quantize(
        months_left * to_fraction(monthly_price) * to_fraction(policy.early_termination_rate), policy.currency
    )
    usage = signed_prorata(monthly_price, billed_until, effective_on, policy.currency)
    return CancellationTerms(
        notice_days=policy.cancellation_notice_days,
        commitment_end=commitment_end,
        early_termination_fee=fee,
        effective_on=effective_on,
        final_invoice_estimate=usage + fee + open_balance,
        currency=policy.currency,
        retention_offer=retention_offer,
    )


# -- trust release ----------------------------------------------------------------------------------
def trust_release_eligible(
    suspended_for_non_payment: bool, last_used_on: date | None, today: date, policy: CountryPolicy
) -> bool:
    """A suspended customer may get the service back for a few days, once per cooldown period."""
    if not suspended_for_non_payment:
        return False
    return last_used_on is None or (today - last_used_on).days >= policy.trust_release_cooldown_days
