from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.billing import rules
from bot.billing.backend import NotAllowed
from bot.billing.models import Installment, Plan
from bot.billing.policy import BRAZIL_MAX_LATE_FINE, BRAZIL_MAX_MONTHLY_INTEREST, CountryPolicy, policy_for

FR, BR, PT = policy_for("FR"), policy_for("BR"), policy_for("PT")
CENT = Decimal("0.01")

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("10000"), places=2)
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000000"), places=2)


def months_touched(start: date, end_exclusive: date) -> int:
    last = end_exclusive - timedelta(days=1)
    return (last.year - start.year) * 12 + last.month - start.month + 1


# -- calendar -----------------------------------------------------------------------------------------
@given(days)
def test_next_business_day_is_a_weekday_not_earlier(day: date) -> None:
    moved = rules.next_business_day(day)
    assert moved.weekday() < 5
    assert day <= moved <= day + timedelta(days=2)
    if day.weekday() < 5:
        assert moved == day


def test_weekend_due_dates_are_debited_on_monday() -> None:
    assert rules.debit_date(date(2026, 3, 21)) == date(2026, 3, 23)  # Saturday
    assert rules.debit_date(date(2026, 3, 22)) == date(2026, 3, 23)  # Sunday
    assert rules.debit_date(date(2026, 3, 20)) == date(2026, 3, 20)


@given(st.integers(min_value=1, max_value=31), days)
def test_next_due_date(due_day: int, today: date) -> None:
    due = rules.next_due_date(due_day, today)
    assert today <= due < today + timedelta(days=32)
    assert due.day == min(due_day, rules.days_in_month(due.year, due.month))
    assert rules.due_date_after(due_day, today) > today


def test_due_day_31_is_clamped_to_the_end_of_february() -> None:
    assert rules.next_due_date(31, date(2026, 2, 10)) == date(2026, 2, 28)
    assert rules.next_due_date(31, date(2028, 2, 10)) == date(2028, 2, 29)
    assert rules.next_due_date(31, date(2026, 3, 1)) == date(2026, 3, 31)
    assert rules.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


# -- pro-rata -----------------------------------------------------------------------------------------
@given(prices, st.integers(min_value=2000, max_value=2100), st.integers(min_value=1, max_value=12))
def test_prorata_of_a_whole_month_is_the_price(price: Decimal, year: int, month: int) -> None:
    start = date(year, month, 1)
    assert rules.prorata(price, start, rules.add_months(start, 1), "EUR") == price


@given(prices, days, st.integers(0, 400), st.integers(0, 400))
def test_prorata_is_additive(price: Decimal, start: date, first: int, second: int) -> None:
    middle, end = start + timedelta(days=first), start + timedelta(days=first + second)
    exact = rules.prorata_fraction(price, start, middle) + rules.prorata_fraction(price, middle, end)
    assert exact == rules.prorata_fraction(price, start, end)
    rounded = rules.prorata(price, start, middle, "EUR") + rules.prorata(price, middle, end, "EUR")
    assert abs(rounded - rules.prorata(price, start, end, "EUR")) <= CENT  # one rounding each


@given(prices, days, st.integers(1, 800))
def test_prorata_never_exceeds_the_months_touched(price: Decimal, start: date, length: int) -> None:
    end = start + timedelta(days=length)
    assert Decimal(0) <= rules.prorata(price, start, end, "EUR") <= price * months_touched(start, end)


def test_prorata_counts_each_month_at_its_own_length() -> None:
    # 10 days of February 2026 at 28.00 / 28 + 5 days of March at 28.00 / 31 = 10 + 4.516...
    assert rules.prorata(Decimal("28.00"), date(2026, 2, 19), date(2026, 3, 6), "EUR") == Decimal("14.52")
    assert rules.signed_prorata(Decimal("31.00"), date(2026, 3, 11), date(2026, 3, 1), "EUR") == Decimal(
        "-10.00"
    )
    with pytest.raises(ValueError):
        rules.prorata(Decimal("1"), date(2026, 3, 2), date(2026, 3, 1), "EUR")


