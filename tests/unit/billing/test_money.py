from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.billing.money import minor_unit, quantize, split_evenly

CENT = Decimal("0.01")
amounts = st.decimals(min_value=Decimal("-1000000"), max_value=Decimal("1000000"), places=4)
totals = st.decimals(min_value=Decimal("0"), max_value=Decimal("1000000"), places=2)
currencies = st.sampled_from(["EUR", "BRL"])


@given(amounts, currencies)
def test_quantize_is_idempotent(amount: Decimal, currency: str) -> None:
    once = quantize(amount, currency)
    assert quantize(once, currency) == once
    assert once.as_tuple().exponent == -2


@given(amounts)
def test_quantize_is_within_half_a_cent(amount: Decimal) -> None:
    assert abs(quantize(amount, "EUR") - amount) <= CENT / 2


def test_quantize_rounds_half_away_from_zero() -> None:
    assert quantize(Decimal("0.125"), "EUR") == Decimal("0.13")
    assert quantize(Decimal("-0.125"), "EUR") == Decimal("-0.13")
    assert quantize(Fraction(1, 8), "EUR") == Decimal("0.13")
    assert quantize(Fraction(-1, 8), "EUR") == Decimal("-0.13")
    assert quantize(Fraction(1, 3), "BRL") == Decimal("0.33")
    assert quantize(Decimal("0.129"), "EUR", rounding=ROUND_DOWN) == Decimal("0.12")
    assert quantize(7, "EUR") == Decimal("7.00")


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError):
        quantize(0.1, "EUR")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        split_evenly(10.0, 3, "EUR")  # type: ignore[arg-type]


def test_minor_unit() -> None:
    assert minor_unit("EUR") == CENT
    assert minor_unit("brl") == CENT


@given(totals, st.integers(min_value=1, max_value=60), currencies)
def test_split_evenly_sums_exactly(total: Decimal, parts: int, currency: str) -> None:
    shares = split_evenly(total, parts, currency)
    assert len(shares) == parts
    assert sum(shares) == total
    assert all(share >= 0 for share in shares)
    assert max(shares[:-1], default=shares[0]) - min(shares[:-1], default=shares[0]) <= CENT
    # the remainder goes on the last one, and is less than one cent per part
    assert Decimal(0) <= shares[-1] - shares[0] < CENT * parts


def test_split_evenly_example() -> None:
    assert split_evenly(Decimal("100.00"), 3, "EUR") == (Decimal("33.33"), Decimal("33.33"), Decimal("33.34"))
    with pytest.raises(ValueError):
        split_evenly(Decimal("1"), 0, "EUR")
