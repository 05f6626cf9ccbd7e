from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from rasa.utils.endpoints import EndpointConfig

from bot import i18n
from bot.language import conversation_language
from bot.logs import OUR_LOGGERS, JsonFormatter
from bot.nlg import LocaleNLG, render_variation

NBSP = "\u202f"


@pytest.mark.parametrize(
    ("amount", "currency", "language", "text"),
    [
        (Decimal("1234.5"), "EUR", "fr", f"1{NBSP}234,50\u00a0€"),
        (Decimal("1234.5"), "BRL", "pt", "R$\u00a01.234,50"),
        (Decimal("0.1"), "EUR", "pt", "€\u00a00,10"),
    ],
)
def test_money_is_formatted_per_locale(amount: Decimal, currency: str, language: str, text: str) -> None:
    assert i18n.format_value(i18n.money_value(amount, currency), language) == text


def test_dates_are_formatted_per_locale() -> None:
    day = i18n.date_value(date(2026, 12, 2))
    assert i18n.format_value(day, "fr") == "2 décembre 2026"
    assert i18n.format_value(day, "pt") == "2 de dezembro de 2026"


def test_missing_placeholder_renders_empty_not_braces() -> None:
    assert i18n.fill("Total : {amount}.", {}, "fr") == "Total : ."


@pytest.mark.parametrize(
    ("value", "code"), [("pt-BR", "pt"), ("PT_pt", "pt"), ("fr", "fr"), ("en", None), (None, None), (3, None)]
)
def test_normalize_language(value: object, code: str | None) -> None:
    assert i18n.normalize_language(value) == code


@pytest.mark.parametrize(
    ("slots", "language"),
    [
        ({"language": "pt", "channel_language": "fr"}, "pt"),
        ({"language": None, "channel_language": "pt"}, "pt"),
        ({}, "fr"),
        ({"language": "de"}, "fr"),
    ],
)
def test_conversation_language(slots: dict[str, Any], language: str) -> None:
    assert conversation_language(slots, default="fr") == language


def test_render_variation_fills_text_and_button_titles() -> None:
    variation = {"text": "Solde : {balance}", "buttons": [{"title": "Payer {balance}", "payload": "/pay"}]}
    message = render_variation(variation, {"balance": i18n.money_value(Decimal("10"), "EUR")}, "fr")
    assert message == {
        "text": "Solde : 10,00\u00a0€",
        "buttons": [{"title": "Payer 10,00\u00a0€", "payload": "/pay"}],
    }


class FakeTracker:
    def __init__(self, slots: dict[str, Any]) -> None:
        self._slots = slots

    def current_slot_values(self) -> dict[str, Any]:
        return self._slots


async def test_nlg_uses_the_slot_language_and_an_explicit_override() -> None:
    nlg = LocaleNLG()
    tracker: Any = FakeTracker({"language": "pt"})
    greet_pt = await nlg.generate("utter_greet", tracker, "rest", domain_responses={})
    assert greet_pt is not None and greet_pt["text"].startswith("Olá")
    forced = await nlg.generate("utter_language_switched", tracker, "rest", language="fr")
    assert forced is not None and forced["text"].startswith("Très bien")
    assert await nlg.generate("utter_does_not_exist", tracker, "rest") is None


async def test_nlg_formats_action_parameters() -> None:
    nlg = LocaleNLG()
    tracker: Any = FakeTracker({"language": "fr"})
    message = await nlg.generate(
        "utter_balance", tracker, "rest", balance=i18n.money_value(Decimal("42.1"), "EUR")
    )
    assert message == {"text": "Votre solde à régler est de 42,10\u00a0€."}


@pytest.fixture
def our_loggers_restored() -> Iterator[None]:
    loggers = [logging.getLogger(name) for name in OUR_LOGGERS]
    saved = [(logger.handlers[:], logger.level, logger.propagate) for logger in loggers]
    yield
    for logger, (handlers, level, propagate) in zip(loggers, saved, strict=True):
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate


@pytest.mark.usefixtures("our_loggers_restored")
def test_the_rasa_process_logs_json_when_its_endpoints_ask() -> None:
    def json_handlers() -> list[logging.Handler]:
        return [h for h in logging.getLogger("bot").handlers if isinstance(h.formatter, JsonFormatter)]

    for handler in json_handlers():
        logging.getLogger("bot").removeHandler(handler)
    LocaleNLG(EndpointConfig(type="bot.nlg.LocaleNLG"))
    assert json_handlers() == []
    LocaleNLG(EndpointConfig(type="bot.nlg.LocaleNLG", json_logs=True))
    assert len(json_handlers()) == 1
