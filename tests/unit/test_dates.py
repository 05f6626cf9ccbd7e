"""bot.dates: French/Portuguese day expressions → dates (own examples, not from any external corpus)."""

from __future__ import annotations

import time
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.dates import ResolvedDate, resolve_date, resolve_day_of_month

FRI = date(2026, 2, 20)  # a Friday, in a 28-day February
LEAP = date(2028, 2, 29)  # a Tuesday, leap day
SUN = date(2026, 3, 15)  # a Sunday
NYE = date(2025, 12, 31)  # a Wednesday, year rollover
JAN_END = date(2026, 1, 31)  # a Saturday, month end


def _value(text: str, lang: str, today: date, prefer: str = "future") -> date | None:
    found = resolve_date(text, lang, today, prefer)
    return found.value if found else None


# (text, language, today, prefer, expected)
CASES: list[tuple[str, str, date, str, date]] = [
    # day of month
    ("le 15", "fr", FRI, "future", date(2026, 3, 15)),
    ("le 15", "fr", FRI, "past", date(2026, 2, 15)),
    ("je voudrais le 20", "fr", FRI, "future", date(2026, 2, 20)),
    ("Je voudrais payer LE 25 svp", "fr", FRI, "future", date(2026, 2, 25)),
    ("le 30", "fr", FRI, "future", date(2026, 3, 30)),
    ("le 31", "fr", FRI, "past", date(2026, 1, 31)),
    ("le 31", "fr", NYE, "future", date(2025, 12, 31)),
    ("le 2", "fr", NYE, "future", date(2026, 1, 2)),
    ("le premier", "fr", FRI, "future", date(2026, 3, 1)),
    ("le 1er", "fr", FRI, "past", date(2026, 2, 1)),
    ("1er", "fr", JAN_END, "future", date(2026, 2, 1)),
    ("le quinze", "fr", FRI, "future", date(2026, 3, 15)),
    ("le vingt et un", "fr", FRI, "future", date(2026, 2, 21)),
    ("tous les 5 du mois", "fr", FRI, "future", date(2026, 3, 5)),
    ("le 10 du mois prochain", "fr", NYE, "future", date(2026, 1, 10)),
    ("le 29", "fr", LEAP, "future", date(2028, 2, 29)),
    ("le 30", "fr", LEAP, "past", date(2028, 1, 30)),
    ("dia 10", "pt", FRI, "future", date(2026, 3, 10)),
    ("todo dia 5", "pt", FRI, "past", date(2026, 2, 5)),
    ("no dia 1º", "pt", FRI, "future", date(2026, 3, 1)),
    ("dia 1ª", "pt", SUN, "past", date(2026, 3, 1)),
    ("dia primeiro", "pt", JAN_END, "future", date(2026, 2, 1)),
    ("quero pagar dia vinte", "pt", FRI, "future", date(2026, 2, 20)),
    ("dia vinte e oito", "pt", LEAP, "future", date(2028, 3, 28)),
    ("1º", "pt", NYE, "future", date(2026, 1, 1)),
    ("dia 15 do mês que vem", "pt", NYE, "future", date(2026, 1, 15)),
    # relative words
    ("hier", "fr", JAN_END, "future", date(2026, 1, 30)),
    ("j'ai payé hier soir", "fr", date(2026, 3, 1), "past", date(2026, 2, 28)),
    ("avant-hier", "fr", date(2028, 3, 1), "past", date(2028, 2, 28)),
    ("aujourd'hui", "fr", SUN, "future", SUN),
    ("demain", "fr", NYE, "future", date(2026, 1, 1)),
    ("DEMAIN", "fr", LEAP, "future", date(2028, 3, 1)),
    ("après-demain", "fr", NYE, "future", date(2026, 1, 2)),
    ("apres demain", "fr", FRI, "future", date(2026, 2, 22)),
    ("apres-demain", "fr", FRI, "future", date(2026, 2, 22)),
    ("ontem", "pt", date(2026, 1, 1), "past", NYE),
    ("paguei anteontem", "pt", FRI, "past", date(2026, 2, 18)),
    ("hoje", "pt", LEAP, "future", LEAP),
    ("amanhã", "pt", JAN_END, "future", date(2026, 2, 1)),
    ("amanha", "pt", LEAP, "future", date(2028, 3, 1)),
    ("depois de amanhã", "pt", NYE, "future", date(2026, 1, 2)),
    ("depois d'amanha", "pt", FRI, "future", date(2026, 2, 22)),
    # in / ago
    ("dans 3 jours", "fr", NYE, "future", date(2026, 1, 3)),
    ("dans trois jours", "fr", FRI, "future", date(2026, 2, 23)),
    ("dans une semaine", "fr", FRI, "future", date(2026, 2, 27)),
    ("dans 2 mois", "fr", date(2025, 12, 31), "future", date(2026, 2, 28)),
    ("il y a 2 jours", "fr", date(2026, 1, 1), "past", date(2025, 12, 30)),
    ("il y a une semaine", "fr", FRI, "past", date(2026, 2, 13)),
    ("daqui a 3 dias", "pt", NYE, "future", date(2026, 1, 3)),
    ("em 10 dias", "pt", FRI, "future", date(2026, 3, 2)),
    ("há 2 dias", "pt", date(2026, 3, 1), "past", date(2026, 2, 27)),
    ("ha dois dias", "pt", FRI, "past", date(2026, 2, 18)),
    ("3 dias atrás", "pt", FRI, "past", date(2026, 2, 17)),
    # weeks / months
    ("la semaine prochaine", "fr", FRI, "future", date(2026, 2, 23)),
    ("la semaine prochaine", "fr", SUN, "future", date(2026, 3, 16)),
    ("semana que vem", "pt", NYE, "future", date(2026, 1, 5)),
    ("na próxima semana", "pt", FRI, "future", date(2026, 2, 23)),
    ("le mois prochain", "fr", NYE, "future", date(2026, 1, 1)),
    ("mês que vem", "pt", JAN_END, "future", date(2026, 2, 1)),
    # weekdays
    ("lundi", "fr", FRI, "future", date(2026, 2, 23)),
    ("lundi", "fr", FRI, "past", date(2026, 2, 16)),
    ("vendredi", "fr", FRI, "future", FRI),
    ("vendredi", "fr", FRI, "past", FRI),
    ("lundi prochain", "fr", SUN, "future", date(2026, 3, 16)),
    ("lundi prochain", "fr", FRI, "future", date(2026, 2, 23)),
    ("jeudi prochain", "fr", NYE, "future", date(2026, 1, 8)),
    ("mardi de la semaine prochaine", "fr", SUN, "future", date(2026, 3, 17)),
    ("vendredi dernier", "fr", FRI, "future", date(2026, 2, 13)),
    ("j'ai payé lundi", "fr", SUN, "past", date(2026, 3, 9)),
    ("samedi", "fr", SUN, "future", date(2026, 3, 21)),
    ("segunda-feira", "pt", FRI, "future", date(2026, 2, 23)),
    ("segunda", "pt", SUN, "future", date(2026, 3, 16)),
    ("2a feira", "pt", SUN, "future", date(2026, 3, 16)),
    ("2ª-feira", "pt", FRI, "past", date(2026, 2, 16)),
    ("sexta feira", "pt", NYE, "future", date(2026, 1, 2)),
    ("Sexta-Feira", "pt", NYE, "past", date(2025, 12, 26)),
    ("sabado", "pt", FRI, "future", date(2026, 2, 21)),
    ("sábado", "pt", SUN, "past", date(2026, 3, 14)),
    ("domingo", "pt", SUN, "future", SUN),
    ("na próxima sexta", "pt", SUN, "future", date(2026, 3, 20)),
    ("quarta que vem", "pt", NYE, "future", date(2026, 1, 7)),
    ("terça passada", "pt", FRI, "future", date(2026, 2, 17)),
    ("na 6a", "pt", SUN, "future", date(2026, 3, 20)),
    ("pago na segunda", "pt", date(2026, 11, 24), "future", date(2026, 11, 30)),  # not an ordinal here
    ("na quinta de manhã", "pt", date(2026, 11, 24), "future", date(2026, 11, 26)),
    ("sexta", "pt", date(2026, 11, 24), "future", date(2026, 11, 27)),
    ("le lundi 23", "fr", FRI, "future", date(2026, 2, 23)),
    ("mardi 3", "fr", FRI, "future", date(2026, 3, 3)),
    ("segunda, dia 2", "pt", FRI, "future", date(2026, 3, 2)),
    # explicit dates
    ("15/03", "fr", FRI, "future", date(2026, 3, 15)),
    ("15/03", "fr", FRI, "past", date(2025, 3, 15)),
    ("15/03/2026", "fr", FRI, "past", date(2026, 3, 15)),
    ("15/03/26", "pt", FRI, "future", date(2026, 3, 15)),
    ("5-1-2027", "pt", FRI, "future", date(2027, 1, 5)),
    ("05.01.2027", "fr", FRI, "future", date(2027, 1, 5)),
    ("2026-04-03", "fr", FRI, "future", date(2026, 4, 3)),
    ("29/02", "fr", FRI, "future", date(2028, 2, 29)),
    ("29/02", "pt", LEAP, "past", LEAP),
    ("01/01", "fr", NYE, "future", date(2026, 1, 1)),
    ("15 mars", "fr", FRI, "future", date(2026, 3, 15)),
    ("15 mars", "fr", SUN, "future", SUN),
    ("15 mars", "fr", date(2026, 3, 16), "future", date(2027, 3, 15)),
    ("le 3 avril 2026", "fr", FRI, "future", date(2026, 4, 3)),
    ("le 1er janvier", "fr", NYE, "future", date(2026, 1, 1)),
    ("le quinze août", "fr", FRI, "future", date(2026, 8, 15)),
    ("vendredi 6 mars", "fr", FRI, "future", date(2026, 3, 6)),
    ("3 fév. 27", "fr", FRI, "future", date(2027, 2, 3)),
    ("15 de março", "pt", FRI, "future", date(2026, 3, 15)),
    ("15 de marco de 2027", "pt", FRI, "future", date(2027, 3, 15)),
    ("primeiro de abril", "pt", FRI, "future", date(2026, 4, 1)),
    ("1º de janeiro", "pt", NYE, "past", date(2025, 1, 1)),
    ("dia 25 de dezembro", "pt", NYE, "future", date(2026, 12, 25)),
    ("Noël", "fr", NYE, "past", date(2025, 12, 25)),
    ("natal", "pt", FRI, "future", date(2026, 12, 25)),
    # period edges
    ("à la fin du mois", "fr", FRI, "future", date(2026, 2, 28)),
    ("fin du mois", "fr", LEAP, "future", LEAP),
    ("fin du mois prochain", "fr", JAN_END, "future", date(2026, 2, 28)),
    ("fin du mois", "fr", FRI, "past", date(2026, 1, 31)),
    ("fim do mês", "pt", NYE, "future", NYE),
    ("no final do mês que vem", "pt", NYE, "future", date(2026, 1, 31)),
    ("mi-mars", "fr", FRI, "future", date(2026, 3, 15)),
    ("mi mars", "fr", date(2026, 3, 20), "future", date(2027, 3, 15)),
    ("meados de março", "pt", FRI, "future", date(2026, 3, 15)),
    ("début du mois prochain", "fr", NYE, "future", date(2026, 1, 1)),
    ("début du mois", "fr", FRI, "future", date(2026, 3, 1)),
    ("início do mês que vem", "pt", FRI, "future", date(2026, 3, 1)),
    ("fin de semaine", "fr", date(2026, 2, 17), "future", FRI),
    ("fim de semana", "pt", FRI, "future", date(2026, 2, 21)),
    ("fin avril", "fr", FRI, "future", date(2026, 4, 30)),
    ("fim de fevereiro", "pt", LEAP, "future", LEAP),
    ("fin d'année", "fr", FRI, "future", date(2026, 12, 31)),
    ("le dernier jour du mois", "fr", FRI, "future", date(2026, 2, 28)),
    ("último dia do mês", "pt", LEAP, "future", LEAP),
    ("le premier vendredi du mois prochain", "fr", FRI, "future", date(2026, 3, 6)),
    ("a última sexta de março", "pt", FRI, "future", date(2026, 3, 27)),
    # month name first, at the end of a clause
    ("je peux payer mars vingt et un", "fr", FRI, "future", date(2026, 3, 21)),
    ("on dit avril 3", "fr", FRI, "future", date(2026, 4, 3)),
    ("échéance repoussée à déc. 5", "fr", FRI, "past", date(2025, 12, 5)),
    ("contrat signé janvier 12, 2024", "fr", FRI, "future", date(2024, 1, 12)),
    ("pode ser junho dezoito?", "pt", FRI, "future", date(2026, 6, 18)),
    ("vencimento março 9", "pt", FRI, "past", date(2025, 3, 9)),
    ("a fatura de abril 30 de 2025", "pt", FRI, "future", date(2025, 4, 30)),
    # US order when the day cannot be a month; a year after a comma
    ("prélèvement du 03/25/2026", "fr", FRI, "future", date(2026, 3, 25)),
    ("paguei 12/31", "pt", FRI, "past", date(2025, 12, 31)),
    ("vence em 4-18", "pt", FRI, "future", date(2026, 4, 18)),
    ("facture du 5/03, 2025", "fr", FRI, "future", date(2025, 3, 5)),
    ("boleto de 10/01, 2026 ainda aberto", "pt", FRI, "future", date(2026, 1, 10)),
    # month names between slashes
    ("vencimento 10/mar/2026", "pt", FRI, "past", date(2026, 3, 10)),
    ("pago em 7/jun", "pt", FRI, "future", date(2026, 6, 7)),
    ("échéance 2026/oct./05", "fr", FRI, "future", date(2026, 10, 5)),
    # an ordinal day of a month
    ("le 2e jour de mars", "fr", FRI, "future", date(2026, 3, 2)),
    ("au cinquième jour du mois prochain", "fr", FRI, "future", date(2026, 3, 5)),
    ("o terceiro dia de abril", "pt", FRI, "future", date(2026, 4, 3)),
    ("no 10º dia do mês", "pt", FRI, "past", date(2026, 2, 10)),
    # days counted from another day
    ("la veille du 15", "fr", FRI, "future", date(2026, 3, 14)),
    ("je paierai le lendemain du 28 février", "fr", FRI, "future", date(2026, 3, 1)),
    ("le surlendemain du 10", "fr", FRI, "past", date(2026, 2, 12)),
    ("trois jours avant le 5 mars", "fr", FRI, "future", date(2026, 3, 2)),
    ("quinze jours après le 1er", "fr", FRI, "future", date(2026, 3, 15)),
    ("la veille de Noël", "fr", FRI, "future", date(2026, 12, 24)),
    ("na véspera do dia 10", "pt", FRI, "future", date(2026, 3, 9)),
    ("no dia seguinte ao dia 31 de março", "pt", FRI, "future", date(2026, 4, 1)),
    ("posso pagar 2 dias depois do dia 25?", "pt", FRI, "future", date(2026, 2, 27)),
    ("uma semana antes do dia 15", "pt", FRI, "future", date(2026, 3, 8)),
    ("na véspera de ano novo", "pt", FRI, "future", date(2026, 12, 31)),
    # "le 15 prochain", "o próximo dia 10": strictly after (or before) today
    ("le 20 prochain", "fr", FRI, "future", date(2026, 3, 20)),
    ("votre courrier du 18 dernier", "fr", FRI, "future", date(2026, 2, 18)),
    ("vence no próximo dia 10", "pt", FRI, "future", date(2026, 3, 10)),
    ("vence no próximo dia 20", "pt", FRI, "future", date(2026, 3, 20)),
    ("até o prox dia 25", "pt", FRI, "future", date(2026, 2, 25)),
    ("paguei no último dia 20", "pt", FRI, "past", date(2026, 1, 20)),
    ("dia 5 que vem", "pt", FRI, "future", date(2026, 3, 5)),
    # this month, even when the day has passed
    ("le 10 de ce mois", "fr", FRI, "future", date(2026, 2, 10)),
    ("prélevé le 3 courant", "fr", FRI, "future", date(2026, 2, 3)),
    ("dia 10 deste mês", "pt", FRI, "future", date(2026, 2, 10)),
    ("dia 2 do mês atual", "pt", FRI, "future", date(2026, 2, 2)),
    # a month or week, then the day
    ("le mois prochain, le 8", "fr", FRI, "future", date(2026, 3, 8)),
    ("ce mois-ci le 27", "fr", FRI, "future", date(2026, 2, 27)),
    ("la semaine prochaine, jeudi", "fr", FRI, "future", date(2026, 2, 26)),
    ("mês que vem dia 7", "pt", FRI, "future", date(2026, 3, 7)),
    ("esse mês no dia 28", "pt", FRI, "future", date(2026, 2, 28)),
    ("semana que vem na segunda", "pt", FRI, "future", date(2026, 2, 23)),
    ("na próxima semana, na quinta", "pt", SUN, "future", date(2026, 3, 19)),
    # chat abbreviations and jargon
    ("la semaine pro", "fr", FRI, "future", date(2026, 2, 23)),
    ("mardi pro", "fr", FRI, "future", date(2026, 2, 24)),
    ("à régler sous huitaine", "fr", FRI, "future", date(2026, 2, 27)),
    ("dans une quinzaine", "fr", FRI, "future", date(2026, 3, 6)),
    ("mês q vem", "pt", FRI, "future", date(2026, 3, 1)),
    ("prox semana", "pt", FRI, "future", date(2026, 2, 23)),
    ("próx. terça", "pt", FRI, "future", date(2026, 2, 24)),
    ("quarta q vem", "pt", FRI, "future", date(2026, 2, 25)),
    ("daqui a uns 10 dias", "pt", FRI, "future", date(2026, 3, 2)),
    ("daqui a uma quinzena", "pt", FRI, "future", date(2026, 3, 7)),
    ("na seg", "pt", FRI, "future", date(2026, 2, 23)),
    ("até sex", "pt", SUN, "future", date(2026, 3, 20)),
    ("pode ser qui?", "pt", FRI, "future", date(2026, 2, 26)),
    ("sab, 7 de março", "pt", FRI, "future", date(2026, 3, 7)),
    ("toussaint", "fr", FRI, "future", date(2026, 11, 1)),
    ("dans la journée de la Toussaint", "fr", FRI, "future", date(2026, 11, 1)),
]


