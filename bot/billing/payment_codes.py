"""Brazilian payment codes: the static Pix BR Code ("copia e cola") and the boleto barcode and
linha digitável. Pure functions; amounts are rounded to the centavo by `bot.billing.money`.

Pix: the EMV merchant-presented QR payload of the Banco Central's "Manual do BR Code", a sequence of
ID (2 digits), length (2 digits), value fields, closed by a CRC16/CCITT-FALSE over the whole string.
Boleto: the FEBRABAN bank-slip layout (44-digit barcode, 47-digit line with mod-10 check digits per
field and the barcode's mod-11 general check digit).
"""

from __future__ import annotations

import binascii
import re
import string
import unicodedata
from datetime import date
from decimal import Decimal

from bot.billing.money import quantize

# -- Pix ------------------------------------------------------------------------------------------------
PIX_GUI = "br.gov.bcb.pix"
PIX_MAX_KEY = 77  # 99 of the merchant account template, less the GUI and the two headers
PIX_MAX_NAME = 25
PIX_MAX_CITY = 15
PIX_MAX_TXID = 25
PIX_MAX_AMOUNT = 13
CRC_FIELD = "6304"

_HEX_UPPER = re.compile(r"[0-9A-F]{4}")
_PRINTABLE_ASCII = set(string.printable) - set("\t\n\r\x0b\x0c")
_ALNUM = re.compile(r"[A-Za-z0-9]+")
CURRENCY = "BRL"  # both codes carry Brazilian reais only (Pix field 53 is ISO 4217 986)


def _field(field_id: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f"EMV field {field_id} is longer than 99 characters")
    return f"{field_id}{len(value):02d}{value}"


def _ascii_text(value: str, limit: int) -> str:
    """Accents dropped (São → Sao), anything else outside printable ASCII removed, then cut."""
    decomposed = unicodedata.normalize("NFKD", value)
    kept = "".join(char for char in decomposed if char in _PRINTABLE_ASCII)
    cleaned = " ".join(kept.split())[:limit].strip()
    if not cleaned:
        raise ValueError("a Pix merchant name or city cannot be empty")
    return cleaned


def _pix_amount(amount: Decimal) -> str:
    if not isinstance(amount, Decimal):
        raise TypeError("a Pix amount must be a Decimal")
    exact = quantize(amount, CURRENCY)
    text = format(exact, "f")
    if exact <= 0 or len(text) > PIX_MAX_AMOUNT:
        raise ValueError("a Pix amount must be positive and at most 13 characters long")
    return text


def pix_crc(data: str) -> str:
    """CRC16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF) of `data`, as 4 uppercase hex digits."""
    return format(binascii.crc_hqx(data.encode("utf-8"), 0xFFFF), "04X")


def pix_copy_and_paste(
    *, key: str, merchant_name: str, merchant_city: str, amount: Decimal, txid: str
) -> str:
    """A static Pix BR Code for `amount` to `key`, identified by `txid` (letters and digits)."""
    if not key or len(key) > PIX_MAX_KEY or any(char not in _PRINTABLE_ASCII for char in key):
        raise ValueError("a Pix key is 1 to 77 printable ASCII characters")
    if not _ALNUM.fullmatch(txid) or len(txid) > PIX_MAX_TXID:
        raise ValueError("a Pix txid is 1 to 25 letters and digits")
    payload = "".join(
        (
            _field("00", "01"),
            _field("26", _field("00", PIX_GUI) + _field("01", key)),
            _field("52", "0000"),
            _field("53", "986"),
            _field("54", _pix_amount(amount)),
            _field("58", "BR"),
            _field("59", _ascii_text(merchant_name, PIX_MAX_NAME)),
            _field("60", _ascii_text(merchant_city, PIX_MAX_CITY)),
            _field("62", _field("05", txid)),
            CRC_FIELD,
        )
    )
    return payload + pix_crc(payload)


def pix_crc_is_valid(code: str) -> bool:
    """True when `code` ends with the CRC field ("6304" + 4 uppercase hex digits) and its CRC matches."""
    if len(code) < 8 or code[-8:-4] != CRC_FIELD or not _HEX_UPPER.fullmatch(code[-4:]):
        return False
    try:
        return pix_crc(code[:-4]) == code[-4:]
    except UnicodeEncodeError:  # lone surrogates
        return False


def emv_fields(code: str) -> dict[str, str]:
    """The top-level fields of an EMV payload by ID (a template's value holds its own sub-fields).
    `ValueError` when the text is not a sequence of ID-length-value fields."""
    fields: dict[str, str] = {}
    position = 0
    while position < len(code):
        header = code[position : position + 4]
        if len(header) < 4 or not header.isdigit():
            raise ValueError("malformed EMV field header")
        length = int(header[2:])
        value = code[position + 4 : position + 4 + length]
        if len(value) != length:
            raise ValueError("truncated EMV field")
        fields[header[:2]] = value
        position += 4 + length
    return fields


