"""Human-friendly references, read aloud or typed from a phone: no 0/O, 1/I/L look-alikes.

Random references are unique in practice; the database's unique constraints make it certain and the
backend retries on the rare collision.
"""

from __future__ import annotations

import re
import secrets
from datetime import date

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RANDOM_LENGTH = 6

TICKET_PREFIX = "TK"
CANCELLATION_PREFIX = "RS"
AGREEMENT_PREFIX = "AC"
PAYMENT_REQUEST_PREFIX = "PG"

_RANDOM_REFERENCE = re.compile(rf"^[A-Z]{{2}}-[{ALPHABET}]{{{RANDOM_LENGTH}}}$")
_INVOICE_REFERENCE = re.compile(r"^F(\d{6})-(\d{4,})$")
_SEPARATORS = re.compile(r"[\s_.]+")


def random_reference(prefix: str) -> str:
    return f"{prefix}-" + "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))


def ticket_reference() -> str:
    return random_reference(TICKET_PREFIX)


def cancellation_reference() -> str:
    return random_reference(CANCELLATION_PREFIX)


def agreement_reference() -> str:
    return random_reference(AGREEMENT_PREFIX)


def payment_request_reference() -> str:
    return random_reference(PAYMENT_REQUEST_PREFIX)


def random_part_number(reference: str) -> int:
    """The random part of a `XX-XXXXXX` reference read as a number in base len(ALPHABET) (unique per
    reference, below 31**6), e.g. to number a boleto."""
    _, _, random_part = reference.partition("-")
    if len(random_part) != RANDOM_LENGTH or any(char not in ALPHABET for char in random_part):
        raise ValueError("not a random reference")
    number = 0
    for char in random_part:
        number = number * len(ALPHABET) + ALPHABET.index(char)
    return number


def invoice_reference(issued_on: date, sequence: int) -> str:
    """`F202611-0042`: the 42nd invoice issued in November 2026."""
    return f"F{issued_on:%Y%m}-{sequence:04d}"


def invoice_month_prefix(issued_on: date) -> str:
    return f"F{issued_on:%Y%m}-"


def invoice_sequence(reference: str) -> int | None:
    match = _INVOICE_REFERENCE.match(reference)
    return int(match.group(2)) if match else None


def normalize_reference(text: str) -> str:
    """What a customer typed (`tk 7h3k9p`, ` f202611-0042 `) in the stored form."""
    cleaned = _SEPARATORS.sub("-", text.strip().upper()).strip("-")
    if "-" not in cleaned and len(cleaned) == 2 + RANDOM_LENGTH and cleaned[:2].isalpha():
        cleaned = f"{cleaned[:2]}-{cleaned[2:]}"
    return cleaned


def parse_reference(text: str) -> str | None:
    """What a customer typed in the stored form, or None when it cannot be any reference (then no
    lookup is needed, and nothing PostgreSQL refuses, such as a NUL character, reaches it)."""
    reference = normalize_reference(text)
    if _RANDOM_REFERENCE.match(reference) or _INVOICE_REFERENCE.match(reference):
        return reference
    return None