@pytest.mark.parametrize(("text", "lang", "today", "prefer", "expected"), CASES)
def test_resolves(text: str, lang: str, today: date, prefer: str, expected: date) -> None:
    assert _value(text, lang, today, prefer) == expected


@pytest.mark.parametrize(
    ("text", "lang", "today", "value", "kind", "span"),
    [
        ("je voudrais le 20 svp", "fr", FRI, date(2026, 2, 20), "day_of_month", "le 20"),
        ("Paguei ontem à noite", "pt", FRI, date(2026, 2, 19), "relative", "ontem"),
        ("Posso pagar na SEXTA-FEIRA?", "pt", SUN, date(2026, 3, 20), "weekday", "na SEXTA-FEIRA"),
        ("c'est pour le 3 avril 2026 merci", "fr", FRI, date(2026, 4, 3), "explicit", "le 3 avril 2026"),
        ("fim do mês", "pt", FRI, date(2026, 2, 28), "period_edge", "fim do mês"),
        # days counted from another day: the span covers the whole phrase
        ("Je paierai la veille du 15, merci", "fr", FRI, date(2026, 3, 14), "relative", "la veille du 15"),
        ("vence no próximo dia 10", "pt", FRI, date(2026, 3, 10), "relative", "no próximo dia 10"),
    ],
)
def test_result_carries_kind_and_span(
    text: str, lang: str, today: date, value: date, kind: str, span: str
) -> None:
    assert resolve_date(text, lang, today) == ResolvedDate(value, kind, span)


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("le 15", "fr", 15),
        ("Je voudrais le 20 au lieu du 5", "fr", 20),
        ("le premier", "fr", 1),
        ("le 1er", "fr", 1),
        ("le trente et un", "fr", 31),
        ("dia 10", "pt", 10),
        ("todo dia 5", "pt", 5),
        ("no dia 1º", "pt", 1),
        ("dia primeiro", "pt", 1),
        ("dia vinte e cinco", "pt", 25),
        ("1º", "pt", 1),
        ("le 15 mars", "fr", 15),
        ("o próximo dia 10", "pt", 10),
        ("mês que vem dia 7", "pt", 7),
        ("le 3e jour du mois", "fr", 3),
        ("le 20 prochain", "fr", 20),
        ("la veille du 15", "fr", None),  # the 14th, or the last of a month
        ("hier", "fr", None),
        ("le 15 euros", "fr", None),
        ("dia 10 parcelas", "pt", None),
        ("bonjour", "fr", None),
        ("dia 32", "pt", None),
        ("", "pt", None),
        ("le 15", "en", None),
    ],
)
def test_day_of_month(text: str, lang: str, expected: int | None) -> None:
    assert resolve_day_of_month(text, lang) == expected


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        # dates that do not exist
        ("31/02", "fr"),
        ("30/02/2026", "pt"),
        ("29/02/2026", "fr"),
        ("31 avril", "fr"),
        ("31 de junho", "pt"),
        ("2026-02-30", "fr"),
        # no date at all
        ("", "fr"),
        ("   ", "pt"),
        ("bonjour, j'ai une question sur ma facture", "fr"),
        ("obrigado pela ajuda", "pt"),
        ("le 15", "de"),  # a language we do not read
        # Portuguese ordinals are not weekdays
        ("quero a segunda via do boleto", "pt"),
        ("segunda via da fatura", "pt"),
        ("a quarta parcela venceu", "pt"),
        ("é a terceira vez", "pt"),
        ("a segunda fatura veio errada", "pt"),
        ("quinta tentativa de pagamento", "pt"),
        # instalments and prices are not days
        ("parcela 4/12", "pt"),
        ("a parcela nº 10/24 está em aberto", "pt"),
        ("mensalidade 3/10", "pt"),
        ("échéance 2/10 impayée", "fr"),
        ("le montant est de 12.25", "fr"),
        ("o valor é 4.22", "pt"),
    ],
)
def test_no_date(text: str, lang: str) -> None:
    assert resolve_date(text, lang, FRI) is None
    assert resolve_date(text, lang, FRI, prefer="past") is None


