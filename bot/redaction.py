"""Masks payment and identity data in free text before it is stored or logged.

Card numbers (13–19 digits passing the Luhn check, spaces or dashes allowed, not a "+" phone number),
IBANs, Brazilian CPFs (formatted, or 11 digits with valid check digits) and, in logs, e-mail addresses
(local part masked). Chat messages keep their e-mail addresses (a customer gives one to update their
contact), so channels use `redact_payment_data`. The masks read the same in every language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CARD = re.compile(r"(?<![\d+])(?:\d[ -]?){12,18}\d(?!\d)")
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b", re.IGNORECASE)
CPF = re.compile(r"(?<!\d)(\d{3}\.?\d{3}\.?\d{3}-?\d{2})(?!\d)")
EMAIL = re.compile(r"\b([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})\b")

CARD_MASK = "[•••• •••• •••• ••••]"
IBAN_MASK = "[IBAN ••••]"
CPF_MASK = "[CPF •••]"
MASKS = {"card": CARD_MASK, "iban": IBAN_MASK, "cpf": CPF_MASK}


@dataclass(frozen=True)
class Redaction:
    text: str
    kinds: tuple[str, ...]  # what was masked, in MASKS order: "card", "iban", "cpf"


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def cpf_valid(digits: str) -> bool:
    if len(digits) != 11 or digits == digits[0] * 11:
        return False
    for length in (9, 10):
        weights = range(length + 1, 1, -1)
        total = sum(int(d) * w for d, w in zip(digits[:length], weights, strict=True))
        check = (total * 10) % 11 % 10
        if check != int(digits[length]):
            return False
    return True


def _mask_card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return CARD_MASK if 13 <= len(digits) <= 19 and luhn_valid(digits) else match.group(0)


def _mask_cpf(match: re.Match[str]) -> str:
    raw = match.group(1)
    digits = re.sub(r"\D", "", raw)
    formatted = "." in raw or "-" in raw
    return CPF_MASK if cpf_valid(digits) or (formatted and len(digits) == 11) else raw


def _mask_payment_data(text: str) -> str:
    text = CARD.sub(_mask_card, text)
    text = IBAN.sub(IBAN_MASK, text)
    return CPF.sub(_mask_cpf, text)


def redact(text: str) -> str:
    """For logs and summaries: payment data and e-mail addresses masked."""
    return EMAIL.sub(lambda m: f"{m.group(1)}***{m.group(2)}", _mask_payment_data(text))


def redact_payment_data(text: str) -> Redaction:
    """For chat messages: card numbers, IBANs and CPFs masked, and which of them were."""
    masked = _mask_payment_data(text)
    return Redaction(masked, masked_kinds(masked) if masked != text else ())


def masked_kinds(text: str) -> tuple[str, ...]:
    """The kinds of data masked in an already redacted text."""
    return tuple(kind for kind, mask in MASKS.items() if mask in text)
