"""Pix BR Codes and boletos, checked against published real examples and by properties."""

from __future__ import annotations

import string
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.billing.payment_codes import (
    boleto_amount,
    boleto_barcode,
    boleto_digitable_line,
    boleto_due_factor,
    boleto_factor,
    boleto_line_is_valid,
    boleto_line_to_barcode,
    emv_fields,
    mod11,
    pix_copy_and_paste,
    pix_crc,
    pix_crc_is_valid,
)

# -- published Pix codes --------------------------------------------------------------------------------
# The example of the Banco Central's "Manual do BR Code" (static code, random key, no amount, txid ***),
# https://www.bcb.gov.br/content/estabilidadefinanceira/spb_docs/ManualBRCode.pdf, reproduced as the
# reference vector by many Pix libraries.
BCB_MANUAL_EXAMPLE = (
    "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000"
    "5204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"
)
# A code a bank app accepted, with amount 1.00 and txid, quoted in the public repository
# doisrsis/agendapro, docs/ANALISE_CHAVE_PIX_TRACOS.md (upper-case GUI, point of initiation 12).
AGENDAPRO_CODE = (
    "0002010101021226630014BR.GOV.BCB.PIX0132420ab7c44d6346d4809ecd3eebc129ec0205BARBA"
    "52040000530398654041.005802BR5922RAFAEL DE ANDRADE DIAS6004LAJE62160512AG000000023863047C58"
)
# A donation code published on a church's site: public repository Carlos-E-A-Oliveira/Site_Institucional,
# script1.js (CNPJ key, 25-character txid, name cut at 25 characters).
DONATION_CODE = (
    "00020126740014br.gov.bcb.pix0114228402150001530234Comunidade Evangelica Semear Bauru"
    "5204000053039865802BR5925COMUNIDADE EVANGELICA SEM6005BAURU62290525AoWEmu48P2fjmZ0fAXkFdY4Aq630405AD"
)

# -- published boletos ----------------------------------------------------------------------------------
# (line, barcode or None, amount, due date), each as decoded by its source:
PUBLISHED_BOLETOS = (
    # README of the public repository fabiohk/boleto-validator (https://github.com/fabiohk/boleto-validator)
    (
        "03399.63290 64000.000006 00125.201020 4 56140000017832",
        "03394561400000178329632964000000000012520102",
        Decimal("178.32"),
        date(2013, 2, 19),
    ),
    # README of the npm package boleto_parser (https://app.unpkg.com/boleto_parser@0.0.1-b/files/README.md)
    ("07790.00116 12064.449908 08159.365561 7 90020000015130", None, Decimal("151.30"), date(2022, 5, 31)),
    # README of the public repository caio-farias/linhadigitavel2data-app (Banco do Brasil example)
    (
        "00190500954014481606906809350314337370000000100",
        "00193373700000001000500940144816060680935031",
        Decimal("1.00"),
        date(2007, 12, 31),
    ),
)

KEY = "123e4567-e12b-12d1-a456-426655440000"


# -- Pix ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("code", [BCB_MANUAL_EXAMPLE, AGENDAPRO_CODE, DONATION_CODE])
def test_published_pix_codes_have_a_valid_crc(code: str) -> None:
    assert pix_crc_is_valid(code)
    assert pix_crc(code[:-4]) == code[-4:]
    assert not pix_crc_is_valid(code[:-4] + code[-4:].lower())  # the manual asks for upper case
    assert not pix_crc_is_valid(code[:-4] + format((int(code[-4:], 16) + 1) % 0x10000, "04X"))


def test_crc16_ccitt_false_check_value() -> None:
    assert pix_crc("123456789") == "29B1"  # the catalogued check value of CRC-16/CCITT-FALSE


def test_our_code_has_the_fields_of_the_manual_example() -> None:
    ours = pix_copy_and_paste(
        key=KEY,
        merchant_name="Fulano de Tal",
        merchant_city="BRASÍLIA",
        amount=Decimal("10"),
        txid="PG23ABCD",
    )
    assert pix_crc_is_valid(ours)
    manual, fields = emv_fields(BCB_MANUAL_EXAMPLE), emv_fields(ours)
    for same in ("00", "26", "52", "53", "58", "59", "60"):
        assert fields[same] == manual[same], same
    assert fields["54"] == "10.00" and fields["62"] == "0508PG23ABCD"
    assert list(fields) == ["00", "26", "52", "53", "54", "58", "59", "60", "62", "63"]
    assert emv_fields(fields["26"]) == {"00": "br.gov.bcb.pix", "01": KEY}