def test_regional_language_codes() -> None:
    assert _value("amanhã", "pt-BR", FRI) == date(2026, 2, 21)
    assert _value("demain", "fr_FR", FRI) == date(2026, 2, 21)


def test_amounts_are_not_days() -> None:
    found = resolve_date("je dois payer le 15 € restants", "fr", FRI)
    assert found is None or found.kind != "day_of_month"
    assert resolve_day_of_month("em 3 parcelas, dia 10", "pt") == 10


def test_dateparser_fallback_covers_other_phrasings() -> None:
    found = resolve_date("avril 2027", "fr", FRI)  # a month alone: no rule, dateparser reads it
    assert found is not None and found.value == date(2027, 4, 1)
    found = resolve_date("dans 2 heures", "fr", FRI)
    assert found is not None and found.value == FRI
    assert resolve_date("facture 2027", "fr", FRI) is None  # a bare number is not a day


@pytest.mark.parametrize("today", [date.min, date.max])
@pytest.mark.parametrize(
    "text", ["demain", "hier", "le 31", "dans 3 mois", "fin du mois prochain", "31/12", "lundi"]
)
def test_calendar_limits_do_not_raise(text: str, today: date) -> None:
    for prefer in ("future", "past"):
        resolve_date(text, "fr", today, prefer)