# -- boleto ---------------------------------------------------------------------------------------------
BOLETO_CURRENCY_REAL = "9"
BOLETO_BASE_DATE = date(1997, 10, 7)
BOLETO_FACTOR_MIN = 1000
BOLETO_FACTOR_MAX = 9999
BOLETO_FACTOR_CYCLE = BOLETO_FACTOR_MAX - BOLETO_FACTOR_MIN + 1  # 9000 days
BOLETO_MAX_CENTS = 10**10 - 1
BARCODE_LENGTH = 44
LINE_LENGTH = 47
FREE_FIELD_LENGTH = 25

_LINE_SEPARATORS = re.compile(r"[\s.]+")


def _digits(value: str, length: int, what: str) -> str:
    if len(value) != length or not value.isascii() or not value.isdigit():
        raise ValueError(f"{what} must be {length} digits")
    return value


def mod10(digits: str) -> int:
    """Check digit of a linha digitável field: weights 2, 1, 2… from the right, digits of products summed."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def mod11(digits: str) -> int:
    """General check digit of a barcode: weights 2 to 9 repeating from the right; 0, 10 and 11 give 1."""
    total = sum(int(char) * (2 + position % 8) for position, char in enumerate(reversed(digits)))
    check = 11 - total % 11
    return 1 if check in (0, 10, 11) else check


def boleto_due_factor(due_on: date) -> int:
    """Days since 7 October 1997; from 22 February 2025 (day 10000) the count restarts at 1000."""
    days = (due_on - BOLETO_BASE_DATE).days
    if days < BOLETO_FACTOR_MIN:
        raise ValueError("a boleto due date cannot be before 3 July 2000")
    if days > BOLETO_FACTOR_MAX:
        return (days - BOLETO_FACTOR_MIN) % BOLETO_FACTOR_CYCLE + BOLETO_FACTOR_MIN
    return days


def boleto_barcode(*, bank_code: str, due_on: date, amount: Decimal, free_field: str) -> str:
    """The 44-digit barcode: bank, currency 9, general check digit, due factor, amount in cents and the
    bank's free field."""
    _digits(bank_code, 3, "a bank code")
    _digits(free_field, FREE_FIELD_LENGTH, "a boleto free field")
    if not isinstance(amount, Decimal):
        raise TypeError("a boleto amount must be a Decimal")
    cents = int(quantize(amount, CURRENCY) * 100)
    if not 0 < cents <= BOLETO_MAX_CENTS:
        raise ValueError("a boleto amount must be positive and below 100 000 000")
    body = f"{bank_code}{BOLETO_CURRENCY_REAL}{boleto_due_factor(due_on):04d}{cents:010d}{free_field}"
    return f"{body[:4]}{mod11(body)}{body[4:]}"


def boleto_digitable_line(barcode: str) -> str:
    """The linha digitável of a barcode: "AAAAA.AAAAA BBBBB.BBBBBB CCCCC.CCCCCC D EEEEFFFFFFFFFF"."""
    _digits(barcode, BARCODE_LENGTH, "a boleto barcode")
    free = barcode[19:]
    first = barcode[:4] + free[:5]
    second = free[5:15]
    third = free[15:25]
    first, second, third = (f"{field}{mod10(field)}" for field in (first, second, third))
    return (
        f"{first[:5]}.{first[5:]} {second[:5]}.{second[5:]} {third[:5]}.{third[5:]} "
        f"{barcode[4]} {barcode[5:19]}"
    )


def boleto_line_to_barcode(line: str) -> str:
    """The barcode inside a linha digitável (with or without its dots and spaces), checks not verified."""
    digits = _digits(_LINE_SEPARATORS.sub("", line), LINE_LENGTH, "a linha digitável")
    return digits[:4] + digits[32] + digits[33:47] + digits[4:9] + digits[10:20] + digits[21:31]


def boleto_line_is_valid(line: str) -> bool:
    """The three field check digits and the general check digit all match."""
    try:
        barcode = boleto_line_to_barcode(line)
    except ValueError:
        return False
    digits = _LINE_SEPARATORS.sub("", line)
    fields = ((digits[:9], digits[9]), (digits[10:20], digits[20]), (digits[21:31], digits[31]))
    if any(mod10(body) != int(check) for body, check in fields):
        return False
    return mod11(barcode[:4] + barcode[5:]) == int(barcode[4])


def boleto_amount(barcode: str) -> Decimal:
    """The amount a barcode carries."""
    _digits(barcode, BARCODE_LENGTH, "a boleto barcode")
    return Decimal(int(barcode[9:19])).scaleb(-2)


def boleto_factor(barcode: str) -> int:
    _digits(barcode, BARCODE_LENGTH, "a boleto barcode")
    return int(barcode[5:9])
