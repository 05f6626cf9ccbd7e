from __future__ import annotations

import pytest

from bot.billing.identity import parse_customer_number, parse_postal_code


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("482130", "482130"),
        ("482 130", "482130"),
        ("N° 482-130", "482130"),
        ("48213", None),
        ("4821300", None),
        ("' OR 1=1 --", None),
        ("9" * 10_000, None),
        (None, None),
    ],
)
def test_parse_customer_number(value: object, number: str | None) -> None:
    assert parse_customer_number(value) == number


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("75011", "75011"),
        ("01310-100", "01310-100"),
        ("01310100", "01310100"),
        ("1100-148", "1100-148"),
        (" 69003 ", "69003"),
        ("7501", None),
        ("75011' OR '1'='1", None),
        ("abcde", None),
    ],
)
def test_parse_postal_code(value: object, code: str | None) -> None:
    assert parse_postal_code(value) == code
