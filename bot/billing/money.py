"""Money arithmetic on `Decimal`: rounding to a currency's minor unit and exact splitting.

Floats are refused everywhere: a binary float cannot hold most cent amounts exactly.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from fractions import Fraction

from babel.numbers import get_currency_precision

Amount = Decimal | int | Fraction

_SUPPORTED_ROUNDINGS = (ROUND_HALF_UP, ROUND_DOWN)


def minor_digits(currency: str) -> int:
    """Number of decimals of the currency's minor unit (2 for EUR and BRL)."""
    return int(get_currency_precision(currency.upper()))


def minor_unit(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_digits(currency))


def quantize(amount: Amount, currency: str, rounding: str = ROUND_HALF_UP) -> Decimal:
    """`amount` rounded to the currency's minor unit (half away from zero unless told otherwise)."""
    if rounding not in _SUPPORTED_ROUNDINGS:
        raise ValueError(f"unsupported rounding {rounding}")
    digits = minor_digits(currency)
    if isinstance(amount, Fraction):
        return _round_fraction(amount, digits, rounding)
    return to_decimal(amount).quantize(Decimal(1).scaleb(-digits), rounding=rounding)


def to_decimal(amount: object) -> Decimal:
    """A `Decimal` from a Decimal, an int or a numeric string; a float is a TypeError."""
    if isinstance(amount, bool | float):
        raise TypeError(f"money must not be a {type(amount).__name__}: use Decimal")
    if isinstance(amount, Decimal):
        return amount
    if isinstance(amount, int | str):
        return Decimal(amount)
    raise TypeError(f"cannot use {type(amount).__name__} as money")


def to_fraction(amount: Amount) -> Fraction:
    if isinstance(amount, Fraction):
        return amount
    return Fraction(to_decimal(amount))


def split_evenly(total: Decimal, parts: int, currency: str) -> tuple[Decimal, ...]:
    """`parts` amounts that add up exactly to `total`; the rounding remainder goes on the last one."""
    if parts < 1:
        raise ValueError("parts must be at least 1")
    total = quantize(total, currency)
    share = quantize(to_fraction(total) / parts, currency, rounding=ROUND_DOWN)
    return (share,) * (parts - 1) + (total - share * (parts - 1),)


def _round_fraction(value: Fraction, digits: int, rounding: str) -> Decimal:
    scaled = abs(value) * 10**digits
    whole, remainder = divmod(scaled.numerator, scaled.denominator)
    if rounding == ROUND_HALF_UP and 2 * remainder >= scaled.denominator:
        whole += 1
    sign = -1 if value < 0 else 1
    return Decimal(sign * whole).scaleb(-digits)
