from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.redaction import (
    CARD_MASK,
    CPF_MASK,
    IBAN_MASK,
    cpf_valid,
    luhn_valid,
    masked_kinds,
    redact,
    redact_payment_data,
)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("ma carte 4242 4242 4242 4242 exp 12/27", f"ma carte {CARD_MASK} exp 12/27"),
        ("cartão 5555-5555-5555-4444", f"cartão {CARD_MASK}"),
        ("IBAN FR76 3000 6000 0112 3456 7890 189 merci", f"IBAN {IBAN_MASK} merci"),
        ("meu cpf é 529.982.247-25", f"meu cpf é {CPF_MASK}"),
        ("cpf 52998224725", f"cpf {CPF_MASK}"),
        ("écrivez à camille.martin@example.com", "écrivez à c***@example.com"),
    ],
)
def test_sensitive_data_is_masked(text: str, masked: str) -> None:
    assert redact(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "mon numéro client est 482130",
        "CEP 01310-100",
        "facture F202611-0007",
        "1234 5678 9012 3456",
        "R$ 129,90",
        "+55 11 98761 0061",  # a phone number, although its 13 digits pass the Luhn check
    ],
)
def test_ordinary_numbers_are_kept(text: str) -> None:
    assert redact(text) == text


def test_check_digit_algorithms() -> None:
    assert luhn_valid("4242424242424242") and not luhn_valid("4242424242424241")
    assert cpf_valid("52998224725") and not cpf_valid("52998224724") and not cpf_valid("11111111111")


@given(st.text(max_size=300))
def test_redaction_is_idempotent(text: str) -> None:
    once = redact(text)
    assert redact(once) == once


def test_chat_redaction_masks_payment_data_and_keeps_email_addresses() -> None:
    text = "carte 4242 4242 4242 4242, iban FR76 3000 6000 0112 3456 7890 189, écrivez à camille@example.com"
    redaction = redact_payment_data(text)
    assert redaction.text == f"carte {CARD_MASK}, iban {IBAN_MASK}, écrivez à camille@example.com"
    assert redaction.kinds == ("card", "iban")
    assert masked_kinds(redaction.text) == ("card", "iban")


def test_chat_redaction_of_ordinary_text_reports_nothing() -> None:
    text = "ma facture F202611-0007 de 29,90 €, numéro client 482130"
    assert redact_payment_data(text).text == text
    assert redact_payment_data(text).kinds == ()
