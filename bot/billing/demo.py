"""Demo accounts: ten customers in typical billing situations, dated relative to the seeding day.

`build_demo(today)` is pure (the tests check every state on many days); `bot.billing.database.seed_demo`
writes it. Names, plans and service labels here are data, not dialogue.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from bot.billing import rules
from bot.billing.demo_records import (
    DemoAccount,
    DemoAgreement,
    DemoCancellation,
    DemoInvoice,
    DemoMethod,
    card_expiry,
    due_day_with_due_near,
    last_dues_before,
    monthly_invoices,
    months_ago,
    notas_fiscais,
    unpaid,
)
from bot.billing.models import AccountStatus, PaymentMethodKind, Plan, PriceAdjustment
from bot.billing.money import quantize
from bot.billing.policy import policy_for

CARD, SEPA = PaymentMethodKind.CARD, PaymentMethodKind.SEPA_DEBIT
BOLETO, PIX = PaymentMethodKind.BOLETO, PaymentMethodKind.PIX


class DemoCustomerInfo(NamedTuple):
    number: str
    postal_code: str  # the second verification factor
    name: str
    language: str
    state: str


DEMO_CUSTOMERS: tuple[DemoCustomerInfo, ...] = (
    DemoCustomerInfo("482130", "75011", "Camille Martin", "fr", "up to date, Fibre Pro, card, auto-pay"),
    DemoCustomerInfo("517204", "69003", "Julien Bernard", "fr", "1 invoice ~20 days overdue, reminder sent"),
    DemoCustomerInfo("300918", "13008", "Sophie Dubois", "fr", "cancellation pending, under commitment"),
    DemoCustomerInfo("624511", "33000", "Thomas Petit", "fr", "new customer, first invoice with pro-rata"),
    DemoCustomerInfo("159372", "1100-148", "João Ferreira", "pt", "up to date, Portugal, direct debit"),
    DemoCustomerInfo("731402", "01310-100", "Ana Souza", "pt", "up to date, boleto"),
    DemoCustomerInfo("845120", "20040-002", "Carlos Oliveira", "pt", "3 overdue, suspended, can get release"),
    DemoCustomerInfo("386215", "40010-000", "Beatriz Almeida", "pt", "suspended, release used 2 months ago"),
    DemoCustomerInfo("912733", "30130-010", "Fernanda Lima", "pt", "installment agreement, 2 of 5 paid"),
    DemoCustomerInfo("268054", "80010-000", "Rafael Costa", "pt", "IGP-M readjustment 2 weeks ago"),
)

PLANS: tuple[Plan, ...] = (
    Plan("fr-essentiel", "Essentiel", "FR", Decimal("19.99"), "EUR", ("300 Mbit/s",), 1),
    Plan("fr-fibre-pro", "Fibre Pro", "FR", Decimal("39.99"), "EUR", ("2 Gbit/s", "Wi-Fi 6"), 2),
    Plan("fr-fibre-max", "Fibre Max", "FR", Decimal("59.99"), "EUR", ("8 Gbit/s", "Wi-Fi 7", "TV"), 3),
    Plan("pt-essencial", "Essencial", "PT", Decimal("19.99"), "EUR", ("300 Mbps",), 1),
    Plan("pt-fibra-pro", "Fibra Pro", "PT", Decimal("39.99"), "EUR", ("1 Gbps", "Wi-Fi 6"), 2),
    Plan("pt-fibra-max", "Fibra Max", "PT", Decimal("59.99"), "EUR", ("2 Gbps", "Wi-Fi 6", "TV"), 3),
    Plan("br-fibra-300", "Fibra 300", "BR", Decimal("99.90"), "BRL", ("300 Mbps",), 1),
    Plan("br-fibra-600", "Fibra 600", "BR", Decimal("129.90"), "BRL", ("600 Mbps", "Wi-Fi 6"), 2),
    Plan("br-fibra-1giga", "Fibra 1 Giga", "BR", Decimal("179.90"), "BRL", ("1 Gbps", "Wi-Fi 6"), 3),
)
PLANS_BY_CODE = {plan.code: plan for plan in PLANS}

AGREEMENT_REFERENCE = "AC-FM5R9T"
CANCELLATION_REFERENCE = "RS-SD3K7P"
READJUSTMENT_PERCENT = Decimal("4.5")


DEMO_STREETS = {
    "482130": "12 rue Oberkampf",
    "517204": "48 cours Gambetta",
    "300918": "7 boulevard Michelet",
    "624511": "15 quai des Chartrons",
    "159372": "Rua da Graça 52, 2.º esq.",
    "731402": "Avenida Paulista, 1000, apto 81",
    "845120": "Avenida Rio Branco, 45, sala 302",
    "386215": "Rua Chile, 12",
    "912733": "Avenida Afonso Pena, 1500, apto 1201",
    "268054": "Rua XV de Novembro, 700",
}


def build_demo(today: date) -> tuple[DemoAccount, ...]:
    builders = (_camille, _julien, _sophie, _thomas, _joao, _ana, _carlos, _beatriz, _fernanda, _rafael)
    accounts = (build(today) for build in builders)
    return tuple(replace(account, street=DEMO_STREETS[account.number]) for account in accounts)


def _camille(today: date) -> DemoAccount:
    plan, policy, started = PLANS_BY_CODE["fr-fibre-pro"], policy_for("FR"), months_ago(today, 38)
    return DemoAccount(
        "482130", "Camille Martin", "camille.martin@example.com", "+33612345678", "FR", "75011", "Paris",
        plan, started, policy.debit_day, True,
        methods=(
            DemoMethod(CARD, "Visa •••• 4242", "Camille Martin", True, card_expiry(today)),
            DemoMethod(SEPA, "FR76 •••• 0189", "Camille Martin", False),
        ),
        invoices=monthly_invoices(plan, started, policy.debit_day, policy, today),
    )  # fmt: skip


def _julien(today: date) -> DemoAccount:
    plan, policy, started = PLANS_BY_CODE["fr-essentiel"], policy_for("FR"), months_ago(today, 20)
    due_day = due_day_with_due_near(today - timedelta(days=20), policy.allowed_due_days)
    invoices = monthly_invoices(plan, started, due_day, policy, today)
    (latest,) = last_dues_before(invoices, today, 1)
    return DemoAccount(
        "517204", "Julien Bernard", "julien.bernard@example.org", "+33623456789", "FR", "69003", "Lyon",
        plan, started, due_day, True,
        methods=(DemoMethod(SEPA, "FR76 •••• 3307", "Julien Bernard"),),
        invoices=unpaid(invoices, lambda item: item.due_on == latest, reminders=1),
    )  # fmt: skip


def _sophie(today: date) -> DemoAccount:
    plan, policy, started = PLANS_BY_CODE["fr-fibre-max"], policy_for("FR"), months_ago(today, 19)
    commitment_end = rules.add_months(started, 24)
    requested_on = today - timedelta(days=6)
    invoices = monthly_invoices(plan, started, 15, policy, today)
    terms = rules.cancellation_terms(
        plan.monthly_price, requested_on, commitment_end,
        _billed_until(invoices, requested_on), _open_on(invoices, requested_on), policy,
    )  # fmt: skip
    return DemoAccount(
        "300918", "Sophie Dubois", "sophie.dubois@example.com", "+33634567890", "FR", "13008", "Marseille",
        plan, started, 15, True,
        methods=(DemoMethod(CARD, "Mastercard •••• 4444", "Sophie Dubois", True, card_expiry(today)),),
        invoices=invoices,
        status=AccountStatus.CANCELLATION_PENDING,
        commitment_end=commitment_end,
        cancellation=DemoCancellation(
            CANCELLATION_REFERENCE, requested_on, terms.effective_on, "moving",
            terms.early_termination_fee, terms.final_invoice_estimate,
        ),
    )  # fmt: skip


def _thomas(today: date) -> DemoAccount:
    plan, policy = PLANS_BY_CODE["fr-fibre-pro"], policy_for("FR")
    due_day = due_day_with_due_near(today + timedelta(days=10), policy.allowed_due_days)
    first_due = rules.due_date_after(due_day, today)
    started = rules.add_months(first_due, -1) + timedelta(days=8)
    return DemoAccount(
        "624511", "Thomas Petit", "thomas.petit@example.org", "+33645678901", "FR", "33000", "Bordeaux",
        plan, started, due_day, True,
        methods=(DemoMethod(SEPA, "FR76 •••• 5523", "Thomas Petit"),),
        invoices=monthly_invoices(plan, started, due_day, policy, today),
        commitment_end=rules.add_months(started, 12),
    )  # fmt: skip


def _joao(today: date) -> DemoAccount:
    plan, policy, started = PLANS_BY_CODE["pt-fibra-pro"], policy_for("PT"), months_ago(today, 27)
    return DemoAccount(
        "159372", "João Ferreira", "joao.ferreira@example.com", "+351912345678", "PT", "1100-148", "Lisboa",
        plan, started, policy.debit_day, True,
        methods=(DemoMethod(SEPA, "PT50 •••• 0731", "João Ferreira"),),
        invoices=monthly_invoices(plan, started, policy.debit_day, policy, today),
    )  # fmt: skip


def _ana(today: date) -> DemoAccount:
    plan, policy, started = PLANS_BY_CODE["br-fibra-600"], policy_for("BR"), months_ago(today, 16)
    return DemoAccount(
        "731402", "Ana Souza", "ana.souza@example.com", "+5511987654321", "BR", "01310-100", "São Paulo",
        plan, started, 10, False,
        methods=(DemoMethod(BOLETO, "Boleto", "Ana Souza"),),
        invoices=monthly_invoices(plan, started, 10, policy, today, auto_pay=False),
        notas=notas_fiscais("731402", lambda _day: plan.monthly_price, started, today),
    )  # fmt: skip


def _carlos(today: date) -> DemoAccount:
    plan, policy, started = PLANS_BY_CODE["br-fibra-300"], policy_for("BR"), months_ago(today, 14)
    invoices = monthly_invoices(plan, started, 15, policy, today, auto_pay=False)
    overdue = last_dues_before(invoices, today, 3)
    return DemoAccount(
        "845120", "Carlos Oliveira", "carlos.oliveira@example.org", "+5521998765432", "BR", "20040-002",
        "Rio de Janeiro", plan, started, 15, False,
        methods=(DemoMethod(PIX, "Pix", "Carlos Oliveira"),),
        invoices=unpaid(invoices, lambda item: item.due_on in overdue, reminders=2),
        status=AccountStatus.SUSPENDED,
        suspended_since=overdue[0] + timedelta(days=30),
        notas=notas_fiscais("845120", lambda _day: plan.monthly_price, started, today),
    )  # fmt: skip


def _beatriz(today: date) -> DemoAccount:
    plan, policy, started = PLANS_BY_CODE["br-fibra-300"], policy_for("BR"), months_ago(today, 22)
    since = today - timedelta(days=105)  # the oldest unpaid invoice is then due before the release
    invoices = unpaid(
        monthly_invoices(plan, started, 5, policy, today, auto_pay=False),
        lambda item: since <= item.due_on < today,
        reminders=2,
    )
    oldest_unpaid = min(item.due_on for item in invoices if item.paid_on is None)
    released_on = today - timedelta(days=60)
    return DemoAccount(
        "386215", "Beatriz Almeida", "beatriz.almeida@example.com", "+5571991234567", "BR", "40010-000",
        "Salvador", plan, started, 5, False,
        methods=(DemoMethod(BOLETO, "Boleto", "Beatriz Almeida"),),
        invoices=invoices,
        status=AccountStatus.SUSPENDED,
        suspended_since=oldest_unpaid + timedelta(days=10),
        trust_releases=((released_on, released_on + timedelta(days=policy.trust_release_days)),),
        notas=notas_fiscais("386215", lambda _day: plan.monthly_price, started, today),
    )  # fmt: skip


def _fernanda(today: date) -> DemoAccount:
    plan, policy, started = PLANS_BY_CODE["br-fibra-600"], policy_for("BR"), months_ago(today, 18)
    created_on = today - timedelta(days=55)
    invoices = monthly_invoices(plan, started, 20, policy, today)
    replaced = last_dues_before(invoices, created_on, 2)
    debt = Decimal("0")
    for item in invoices:
        if item.due_on in replaced:
            fee, interest = rules.late_charges(item.total, item.due_on, created_on, policy)
            debt += item.total + fee + interest
    schedule = rules.installment_schedule(
        debt, 5, policy.installments.monthly_interest_rate,
        created_on + timedelta(days=policy.installment_first_due_days), policy.currency,
    )  # fmt: skip
    return DemoAccount(
        "912733", "Fernanda Lima", "fernanda.lima@example.org", "+5531987651234", "BR", "30130-010",
        "Belo Horizonte", plan, started, 20, True,
        methods=(
            DemoMethod(CARD, "Mastercard •••• 5454", "Fernanda Lima", True, card_expiry(today)),
        ),
        invoices=tuple(
            replace(item, paid_on=None, replaced=True) if item.due_on in replaced else item
            for item in invoices
        ),
        agreement=DemoAgreement(
            AGREEMENT_REFERENCE, created_on, schedule, sum(1 for item in schedule if item.due_on < today)
        ),
        notas=notas_fiscais("912733", lambda _day: plan.monthly_price, started, today),
    )  # fmt: skip


def _rafael(today: date) -> DemoAccount:
    plan, policy = PLANS_BY_CODE["br-fibra-300"], policy_for("BR")
    readjusted_on = today - timedelta(days=14)
    started = rules.add_months(readjusted_on, -24)  # readjusted on the contract's anniversary
    new_price = quantize(plan.monthly_price * (1 + READJUSTMENT_PERCENT / 100), policy.currency)

    def price_on(day: date) -> Decimal:
        return new_price if day >= readjusted_on else plan.monthly_price

    due_day = due_day_with_due_near(today - timedelta(days=5), policy.allowed_due_days)
    return DemoAccount(
        "268054", "Rafael Costa", "rafael.costa@example.com", "+5541996543210", "BR", "80010-000",
        "Curitiba", plan, started, due_day, False,
        methods=(DemoMethod(BOLETO, "Boleto", "Rafael Costa"),),
        invoices=monthly_invoices(plan, started, due_day, policy, today, price_on=price_on, auto_pay=False),
        price_override=new_price,
        adjustment=PriceAdjustment(
            readjusted_on, "IGP-M", READJUSTMENT_PERCENT, plan.monthly_price, new_price
        ),
        notas=notas_fiscais("268054", price_on, started, today),
    )  # fmt: skip


def _billed_until(invoices: tuple[DemoInvoice, ...], day: date) -> date:
    ends = [line.period_end for item in invoices if item.issued_on <= day for line in item.lines]
    return max(end for end in ends if end is not None) + timedelta(days=1)


def _open_on(invoices: tuple[DemoInvoice, ...], day: date) -> Decimal:
    still_open = (
        item.total
        for item in invoices
        if item.issued_on <= day and (item.paid_on is None or item.paid_on > day)
    )
    return sum(still_open, Decimal("0"))