# -- late charges -------------------------------------------------------------------------------------
@given(amounts, days, st.integers(-60, 2000))
def test_brazilian_late_charges_never_exceed_the_legal_caps(amount: Decimal, due: date, late: int) -> None:
    today = due + timedelta(days=late)
    fee, interest = rules.late_charges(amount, due, today, BR)
    assert fee <= amount * BRAZIL_MAX_LATE_FINE
    assert interest <= amount * BRAZIL_MAX_MONTHLY_INTEREST * max(late, 0) / 30
    assert fee >= 0 and interest >= 0


@given(amounts, days, st.integers(0, 400), st.sampled_from([FR, BR, PT]))
def test_nothing_is_charged_until_after_the_due_date(
    amount: Decimal, due: date, early: int, policy: CountryPolicy
) -> None:
    nothing = (Decimal("0"), Decimal("0"))
    assert rules.late_charges(amount, due, due - timedelta(days=early), policy) == nothing


def test_late_charges_examples() -> None:
    due = date(2026, 2, 20)
    # France: 7.50 once + 0.8 % a month, 20 days: 100 * 0.008 * 20 / 30 = 0.5333
    assert rules.late_charges(Decimal("100.00"), due, due + timedelta(days=20), FR) == (
        Decimal("7.50"),
        Decimal("0.53"),
    )
    # Brazil: 2 % fine + 1 % a month, 45 days: 2.00 and 1.50
    assert rules.late_charges(Decimal("100.00"), due, due + timedelta(days=45), BR) == (
        Decimal("2.00"),
        Decimal("1.50"),
    )
    graceful = replace(FR, late_grace_days=5)
    assert rules.late_charges(Decimal("100.00"), due, due + timedelta(days=5), graceful)[0] == 0
    assert rules.manual_payment_admin_fee(Decimal("40.00"), FR) == Decimal("6.00")


# -- plan changes -------------------------------------------------------------------------------------
ESSENTIEL = Plan("fr-essentiel", "Essentiel", "FR", Decimal("19.99"), "EUR", (), 1)
PRO = Plan("fr-fibre-pro", "Fibre Pro", "FR", Decimal("39.99"), "EUR", (), 2)


def test_upgrade_charges_the_difference_for_the_rest_of_the_period() -> None:
    today, period_end = date(2026, 3, 12), date(2026, 3, 22)
    preview = rules.plan_change_preview(ESSENTIEL, ESSENTIEL.monthly_price, PRO, today, period_end)
    assert preview.is_upgrade and preview.effective_on == today
    assert preview.charge_now == rules.prorata(Decimal("20.00"), today, period_end, "EUR") == Decimal("6.45")
    assert preview.next_invoice_amount == PRO.monthly_price


def test_downgrade_waits_for_the_next_due_date() -> None:
    preview = rules.plan_change_preview(
        PRO, PRO.monthly_price, ESSENTIEL, date(2026, 3, 12), date(2026, 3, 22)
    )
    assert not preview.is_upgrade
    assert preview.effective_on == date(2026, 3, 22)
    assert preview.charge_now == 0
    assert preview.next_invoice_amount == ESSENTIEL.monthly_price
    with pytest.raises(NotAllowed) as refused:
        rules.plan_change_preview(PRO, PRO.monthly_price, PRO, date(2026, 3, 12), date(2026, 3, 22))
    assert refused.value.reason == "same_plan"


# -- due day ------------------------------------------------------------------------------------------
def test_due_day_change_bills_the_days_added() -> None:
    change = rules.due_day_change(5, 15, Decimal("31.00"), date(2026, 3, 10), None, FR)
    assert change.next_due_on == date(2026, 4, 15)
    assert change.prorata_amount == rules.prorata(
        Decimal("31.00"), date(2026, 4, 5), date(2026, 4, 15), "EUR"
    )
    assert change.prorata_amount > 0


def test_due_day_change_credits_the_days_removed() -> None:
    change = rules.due_day_change(28, 15, Decimal("31.00"), date(2026, 3, 10), None, FR)
    assert change.next_due_on == date(2026, 3, 15)
    assert change.prorata_amount == Decimal("-13.00")


