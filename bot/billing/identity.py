"""Parsing what a customer types to identify themselves: customer numbers and postal codes."""

from __future__ import annotations

import re

CUSTOMER_NUMBER_DIGITS = 6
# The shape of a postal code per country (a CEP with or without its hyphen).
POSTAL_CODES = {"FR": r"\d{5}", "BR": r"\d{5}-?\d{3}", "PT": r"\d{4}-\d{3}"}
_POSTAL_CODE = re.compile("|".join(f"(?:{pattern})" for pattern in POSTAL_CODES.values()))


def parse_customer_number(value: object) -> str | None:
    """ "482 130", "482-130", "N° 482130" → "482130"; anything else → None."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    digits = re.sub(r"[\s.\-]", "", value)
    digits = re.sub(r"^\D+", "", digits)
    return digits if digits.isdigit() and len(digits) == CUSTOMER_NUMBER_DIGITS else None


def parse_postal_code(value: object) -> str | None:
    """A French code postal (75011), a Brazilian CEP (01310-100, 01310100) or a Portuguese one (1100-148)."""
    if not isinstance(value, str) or len(value) > 32:
        return None
    compact = re.sub(r"\s", "", value)
    return compact if _POSTAL_CODE.fullmatch(compact) else None
