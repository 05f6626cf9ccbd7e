"""Contact details: checking and normalizing e-mail addresses and phone numbers, and masking an
address for display. Returns None for anything invalid; the caller picks the reason code."""

from __future__ import annotations

import re

import phonenumbers

MASK = "•••••"
MAX_EMAIL = 254
MAX_LOCAL_PART = 64

# Dot-atom local part (RFC 5322 without quoted strings or comments), an ASCII domain of at least two
# labels and an alphabetic top-level domain. Internationalized addresses are refused.
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_TOP_LEVEL = re.compile(r"[A-Za-z]{2,63}")


def normalize_email(value: str) -> str | None:
    """`value` as stored (trimmed, domain in lower case), or None when it is not an address."""
    address = value.strip()
    if len(address) > MAX_EMAIL or address.count("@") != 1:
        return None
    local, domain = address.split("@")
    labels = domain.split(".")
    if len(local) > MAX_LOCAL_PART or not _LOCAL.fullmatch(local) or len(labels) < 2:
        return None
    if not all(_LABEL.fullmatch(label) for label in labels) or not _TOP_LEVEL.fullmatch(labels[-1]):
        return None
    return f"{local}@{domain.lower()}"


def normalize_phone(value: str, country: str) -> str | None:
    """`value` in E.164 ("+33612345678") when it is a valid number of `country` (ISO 3166 alpha-2),
    typed in international or national form; None otherwise."""
    if len(value) > 64:
        return None
    region = country.upper()
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number_for_region(number, region):  # also refuses another country code
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_email(address: str) -> str:
    """ "camille.martin@gmail.com" → "c•••••@gmail.com": the first character and the domain only."""
    local, at, domain = address.rpartition("@")
    if not at or not local:
        return MASK
    return f"{local[0]}{MASK}@{domain}"
