"""Card and IBAN checks of the portal's forms (pure functions)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.web.payment_details import (
    CardBrand,
    CardInput,
    InvalidDetails,
    card_brand,
    card_digits,
    card_expiry,
    check_card,
    check_iban,
    cvv_valid,
    holder_name,
    iban_valid,
    keepable_expiry,
    keepable_holder,
    mask_iban,
    normalized_iban,
)

from .helpers import AMEX, DISCOVER, FR_IBAN, FR_IBAN_BAD_CHECK, MASTERCARD_2_SERIES, NOT_LUHN, VISA

TODAY = date(2026, 3, 11)


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        (VISA, CardBrand.VISA),
        ("5105105105105100", CardBrand.MASTERCARD),
        ("5555555555554444", CardBrand.MASTERCARD),
        (MASTERCARD_2_SERIES, CardBrand.MASTERCARD),
        ("2720990000000007", CardBrand.MASTERCARD),
        ("2221000000000009", CardBrand.MASTERCARD),
        ("2220990000000000", CardBrand.OTHER),
        ("2721000000000000", CardBrand.OTHER),
        ("5600000000000000", CardBrand.OTHER),
        (AMEX, CardBrand.AMEX),
        ("371449635398431", CardBrand.AMEX),
        ("3530111333300000", CardBrand.OTHER),
        (DISCOVER, CardBrand.OTHER),
    ],
)
def test_brands_by_prefix(number: str, brand: CardBrand) -> None:
    assert card_brand(number.replace(" ", "")) is brand


def test_card_numbers() -> None:
    assert card_digits(VISA) == card_digits("4242-4242-4242-4242") == "4242424242424242"
    assert card_digits(AMEX) == AMEX
    for bad in (
        NOT_LUHN,
        "",
        "4242",
        "4242 4242 4242 4242 4242 42",
        "４２４２４２４２４２４２４２４２",
        "4242x4242424242424",
    ):
        assert card_digits(bad) is None, bad


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("03/26", "03/26"),  # valid until the end of this month
        ("3/26", "03/26"),
        ("12/2030", "12/30"),
        (" 12 / 30 ", "12/30"),
        ("02/26", None),
        ("13/30", None),
        ("00/30", None),
        ("12/47", None),  # more than 20 years ahead
        ("1230", None),
        ("12-30", None),
        ("", None),
        ("١٢/٣٠", None),
    ],
)
def test_expiry(typed: str, kept: str | None) -> None:
    assert card_expiry(typed, TODAY) == kept


def test_cvv_and_holder() -> None:
    assert cvv_valid("123") and cvv_valid("1234") and cvv_valid(" 123 ")
    assert not any(cvv_valid(bad) for bad in ("12", "12345", "abc", "", "١٢٣"))
    assert holder_name("  Ana   Souza ") == "Ana Souza"
    assert holder_name("Zoë O'Brien-Duarte") == "Zoë O'Brien-Duarte"
    for bad in ("", " ", "A", "4242 4242 4242 4242", "Ana 2", "--", "x" * 121, "Ana\x00Souza"):
        assert holder_name(bad) is None, bad


def test_what_is_shown_back_after_an_error() -> None:
    assert keepable_holder("Ana Souza") == "Ana Souza" and keepable_holder(VISA) == ""
    assert (
        keepable_expiry("01/20") == "01/20" and keepable_expiry(VISA) == "" and keepable_expiry("123") == ""
    )


def test_ibans() -> None:
    assert iban_valid(normalized_iban(FR_IBAN)) and iban_valid(normalized_iban(FR_IBAN.lower()))
    assert iban_valid("DE89370400440532013000") and iban_valid("PT50000201231234567890154")
    for bad in (
        FR_IBAN_BAD_CHECK,
        "FR763000600001123456789018",  # a character short
        "BR1800360305000010009795493C1",  # valid, but outside the SEPA zone
        "XX76300060000112345678901",
        "",
    ):
        assert not iban_valid(normalized_iban(bad)), bad
    assert mask_iban(normalized_iban(FR_IBAN)) == "FR76 •••• 0189"


def test_checks_name_every_wrong_field() -> None:
    card = check_card(CardInput("Ana Souza", VISA, "12/30", "123"), TODAY)
    assert (card.brand, card.last4, card.holder, card.expires) == (
        CardBrand.VISA,
        "4242",
        "Ana Souza",
        "12/30",
    )
    with pytest.raises(InvalidDetails) as invalid:
        check_card(CardInput("", NOT_LUHN, "01/26", "1"), TODAY)
    assert invalid.value.errors == {
        "holder": "holder",
        "number": "card_number",
        "expiry": "card_expiry",
        "cvv": "card_cvv",
    }
    assert "4242" not in str(invalid.value)
    account = check_iban("Julien Bernard", FR_IBAN)
    assert (account.masked, account.holder) == ("FR76 •••• 0189", "Julien Bernard")
    with pytest.raises(InvalidDetails) as invalid:
        check_iban("Julien Bernard", FR_IBAN_BAD_CHECK)
    assert invalid.value.errors == {"iban": "iban"}
