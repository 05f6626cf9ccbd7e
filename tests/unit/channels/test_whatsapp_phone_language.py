"""The language hint of a WhatsApp number's country, and the number as logs show it."""

from __future__ import annotations

import pytest

from bot.channels.phone_language import language_of_number, masked_number, region_of


@pytest.mark.parametrize(
    ("number", "language"),
    [
        ("+5511987654321", "pt"),  # Brazil
        ("+5521998765432", "pt"),
        ("+351912345678", "pt"),  # Portugal
        ("+244923123456", "pt"),  # Angola
        ("+258841234567", "pt"),  # Mozambique
        ("+2389912345", "pt"),  # Cape Verde
        ("+33612345678", "fr"),  # France
        ("+33 6 12 34 56 78", "fr"),
        ("+32470123456", "fr"),  # Belgium
        ("+41791234567", "fr"),  # Switzerland
        ("+352621123456", "fr"),  # Luxembourg
        ("+37761234567", "fr"),  # Monaco
        ("+221771234567", "fr"),  # Senegal
        ("+2250701234567", "fr"),  # Côte d'Ivoire
        ("+262692123456", "fr"),  # Réunion
        ("+590690123456", "fr"),  # Guadeloupe
        ("+15145551234", None),  # Canada: mostly English
        ("+14155238886", None),  # United States
        ("+447700900123", None),  # United Kingdom
        ("+34612345678", None),  # Spain
        ("+212612345678", None),  # Morocco: French is not official
    ],
)
def test_the_language_of_a_number(number: str, language: str | None) -> None:
    assert language_of_number(number) == language


@pytest.mark.parametrize("number", ["", "0612345678", "+", "not a number", "+999123"])
def test_what_is_not_an_international_number_has_no_language(number: str) -> None:
    assert language_of_number(number) is None


def test_a_number_no_plan_validates_takes_its_country_code_region() -> None:
    assert region_of("+551100") == "BR"


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("+33612345678", "+33*******78"),
        ("+5511987654321", "+55*********21"),
        ("+14155238886", "+1********86"),
        ("+351912345678", "+351*******78"),
        ("garbage", ""),
        ("+3312", "****"),
    ],
)
def test_a_masked_number_keeps_the_country_code_and_two_digits(number: str, masked: str) -> None:
    assert masked_number(number) == masked
