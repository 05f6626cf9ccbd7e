"""Billing addresses as customers type them: "12 rue Oberkampf, 75011 Paris", "Rua Augusta, 1500 ap 12
- 01304-001 São Paulo/SP". The street comes before the postal code, the city after it."""

from __future__ import annotations

import re

from bot.billing.identity import POSTAL_CODES, parse_postal_code
from bot.billing.models import BillingAddress

MAX_TEXT = 240
MAX_STREET = 160
MAX_CITY = 80

_POSTAL_IN_TEXT = {
    country: re.compile(rf"(?<![\w-])({pattern})(?![\w-])") for country, pattern in POSTAL_CODES.items()
}
_LETTER = re.compile(r"[^\W\d_]")
# Letters, spaces, apostrophes, hyphens and dots, then an optional state: "São Paulo/SP", "Rio - RJ".
_CITY = re.compile(r"[^\W\d_][^\W\d_' .-]*(?:[' .-]+[^\W\d_]+)*\.?(?:\s*[/-]\s*[A-Za-z]{2})?")
_EDGES = " ,;:–-"
# Where a street line starts once a lead-in ("non, c'est au", "meu endereço novo é") is dropped: a house
# number, or a word that opens a street line in France, Brazil or Portugal.
_STREET_WORDS = (
    "rue|avenue|av|bd|boulevard|place|pl|impasse|allée|allee|chemin|quai|cours|route|square|lieu-dit"
    "|résidence|residence|bâtiment|batiment|bât|bat|hameau|rua|r|avenida|travessa|tv|praça|praca|alameda"
    "|al|estrada|rodovia|largo|beco|via|quinta|condomínio|condominio|bloco|edifício|edificio"
)
_STREET_START = re.compile(
    rf"(?<![\w-])(?:\d+(?=[\s,]*(?:bis|ter|[^\W\d_]))|(?:{_STREET_WORDS})\b)", re.IGNORECASE
)


def normalize_postal_code(value: str, country: str) -> str | None:
    """The postal code as the country writes it (a CEP gets its hyphen), or None when it is not one."""
    pattern = POSTAL_CODES.get(country.upper())
    compact = parse_postal_code(value)  # any French, Brazilian or Portuguese shape, spaces dropped
    if pattern is None or compact is None or not re.fullmatch(pattern, compact):
        return None
    if country.upper() == "BR" and "-" not in compact:
        return f"{compact[:5]}-{compact[5:]}"
    return compact


def parse_address(text: str, country: str) -> BillingAddress | None:
    """The address in `text`, or None when a part is missing or invalid for `country`."""
    finder = _POSTAL_IN_TEXT.get(country.upper())
    flat = " ".join(text.split())
    if finder is None or len(flat) > MAX_TEXT:
        return None
    found = list(finder.finditer(flat))
    if not found:
        return None
    postal = found[-1]  # a street number never has the postal code's shape, a house number might
    street = _street_line(flat[: postal.start()])
    city = _POLITENESS.sub("", flat[postal.end() :]).strip(_EDGES)
    return checked_address(BillingAddress(street=street, postal_code=postal.group(1), city=city), country)


_POLITENESS = re.compile(
    r"(?:[\s,.!]+(?:stp|svp|s'il vous pla[iî]t|merci|pls|por favor|pf|pfv|obg|obrigad[oa]))+[\s.!]*$",
    re.IGNORECASE,
)


def _street_line(before_postal_code: str) -> str:
    start = _STREET_START.search(before_postal_code)
    return before_postal_code[start.start() if start else 0 :].strip(_EDGES)


def valid_street(street: str) -> bool:
    return 3 <= len(street) <= MAX_STREET and len(_LETTER.findall(street)) >= 2


def valid_city(city: str) -> bool:
    return 2 <= len(city) <= MAX_CITY and _CITY.fullmatch(city) is not None


def checked_address(address: BillingAddress, country: str) -> BillingAddress | None:
    """`address` with its postal code normalized, or None when a part is invalid for `country`."""
    postal_code = normalize_postal_code(address.postal_code, country)
    street, city = " ".join(address.street.split()), " ".join(address.city.split())
    if postal_code is None or not valid_street(street) or not valid_city(city):
        return None
    return BillingAddress(street=street, postal_code=postal_code, city=city)
