"""The demo states hold whatever the day the demo is seeded (checked on the pure build)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.billing import rules
from bot.billing.demo import DEMO_CUSTOMERS, PLANS, build_demo
from bot.billing.demo_records import DemoAccount, DemoInvoice
from bot.billing.models import AccountStatus, LineKind

seeding_days = st.dates(min_value=date(2024, 1, 1), max_value=date(2034, 12, 31))


def by_number(today: date) -> dict[str, DemoAccount]:
    return {account.number: account for account in build_demo(today)}


def overdue(account: DemoAccount, today: date) -> list[DemoInvoice]:
    return [
        item
        for item in account.invoices
        if not item.replaced and item.paid_on is None and item.due_on < today
    ]


def test_demo_customers_table_matches_the_accounts() -> None:
    accounts = build_demo(date(2026, 3, 11))
    assert len(accounts) >= 10
    assert [(a.number, a.postal_code, a.name) for a in accounts] == [
        (info.number, info.postal_code, info.name) for info in DEMO_CUSTOMERS
    ]
    assert all(len(a.number) == 6 and a.number.isdigit() for a in accounts)
    assert len({a.number for a in accounts}) == len(accounts)
    assert all(a.email.endswith(("@example.com", "@example.org")) for a in accounts)
    assert all(a.phone.startswith(("+33", "+55", "+351")) for a in accounts)
    assert {p.name for p in PLANS if p.country == "BR"} == {"Fibra 300", "Fibra 600", "Fibra 1 Giga"}


@settings(max_examples=150, deadline=None)
@given(seeding_days)
def test_demo_states_hold_on_any_day(today: date) -> None:
    accounts = by_number(today)
    for account in accounts.values():
        assert all(item.issued_on <= today for item in account.invoices)
        assert account.started_on <= today
    for number in ("482130", "159372", "731402", "268054", "624511", "300918"):
        assert not overdue(accounts[number], today), number

    julien = overdue(accounts["517204"], today)
    assert len(julien) == 1 and 14 <= (today - julien[0].due_on).days <= 26
    assert julien[0].reminders_sent == 1

    sophie = accounts["300918"]
    assert sophie.status is AccountStatus.CANCELLATION_PENDING and sophie.cancellation is not None
    assert today < sophie.cancellation.effective_on <= today + timedelta(days=10)
    assert sophie.commitment_end is not None and sophie.commitment_end > sophie.cancellation.effective_on

    (first,) = accounts["624511"].invoices
    assert first.issued_on <= today <= first.due_on and first.paid_on is None
    assert [line.kind for line in first.lines] == [LineKind.PRORATA, LineKind.SUBSCRIPTION]

    carlos = accounts["845120"]
    assert len(overdue(carlos, today)) == 3 and carlos.status is AccountStatus.SUSPENDED
    assert (
        carlos.suspended_since is not None and carlos.suspended_since <= today and not carlos.trust_releases
    )

    beatriz = accounts["386215"]
    ((released_on, _),) = beatriz.trust_releases
    assert beatriz.status is AccountStatus.SUSPENDED and released_on == today - timedelta(days=60)
    assert beatriz.suspended_since is not None and beatriz.suspended_since < released_on
    assert overdue(beatriz, today)

    agreement = accounts["912733"].agreement
    assert agreement is not None and len(agreement.installments) == 5 and agreement.paid_count == 2
    assert agreement.installments[1].due_on < today < agreement.installments[2].due_on
    assert sum(1 for item in accounts["912733"].invoices if item.replaced) == 2

    rafael = accounts["268054"]
    assert rafael.adjustment is not None and rafael.adjustment.effective_on == today - timedelta(days=14)
    assert rafael.adjustment.new_price == rafael.price_override == Decimal("104.40")


@settings(max_examples=50, deadline=None)
@given(seeding_days)
def test_notas_fiscais_add_up_to_the_monthly_fee(today: date) -> None:
    for account in build_demo(today):
        if account.country != "BR":
            assert not account.notas
            continue
        assert account.notas
        periods = {nota.period for nota in account.notas}
        for period in periods:
            notas = [nota for nota in account.notas if nota.period == period]
            assert len(notas) == 2 and all(nota.issued_on.day == 25 for nota in notas)
            fee = account.plan.monthly_price
            if account.adjustment and notas[0].issued_on >= account.adjustment.effective_on:
                fee = account.adjustment.new_price
            assert sum(nota.amount for nota in notas) == fee


def test_first_invoice_of_a_new_customer_is_pro_rata_plus_a_full_period() -> None:
    today = date(2026, 3, 11)
    thomas = by_number(today)["624511"]
    (invoice,) = thomas.invoices
    prorata, full = invoice.lines
    assert prorata.amount == rules.prorata(Decimal("39.99"), thomas.started_on, invoice.due_on, "EUR")
    assert full.amount == Decimal("39.99") and full.period_start == invoice.due_on
