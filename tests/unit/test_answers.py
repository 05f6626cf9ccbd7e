"""Typed answers read without Rasa: amounts, instalments, months, plans, options."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.answers import choose, parse_amount, parse_installments
from bot.billing.demo import PLANS
from bot.billing.plans import find_plan
from bot.dates.periods import resolve_month

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("50 €", Decimal("50.0")),
        ("120,50 euros", Decimal("120.50")),
        ("R$ 1.234,56", Decimal("1234.56")),
        ("1 234,5", Decimal("1234.5")),
        ("je peux mettre 300e par mois", Decimal("300.0")),
        ("99.9", Decimal("99.9")),
        ("rien", None),
    ],
)
def test_amounts(text: str, amount: Decimal | None) -> None:
    assert parse_amount(text) == amount


@pytest.mark.parametrize(
    ("text", "language", "count"),
    [
        ("3x", "pt", 3),
        ("em 4 vezes", "pt", 4),
        ("em seis parcelas", "pt", 6),
        ("en 3 fois", "fr", 3),
        ("dix mensualités", "fr", 10),
        ("5", "fr", 5),
    ],
)
def test_installments(text: str, language: str, count: int) -> None:
    assert parse_installments(text, language) == count


def test_no_installments_in_plain_text() -> None:
    assert parse_installments("je ne sais pas", "fr") is None


@pytest.mark.parametrize(
    ("text", "language", "month"),
    [
        ("celle d'octobre", "fr", (2026, 10)),
        ("la facture de décembre", "fr", (2025, 12)),
        ("le mois dernier", "fr", (2026, 10)),
        ("a do mês passado", "pt", (2026, 10)),
        ("setembro de 2025", "pt", (2025, 9)),
        ("10/2026", "pt", (2026, 10)),
        ("deste mês", "pt", (2026, 11)),
        ("mais je ne sais pas", "fr", None),
    ],
)
def test_months(text: str, language: str, month: tuple[int, int] | None) -> None:
    assert resolve_month(text, language, TODAY) == month


@pytest.mark.parametrize(
    ("value", "loose", "code"),
    [
        ("pro", False, "fr-fibre-pro"),
        ("essential", False, "fr-essentiel"),
        ("fr-fibre-max", False, "fr-fibre-max"),
        ("je prends la fibre max stp", True, "fr-fibre-max"),
        ("la Max", True, "fr-fibre-max"),
        ("fibre", False, None),
    ],
)
def test_plans_of_france(value: str, loose: bool, code: str | None) -> None:
    plans = [plan for plan in PLANS if plan.country == "FR"]
    found = find_plan(plans, value, loose=loose)
    assert (found.code if found else None) == code


def test_brazilian_plan_numbers() -> None:
    plans = [plan for plan in PLANS if plan.country == "BR"]
    assert find_plan(plans, "600") == next(p for p in plans if p.code == "br-fibra-600")
    assert find_plan(plans, "1-giga") == next(p for p in plans if p.code == "br-fibra-1giga")


def test_choose_one_option_only() -> None:
    options = {"card": ["carte", "cb"], "pix": ["pix"]}
    assert choose("par CB stp", options) == "card"
    assert choose("carte ou pix ?", options) is None
    assert choose("cartes", options) is None
