"""The README's demo-customer table is what a tester types: it must match the seeded data."""

from __future__ import annotations

from pathlib import Path

from bot.billing.demo import DEMO_CUSTOMERS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_demo_customer_is_listed_with_its_second_factor() -> None:
    for customer in DEMO_CUSTOMERS:
        assert f"| {customer.number} | {customer.postal_code} | {customer.name} |" in README, customer.number