def test_names_and_cities_are_cut_ascii() -> None:
    code = pix_copy_and_paste(
        key="+5511987654321",
        merchant_name="Telecomunicações do São Francisco Ltda",
        merchant_city="São José dos Campos",
        amount=Decimal("1234.5"),
        txid="A" * 25,
    )
    fields = emv_fields(code)
    assert fields["59"] == "Telecomunicacoes do Sao F" and fields["60"] == "Sao Jose dos Ca"
    assert fields["54"] == "1234.50" and fields["62"] == "0525" + "A" * 25


@pytest.mark.parametrize(
    "change",
    [
        {"txid": "PG-23ABCD"},
        {"txid": "A" * 26},
        {"txid": ""},
        {"key": ""},
        {"key": "k" * 78},
        {"amount": Decimal("0")},
        {"amount": Decimal("-1")},
        {"amount": Decimal("10000000000.00")},
        {"merchant_name": "   "},
        {"merchant_city": "東京"},
    ],
)
def test_bad_pix_inputs_are_refused(change: dict[str, object]) -> None:
    arguments: dict[str, object] = {
        "key": KEY,
        "merchant_name": "Demo",
        "merchant_city": "Sao Paulo",
        "amount": Decimal("1"),
        "txid": "T1",
    }
    with pytest.raises(ValueError):
        pix_copy_and_paste(**arguments | change)  # type: ignore[arg-type]


def test_a_float_amount_is_refused() -> None:
    with pytest.raises(TypeError):
        pix_copy_and_paste(key=KEY, merchant_name="D", merchant_city="C", amount=1.5, txid="T")  # type: ignore[arg-type]


printable = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
cents = st.integers(min_value=1, max_value=10**10 - 1).map(lambda n: Decimal(n).scaleb(-2))


NAME_CHARACTERS = string.ascii_letters + string.digits + " -&.'áéíóúâêôãõçÁÉÍÓÚÂÊÔÃÕÇ"


def _has_ascii_alnum(text: str) -> bool:
    return any(char.isascii() and char.isalnum() for char in text)


@st.composite
def pix_codes(draw: st.DrawFn) -> tuple[str, Decimal, str]:
    amount = draw(cents)
    txid = draw(st.text(string.ascii_letters + string.digits, min_size=1, max_size=25))
    code = pix_copy_and_paste(
        key=draw(st.text(printable, min_size=1, max_size=77)),
        merchant_name=draw(st.text(NAME_CHARACTERS, min_size=1, max_size=40).filter(_has_ascii_alnum)),
        merchant_city=draw(st.sampled_from(["São Paulo", "Brasília", "Curitiba", "Belo Horizonte"])),
        amount=amount,
        txid=txid,
    )
    return code, amount, txid


@settings(max_examples=300, deadline=None)
@given(pix_codes(), st.data())
def test_any_altered_character_breaks_a_pix_code(
    generated: tuple[str, Decimal, str], data: st.DataObject
) -> None:
    code, amount, txid = generated
    assert pix_crc_is_valid(code)
    fields = emv_fields(code)
    assert Decimal(fields["54"]) == amount and fields["62"] == f"05{len(txid):02d}{txid}"
    position = data.draw(st.integers(min_value=0, max_value=len(code) - 1))
    replacement = data.draw(printable)
    assume(replacement != code[position])
    assert not pix_crc_is_valid(code[:position] + replacement + code[position + 1 :])


# -- boleto ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("line", "barcode", "amount", "due_on"), PUBLISHED_BOLETOS)
def test_published_boletos(line: str, barcode: str | None, amount: Decimal, due_on: date) -> None:
    assert boleto_line_is_valid(line) and boleto_line_is_valid(line.replace(".", "").replace(" ", ""))
    decoded = boleto_line_to_barcode(line)
    if barcode is not None:
        assert decoded == barcode
    assert boleto_amount(decoded) == amount
    assert boleto_factor(decoded) == boleto_due_factor(due_on)
    rebuilt = boleto_barcode(bank_code=decoded[:3], due_on=due_on, amount=amount, free_field=decoded[19:])
    assert rebuilt == decoded
    assert boleto_digitable_line(rebuilt).replace(".", "").replace(" ", "") == line.replace(".", "").replace(
        " ", ""
    )