def test_due_day_change_limits() -> None:
    today = date(2026, 3, 10)
    for new_day, reason in ((7, "due_day_not_allowed"), (22, "same_due_day")):
        with pytest.raises(NotAllowed) as refused:
            rules.due_day_change(22, new_day, Decimal("10"), today, None, FR)
        assert refused.value.reason == reason
    with pytest.raises(NotAllowed) as refused:
        rules.due_day_change(22, 5, Decimal("10"), today, date(2025, 10, 1), FR)
    assert refused.value.reason == "due_day_changed_recently"
    options = rules.due_day_options(22, today, date(2025, 10, 1), FR)
    assert not options.can_change and options.next_change_possible_on == date(2026, 4, 1)
    assert rules.due_day_options(22, today, date(2025, 9, 10), FR).can_change
    assert rules.due_day_options(10, today, None, BR).allowed_days == (5, 10, 15, 20, 25)


# -- installments -------------------------------------------------------------------------------------
@given(
    st.decimals(min_value=Decimal("1"), max_value=Decimal("100000"), places=2),
    st.integers(2, 24),
    st.sampled_from([Decimal("0"), Decimal("0.01"), Decimal("0.025")]),
    days,
)
def test_installments_add_up_to_the_total_with_interest(
    total: Decimal, count: int, rate: Decimal, first_due: date
) -> None:
    schedule = rules.installment_schedule(total, count, rate, first_due, "BRL")
    assert len(schedule) == count
    assert sum(item.amount for item in schedule) == rules.total_with_interest(total, count, rate, "BRL")
    expected = (total * (1 + rate * (count - 1))).quantize(CENT, rounding=ROUND_HALF_UP)
    assert rules.total_with_interest(total, count, rate, "BRL") == expected
    assert [item.number for item in schedule] == list(range(1, count + 1))
    assert all(item.due_on == rules.add_months(first_due, index) for index, item in enumerate(schedule))


def test_installments_outside_the_policy_are_refused() -> None:
    limits = BR.installments

    def schedule(count: int) -> tuple[Installment, ...]:
        return rules.installment_schedule(
            Decimal("300.00"),
            count,
            limits.monthly_interest_rate,
            date(2026, 3, 16),
            "BRL",
            max_installments=limits.max_installments,
            min_installment=limits.min_installment,
        )

    ok = schedule(5)
    assert sum(item.amount for item in ok) == Decimal("312.00")
    for count, reason in (
        (11, "installments_above_max"),
        (10, "installment_below_min"),
        (1, "installments_too_few"),
    ):
        with pytest.raises(NotAllowed) as refused:
            schedule(count)
        assert refused.value.reason == reason


# -- cancellation and trust release -------------------------------------------------------------------
def test_cancellation_terms_with_commitment() -> None:
    today = date(2026, 3, 11)
    terms = rules.cancellation_terms(
        Decimal("59.99"), today, date(2026, 8, 20), date(2026, 3, 15), Decimal("0"), FR
    )
    assert terms.notice_days == 10 and terms.effective_on == date(2026, 3, 21)
    assert rules.remaining_commitment_months(terms.effective_on, date(2026, 8, 20)) == 5
    assert terms.early_termination_fee == Decimal("74.99")  # 5 * 59.99 * 0.25
    usage = rules.prorata(Decimal("59.99"), date(2026, 3, 15), date(2026, 3, 21), "EUR")
    assert terms.final_invoice_estimate == usage + Decimal("74.99")


def test_cancellation_notice_per_country() -> None:
    today = date(2026, 3, 11)
    for policy, notice in ((FR, 10), (BR, 0), (PT, 30)):
        terms = rules.cancellation_terms(Decimal("10.00"), today, None, today, Decimal("5.00"), policy)
        assert terms.effective_on == today + timedelta(days=notice)
        assert terms.early_termination_fee == 0
    assert rules.remaining_commitment_months(today, None) == 0
    assert rules.remaining_commitment_months(today, today) == 0


def test_trust_release_eligibility() -> None:
    today = date(2026, 3, 11)
    assert rules.trust_release_eligible(True, None, today, BR)
    assert not rules.trust_release_eligible(False, None, today, BR)
    assert not rules.trust_release_eligible(True, today - timedelta(days=60), today, BR)
    assert rules.trust_release_eligible(True, today - timedelta(days=365), today, BR)
