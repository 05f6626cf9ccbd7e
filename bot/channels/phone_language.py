"""What a customer's phone number tells a channel: the likely language of its country (a hint, which the
text's own language overrides later), and a masked form of the number for the logs."""

from __future__ import annotations

import phonenumbers

# Countries and territories where Portuguese, or French, is the (or the main) official language. Canada is
# left out (mostly English, and +1 cannot tell it from the United States without a valid number), so are
# the countries where French is widely spoken but not official (Maghreb).
PORTUGUESE_REGIONS = frozenset({"BR", "PT", "AO", "MZ", "CV", "GW", "ST", "TL", "MO"})
FRENCH_REGIONS = frozenset(
    {
        "FR", "BE", "CH", "LU", "MC",  # Europe
        "RE", "YT", "GP", "MQ", "GF", "PM", "BL", "MF", "NC", "PF", "WF",  # French overseas territories
        "SN", "CI", "ML", "BF", "NE", "TG", "BJ", "GN", "CM", "GA", "CG", "CD", "CF", "TD",  # Africa
        "DJ", "KM", "MG", "BI", "HT",
    }
)  # fmt: skip
VISIBLE_DIGITS = 2


def _parsed(number: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return None


def region_of(number: str) -> str | None:
    """The ISO region of an international number ("+5511987654321" → "BR"), None if it is not one."""
    parsed = _parsed(number)
    if parsed is None or parsed.country_code is None:
        return None
    region = phonenumbers.region_code_for_number(parsed)
    if region is None:  # a number no region's plan validates: the country code's main region
        region = phonenumbers.region_code_for_country_code(parsed.country_code)
    return None if region in (None, phonenumbers.UNKNOWN_REGION, "001") else str(region)


def language_of_number(number: str) -> str | None:
    """ "pt" for a number of a Portuguese-speaking country, "fr" for a French-speaking one, else None."""
    region = region_of(number)
    if region in PORTUGUESE_REGIONS:
        return "pt"
    if region in FRENCH_REGIONS:
        return "fr"
    return None


def masked_number(number: str) -> str:
    """The number as logs may show it: the country code and the last two digits ("+33*******78")."""
    parsed = _parsed(number)
    digits = "".join(char for char in number if char.isdigit())
    country = str(parsed.country_code) if parsed is not None and parsed.country_code else ""
    if not country or not digits.startswith(country) or len(digits) <= len(country) + VISIBLE_DIGITS:
        return "*" * len(digits)
    national = digits[len(country) :]
    return f"+{country}{'*' * (len(national) - VISIBLE_DIGITS)}{national[-VISIBLE_DIGITS:]}"