@pytest.mark.parametrize(
    ("due_on", "factor"),
    [
        # FEBRABAN's table as quoted on mhemann.com.br ("A linha digitável do boleto bancário")
        (date(2000, 7, 3), 1000),
        (date(2000, 7, 5), 1002),
        (date(2002, 5, 1), 1667),
        (date(2010, 11, 17), 4789),
        (date(2025, 2, 21), 9999),
        # the restart (README of the public repository vladetec/fator-vencimento-boleto-2025)
        (date(2025, 2, 22), 1000),
        (date(2025, 2, 23), 1001),
        # one full cycle of 9000 days later
        (date(2025, 2, 22) + timedelta(days=8999), 9999),
        (date(2025, 2, 22) + timedelta(days=9000), 1000),
    ],
)
def test_due_factor(due_on: date, factor: int) -> None:
    assert boleto_due_factor(due_on) == factor


def test_boleto_formatting_and_refusals() -> None:
    barcode = boleto_barcode(
        bank_code="999", due_on=date(2026, 3, 14), amount=Decimal("299.70"), free_field="0" * 24 + "7"
    )
    line = boleto_digitable_line(barcode)
    assert len(line) == 54 and [len(part) for part in line.split(" ")] == [11, 12, 12, 1, 14]
    assert line.endswith(f" {barcode[4]} 1385" + "0000029970")
    for bad in (
        {"bank_code": "99"},
        {"free_field": "1" * 24},
        {"amount": Decimal("0")},
        {"amount": Decimal("100000000.00")},
        {"due_on": date(2000, 7, 2)},
    ):
        arguments: dict[str, object] = {
            "bank_code": "999",
            "due_on": date(2026, 3, 14),
            "amount": Decimal("1"),
            "free_field": "0" * 25,
        }
        with pytest.raises(ValueError):
            boleto_barcode(**arguments | bad)  # type: ignore[arg-type]
    for not_a_line in ("", "1" * 46, "1" * 48, "0019050095401448160690680935031433737000000010x", "٠" * 47):
        assert not boleto_line_is_valid(not_a_line)


@st.composite
def boletos(draw: st.DrawFn) -> tuple[str, str, Decimal, date]:
    amount = draw(cents.filter(lambda value: value < Decimal("100000000")))
    due_on = draw(st.dates(min_value=date(2000, 7, 3), max_value=date(2070, 12, 31)))
    barcode = boleto_barcode(
        bank_code=draw(st.from_regex(r"\A[0-9]{3}\Z")),
        due_on=due_on,
        amount=amount,
        free_field=draw(st.from_regex(r"\A[0-9]{25}\Z")),
    )
    return boleto_digitable_line(barcode), barcode, amount, due_on


@settings(max_examples=300, deadline=None)
@given(boletos(), st.data())
def test_any_altered_digit_breaks_a_boleto_line(
    generated: tuple[str, str, Decimal, date], data: st.DataObject
) -> None:
    line, barcode, amount, due_on = generated
    assert boleto_line_is_valid(line) and boleto_line_to_barcode(line) == barcode
    assert boleto_amount(barcode) == amount and boleto_factor(barcode) == boleto_due_factor(due_on)
    digits = line.replace(".", "").replace(" ", "")
    position = data.draw(st.integers(min_value=0, max_value=46))
    replacement = data.draw(st.sampled_from(string.digits).filter(lambda d: d != digits[position]))
    altered = digits[:position] + replacement + digits[position + 1 :]
    if position >= 33 and barcode[4] == "1":
        # Field 5 is guarded by the general check digit alone, and mod 11 maps the remainders 0, 1 and 10
        # all to 1: FEBRABAN's rule lets some changes through there (see the test below).
        return
    assert not boleto_line_is_valid(altered)


def test_the_general_check_digit_rule_has_collisions() -> None:
    """Why the property above spares field 5 when the check digit is 1: FEBRABAN's mod 11 maps three
    remainders to 1, so these two lines (one digit of the due factor apart) are both valid."""
    line = "99990.00004 00000.000000 00000.000000 1 13850000029971"
    other = "99990.00004 00000.000000 00000.000000 1 53850000029971"
    assert boleto_line_is_valid(line) and boleto_line_is_valid(other)
    assert mod11(boleto_line_to_barcode(line)[:4] + boleto_line_to_barcode(line)[5:]) == 1