def test_long_and_hostile_texts_are_fast() -> None:
    texts = [
        "le " * 5000,
        "1" * 10_000,
        "15/" * 3000,
        "a" * 10_000,
        " " * 10_000,
        "'; DROP TABLE invoices; -- le 15" + "😀" * 3000,
        "dans " * 2000 + "jours",
        "fin " * 2500,
        "dia " * 2500 + "10",
        "1-" * 5000,
        "segunda " * 1200,
    ]
    started = time.monotonic()
    for text in texts:
        for lang in ("fr", "pt"):
            resolve_date(text, lang, FRI)
            resolve_day_of_month(text, lang)
    assert time.monotonic() - started < 5


TODAYS = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))
LANGS = st.sampled_from(["fr", "pt"])
DATE_WORDS = st.sampled_from(
    [
        "le", "dia", "15", "1er", "1º", "31", "lundi", "segunda", "sexta-feira", "prochain", "que vem",
        "dernier", "passada", "mars", "março", "/", "-", ".", "02", "2026", "26", "fin", "du", "mois",
        "dans", "jours", "há", "dias", "demain", "ontem", "de", "semaine", "semana", "mi", "vingt", "et",
        "un", "premier", "primeiro", "en", "huit", "todo", "no", "fim", "do", "mês", " ", ",", "😀",
    ]
)  # fmt: skip
PHRASES = st.lists(DATE_WORDS, max_size=8).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=200), lang=LANGS, today=TODAYS, prefer=st.sampled_from(["future", "past"]))
def test_never_raises_on_any_text(text: str, lang: str, today: date, prefer: str) -> None:
    resolve_date(text, lang, today, prefer)
    day = resolve_day_of_month(text, lang)
    assert day is None or 1 <= day <= 31


@settings(max_examples=400, deadline=None)
@given(text=PHRASES, lang=LANGS, today=TODAYS)
def test_preference_direction(text: str, lang: str, today: date) -> None:
    future = resolve_date(text, lang, today, "future")
    if future is not None and future.kind in ("day_of_month", "weekday"):
        assert future.value >= today
    past = resolve_date(text, lang, today, "past")
    if past is not None and past.kind in ("day_of_month", "weekday"):
        assert past.value <= today


@settings(max_examples=200, deadline=None)
@given(day=st.integers(1, 31), lang=LANGS, today=TODAYS, prefer=st.sampled_from(["future", "past"]))
def test_day_of_month_keeps_the_day(day: int, lang: str, today: date, prefer: str) -> None:
    text = f"le {day}" if lang == "fr" else f"dia {day}"
    found = resolve_date(text, lang, today, prefer)
    assert found is not None and found.kind == "day_of_month" and found.value.day == day
    assert abs((found.value - today).days) <= 62
    assert resolve_day_of_month(text, lang) == day
