"""Locale catalogues (`locales/<lang>.yml`) and per-locale formatting of money and dates.

A catalogue holds the `utter_*` responses (Rasa's response format: a list of variations) and, under
other top-level keys, plain texts addressed by a dotted key (`pdf.total`). Values sent from actions to
the NLG travel as JSON; money and dates are tagged (`money_value`, `date_value`) so that the NLG can
format them for the conversation's language.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.numbers import format_currency, format_decimal

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
SUPPORTED_LANGUAGES: tuple[str, ...] = ("fr", "pt")
DEFAULT_LANGUAGE = "fr"
BABEL_LOCALES = {"fr": "fr_FR", "pt": "pt_BR"}

Catalogue = dict[str, Any]


def normalize_language(value: object) -> str | None:
    """`pt-BR`, `PT`, `fr_FR` → `pt`, `pt`, `fr`; anything unsupported → None."""
    if not isinstance(value, str) or not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if code in SUPPORTED_LANGUAGES else None


@cache
def catalogue(language: str, locales_dir: Path = LOCALES_DIR) -> Catalogue:
    with open(locales_dir / f"{language}.yml", encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{language}.yml must be a mapping")
    return data


@cache
def responses(language: str) -> dict[str, list[dict[str, Any]]]:
    return {k: v for k, v in catalogue(language).items() if k.startswith("utter_")}


def text(language: str, key: str, **params: Any) -> str:
    """A plain text by dotted key, with its placeholders filled (typed values formatted)."""
    node: Any = catalogue(language)
    for part in key.split("."):
        node = node[part]
    if not isinstance(node, str):
        raise KeyError(f"{key} is not a text in {language}.yml")
    return fill(node, params, language)


# -- typed values -----------------------------------------------------------------------------------
def money_value(amount: Decimal, currency: str) -> dict[str, str]:
    return {"type": "money", "amount": str(amount), "currency": currency}


def date_value(day: date) -> dict[str, str]:
    return {"type": "date", "value": day.isoformat()}


def format_money(amount: Decimal, currency: str, language: str) -> str:
    return format_currency(amount, currency, locale=BABEL_LOCALES[language])


def format_day(day: date, language: str) -> str:
    return babel_format_date(day, format="long", locale=BABEL_LOCALES[language])


WEEKDAY_DAY_FORMATS = {"fr": "EEEE d MMMM", "pt": "EEEE, d 'de' MMMM"}


def format_weekday_day(day: date, language: str) -> str:
    """ "lundi 30 novembre", "segunda-feira, 30 de novembro": a day of the coming week."""
    return babel_format_date(day, format=WEEKDAY_DAY_FORMATS[language], locale=BABEL_LOCALES[language])


def format_clock_time(moment: datetime | time, language: str) -> str:
    """ "08:00" in both languages (24-hour clock)."""
    return babel_format_time(moment, "HH:mm", locale=BABEL_LOCALES[language])


def format_month(day: date, language: str) -> str:
    """ "novembre 2026", "novembro de 2026"."""
    return babel_format_date(
        day, format="MMMM yyyy" if language == "fr" else "MMMM 'de' yyyy", locale=BABEL_LOCALES[language]
    )


def format_month_of(year: int, month: int, language: str) -> str:
    return format_month(date(year, month, 1), language)


def format_number(value: Decimal | int, language: str) -> str:
    return format_decimal(value, locale=BABEL_LOCALES[language])


def format_value(value: Any, language: str) -> str:
    if isinstance(value, Mapping):
        kind = value.get("type")
        if kind == "money":
            return format_money(Decimal(value["amount"]), value["currency"], language)
        if kind == "date":
            return format_day(date.fromisoformat(value["value"]), language)
    if isinstance(value, Decimal):
        return format_number(value, language)
    if isinstance(value, date):
        return format_day(value, language)
    return "" if value is None else str(value)


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class _Values(dict[str, str]):
    def __missing__(self, key: str) -> str:
        # A missing value shows as nothing rather than as a raw "{key}" in front of a customer.
        return ""


def fill(template: str, params: Mapping[str, Any], language: str) -> str:
    if not placeholders(template):
        return template
    values = _Values({k: format_value(v, language) for k, v in params.items()})
    return template.format_map(values)
