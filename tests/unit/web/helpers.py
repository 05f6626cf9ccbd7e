"""Shared values of the portal tests: test cards (public test numbers of the card networks) and IBANs."""

from __future__ import annotations

from sqlalchemy import Table, func, select
from sqlalchemy.engine import Engine

VISA = "4242 4242 4242 4242"
VISA_DIGITS = "4242424242424242"
MASTERCARD_2_SERIES = "2223003122003222"
AMEX = "378282246310005"
DISCOVER = "6011111111111117"
NOT_LUHN = "4242 4242 4242 4241"
FR_IBAN = "FR76 3000 6000 0112 3456 7890 189"
FR_IBAN_BAD_CHECK = "FR76 3000 6000 0112 3456 7890 188"
CVV = "737"


def good_card(**changes: str) -> dict[str, str]:
    form = {"holder": "Julien Bernard", "number": VISA, "expiry": "12/30", "cvv": CVV}
    return {**form, **changes}


def count(engine: Engine, table: Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def without_separators(text: str) -> str:
    return text.replace(" ", "").replace("-", "").replace("\u00a0", "")


def leaks_card(text: str, digits: str = VISA_DIGITS) -> bool:
    """Whether `text` holds the card number, however spaced."""
    return digits in without_separators(text)
