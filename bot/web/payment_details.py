"""Card and bank details typed on the portal's forms: checked, then reduced to what may be stored or
shown (brand, last four digits, holder, expiry). Pure functions; the full number, CVV and IBAN go no
further than these checks."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date

from bot.redaction import luhn_valid

MAX_FIELD_LENGTH = 200
MAX_HOLDER_LENGTH = 120
MAX_CARD_YEARS_AHEAD = 20
MASK = "••••"

_SEPARATORS = re.compile(r"[\s-]+")
_CARD_NUMBER = re.compile(r"\d{13,19}")
_EXPIRY = re.compile(r"(\d{1,2})\s*/\s*(\d{2}|\d{4})")
_CVV = re.compile(r"\d{3,4}")
_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}")
_SPACES = re.compile(r"\s+")

# IBAN lengths of the countries of the SEPA zone, where a SEPA direct debit can be drawn.
SEPA_IBAN_LENGTHS = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "EE": 20,
    "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GI": 23, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IS": 26,
    "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31, "NL": 18, "NO": 15, "PL": 28,
    "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "VA": 22,
}  # fmt: skip


class CardBrand(str, enum.Enum):
    """Its display name is a text of the locales (`portal.card_brands.<value>`)."""

    VISA = "visa"
    MASTERCARD = "mastercard"
    AMEX = "amex"
    OTHER = "other"


class InvalidDetails(ValueError):
    """`errors` names each wrong field with its error code (`portal.errors.<code>`)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(sorted(errors)))
        self.errors = errors


@dataclass(frozen=True)
class CardInput:
    holder: str
    number: str
    expiry: str
    cvv: str


@dataclass(frozen=True)
class CheckedCard:
    brand: CardBrand
    last4: str
    holder: str
    expires: str  # MM/YY


@dataclass(frozen=True)
class CheckedIban:
    masked: str  # "FR76 •••• 0189"
    holder: str


def card_brand(digits: str) -> CardBrand:
    if digits.startswith("4"):
        return CardBrand.VISA
    if digits[:2] in ("34", "37"):
        return CardBrand.AMEX
    if "51" <= digits[:2] <= "55" or 2221 <= int(digits[:4]) <= 2720:
        return CardBrand.MASTERCARD
    return CardBrand.OTHER


def card_digits(typed: str) -> str | None:
    """The digits of a plausible card number (13–19 digits, spaces or dashes allowed, Luhn-valid)."""
    digits = _SEPARATORS.sub("", typed)
    if len(typed) > MAX_FIELD_LENGTH or not (digits.isascii() and _CARD_NUMBER.fullmatch(digits)):
        return None
    return digits if luhn_valid(digits) else None


def card_expiry(typed: str, today: date) -> str | None:
    """ "MM/YY" of an expiry typed as M/YY, MM/YY or MM/YYYY, if the card is valid this month or later
    (a card works until the end of its month) and not absurdly far ahead."""
    match = _EXPIRY.fullmatch(typed.strip()) if typed.isascii() else None
    if match is None:
        return None
    month, year = int(match.group(1)), int(match.group(2))
    year += 2000 if year < 100 else 0
    if not 1 <= month <= 12:
        return None
    if (year, month) < (today.year, today.month) or year > today.year + MAX_CARD_YEARS_AHEAD:
        return None
    return f"{month:02d}/{year % 100:02d}"


def cvv_valid(typed: str) -> bool:
    return typed.isascii() and _CVV.fullmatch(typed.strip()) is not None


def holder_name(typed: str) -> str | None:
    """The holder's name with spaces tidied: letters needed, digits refused (a number typed in the
    wrong field must not be stored)."""
    name = _SPACES.sub(" ", typed).strip()
    if not 2 <= len(name) <= MAX_HOLDER_LENGTH or not name.isprintable():
        return None
    if any(char.isdigit() for char in name) or not any(char.isalpha() for char in name):
        return None
    return name


def iban_valid(iban: str) -> bool:
    """An IBAN of the SEPA zone (spaces removed, upper case) with the right length and check digits."""
    if not (iban.isascii() and _IBAN.fullmatch(iban)):
        return False
    if SEPA_IBAN_LENGTHS.get(iban[:2]) != len(iban):
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def normalized_iban(typed: str) -> str:
    return _SPACES.sub("", typed).upper()


def mask_card(brand_name: str, last4: str) -> str:
    return f"{brand_name} {MASK} {last4}"


def mask_iban(iban: str) -> str:
    """Country and check digits, and the last four characters: "FR76 •••• 0189"."""
    return f"{iban[:4]} {MASK} {iban[-4:]}"


def check_card(typed: CardInput, today: date) -> CheckedCard:
    """The card reduced to what may be kept, or `InvalidDetails` naming every wrong field."""
    errors: dict[str, str] = {}
    holder = holder_name(typed.holder)
    digits = card_digits(typed.number)
    expires = card_expiry(typed.expiry, today)
    if holder is None:
        errors["holder"] = "holder"
    if digits is None:
        errors["number"] = "card_number"
    if expires is None:
        errors["expiry"] = "card_expiry"
    if not cvv_valid(typed.cvv):
        errors["cvv"] = "card_cvv"
    if errors or holder is None or digits is None or expires is None:
        raise InvalidDetails(errors)
    return CheckedCard(card_brand(digits), digits[-4:], holder, expires)


def check_iban(holder_typed: str, iban_typed: str) -> CheckedIban:
    errors: dict[str, str] = {}
    holder = holder_name(holder_typed)
    iban = normalized_iban(iban_typed) if len(iban_typed) <= MAX_FIELD_LENGTH else ""
    if holder is None:
        errors["holder"] = "holder"
    if not iban_valid(iban):
        errors["iban"] = "iban"
    if errors or holder is None:
        raise InvalidDetails(errors)
    return CheckedIban(mask_iban(iban), holder)


def keepable_holder(typed: str) -> str:
    """What may be shown back in the form after an error: a plausible name only, never digits."""
    return holder_name(typed) or ""


def keepable_expiry(typed: str) -> str:
    """An expiry shown back after an error only when it looks like one (not a number typed there)."""
    kept = typed.strip()
    return kept if kept.isascii() and len(kept) <= 7 and _EXPIRY.fullmatch(kept) else ""
